// One input value of the CLI: a decimal or hex-float literal, inf/nan, or FORMAT:CODE (the exact
// value of a code of any named format, e.g. binary32:0x3f800001 or bfloat16:0x3f81).
#pragma once
#include <cstdint>
#include <string_view>

#include "reference/exact_value.hpp"
#include "reference/rounding.hpp"

namespace roundlab::cli {

ExactValue parse_input_value(std::string_view text);
// Unsigned integer in decimal or 0x hex, checked against 64 bits; InputError naming the text.
std::uint64_t parse_unsigned(std::string_view text, std::string_view what);
// The random input of one case: r, an N-bit integer (0 ≤ r < 2^N; sr: 64 bits), or u=<exact dyadic>
// for sr. InputError naming the token otherwise.
RandomDraw parse_random_draw(const Rounding& rounding, const std::string& token);

}  // namespace roundlab::cli
