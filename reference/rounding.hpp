// Rounding: the value type that names how a value is rounded (mode, random-bit count N, saturation,
// tie rule for nearest modes), and the random input of one stochastic rounding.
//
// Mode names follow P3109 v4.0 §4.7.3; the CLI short names and the gfloat / paper aliases are listed
// in mode_names(). See stochastic-rounding.md §2.1 for the mapping:
//   srff = StochasticA = gfloat StochasticFastest = paper SRFF : C(δ) = ⌊δ2^N⌋
//   srf  = StochasticB = gfloat StochasticFast    = paper SRF  : C(δ) = ⌊δ2^N + ½⌋
//   src  = StochasticC = gfloat Stochastic        = paper SRC  : C(δ) = RNE(δ2^N)
//   sro  =               gfloat StochasticOdd                  : C(δ) = RNO(δ2^N)
//   srceil (extension): C(δ) = ⌈δ2^N⌉, the "round away iff r < δ·2^N" convention (llm.c's bf16 SR,
//          the Graphcore blog's "floor" mode); biased away from zero when δ has more than N bits.
//   sr: exact SR, round away iff δ + u ≥ 1 for a real u in [0,1); u is given exactly or as a 64-bit
//       word r (u = r·2^-64, which makes sr equal to srff with N = 64).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/exact_value.hpp"

namespace roundlab {

enum class Mode {
  NearestTiesToEven,  // rne
  NearestTiesToAway,  // rna
  Nearest,            // rn: nearest, ties by Rounding::tie (extension; codebooks default to "lower")
  TowardZero,         // rtz
  TowardPositive,     // rup
  TowardNegative,     // rdn
  ToOdd,              // rto
  StochasticExact,    // sr
  StochasticA,        // srff
  StochasticB,        // srf
  StochasticC,        // src
  StochasticOdd,      // sro
  StochasticCeil,     // srceil (extension)
};

enum class Saturation { None, Finite, Propagate };  // P3109 SatNone / SatFinite / SatPropagate

// Tie rule of the nearest modes. Lower/Upper are in value order (toward −∞ / +∞).
enum class TieRule { Even, Away, Zero, Lower, Upper };

struct Rounding {
  Mode mode = Mode::NearestTiesToEven;
  int random_bits = 0;  // N for the few-bit SR modes, 0..64
  Saturation saturation = Saturation::None;
  TieRule tie = TieRule::Even;  // used by Mode::Nearest only

  bool is_stochastic() const;
  bool uses_random_bits() const;  // few-bit SR modes (N meaningful)
  // Throws InputError when N is out of range for the mode.
  void validate() const;
  std::string describe() const;  // e.g. "src N=3 sat=none"
};

// The random input of one rounding. Few-bit modes read r (0 ≤ r < 2^N). sr reads u if present, else
// u = r·2^-64. Per P3109, r ≥ 2^N and N = 0 mean "no round away" (the CLI rejects r ≥ 2^N instead).
struct RandomDraw {
  std::uint64_t r = 0;
  std::optional<ExactValue> u;  // exact dyadic in [0, 1)
};

Mode parse_mode(std::string_view name);              // accepts short names and aliases; InputError
Saturation parse_saturation(std::string_view name);  // none | finite | propagate (+ P3109 names)
TieRule parse_tie_rule(std::string_view name);       // even | away | zero | lower | upper
std::string mode_name(Mode mode);                    // short CLI name
std::string saturation_name(Saturation saturation);
std::string tie_rule_name(TieRule tie);

struct ModeName {
  Mode mode;
  std::string short_name;
  std::vector<std::string> aliases;
  std::string description;
};
const std::vector<ModeName>& mode_names();

}  // namespace roundlab
