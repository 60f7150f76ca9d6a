// ExactValue: an extended real (finite, ±Inf or NaN) held exactly in MPFR.
//
// Exactness: a finite value is held as sign + magnitude at kWorkPrecision bits. A dyadic input of at
// most kWorkPrecision significant bits is held exactly (inexact == false). Any other input (a decimal
// such as 0.1, or a longer literal) is held as its round-to-odd image at kWorkPrecision bits
// (inexact == true): truncate, then force the last bit to 1. Rounding that image to any grid at least
// two bits coarser gives the same result as rounding the true value, for every mode in this suite,
// because the image lies strictly inside the same open interval between grid points and is never a
// tie. That argument needs a dyadic grid: for codebooks whose values are not dyadic (APoT4's 0.1),
// an inexact value also carries its exact rational (exact_magnitude()), set for decimal literals by
// parse_number and for non-dyadic codebook values, so ties against such values are decided exactly.
// kWorkPrecision leaves room for p ≤ 64 plus N ≤ 64 random bits plus a 128-bit real u.
#pragma once
// <cstdint> first: MPFR declares its intmax_t functions (mpfr_set_uj…) only after <stdint.h>.
#include <cstdint>
#include <mpfr.h>

#include <boost/multiprecision/gmp.hpp>
#include <memory>
#include <string>

namespace roundlab {

inline constexpr mpfr_prec_t kWorkPrecision = 320;

// Widen MPFR's exponent range to its maximum in the calling thread (MPFR keeps it thread-local).
void mpfr_setup();

// RAII owner of one mpfr_t.
class Mpfr {
 public:
  explicit Mpfr(mpfr_prec_t precision = kWorkPrecision);
  Mpfr(const Mpfr& other);
  Mpfr(Mpfr&& other) noexcept;
  Mpfr& operator=(const Mpfr& other);
  Mpfr& operator=(Mpfr&& other) noexcept;
  ~Mpfr();
  mpfr_ptr get() { return value_; }
  mpfr_srcptr get() const { return value_; }

 private:
  mpfr_t value_;
};

class ExactValue {
 public:
  enum class Kind { Finite, Infinite, NaN };

  ExactValue();  // +0
  static ExactValue nan();
  static ExactValue infinity(bool negative);
  static ExactValue zero(bool negative);
  // Exact: 2^exponent * mantissa with the given sign.
  static ExactValue from_integer_scaled(bool negative, std::uint64_t mantissa, long exponent);
  // Exact copy of an MPFR value (must have at most kWorkPrecision bits).
  static ExactValue from_mpfr(mpfr_srcptr value);
  static ExactValue from_double(double value);  // exact
  static ExactValue from_float(float value);    // exact

  Kind kind() const { return kind_; }
  bool is_nan() const { return kind_ == Kind::NaN; }
  bool is_infinite() const { return kind_ == Kind::Infinite; }
  bool is_finite() const { return kind_ == Kind::Finite; }
  bool is_zero() const;
  bool negative() const { return negative_; }
  bool inexact() const { return inexact_; }
  // |x| for finite values (≥ 0); meaningless otherwise.
  const Mpfr& magnitude() const { return magnitude_; }
  Mpfr& magnitude() { return magnitude_; }

  void set_negative(bool negative) { negative_ = negative; }
  // Marks the magnitude as the round-to-odd image of a longer value (sets its last bit, see above).
  void make_round_to_odd_image();
  void set_inexact(bool inexact) { inexact_ = inexact; }
  // Exact rational of |x| when known for an inexact value (nullptr otherwise). Exact.
  const boost::multiprecision::mpq_rational* exact_magnitude() const { return exact_magnitude_.get(); }
  void set_exact_magnitude(const boost::multiprecision::mpq_rational& magnitude) {
    exact_magnitude_ = std::make_shared<const boost::multiprecision::mpq_rational>(magnitude);
  }
  ExactValue negated() const;

  // Signed value into an MPFR variable (exact when the target has enough precision).
  void to_mpfr(mpfr_ptr out) const;

  // Ordering on the extended reals (NaN compares unordered: both return false). −0 == +0.
  friend bool operator<(const ExactValue& a, const ExactValue& b);
  friend bool operator>(const ExactValue& a, const ExactValue& b) { return b < a; }
  // Same value, same sign of zero, same inexactness; NaN == NaN here (identity, not IEEE equality).
  bool identical(const ExactValue& other) const;
  // Numeric equality (−0 == +0, NaN != anything).
  bool equals(const ExactValue& other) const;

 private:
  Kind kind_ = Kind::Finite;
  bool negative_ = false;
  bool inexact_ = false;
  Mpfr magnitude_;
  std::shared_ptr<const boost::multiprecision::mpq_rational> exact_magnitude_;
};

}  // namespace roundlab
