// The inputs of a bias analysis ("sources"): every value of a small source format (bfloat16, binary16,
// …) in a range, the "grid:D" of values with D bits below the target ulp in a range, or explicit values
// from a file. Every value is exact (dyadic, or a decimal literal carrying its exact rational).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/error.hpp"
#include "reference/exact_value.hpp"
#include "reference/ieee_like_format.hpp"

namespace roundlab::analysis {

// A closed range [lo, hi] of finite values.
struct ValueRange {
  ExactValue lo, hi;
  std::string text() const;  // "[lo, hi]" with exact hex floats
};
// "a:b" with a ≤ b finite, each in parse_number syntax. InputError naming the text otherwise.
ValueRange parse_value_range(std::string_view text);

struct BiasSource {
  enum class Kind { FormatValues, Grid, File };
  Kind kind = Kind::FormatValues;
  std::string format_name;  // FormatValues: bfloat16, binary16, or any IEEE-like format of ≤ 16 bits
  int grid_bits = 0;        // Grid: D
  std::string path;         // File
  std::string text() const;  // as written on the command line: "bfloat16", "grid:4", "file:x.txt"
};
// "bfloat16" | "binary16" | any IEEE-like catalogue format of ≤ 16 bits | "grid:D" (0 ≤ D ≤ 256) |
// "file:PATH". InputError naming the text and the accepted forms otherwise.
BiasSource parse_bias_source(std::string_view text);

// Thrown when a source holds more inputs than the caller's limit (an InputError: the request is too
// big, not wrong).
class TooManyInputs : public InputError {
 public:
  explicit TooManyInputs(const std::string& what) : InputError(what) {}
};

// The inputs, exact:
//   FormatValues: every finite value of the source format in the range (all of them without a range),
//                 ascending, −0 left out (+0 stands for both);
//   Grid:         every multiple of 2^(Q(x) − D) in the range, where 2^Q(x) is the target's ulp at x
//                 (Q = max(⌊log2|x|⌋, 1 − bias) − p + 1, as the reference's precision_step), ascending;
//                 so δ runs over the 2^-D grid in every binade. Needs a range; a range reaching 0 needs
//                 a target with subnormals (else the grid is infinite near 0);
//   File:         the numbers of the file in file order, one per line (blank lines and lines starting
//                 with '#' skipped), kept when inside the range (all without a range).
// Throws TooManyInputs beyond max_inputs, InputError for a missing range, an unreadable file or a
// malformed number (naming the file and line).
std::vector<ExactValue> source_values(const BiasSource& source, const IeeeLikeFormat& target,
                                      const std::optional<ValueRange>& range, std::uint64_t max_inputs);

}  // namespace roundlab::analysis
