#include "reference/ieee_like_format.hpp"

#include <gmp.h>

#include "reference/error.hpp"
#include "reference/number_text.hpp"

namespace roundlab {

static_assert(sizeof(unsigned long) == 8, "mpz_get_ui must return 64 bits");

namespace {
std::uint64_t bit(int n) { return n >= 64 ? 0 : (std::uint64_t{1} << n); }
std::uint64_t mask(int n) { return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; }
}  // namespace

void IeeeLikeFormat::validate() const {
  auto fail = [&](const std::string& why) { throw InputError("format '" + name + "': " + why); };
  if (k < 2 || k > 64) fail("total bits k = " + std::to_string(k) + " must be in 2..64");
  if (p < 1 || p > k - sign_bits() + (twos_complement ? 1 : 0))
    fail("precision p = " + std::to_string(p) + " does not fit in k = " + std::to_string(k) + " bits");
  if (exponent_bits() < 0) fail("no room for an exponent field");
  if (exponent_bits() > 31) fail("exponent field wider than 31 bits is not supported");
  if (twos_complement && (!is_signed || exponent_bits() != 0))
    fail("two's complement needs a signed format without exponent field");
  if (!has_subnormals && (p > 1 || is_signed))
    fail("formats without subnormals are supported only unsigned with p = 1 (e.g. E8M0); use a codebook otherwise");
  if (num_high_nans > mask(trailing_bits()) + 1)
    fail("num_high_nans = " + std::to_string(num_high_nans) + " is more than one binade of codes");
  if (!is_signed && has_negative_zero) fail("an unsigned format cannot have −0");
  if (code_of_max() == 0 && !twos_complement) fail("no finite non-zero value left after the specials");
}

bool IeeeLikeFormat::has_nan() const {
  if (num_high_nans > 0) return true;
  return is_signed && !twos_complement && !has_negative_zero;  // NaN in the −0 slot
}

std::uint64_t IeeeLikeFormat::code_count_mask() const { return mask(k); }

std::uint64_t IeeeLikeFormat::code_of_nan() const {
  if (num_high_nans == 0) return bit(k - 1);  // the −0 slot (P3109 signed, FNUZ)
  if (!is_signed) return mask(k);
  // IEEE-style NaN binade: the positive quiet NaN (top significand bit set), e.g. 0x7E00, 0x7FC00000.
  if (has_infinities() && trailing_bits() >= 1 && num_high_nans == mask(trailing_bits()))
    return code_of_positive_infinity() + bit(trailing_bits() - 1);
  return mask(k - 1);  // the top positive code (E4M3: 0x7F)
}

std::uint64_t IeeeLikeFormat::code_of_positive_infinity() const {
  return mask(k - sign_bits()) - num_high_nans;
}

std::uint64_t IeeeLikeFormat::code_of_negative_infinity() const {
  return mask(k) - num_high_nans;
}

std::uint64_t IeeeLikeFormat::code_of_max() const {
  if (twos_complement) return mask(k - 1);
  return mask(k - sign_bits()) - num_high_nans - (has_infinities() ? 1 : 0);
}

std::uint64_t IeeeLikeFormat::code_of_min() const {
  if (twos_complement) return bit(k - 1);
  if (!is_signed) return 0;
  return bit(k - 1) | code_of_max();
}

ExactValue IeeeLikeFormat::max_finite() const { return decode(code_of_max()); }
ExactValue IeeeLikeFormat::min_finite() const {
  if (!is_signed) return decode(0);
  return decode(code_of_min());
}

ExactValue IeeeLikeFormat::min_normal() const {
  return ExactValue::from_integer_scaled(false, 1, min_exponent());
}

std::optional<ExactValue> IeeeLikeFormat::min_subnormal() const {
  if (!has_subnormals || p == 1) return std::nullopt;
  return ExactValue::from_integer_scaled(false, 1, 1 - bias - trailing_bits());
}

ExactValue IeeeLikeFormat::decode(std::uint64_t code) const {
  if (code > mask(k)) {
    throw InputError("code 0x" + [&] {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(code));
      return std::string(buf);
    }() + " is out of range for " + std::to_string(k) + "-bit format '" + name + "'");
  }
  const int t = trailing_bits();
  const int w = exponent_bits();
  bool negative = false;
  std::uint64_t magnitude_code = code;
  if (is_signed) {
    negative = (code >> (k - 1)) & 1;
    magnitude_code = code & mask(k - 1);
  }
  std::uint64_t significand = magnitude_code & mask(t);
  std::uint64_t exponent = w == 0 ? 0 : (magnitude_code >> t) & mask(w);
  if (twos_complement) {
    // The whole k-bit code is a two's-complement integer scaled by 2^(1-bias-t).
    std::uint64_t m = negative ? bit(k - 1) - significand : significand;
    if (negative && significand == 0) m = bit(k - 1);
    return ExactValue::from_integer_scaled(negative, m, 1 - bias - t);
  }
  const std::uint64_t top = mask(k - sign_bits());
  if (magnitude_code > top - num_high_nans) return ExactValue::nan();
  if (has_infinities() && magnitude_code == top - num_high_nans)
    return ExactValue::infinity(negative);
  if (negative && magnitude_code == 0) {
    if (has_negative_zero) return ExactValue::zero(true);
    return ExactValue::nan();
  }
  if (exponent == 0 && has_subnormals) {
    return ExactValue::from_integer_scaled(negative, significand, 1 - bias - t);
  }
  // Normal: (2^t + significand) * 2^(exponent - bias - t).
  return ExactValue::from_integer_scaled(negative, bit(t) | significand,
                                         static_cast<long>(exponent) - bias - t);
}

