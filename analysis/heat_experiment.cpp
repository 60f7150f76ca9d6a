#include "analysis/heat_experiment.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "analysis/progress_bar.hpp"
#include "analysis/reduced_number.hpp"
#include "reference/error.hpp"

namespace roundlab::analysis {

void HeatExperimentSpec::validate() const {
  auto fail = [](const std::string& m) { throw InputError("heat experiment: " + m); };
  if (model.cells < 1 || model.cells > 100000) fail("cells must be in 1..100000");
  if (!(model.dz > 0) || !(model.dt > 0) || !(model.diffusivity > 0)) fail("Δz, Δt and D must be positive");
  if (!(model.years > 0) || !std::isfinite(model.years)) fail("--length must be a positive number of years");
  if (model.years * 365.25 * 86400.0 / model.dt > static_cast<double>(kMaxExperimentSteps))
    fail("--length gives more than " + std::to_string(kMaxExperimentSteps) + " steps (the largest run this tool takes)");
  if (model.steps() < 1) fail("--length must be at least one step");
  if (model.xi() > 0.5) fail("ξ = DΔt/Δz² = " + std::to_string(model.xi()) + " > 1/2: forward Euler is unstable");
  if (members < 1) fail("--members must be ≥ 1");
  if (!(stagnation_tolerance > 0)) fail("stagnation tolerance must be positive");
}

namespace {

template <class Num>
void integrate(const HeatExperimentSpec& spec, HeatRun& run, ProgressBar& bar) {
  HeatDiffusion<Num> model(spec.model);
  const std::int64_t steps = spec.model.steps();
  const double steps_per_year = 365.25 * 86400.0 / spec.model.dt;
  auto profile = [&] {
    std::vector<double> p;
    for (const Num& t : model.temperatures()) p.push_back(to_double(t));
    return p;
  };
  int year = 1;
  std::int64_t reported = 0;
  for (std::int64_t n = 1; n <= steps; ++n) {
    model.step();
    if (static_cast<double>(n) >= std::round(year * steps_per_year)) {
      run.yearly_profile.push_back(profile());
      ++year;
    }
    if ((n & 0xfff) == 0) {
      bar.advance(static_cast<std::uint64_t>(n - reported));
      reported = n;
    }
  }
  bar.advance(static_cast<std::uint64_t>(steps - reported));
  run.final_profile = profile();
}

template <class Policy>
void run_reduced(const HeatExperimentSpec& spec, const DriftConfig& c, int member, HeatRun& run, ProgressBar& bar) {
  SbitsRounder rounder(member_rounding(c, spec.range, spec.seed, member));
  ReducedScope scope(rounder);
  integrate<Reduced<Policy>>(spec, run, bar);
  run.random_draws = rounder.draws();
  run.stream = rounder.spec().stream;
}

}  // namespace

HeatExperimentResult run_heat_experiment(const HeatExperimentSpec& spec, const std::vector<DriftConfig>& configs) {
  spec.validate();
  for (const DriftConfig& c : configs) SbitsRounder check(member_rounding(c, spec.range, spec.seed, 0));  // InputError
  const auto t0 = std::chrono::steady_clock::now();
  struct Job {
    int config;  // −1: the double reference
    int member;
  };
  std::vector<Job> jobs{{-1, 0}};
  for (std::size_t i = 0; i < configs.size(); ++i)
    for (int j = 0; j < (configs[i].stochastic() ? spec.members : 1); ++j) jobs.push_back({static_cast<int>(i), j});
  std::vector<HeatRun> runs(jobs.size());
  std::vector<std::string> errors(jobs.size());
  ProgressBar bar("heat: " + std::to_string(jobs.size()) + " runs", static_cast<std::uint64_t>(spec.model.steps()) * jobs.size(),
                  spec.progress);
  const int threads = spec.threads > 0 ? spec.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t r = 0; r < jobs.size(); ++r) {
    const auto start = std::chrono::steady_clock::now();
    HeatRun& run = runs[r];
    run.member = jobs[r].member;
    try {
      if (jobs[r].config < 0) {
        run.label = "double";
        integrate<double>(spec, run, bar);
      } else {
        const DriftConfig& c = configs[static_cast<std::size_t>(jobs[r].config)];
        run.label = c.label();
        if (spec.policy == OperandPolicy::Rpe) run_reduced<RpeCompatible>(spec, c, jobs[r].member, run, bar);
        else run_reduced<EveryOpRounded>(spec, c, jobs[r].member, run, bar);
      }
    } catch (const std::exception& e) {
      errors[r] = e.what();
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  bar.finish();
  for (const std::string& e : errors)
    if (!e.empty()) throw InputError("heat experiment: " + e);

  HeatExperimentResult res;
  res.spec = spec;
  res.reference = runs[0];
  const std::vector<double>& ref = res.reference.final_profile;
  const std::size_t cells = ref.size();
  res.configs.resize(configs.size());
  for (std::size_t i = 0; i < configs.size(); ++i) res.configs[i].config = configs[i];
  for (std::size_t r = 1; r < jobs.size(); ++r) res.configs[static_cast<std::size_t>(jobs[r].config)].members.push_back(runs[r]);
  for (HeatConfigResult& cr : res.configs) {
    cr.mean_profile.assign(cells, 0.0);
    for (const HeatRun& run : cr.members) {
      for (std::size_t c = 0; c < cells; ++c) {
        cr.mean_profile[c] += run.final_profile[c] / static_cast<double>(cr.members.size());
        cr.max_member_error = std::max(cr.max_member_error, std::fabs(run.final_profile[c] - ref[c]));
      }
    }
    for (std::size_t c = 0; c < cells; ++c) {
      cr.max_abs_error = std::max(cr.max_abs_error, std::fabs(cr.mean_profile[c] - ref[c]));
      const bool ref_warmed = std::fabs(ref[c] - spec.model.initial) > 10 * spec.stagnation_tolerance;
      const bool stayed = std::fabs(cr.mean_profile[c] - spec.model.initial) <= spec.stagnation_tolerance;
      if (ref_warmed && stayed) {
        if (cr.stagnant_cells == 0) cr.stagnation_depth = static_cast<double>(c + 1) * spec.model.dz;
        ++cr.stagnant_cells;
      }
    }
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace roundlab::analysis
