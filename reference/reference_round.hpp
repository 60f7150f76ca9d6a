// reference_round: the one entry point "round x to format F with rounding R and random draw r",
// exact, for every element format of the catalogue (IEEE-like and codebook). Block formats round a
// whole block at a time: see block_format.hpp.
#pragma once
#include "reference/format_catalogue.hpp"
#include "reference/round_result.hpp"
#include "reference/rounding.hpp"

namespace roundlab {

RoundResult reference_round(const Format& format, const Rounding& rounding, const ExactValue& x,
                            const RandomDraw& draw = {});

// Exact decode/encode for element formats (IeeeLike, codebook); InputError for block formats.
ExactValue decode_code(const Format& format, std::uint64_t code);
std::uint64_t encode_value(const Format& format, const ExactValue& value);
int code_bits(const Format& format);  // bits per element code

}  // namespace roundlab
