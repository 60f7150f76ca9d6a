#include "analysis/shallow_water_experiment.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

#include "analysis/progress_bar.hpp"
#include "analysis/reduced_number.hpp"
#include "analysis/wasserstein.hpp"
#include "reference/error.hpp"

namespace roundlab::analysis {

int ShallowWaterExperimentSpec::sample_interval_steps() const {
  return std::max(1, model.steps_for_days(sample_every_days));
}

int ShallowWaterExperimentSpec::samples() const { return model.steps_for_days(days) / sample_interval_steps(); }

void ShallowWaterExperimentSpec::validate() const {
  auto fail = [](const std::string& m) { throw InputError("shallow-water experiment: " + m); };
  model.validate();
  if (!(spinup_days >= 0) || !std::isfinite(spinup_days)) fail("spin-up days must be ≥ 0");
  if (!(days > 0) || !std::isfinite(days)) fail("--length must be a positive number of days");
  for (const auto& [what, d] : {std::pair<const char*, double>{"--length", days}, {"--spinup", spinup_days}})
    if (d * 86400.0 / model.dt() > static_cast<double>(kMaxExperimentSteps))
      fail(std::string(what) + " gives more than " + std::to_string(kMaxExperimentSteps) +
           " steps (the largest run this tool takes)");
  if (!(sample_every_days > 0)) fail("the sampling interval must be positive");
  if (samples() < 2) fail("--length gives fewer than 2 samples");
  if (!(perturbation >= 0)) fail("the perturbation amplitude must be ≥ 0");
  if (!(ic_spacing_days >= 0)) fail("the spacing of the initial conditions must be ≥ 0 days");
  if (references < 2) fail("--references must be ≥ 2");
  if (members < 1 || members > references) fail("--members must be in 1..references");
}

namespace {

// Time series per grid point of one field: series[p][t].
using Series = std::vector<std::vector<double>>;

struct RunOutput {
  ShallowWaterRunSummary summary;
  std::array<Series, 3> fields;  // u, v (interior rows), η; sorted per point after the run
};

template <class Num>
void integrate(const ShallowWaterExperimentSpec& spec, const ShallowWaterState<double>& start, RunOutput& out,
               ProgressBar& bar) {
  ShallowWaterModel<Num> model(spec.model);
  model.set_state(start);
  const double mass0 = model.total_mass();
  const int every = spec.sample_interval_steps(), samples = spec.samples();
  const auto nx = static_cast<std::size_t>(spec.model.nx), ny = static_cast<std::size_t>(spec.model.ny);
  out.fields[0].assign(nx * ny, {});
  out.fields[1].assign(nx * (ny - 1), {});  // v at interior faces (walls are 0)
  out.fields[2].assign(nx * ny, {});
  out.summary.zonal_mean_u.assign(ny, 0.0);
  for (int t = 0; t < samples; ++t) {
    model.run(every);
    bar.advance(static_cast<std::uint64_t>(every));
    const ShallowWaterState<double> s = model.state();
    bool finite = true;
    for (double x : s.eta) finite = finite && std::isfinite(x);
    for (double x : s.u) finite = finite && std::isfinite(x);
    if (!finite) {
      out.summary.finite = false;
      bar.advance(static_cast<std::uint64_t>((samples - t - 1) * every));
      return;
    }
    for (std::size_t p = 0; p < nx * ny; ++p) {
      out.fields[0][p].push_back(s.u[p]);
      out.fields[2][p].push_back(s.eta[p]);
    }
    for (std::size_t p = 0; p < nx * (ny - 1); ++p) out.fields[1][p].push_back(s.v[nx + p]);
    out.summary.mean_kinetic_energy += domain_mean_kinetic_energy(s) / samples;
    out.summary.mean_u += domain_mean_u(s) / samples;
    const std::vector<double> zm = zonal_mean_u(s);
    for (std::size_t j = 0; j < ny; ++j) out.summary.zonal_mean_u[j] += zm[j] / samples;
  }
  out.summary.mass_drift = model.total_mass() - mass0;
  for (Series& f : out.fields)
    for (auto& series : f) std::sort(series.begin(), series.end());
}

template <class Policy>
void run_reduced(const ShallowWaterExperimentSpec& spec, const DriftConfig& c, int member,
                 const ShallowWaterState<double>& start, RunOutput& out, ProgressBar& bar) {
  SbitsRounder rounder(member_rounding(c, spec.range, spec.seed, member));
  ReducedScope scope(rounder);
  integrate<Reduced<Policy>>(spec, start, out, bar);
  out.summary.random_draws = rounder.draws();
  out.summary.stream = rounder.spec().stream;
}

double field_distance(const RunOutput& a, const RunOutput& b, int f) {
  if (!a.summary.finite || !b.summary.finite) return std::numeric_limits<double>::infinity();
  const Series& x = a.fields[static_cast<std::size_t>(f)];
  const Series& y = b.fields[static_cast<std::size_t>(f)];
  double sum = 0;
  for (std::size_t p = 0; p < x.size(); ++p) sum += wasserstein1_sorted(x[p], y[p]);
  return sum / static_cast<double>(x.size());
}

}  // namespace

ShallowWaterExperimentResult run_shallow_water_experiment(const ShallowWaterExperimentSpec& spec,
                                                          const std::vector<DriftConfig>& configs) {
  spec.validate();
  for (const DriftConfig& c : configs) SbitsRounder check(member_rounding(c, spec.range, spec.seed, 0));  // InputError
  const auto t0 = std::chrono::steady_clock::now();
  const auto k = static_cast<std::size_t>(spec.references), m = static_cast<std::size_t>(spec.members);
  const std::size_t runs = k + configs.size() * m;
  const auto spin_steps = static_cast<std::uint64_t>(spec.model.steps_for_days(spec.spinup_days));
  const auto spacing_steps = static_cast<std::uint64_t>(spec.model.steps_for_days(spec.ic_spacing_days));
  const auto run_steps = static_cast<std::uint64_t>(spec.samples()) * static_cast<std::uint64_t>(spec.sample_interval_steps());
  ProgressBar bar("shallow-water: spin-up + " + std::to_string(runs) + " runs",
                  spin_steps + spacing_steps * (k - 1) + run_steps * runs, spec.progress);
  ShallowWaterModel<double> spin(spec.model);
  spin.set_state(rest_state(spec.model));
  auto advance = [&](std::uint64_t steps) {
    for (std::uint64_t n = 0; n < steps; n += 256) {
      const std::uint64_t chunk = std::min<std::uint64_t>(256, steps - n);
      spin.run(static_cast<long>(chunk));
      bar.advance(chunk);
    }
  };
  advance(spin_steps);
  std::vector<ShallowWaterState<double>> starts;
  for (std::size_t i = 0; i < k; ++i) {
    if (i > 0) advance(spacing_steps);
    starts.push_back(spin.state());
    perturb_eta(starts.back(), spec.perturbation, spec.seed * 1000003ull + i);
  }
  auto initial = [&](std::size_t i) -> const ShallowWaterState<double>& { return starts[i]; };
  const double spun_mean_u = domain_mean_u(starts[0]);

  std::vector<RunOutput> out(runs);
  std::vector<std::string> errors(runs);
  const int threads = spec.threads > 0 ? spec.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    try {
      if (r < k) {
        out[r].summary.label = "double";
        out[r].summary.member = static_cast<int>(r);
        integrate<double>(spec, initial(r), out[r], bar);
      } else {
        const DriftConfig& c = configs[(r - k) / m];
        const int member = static_cast<int>((r - k) % m);
        out[r].summary.label = c.label();
        out[r].summary.member = member;
        out[r].summary.stochastic = c.stochastic();
        const ShallowWaterState<double>& s0 = initial(static_cast<std::size_t>(member));
        if (spec.policy == OperandPolicy::Rpe) run_reduced<RpeCompatible>(spec, c, member, s0, out[r], bar);
        else run_reduced<EveryOpRounded>(spec, c, member, s0, out[r], bar);
      }
    } catch (const std::exception& e) {
      errors[r] = e.what();
    }
    out[r].summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  bar.finish();
  for (const std::string& e : errors)
    if (!e.empty()) throw InputError("shallow-water experiment: " + e);

  ShallowWaterExperimentResult res;
  res.spec = spec;
  res.spinup_mean_u = spun_mean_u;
  for (int f = 0; f < 3; ++f)
    res.threshold[static_cast<std::size_t>(f)] =
        threshold_from_references(k, [&](std::size_t i, std::size_t j) { return field_distance(out[i], out[j], f); });
  for (std::size_t r = 0; r < k; ++r) res.references.push_back(out[r].summary);
  res.configs.resize(configs.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t ci = 0; ci < configs.size(); ++ci) {
    ShallowWaterConfigResult& cr = res.configs[ci];
    cr.config = configs[ci];
    const std::size_t base = k + ci * m;
    for (std::size_t j = 0; j < m; ++j) cr.members.push_back(out[base + j].summary);
    int worst = 0;
    for (int f = 0; f < 3; ++f) {
      const Decision d = decide_members(k, m, [&](std::size_t mm, std::size_t j) { return field_distance(out[base + mm], out[j], f); },
                                        res.threshold[static_cast<std::size_t>(f)].tau);
      cr.decision[static_cast<std::size_t>(f)] = d;
      worst = std::max(worst, static_cast<int>(d.verdict));
    }
    cr.verdict = static_cast<Verdict>(worst);
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace roundlab::analysis
