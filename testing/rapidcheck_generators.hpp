// RapidCheck generators for roundlab's vocabulary: formats, roundings (with their random draw) and the
// "interesting" inputs where roundings go wrong — values of the format, ties, fractions of an ulp,
// subnormals, the band around max, ±0, ±Inf, NaN (with payloads for source words), raw binary32 /
// binary64 bit patterns. Every generated value is exact (a dyadic ExactValue or a raw word); which
// values are "interesting" is computed from the reference's own grid (precision_step), so use these
// to reach the edges, not as an oracle. Shrinking is RapidCheck's (toward the first listed choice).
#pragma once
#include <rapidcheck.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "device/array_rounding.hpp"
#include "reference/exact_value.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab {
// RapidCheck prints counterexamples with these (found by argument-dependent lookup).
void showValue(const ExactValue& value, std::ostream& os);
void showValue(const Rounding& rounding, std::ostream& os);
void showValue(const IeeeLikeFormat& format, std::ostream& os);
}  // namespace roundlab

namespace roundlab::testing {

// Named IEEE-like formats covering every family: IEEE 754, bfloat16, OCP FP8/FP6/FP4, E8M0, MX INT8,
// UE4M3, FNUZ, sbits and a few P3109 corners.
const std::vector<std::string>& named_ieee_like_formats();
// Every P3109 p3109_k{K}p{P}{s|u}{e|f} of the catalogue (K = 3…16).
const std::vector<std::string>& p3109_format_names();

// A format name: one of named_ieee_like_formats() or of p3109_format_names(), equally likely.
rc::Gen<std::string> gen_format_name();
// The format of gen_format_name().
rc::Gen<IeeeLikeFormat> gen_ieee_like_format();

// Every rounding mode, and the few-bit SR modes (srff, srf, src, sro, srceil).
const std::vector<Mode>& all_modes();
const std::vector<Mode>& few_bit_modes();
const std::vector<Saturation>& all_saturations();

// The largest r for N random bits: 2^N − 1 (all ones for N ≥ 64).
std::uint64_t top_r(int random_bits);
// A random word r for N bits: uniform in [0, 2^N), or one of the ends 0 and 2^N − 1.
rc::Gen<std::uint64_t> gen_r(int random_bits);

// A rounding with its random draw.
struct RoundingCase {
  Rounding rounding;
  RandomDraw draw;
};
std::string describe(const RoundingCase& c);  // "src N=3 sat=none r=5"
void showValue(const RoundingCase& c, std::ostream& os);

// A rounding among `modes` and `saturations`, with a random tie rule; N in 0..8 or 0..64 for the
// few-bit modes; r from gen_r (sr: any 64-bit word, often 0, 2^63 or all ones).
rc::Gen<RoundingCase> gen_rounding_case(const std::vector<Mode>& modes = all_modes(),
                                        const std::vector<Saturation>& saturations = all_saturations());
rc::Gen<Rounding> gen_rounding(const std::vector<Mode>& modes = all_modes(),
                               const std::vector<Saturation>& saturations = all_saturations());

// An interesting input for rounding to `format` (see the top of this file), either sign; NaN, ±Inf
// included. Exact.
rc::Gen<ExactValue> gen_interesting_value(const IeeeLikeFormat& format);

// An interesting source word (binary32, binary64, bfloat16 or binary16 bits) for rounding to `target`:
// gen_interesting_value(target) brought to the source grid (RNE), NaNs with random payloads and sign,
// source subnormals, and uniformly random words.
rc::Gen<std::uint64_t> gen_interesting_source_word(device::SourceFormat source, const IeeeLikeFormat& target);

}  // namespace roundlab::testing
