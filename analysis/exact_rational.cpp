#include "analysis/exact_rational.hpp"

#include <gmp.h>

#include <stdexcept>

#include "reference/error.hpp"
#include "reference/number_text.hpp"

namespace roundlab::analysis {

// mpq_mul_2exp / mpq_div_2exp shift without a general gcd: exact and cheaper than a product.
Rational pow2(long e) { return times_pow2(Rational(1), e); }

Rational times_pow2(const Rational& q, long e) {
  Rational out;
  if (e >= 0) {
    mpq_mul_2exp(out.backend().data(), q.backend().data(), static_cast<mp_bitcnt_t>(e));
  } else {
    mpq_div_2exp(out.backend().data(), q.backend().data(), static_cast<mp_bitcnt_t>(-e));
  }
  return out;
}

Rational rational_of(mpfr_srcptr value) {
  if (!mpfr_number_p(value)) throw std::logic_error("rational_of: MPFR value is not finite");
  Rational out;
  if (mpfr_zero_p(value)) return out;
  mpz_t m;
  mpz_init(m);
  const mpfr_exp_t e = mpfr_get_z_2exp(m, value);  // value = m·2^e exactly
  mpq_set_z(out.backend().data(), m);
  mpz_clear(m);
  if (e >= 0) {
    mpq_mul_2exp(out.backend().data(), out.backend().data(), static_cast<mp_bitcnt_t>(e));
  } else {
    mpq_div_2exp(out.backend().data(), out.backend().data(), static_cast<mp_bitcnt_t>(-e));
  }
  return out;
}

Rational rational_of(const ExactValue& value) {
  if (!value.is_finite())
    throw InputError("value " + to_hex_float(value) + " is not finite, so it has no exact rational");
  Rational magnitude;
  if (value.inexact()) {
    if (!value.exact_magnitude())
      throw InputError("value " + to_hex_float(value) +
                       " is not held exactly (too many digits for an exact rational); give it as a shorter "
                       "decimal or hex literal");
    magnitude = *value.exact_magnitude();
  } else {
    magnitude = rational_of(value.magnitude().get());
  }
  return value.negative() ? Rational(-magnitude) : magnitude;
}

ExactValue exact_value_of_dyadic(const Rational& value) {
  const Integer den = boost::multiprecision::denominator(value);
  if (mpz_popcount(den.backend().data()) != 1) throw std::logic_error("exact_value_of_dyadic: not dyadic");
  Mpfr m(kWorkPrecision);
  if (mpfr_set_q(m.get(), value.backend().data(), MPFR_RNDN) != 0)
    throw std::logic_error("exact_value_of_dyadic: more than kWorkPrecision bits");
  ExactValue out = ExactValue::from_mpfr(m.get());
  if (value == 0) out.set_negative(false);
  return out;
}

Integer floor_of(const Rational& q) {
  Integer out;
  mpz_fdiv_q(out.backend().data(), mpq_numref(q.backend().data()), mpq_denref(q.backend().data()));
  return out;
}

std::string rational_text(const Rational& q) { return q.str(); }

double approximate(const Rational& q) {
  Mpfr m(53);
  mpfr_set_q(m.get(), q.backend().data(), MPFR_RNDN);  // one correct rounding to binary64
  return mpfr_get_d(m.get(), MPFR_RNDN);                // exact: m already has 53 bits
}

}  // namespace roundlab::analysis
