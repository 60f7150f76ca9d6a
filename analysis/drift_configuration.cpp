#include "analysis/drift_configuration.hpp"

#include "reference/error.hpp"
#include "reference/rounding.hpp"

namespace roundlab::analysis {

OperandPolicy parse_operand_policy(const std::string& name) {
  if (name == "every-op") return OperandPolicy::EveryOp;
  if (name == "rpe") return OperandPolicy::Rpe;
  throw InputError("operand policy '" + name + "': expected every-op or rpe");
}

std::string operand_policy_name(OperandPolicy p) { return p == OperandPolicy::Rpe ? "rpe" : "every-op"; }

std::string DriftConfig::label() const {
  const std::string s = std::to_string(sbits);
  if (mode == "rne") return "rn" + s;
  if (random_bits > 0 && mode != "sr") return mode + std::to_string(random_bits) + "@" + s;
  return mode + s;
}

bool DriftConfig::stochastic() const {
  Rounding r;
  r.mode = parse_mode(mode);
  return r.is_stochastic();
}

std::vector<DriftConfig> expand_drift_configs(const std::vector<int>& sbits, const std::vector<std::string>& roundings,
                                              const std::vector<int>& random_bits) {
  if (sbits.empty()) throw InputError("--sbits: expected at least one value in 1..52");
  if (roundings.empty()) throw InputError("--rounding: expected at least one rounding (rn, sr, srff, srf, src, sro, …)");
  std::vector<DriftConfig> out;
  for (int s : sbits) {
    if (s < 1 || s > 52) throw InputError("--sbits: " + std::to_string(s) + " is not in 1..52");
    for (std::string m : roundings) {
      if (m == "rn") m = "rne";
      Rounding r;
      r.mode = parse_mode(m);  // InputError naming an unknown mode
      m = mode_name(r.mode);
      if (r.uses_random_bits()) {
        if (random_bits.empty())
          throw InputError("--rounding " + m + " needs --random-bits N (a list of N ≥ 1)");
        for (int n : random_bits) {
          if (n < 1 || n > 64) throw InputError("--random-bits: " + std::to_string(n) + " is not in 1..64");
          out.push_back(DriftConfig{s, m, n});
        }
      } else {
        out.push_back(DriftConfig{s, m, 0});
      }
    }
  }
  return out;
}

device::RandomStream member_stream(std::uint64_t seed, const DriftConfig& c, int member) {
  // FNV-1a of the mode name, then the numbers in disjoint bit fields.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char ch : c.mode) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
  const std::uint64_t id = (h & 0xffffull) << 48 | (static_cast<std::uint64_t>(c.sbits) & 0xff) << 40 |
                           (static_cast<std::uint64_t>(c.random_bits) & 0xff) << 32 |
                           static_cast<std::uint32_t>(member);
  return device::RandomStream{seed, id};
}

SbitsRounding member_rounding(const DriftConfig& c, ExponentRange range, std::uint64_t seed, int member) {
  SbitsRounding s;
  s.sbits = c.sbits;
  s.mode = c.mode;
  s.random_bits = c.random_bits;
  s.range = range;
  s.stream = member_stream(seed, c, member);
  return s;
}

}  // namespace roundlab::analysis
