#include "reference/exact_value.hpp"

#include <cmath>
#include <utility>

namespace roundlab {

void mpfr_setup() {
  // Keep one bit of headroom so that products by 2^k near the limits do not trip MPFR's checks.
  static thread_local bool done = false;
  if (done) return;
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
  done = true;
}

Mpfr::Mpfr(mpfr_prec_t precision) { mpfr_init2(value_, precision); mpfr_set_zero(value_, 1); }
Mpfr::Mpfr(const Mpfr& other) {
  mpfr_init2(value_, mpfr_get_prec(other.value_));
  mpfr_set(value_, other.value_, MPFR_RNDN);
}
Mpfr::Mpfr(Mpfr&& other) noexcept {
  mpfr_init2(value_, mpfr_get_prec(other.value_));
  mpfr_swap(value_, other.value_);
}
Mpfr& Mpfr::operator=(const Mpfr& other) {
  if (this != &other) {
    mpfr_set_prec(value_, mpfr_get_prec(other.value_));
    mpfr_set(value_, other.value_, MPFR_RNDN);
  }
  return *this;
}
Mpfr& Mpfr::operator=(Mpfr&& other) noexcept {
  if (this != &other) mpfr_swap(value_, other.value_);
  return *this;
}
Mpfr::~Mpfr() { mpfr_clear(value_); }

ExactValue::ExactValue() { mpfr_setup(); }

ExactValue ExactValue::nan() {
  ExactValue v;
  v.kind_ = Kind::NaN;
  mpfr_set_nan(v.magnitude_.get());
  return v;
}

ExactValue ExactValue::infinity(bool negative) {
  ExactValue v;
  v.kind_ = Kind::Infinite;
  v.negative_ = negative;
  mpfr_set_inf(v.magnitude_.get(), 1);
  return v;
}

ExactValue ExactValue::zero(bool negative) {
  ExactValue v;
  v.negative_ = negative;
  return v;
}

ExactValue ExactValue::from_integer_scaled(bool negative, std::uint64_t mantissa, long exponent) {
  ExactValue v;
  v.negative_ = negative;
  mpfr_set_uj(v.magnitude_.get(), mantissa, MPFR_RNDN);  // exact: 64 ≤ kWorkPrecision
  mpfr_mul_2si(v.magnitude_.get(), v.magnitude_.get(), exponent, MPFR_RNDN);
  return v;
}

ExactValue ExactValue::from_mpfr(mpfr_srcptr value) {
  ExactValue v;
  if (mpfr_nan_p(value)) return nan();
  if (mpfr_inf_p(value)) return infinity(mpfr_signbit(value) != 0);
  v.negative_ = mpfr_signbit(value) != 0;
  int inexact = mpfr_abs(v.magnitude_.get(), value, MPFR_RNDZ);
  if (inexact != 0) v.make_round_to_odd_image();
  return v;
}

ExactValue ExactValue::from_double(double value) {
  mpfr_setup();
  Mpfr tmp(64);
  mpfr_set_d(tmp.get(), value, MPFR_RNDN);  // exact
  return from_mpfr(tmp.get());
}

ExactValue ExactValue::from_float(float value) { return from_double(static_cast<double>(value)); }

void ExactValue::make_round_to_odd_image() {
  inexact_ = true;
  if (mpfr_zero_p(magnitude_.get())) {
    // Below every representable magnitude: the smallest positive value stands in for "tiny, not 0".
    mpfr_set_ui_2exp(magnitude_.get(), 1, mpfr_get_emin(), MPFR_RNDN);
    return;
  }
  mpz_t significand;
  mpz_init(significand);
  mpfr_get_z_2exp(significand, magnitude_.get());
  if (mpz_even_p(significand)) mpfr_nextabove(magnitude_.get());
  mpz_clear(significand);
}

bool ExactValue::is_zero() const { return kind_ == Kind::Finite && mpfr_zero_p(magnitude_.get()); }

ExactValue ExactValue::negated() const {
  ExactValue v = *this;
  v.negative_ = !negative_;
  return v;
}

void ExactValue::to_mpfr(mpfr_ptr out) const {
  switch (kind_) {
    case Kind::NaN: mpfr_set_nan(out); return;
    case Kind::Infinite: mpfr_set_inf(out, negative_ ? -1 : 1); return;
    case Kind::Finite:
      mpfr_set(out, magnitude_.get(), MPFR_RNDN);
      if (negative_) mpfr_neg(out, out, MPFR_RNDN);
      return;
  }
}

namespace {
// Signed three-way comparison of two non-NaN values.
int compare(const ExactValue& a, const ExactValue& b) {
  auto rank = [](const ExactValue& v) {  // −Inf < finite < +Inf
    if (v.is_infinite()) return v.negative() ? -1 : 1;
    return 0;
  };
  int ra = rank(a), rb = rank(b);
  if (ra != 0 || rb != 0) return (ra > rb) - (ra < rb);
  bool az = a.is_zero(), bz = b.is_zero();
  int sa = az ? 0 : (a.negative() ? -1 : 1);
  int sb = bz ? 0 : (b.negative() ? -1 : 1);
  if (sa != sb) return (sa > sb) - (sa < sb);
  if (sa == 0) return 0;
  int c = mpfr_cmp(a.magnitude().get(), b.magnitude().get());
  return sa > 0 ? c : -c;
}
}  // namespace

bool operator<(const ExactValue& a, const ExactValue& b) {
  if (a.is_nan() || b.is_nan()) return false;
  return compare(a, b) < 0;
}

bool ExactValue::equals(const ExactValue& other) const {
  if (is_nan() || other.is_nan()) return false;
  return compare(*this, other) == 0;
}

bool ExactValue::identical(const ExactValue& other) const {
  if (kind_ != other.kind_) return false;
  if (kind_ == Kind::NaN) return true;
  if (negative_ != other.negative_) return false;
  if (kind_ == Kind::Infinite) return true;
  if (inexact_ != other.inexact_ || !mpfr_equal_p(magnitude_.get(), other.magnitude_.get())) return false;
  if (exact_magnitude_ && other.exact_magnitude_) return *exact_magnitude_ == *other.exact_magnitude_;
  return true;
}

}  // namespace roundlab
