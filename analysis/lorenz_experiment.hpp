// The Lorenz '63 drift experiment (../shared/reference/climate.md §3, §8.2): K double-precision
// references and, for every reduced-precision configuration, M members, each an RK4 run from the
// initial condition (1 + 0.01(k+1), 1, 20) of reference k, spun up and then sampled; the climate of a
// run is the distribution of its samples of x, y and z; distances are exact 1-D Wasserstein-1 between
// marginals, judged by the ensemble rule (analysis/ensemble_decision.hpp) on z, and reported for x and y.
// RN runs are watched for exact periodic orbits; W is also computed against run length.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/drift_configuration.hpp"
#include "analysis/ensemble_decision.hpp"
#include "analysis/periodic_orbit.hpp"
#include "device/philox.hpp"

namespace roundlab::analysis {

struct LorenzExperimentSpec {
  double dt = 0.01;
  double length = 1e4;               // time units sampled after the spin-up
  std::int64_t spinup_steps = 10000;
  int sample_every = 10;             // steps between samples
  int references = 6;                // K
  int members = 2;                   // M ≤ K
  std::uint64_t seed = 1;
  OperandPolicy policy = OperandPolicy::EveryOp;
  ExponentRange range = ExponentRange::Float64;
  std::int64_t orbit_window = 100000;  // steps from the initial condition watched for an exact orbit
  int curve_points = 5;                // W against run length at length/2^(P−1), …, length/2, length
  int threads = 0;                     // 0: OpenMP's default
  bool progress = false;

  std::int64_t sampled_steps() const;
  void validate() const;  // InputError naming the bad field
};

struct LorenzRunSummary {
  std::string label;  // "double" or the configuration's label
  int member = 0;
  bool stochastic = false;
  device::RandomStream stream{};
  std::uint64_t random_draws = 0;
  bool finite = true;  // false: the run left the finite numbers and was stopped
  PeriodicOrbit orbit;
  std::array<double, 3> mean{}, stddev{}, min{}, max{};  // of the samples of x, y, z
  double seconds = 0;
};

struct LorenzCurvePoint {
  double length = 0;  // time units
  double tau = 0;     // threshold of z at this length
  double w = 0;       // configuration's W of z
};

struct LorenzConfigResult {
  DriftConfig config;
  std::vector<LorenzRunSummary> members;
  std::array<Decision, 3> decision;  // x, y, z (the verdict is z's)
  std::vector<LorenzCurvePoint> curve;
};

struct LorenzExperimentResult {
  LorenzExperimentSpec spec;
  std::array<Threshold, 3> threshold;  // x, y, z
  std::vector<LorenzRunSummary> references;
  std::vector<LorenzConfigResult> configs;
  std::vector<double> curve_lengths;
  double seconds = 0;
};

LorenzExperimentResult run_lorenz_experiment(const LorenzExperimentSpec& spec, const std::vector<DriftConfig>& configs);

}  // namespace roundlab::analysis
