// The soil-column heat-diffusion drift experiment (../shared/reference/climate.md §5, §8.3): the model
// of analysis/heat_diffusion.hpp run in double (the reference) and under every reduced-precision
// configuration (M members for stochastic ones, each with its own seeded stream). Reports the final
// temperature profile, yearly profiles, the error against double and where the column stagnated.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/drift_configuration.hpp"
#include "analysis/heat_diffusion.hpp"
#include "device/philox.hpp"

namespace roundlab::analysis {

struct HeatExperimentSpec {
  HeatDiffusionConfig model;
  int members = 2;  // runs per stochastic configuration (deterministic ones run once)
  std::uint64_t seed = 1;
  OperandPolicy policy = OperandPolicy::EveryOp;
  ExponentRange range = ExponentRange::Float64;
  double stagnation_tolerance = 0.01;  // K: a cell within this of the initial temperature has not warmed
  int threads = 0;
  bool progress = false;
  void validate() const;  // InputError naming the bad field
};

struct HeatRun {
  std::string label;
  int member = 0;
  device::RandomStream stream{};
  std::uint64_t random_draws = 0;
  std::vector<double> final_profile;               // K, cell i at depth (i + 1)·Δz
  std::vector<std::vector<double>> yearly_profile;  // [year][cell], at the end of each whole year
  double seconds = 0;
};

struct HeatConfigResult {
  DriftConfig config;
  std::vector<HeatRun> members;
  std::vector<double> mean_profile;  // member mean
  double max_abs_error = 0;          // of the mean profile against double, K
  double max_member_error = 0;       // largest single member's, K
  // Cells that stayed within stagnation_tolerance of the initial temperature while the double
  // reference warmed them by more than 10× that; the shallowest such depth (0 when none).
  int stagnant_cells = 0;
  double stagnation_depth = 0;
};

struct HeatExperimentResult {
  HeatExperimentSpec spec;
  HeatRun reference;
  std::vector<HeatConfigResult> configs;
  double seconds = 0;
};

HeatExperimentResult run_heat_experiment(const HeatExperimentSpec& spec, const std::vector<DriftConfig>& configs);

}  // namespace roundlab::analysis
