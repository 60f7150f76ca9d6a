// The public C++ API in one header: build a format and a rounding from names or parameters, round a
// value exactly. Everything here is a thin, named entry to the reference (format_catalogue,
// rounding, reference_round); include this header from your own project (`roundlab::reference`).
//
//   const roundlab::Format f = roundlab::format_from_name("p3109_k8p4se");
//   const roundlab::Rounding rd = roundlab::rounding_from_name("src", 3);
//   const roundlab::RoundResult res = roundlab::reference_round(f, rd, 1.0 + 5.0 / 128, 7);
//   // r = 7 rounds up: roundlab::to_hex_float(res.value) == "0x1.2p+0" (exact), res.code == 0x41
#pragma once
#include <cstdint>
#include <string_view>

#include "reference/error.hpp"
#include "reference/exact_value.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"
#include "reference/round_result.hpp"
#include "reference/rounding.hpp"

namespace roundlab {

// A named format ("p3109_k8p4se", "b8p4", "bfloat16", "ocp_e4m3", "nf4", "sbits10", …; case-insensitive,
// generated P3109 and sbits names included). Throws InputError naming the input and close names.
Format format_from_name(std::string_view name);

// A format from its parameters (see IeeeLikeFormat for every field). Throws InputError naming the
// parameter when the description is not a usable format.
Format format_from_parameters(const IeeeLikeFormat& parameters);

// A rounding from a mode name ("rne", "src", "StochasticC", "sr", …; see mode_names()), the random-bit
// count N (few-bit SR modes: 0..64; 0 for the others) and a saturation name ("none", "finite",
// "propagate"). Throws InputError naming the input and what was expected.
Rounding rounding_from_name(std::string_view mode, int random_bits = 0, std::string_view saturation = "none");

// A rounding from its parameters, validated (InputError when N is out of range for the mode).
Rounding rounding_from_parameters(Mode mode, int random_bits = 0, Saturation saturation = Saturation::None);

// reference_round for a double input and a random word r (0 ≤ r < 2^N for few-bit SR; sr reads
// u = r·2^-64; ignored by deterministic modes). Exact: x is taken exactly and the result is the exact
// value and code the definition gives (the ExactValue overload is in reference_round.hpp).
RoundResult reference_round(const Format& format, const Rounding& rounding, double x, std::uint64_t r = 0);

}  // namespace roundlab
