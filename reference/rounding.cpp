#include "reference/rounding.hpp"

#include <algorithm>
#include <cctype>

#include "reference/error.hpp"

namespace roundlab {

const std::vector<ModeName>& mode_names() {
  static const std::vector<ModeName> names = {
      {Mode::NearestTiesToEven, "rne", {"NearestTiesToEven", "TiesToEven", "tne", "rn_even"},
       "round to nearest, ties to even code"},
      {Mode::NearestTiesToAway, "rna", {"NearestTiesToAway", "TiesToAway", "rn_away"},
       "round to nearest, ties away from zero"},
      {Mode::Nearest, "rn", {"Nearest"}, "round to nearest, ties by --tie (codebooks: lower by default)"},
      {Mode::TowardZero, "rtz", {"TowardZero", "trunc"}, "round toward zero"},
      {Mode::TowardPositive, "rup", {"TowardPositive", "ceil"}, "round toward +inf"},
      {Mode::TowardNegative, "rdn", {"TowardNegative", "floor"}, "round toward -inf"},
      {Mode::ToOdd, "rto", {"ToOdd"}, "round to odd (inexact results get an odd code)"},
      {Mode::StochasticExact, "sr", {"exact_sr"}, "exact SR: away iff delta + u >= 1, u real or r*2^-64"},
      {Mode::StochasticA, "srff", {"StochasticA", "StochasticFastest", "SRFF"},
       "few-bit SR, C = floor(delta*2^N) (biased toward zero)"},
      {Mode::StochasticB, "srf", {"StochasticB", "StochasticFast", "SRF"},
       "few-bit SR, C = floor(delta*2^N + 1/2) (centred)"},
      {Mode::StochasticC, "src", {"StochasticC", "Stochastic", "SRC"},
       "few-bit SR, C = RNE(delta*2^N) (corrected)"},
      {Mode::StochasticOdd, "sro", {"StochasticOdd", "SRO"}, "few-bit SR, C = RNO(delta*2^N)"},
      {Mode::StochasticCeil, "srceil", {"llmc", "sr_lt"},
       "few-bit SR, C = ceil(delta*2^N): away iff r < delta*2^N (llm.c convention)"},
  };
  return names;
}

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}
}  // namespace

Mode parse_mode(std::string_view name) {
  std::string key = lower(name);
  for (const auto& entry : mode_names()) {
    if (lower(entry.short_name) == key) return entry.mode;
    for (const auto& alias : entry.aliases)
      if (lower(alias) == key) return entry.mode;
  }
  std::string list;
  for (const auto& entry : mode_names()) list += (list.empty() ? "" : ", ") + entry.short_name;
  throw InputError("unknown rounding mode '" + std::string(name) + "': expected one of " + list);
}

std::string mode_name(Mode mode) {
  for (const auto& entry : mode_names())
    if (entry.mode == mode) return entry.short_name;
  return "?";
}

Saturation parse_saturation(std::string_view name) {
  std::string key = lower(name);
  if (key == "none" || key == "satnone" || key == "ovfinf") return Saturation::None;
  if (key == "finite" || key == "satfinite" || key == "sat") return Saturation::Finite;
  if (key == "propagate" || key == "satpropagate") return Saturation::Propagate;
  throw InputError("unknown saturation '" + std::string(name) + "': expected none, finite or propagate");
}

std::string saturation_name(Saturation s) {
  switch (s) {
    case Saturation::None: return "none";
    case Saturation::Finite: return "finite";
    case Saturation::Propagate: return "propagate";
  }
  return "?";
}

TieRule parse_tie_rule(std::string_view name) {
  std::string key = lower(name);
  if (key == "even") return TieRule::Even;
  if (key == "away") return TieRule::Away;
  if (key == "zero") return TieRule::Zero;
  if (key == "lower" || key == "down") return TieRule::Lower;
  if (key == "upper" || key == "up") return TieRule::Upper;
  throw InputError("unknown tie rule '" + std::string(name) + "': expected even, away, zero, lower or upper");
}

std::string tie_rule_name(TieRule t) {
  switch (t) {
    case TieRule::Even: return "even";
    case TieRule::Away: return "away";
    case TieRule::Zero: return "zero";
    case TieRule::Lower: return "lower";
    case TieRule::Upper: return "upper";
  }
  return "?";
}

bool Rounding::is_stochastic() const {
  return mode == Mode::StochasticExact || uses_random_bits();
}

bool Rounding::uses_random_bits() const {
  switch (mode) {
    case Mode::StochasticA:
    case Mode::StochasticB:
    case Mode::StochasticC:
    case Mode::StochasticOdd:
    case Mode::StochasticCeil: return true;
    default: return false;
  }
}

void Rounding::validate() const {
  if (uses_random_bits()) {
    if (random_bits < 0 || random_bits > 64)
      throw InputError("random-bit count N = " + std::to_string(random_bits) + " for mode " +
                       mode_name(mode) + " must be in 0..64");
  } else if (mode == Mode::StochasticExact) {
    if (random_bits != 0 && random_bits != 64)
      throw InputError("mode sr takes a 64-bit word or an exact real u; N = " + std::to_string(random_bits) +
                       " is not allowed (use srff/srf/src/sro for N-bit SR)");
  } else if (random_bits != 0) {
    throw InputError("mode " + mode_name(mode) + " is deterministic; random-bit count N = " +
                     std::to_string(random_bits) + " makes no sense");
  }
}

std::string Rounding::describe() const {
  std::string s = mode_name(mode);
  if (uses_random_bits()) s += " N=" + std::to_string(random_bits);
  if (mode == Mode::Nearest) s += " tie=" + tie_rule_name(tie);
  s += " sat=" + saturation_name(saturation);
  return s;
}

}  // namespace roundlab
