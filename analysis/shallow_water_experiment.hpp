// The shallow-water drift experiment (../shared/reference/climate.md §4, §8.4): one double spin-up from
// rest shared by all runs; K double references and M members per reduced-precision configuration.
// Reference k starts from the spun-up trajectory k·ic_spacing_days later, with η perturbed by
// reference-specific noise (different states of the attractor, as SPEEDY's restart files: at coarse
// grids the flow is too viscous for a small perturbation alone to decorrelate the references within a
// run); member m starts from reference m's initial condition;
// u, v and η sampled daily; the climate of a run at a grid point is the distribution of its samples
// there; distances are the per-point exact W1 averaged over the grid, judged by the ensemble rule
// (analysis/ensemble_decision.hpp) field by field. Also: mass drift, kinetic energy, zonal-mean u.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/drift_configuration.hpp"
#include "analysis/ensemble_decision.hpp"
#include "analysis/shallow_water.hpp"
#include "device/philox.hpp"

namespace roundlab::analysis {

struct ShallowWaterExperimentSpec {
  ShallowWaterConfig model;          // grid nx × ny
  double spinup_days = 200;          // in double, from rest, shared by every run
  double ic_spacing_days = 10;       // reference k starts k·spacing after the spin-up
  double perturbation = 1e-3;        // m: amplitude of the uniform η noise of each initial condition
  double days = 100;                 // sampled run length after the spin-up
  double sample_every_days = 1;
  int references = 4;                // K
  int members = 1;                   // M ≤ K
  std::uint64_t seed = 1;
  OperandPolicy policy = OperandPolicy::EveryOp;
  ExponentRange range = ExponentRange::Float64;
  int threads = 0;
  bool progress = false;
  int sample_interval_steps() const;
  int samples() const;
  void validate() const;  // InputError naming the bad field
};

struct ShallowWaterRunSummary {
  std::string label;
  int member = 0;
  bool stochastic = false;
  device::RandomStream stream{};
  std::uint64_t random_draws = 0;
  bool finite = true;
  double mass_drift = 0;        // (final − initial) Σ η·Δ², m³
  double mean_kinetic_energy = 0;  // time mean of the domain mean, m²/s²
  double mean_u = 0;               // time and domain mean of u, m/s
  std::vector<double> zonal_mean_u;  // time mean, per row south to north
  double seconds = 0;
};

struct ShallowWaterConfigResult {
  DriftConfig config;
  std::vector<ShallowWaterRunSummary> members;
  std::array<Decision, 3> decision;  // u, v, η
  Verdict verdict = Verdict::Fail;   // the worst of the three
};

struct ShallowWaterExperimentResult {
  ShallowWaterExperimentSpec spec;
  std::array<Threshold, 3> threshold;  // u, v, η
  std::vector<ShallowWaterRunSummary> references;
  std::vector<ShallowWaterConfigResult> configs;
  double spinup_mean_u = 0;
  double seconds = 0;
};

ShallowWaterExperimentResult run_shallow_water_experiment(const ShallowWaterExperimentSpec& spec,
                                                          const std::vector<DriftConfig>& configs);

}  // namespace roundlab::analysis
