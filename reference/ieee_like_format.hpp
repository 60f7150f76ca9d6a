// IeeeLikeFormat: the parametric family that covers IEEE 754 binary formats, bfloat16, OCP FP8/FP6/FP4,
// E8M0, MX INT8, the FNUZ pair, every P3109 Binary{K}p{P}{s|u}{e|f} and the "sbits" emulation formats.
//
// Parameters follow gfloat's FormatInfo (HEAD, "define by bias") with P3109 names where they exist:
// a code is [sign][exponent field: w bits][trailing significand: t = p-1 bits], sign-magnitude unless
// two's complement; exponent field 0 holds subnormals (when present); the top num_high_nans codes of
// each sign are NaN; in the Extended domain the next code down is ±Inf; the −0 slot (sign set, all else
// zero) is NaN when the format has no −0 (P3109, FNUZ).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "reference/exact_value.hpp"

namespace roundlab {

enum class Domain { Finite, Extended };

// What a non-saturating conversion does when a Finite-domain format overflows. P3109 (v4.0) and MX
// clamp to the largest finite value; OFP8 E4M3 and the FNUZ formats give NaN.
enum class FiniteOverflow { Clamp, NaN };

struct IeeeLikeFormat {
  std::string name;
  std::string family;  // "ieee754", "ocp", "p3109", "fnuz", "sbits", "custom"
  int k = 8;           // total bits, 1..64
  int p = 4;           // precision, including the implicit bit
  long bias = 7;
  bool is_signed = true;
  bool twos_complement = false;  // MX INT8: significand in two's complement, no exponent field
  Domain domain = Domain::Extended;
  bool has_negative_zero = true;
  std::uint64_t num_high_nans = 0;  // NaN codes at the top of each sign's code range
  bool has_subnormals = true;
  FiniteOverflow finite_overflow = FiniteOverflow::Clamp;
  std::string source;  // where the definition comes from

  // Throws InputError naming the parameter when the description is not a usable format.
  void validate() const;

  // Derived layout.
  int trailing_bits() const { return p - 1; }
  int sign_bits() const { return is_signed ? 1 : 0; }
  int exponent_bits() const { return k - trailing_bits() - sign_bits(); }
  bool has_zero() const { return p > 1 || has_subnormals; }
  bool has_infinities() const { return domain == Domain::Extended; }
  bool has_nan() const;
  std::uint64_t code_count_mask() const;  // 2^k - 1

  // Codes (exact, from the layout).
  std::uint64_t code_of_nan() const;  // canonical NaN; requires has_nan()
  std::uint64_t code_of_positive_infinity() const;
  std::uint64_t code_of_negative_infinity() const;
  std::uint64_t code_of_max() const;
  std::uint64_t code_of_min() const;  // most negative finite (or smallest for unsigned)

  // Exact extremal values.
  ExactValue max_finite() const;
  ExactValue min_finite() const;  // M_lo of P3109: −max (signed), −2^(emax+1) (two's complement), 0 or min (unsigned)
  ExactValue min_normal() const;
  std::optional<ExactValue> min_subnormal() const;  // none when p == 1 or no subnormals
  long min_exponent() const { return has_subnormals ? 1 - bias : -bias; }  // exponent of min normal

  // Exact decode of any code (0 ≤ code < 2^k). Throws InputError when code is out of range.
  ExactValue decode(std::uint64_t code) const;
  // Exact encode of a value of this format (NaN → canonical NaN). Throws NoEncodingError naming the
  // value when it is not in the format (use the rounding functions first).
  std::uint64_t encode(const ExactValue& value) const;
  // True when value (finite or special) is exactly in this format.
  bool contains(const ExactValue& value) const;
};

}  // namespace roundlab
