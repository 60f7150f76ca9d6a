// The named catalogue: every format the suite knows by name, with aliases, and the generators for the
// P3109 family and the "sbits" emulation formats.
#pragma once
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "reference/block_format.hpp"
#include "reference/codebook_format.hpp"
#include "reference/ieee_like_format.hpp"

namespace roundlab {

using Format = std::variant<IeeeLikeFormat, CodebookFormat, BlockFormat>;

struct CatalogueEntry {
  std::string name;
  std::vector<std::string> aliases;
  Format format;
};

// Every named format, in display order: IEEE 754, OCP, FNUZ, P3109 (K = 3…16), codebooks, blocks.
const std::vector<CatalogueEntry>& catalogue();

// Looks up a name or alias (case-insensitive). Also accepts generated names not listed in full:
// p3109_k{K}p{P}{s|u}{e|f} (any K ≤ 64 that fits), Binary{K}p{P}{s|u}{e|f}, sbits{S} (float64's
// exponent range), sbits{S}_e{W} (W-bit exponent, IEEE bias). Throws InputError listing close names.
Format find_format(std::string_view name);

const std::string& format_name(const Format& format);
std::string format_family(const Format& format);

// P3109 Binary{K}p{P}{s|u}{e|f}, generated from the rules of the Interim Report v4.0 §4.7.
IeeeLikeFormat p3109_format(int k, int p, bool is_signed, bool extended);
// "sbits" emulation format: S explicit significand bits (p = S + 1), W exponent bits, IEEE bias.
IeeeLikeFormat sbits_format(int sbits, int exponent_bits = 11);

}  // namespace roundlab