std::uint64_t IeeeLikeFormat::encode(const ExactValue& value) const {
  auto not_in_format = [&](const std::string& why) {
    // A long exact text (1e400's 401 digits) would bury the reason: then 17 digits, marked approximate.
    std::string text = to_hex_float(value);
    if (text.size() > 80) text = "~" + to_short_decimal(value);
    return NoEncodingError("value " + text + " is not in format '" + name + "' (" + why + "); round it first");
  };
  if (value.is_nan()) {
    if (!has_nan()) throw not_in_format("the format has no NaN");
    return code_of_nan();
  }
  if (value.inexact()) throw not_in_format("it is not a dyadic rational of at most " + std::to_string(kWorkPrecision) + " significant bits");
  if (value.negative() && !value.is_zero() && !is_signed) throw not_in_format("the format is unsigned");
  if (value.is_infinite()) {
    if (!has_infinities()) throw not_in_format("the format has no infinities");
    return value.negative() ? code_of_negative_infinity() : code_of_positive_infinity();
  }
  if (value.is_zero()) {
    if (!has_zero()) throw not_in_format("the format has no zero");
    if (value.negative() && has_negative_zero) return bit(k - 1);
    return 0;  // +0; −0 maps to +0 where the format has no −0
  }
  const int t = trailing_bits();
  // |v| = m * 2^e with m odd.
  mpz_t m;
  mpz_init(m);
  long e = static_cast<long>(mpfr_get_z_2exp(m, value.magnitude().get()));
  mp_bitcnt_t tz = mpz_scan1(m, 0);
  mpz_fdiv_q_2exp(m, m, tz);
  e += static_cast<long>(tz);
  const long bits = static_cast<long>(mpz_sizeinbase(m, 2));
  const long msb = e + bits - 1;  // floor(log2 |v|)
  std::uint64_t exponent_field = 0;
  long quantum = 0;  // exponent of one unit in the last place at |v|
  if (twos_complement || (has_subnormals && msb < 1 - bias)) {
    quantum = 1 - bias - t;
  } else {
    long ef = msb + bias;
    if (ef < 0 || ef > static_cast<long>(mask(exponent_bits()))) {
      mpz_clear(m);
      throw not_in_format("its exponent is out of range");
    }
    exponent_field = static_cast<std::uint64_t>(ef);
    quantum = msb - t;
  }
  if (e < quantum) {
    mpz_clear(m);
    throw not_in_format("it needs more significand bits than p = " + std::to_string(p));
  }
  mpz_mul_2exp(m, m, static_cast<mp_bitcnt_t>(e - quantum));
  if (mpz_sizeinbase(m, 2) > 64) {
    mpz_clear(m);
    throw not_in_format("its magnitude is too large");
  }
  std::uint64_t integer = mpz_get_ui(m);
  mpz_clear(m);
  std::uint64_t code = 0;
  if (twos_complement) {
    if (value.negative()) {
      if (integer > bit(k - 1)) throw not_in_format("it is below the minimum");
      code = (bit(k) - integer) & mask(k);
    } else {
      if (integer > mask(k - 1)) throw not_in_format("it is above the maximum");
      code = integer;
    }
  } else {
    std::uint64_t significand = exponent_field == 0 && has_subnormals ? integer : integer - bit(t);
    if (significand > mask(t)) throw not_in_format("its significand does not fit");
    code = (exponent_field << t) | significand;
    if (code > code_of_max()) throw not_in_format("it is above the largest finite value");
    if (value.negative()) code |= bit(k - 1);
  }
  return code;
}

bool IeeeLikeFormat::contains(const ExactValue& value) const {
  try {
    std::uint64_t c = encode(value);
    return decode(c).identical(value) || (value.is_nan() && decode(c).is_nan()) ||
           (value.is_zero() && decode(c).is_zero());
  } catch (const NoEncodingError&) {
    return false;
  }
}

}  // namespace roundlab
