// What a drift experiment runs: the reduced-precision configurations (S sbits × rounding × N random
// bits), the operand policy of the number type, and the seeded random stream of every member, so
// every run can be reproduced from the recorded (seed, stream).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/sbits_rounder.hpp"
#include "device/philox.hpp"

namespace roundlab::analysis {

// The most time steps one run of a drift experiment may take (its length, and its spin-up): far above
// the paper presets (Lorenz 10^7), and below where step counts overflow or a run takes days.
inline constexpr std::int64_t kMaxExperimentSteps = 1'000'000'000;

enum class OperandPolicy { EveryOp, Rpe };  // Reduced<EveryOpRounded> / Reduced<RpeCompatible>
OperandPolicy parse_operand_policy(const std::string& name);  // every-op | rpe; InputError
std::string operand_policy_name(OperandPolicy p);

struct DriftConfig {
  int sbits = 52;
  std::string mode = "rne";  // rne, sr, or a few-bit mode srff srf src sro (then random_bits ≥ 1)
  int random_bits = 0;
  // "rn10", "sr10", "src4@10" (N = 4 at 10 sbits); other deterministic modes by name: "rtz10".
  std::string label() const;
  bool stochastic() const;
};

// Every sbits value × every rounding; a few-bit mode once per N in random_bits (which must then be
// non-empty). "rn" is accepted for rne. Throws InputError naming a bad entry.
std::vector<DriftConfig> expand_drift_configs(const std::vector<int>& sbits, const std::vector<std::string>& roundings,
                                              const std::vector<int>& random_bits);

// The random stream of member m of a configuration: a function of (sbits, mode, N, m) only, so a run
// repeated on its own, or in a different list, draws the same bits.
device::RandomStream member_stream(std::uint64_t seed, const DriftConfig& c, int member);

// The SbitsRounding of a member run.
SbitsRounding member_rounding(const DriftConfig& c, ExponentRange range, std::uint64_t seed, int member);

}  // namespace roundlab::analysis
