#include "analysis/sr_bias_closed_forms.hpp"

#include "reference/error.hpp"

namespace roundlab::analysis {

namespace {

enum class Kind { Exact, Fewbit };

// Which formula family a mode uses; InputError for modes without a stochastic closed form.
Kind kind_of(Mode mode, int n) {
  switch (mode) {
    case Mode::StochasticExact: return Kind::Exact;
    case Mode::StochasticA:
    case Mode::StochasticB:
    case Mode::StochasticC:
    case Mode::StochasticOdd:
    case Mode::StochasticCeil:
      if (n < 0 || n > 64) throw InputError("closed forms: N = " + std::to_string(n) + " is outside 0..64");
      return Kind::Fewbit;
    default:
      throw InputError("closed forms cover the stochastic modes (sr, srff, srf, src, sro, srceil), not " +
                       mode_name(mode));
  }
}

// A few-bit mode with N = 0 never rounds away (P3109): it is TowardZero, whose rows equal srff's at N = 0.
Mode effective(Mode mode, int n) { return n == 0 ? Mode::StochasticA : mode; }

Rational third_of_half(int bits) { return (1 - pow2(-2L * bits)) / 6; }  // (1 − 4^-bits)/6

}  // namespace

Rational closed_form_p_away(Mode mode, int n, const Rational& delta) {
  if (delta < 0 || delta >= 1) throw InputError("closed forms: δ = " + rational_text(delta) + " is outside [0, 1)");
  if (kind_of(mode, n) == Kind::Exact) return delta;
  if (n == 0) return 0;
  const Rational y = delta * pow2(n);
  const Integer f = floor_of(y);
  const Rational frac = y - Rational(f);
  const Rational half(1, 2);
  const bool f_odd = (f & 1) != 0;
  Integer r = f;
  switch (mode) {
    case Mode::StochasticA: break;
    case Mode::StochasticB: r = floor_of(y + half); break;
    case Mode::StochasticC: if (frac > half || (frac == half && f_odd)) r += 1; break;
    case Mode::StochasticOdd: if (frac > half || (frac == half && !f_odd)) r += 1; break;
    case Mode::StochasticCeil: if (frac > 0) r += 1; break;
    default: break;
  }
  return Rational(r) * pow2(-n);
}

Rational closed_form_bias(Mode mode, int n, const Rational& delta) { return closed_form_p_away(mode, n, delta) - delta; }

Rational closed_form_variance(Mode mode, int n, const Rational& delta) {
  const Rational q = closed_form_p_away(mode, n, delta);
  return q * (1 - q);
}

Rational closed_form_mse(Mode mode, int n, const Rational& delta) {
  const Rational q = closed_form_p_away(mode, n, delta);
  return q * (1 - delta) * (1 - delta) + (1 - q) * delta * delta;
}

BiasRange grid_bias_range(Mode mode, int n, int d) {
  if (d < 0) throw InputError("closed forms: D = " + std::to_string(d) + " must be ≥ 0");
  if (kind_of(mode, n) == Kind::Exact || d <= n) return {Rational(0), Rational(0)};
  const Rational ulp_n = pow2(-n), half_n = pow2(-(n + 1)), grid = pow2(-d);
  switch (effective(mode, n)) {
    case Mode::StochasticA: return {Rational(-(ulp_n - grid)), Rational(0)};
    case Mode::StochasticB: return {Rational(-(half_n - grid)), half_n};
    case Mode::StochasticC:
    case Mode::StochasticOdd: return {Rational(-half_n), half_n};
    case Mode::StochasticCeil: return {Rational(0), Rational(ulp_n - grid)};
    default: break;
  }
  return {};
}

BiasRange infinite_precision_bias_range(Mode mode, int n) {
  if (kind_of(mode, n) == Kind::Exact) return {Rational(0), Rational(0)};
  const Rational ulp_n = pow2(-n), half_n = pow2(-(n + 1));
  switch (effective(mode, n)) {
    case Mode::StochasticA: return {Rational(-ulp_n), Rational(0), false, true};
    case Mode::StochasticB: return {Rational(-half_n), half_n, false, true};
    case Mode::StochasticC:
    case Mode::StochasticOdd: return {Rational(-half_n), half_n, true, true};
    case Mode::StochasticCeil: return {Rational(0), ulp_n, true, false};
    default: break;
  }
  return {};
}

Rational grid_mean_bias(Mode mode, int n, int d) {
  if (d < 0) throw InputError("closed forms: D = " + std::to_string(d) + " must be ≥ 0");
  if (kind_of(mode, n) == Kind::Exact || d <= n) return 0;
  const Rational spread = (pow2(-n) - pow2(-d)) / 2;
  switch (effective(mode, n)) {
    case Mode::StochasticA: return -spread;
    case Mode::StochasticB: return pow2(-(d + 1));
    case Mode::StochasticC:
    case Mode::StochasticOdd: return 0;
    case Mode::StochasticCeil: return spread;
    default: break;
  }
  return 0;
}

Rational grid_mean_variance(Mode mode, int n, int d) {
  if (d < 0) throw InputError("closed forms: D = " + std::to_string(d) + " must be ≥ 0");
  if (kind_of(mode, n) == Kind::Exact || d <= n) return third_of_half(d);
  if (n == 0) return 0;  // q = 0 everywhere
  const Rational base = third_of_half(n);
  switch (mode) {
    case Mode::StochasticC: return base - pow2(-(d + n + 1));
    case Mode::StochasticOdd: return base + pow2(-(d + n + 1));
    default: return base;
  }
}

Rational grid_mean_exact_sr_variance(int d) {
  if (d < 0) throw InputError("closed forms: D = " + std::to_string(d) + " must be ≥ 0");
  return third_of_half(d);
}

Rational infinite_precision_mean_bias(Mode mode, int n) {
  if (kind_of(mode, n) == Kind::Exact) return 0;
  switch (effective(mode, n)) {
    case Mode::StochasticA: return -pow2(-(n + 1));
    case Mode::StochasticCeil: return pow2(-(n + 1));
    default: return 0;
  }
}

Rational infinite_precision_mean_variance(Mode mode, int n) {
  if (kind_of(mode, n) == Kind::Exact) return Rational(1, 6);
  if (n == 0) return 0;
  return third_of_half(n);
}

}  // namespace roundlab::analysis
