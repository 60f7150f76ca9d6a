#include "reference/round_to_precision.hpp"

#include <gmp.h>

#include <algorithm>

#include "reference/error.hpp"
#include "reference/round_away.hpp"
#include "reference/saturate.hpp"

namespace roundlab {

PrecisionStep precision_step(const IeeeLikeFormat& f, const ExactValue& x) {
  PrecisionStep step;
  const mpfr_srcptr mag = x.magnitude().get();
  long e = static_cast<long>(mpfr_get_exp(mag)) - 1;  // ⌊log2|X|⌋ (MPFR: |X| = 0.1b…·2^exp)
  if (f.has_subnormals) e = std::max(e, 1 - f.bias);
  step.quantum_exponent = e - f.p + 1;
  Mpfr scaled(mpfr_get_prec(mag));
  mpfr_mul_2si(scaled.get(), mag, -step.quantum_exponent, MPFR_RNDN);  // S̃, exact
  step.integer_part = Mpfr(kWorkPrecision);
  mpfr_floor(step.integer_part.get(), scaled.get());                   // exact
  step.nu = Mpfr(mpfr_get_prec(mag));
  mpfr_frac(step.nu.get(), scaled.get(), MPFR_RNDN);                   // exact
  // CodeIsEven: IsEven(⌊S̃⌋) if P > 1, else (⌊S̃⌋ = 0) or IsEven(Q + B).
  mpz_t i;
  mpz_init(i);
  mpfr_get_z(i, step.integer_part.get(), MPFR_RNDN);
  if (f.p > 1) {
    step.code_is_even = mpz_even_p(i);
  } else {
    step.code_is_even = mpz_sgn(i) == 0 || ((step.quantum_exponent + f.bias) % 2 == 0);
  }
  mpz_clear(i);
  return step;
}

ExactValue round_to_precision(const IeeeLikeFormat& f, const Rounding& rounding, const ExactValue& x,
                              const RandomDraw& draw, bool* away_out) {
  if (away_out) *away_out = false;
  if (!x.is_finite() || x.is_zero()) return x;
  PrecisionStep step = precision_step(f, x);
  bool away = round_away(rounding, draw, step.nu.get(), !x.negative(), step.code_is_even);
  if (away_out) *away_out = away;
  // S = ⌊S̃⌋ + [RoundAway]; result = sgn(X)·S·2^Q (S may reach 2^P: the carry into the next binade).
  ExactValue out = ExactValue::zero(x.negative());
  mpfr_set(out.magnitude().get(), step.integer_part.get(), MPFR_RNDN);
  if (away) mpfr_add_ui(out.magnitude().get(), out.magnitude().get(), 1, MPFR_RNDN);
  mpfr_mul_2si(out.magnitude().get(), out.magnitude().get(), step.quantum_exponent, MPFR_RNDN);
  return out;
}

RoundResult project(const IeeeLikeFormat& f, const Rounding& rounding, const ExactValue& x,
                    const RandomDraw& draw) {
  rounding.validate();
  validate_random_draw(rounding, draw);
  if (x.is_nan() && !f.has_nan())
    throw NoEncodingError("NaN input has no encoding in format '" + f.name + "' (the format has no NaN)");
  RoundResult result;
  ExactValue rounded = round_to_precision(f, rounding, x, draw, &result.away);
  result.value = saturate(f, rounding, rounded, &result.saturated);
  if (result.value.is_nan() && !f.has_nan())
    throw NoEncodingError("the result is NaN, which format '" + f.name + "' cannot encode");
  if (result.value.is_zero() && result.value.negative() && !f.has_negative_zero)
    result.value.set_negative(false);  // formats without −0 return +0
  result.code = f.encode(result.value);
  return result;
}

}  // namespace roundlab
