#include "analysis/lorenz_experiment.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "analysis/lorenz63.hpp"
#include "analysis/progress_bar.hpp"
#include "analysis/reduced_number.hpp"
#include "analysis/wasserstein.hpp"
#include "reference/error.hpp"

namespace roundlab::analysis {

std::int64_t LorenzExperimentSpec::sampled_steps() const { return std::llround(length / dt); }

void LorenzExperimentSpec::validate() const {
  auto fail = [](const std::string& m) { throw InputError("lorenz experiment: " + m); };
  if (!(dt > 0) || !std::isfinite(dt)) fail("dt must be a positive number");
  if (!(length > 0) || !std::isfinite(length)) fail("--length must be a positive number of time units");
  // Before any step count is formed: 1e300 time units would overflow it, and 1e9 would exhaust memory
  // for the samples or run for days instead of being refused.
  if (length / dt > static_cast<double>(kMaxExperimentSteps))
    fail("--length gives more than " + std::to_string(kMaxExperimentSteps) + " steps (the largest run this tool takes)");
  if (spinup_steps < 0) fail("spin-up steps must be ≥ 0");
  if (spinup_steps > kMaxExperimentSteps)
    fail("--spinup " + std::to_string(spinup_steps) + " is more than " + std::to_string(kMaxExperimentSteps) + " steps");
  if (sample_every < 1) fail("sample interval must be ≥ 1 step");
  if (sampled_steps() / sample_every < 2) fail("--length gives fewer than 2 samples");
  if (references < 2) fail("--references must be ≥ 2 (the threshold compares reference pairs)");
  if (members < 1 || members > references) fail("--members must be in 1..references (member m starts from reference m's initial condition)");
  if (curve_points < 1 || curve_points > 20) fail("curve points must be in 1..20");
  if ((sampled_steps() / sample_every) >> (curve_points - 1) < 2) fail("the shortest curve length has fewer than 2 samples");
  if (orbit_window < 0) fail("orbit window must be ≥ 0");
}

namespace {

struct Samples {
  std::array<std::vector<double>, 3> xyz;  // sorted after the run
};

struct RunOutput {
  LorenzRunSummary summary;
  Samples samples;
};

template <class Num>
void integrate(const LorenzExperimentSpec& spec, Lorenz63State<Num> x, RunOutput& out, ProgressBar& bar) {
  const Lorenz63<Num> model(spec.dt);
  const std::int64_t total = spec.spinup_steps + spec.sampled_steps();
  PeriodicOrbitDetector<3> orbit(std::min<std::int64_t>(spec.orbit_window, total) + 1);
  auto as_doubles = [&] { return std::array<double, 3>{to_double(x[0]), to_double(x[1]), to_double(x[2])}; };
  if (spec.orbit_window > 0) orbit.observe(as_doubles());
  for (auto& v : out.samples.xyz) v.reserve(static_cast<std::size_t>(spec.sampled_steps() / spec.sample_every));
  std::int64_t reported = 0;
  for (std::int64_t n = 1; n <= total; ++n) {
    model.step(x);
    const std::array<double, 3> d = as_doubles();
    if (!(std::isfinite(d[0]) && std::isfinite(d[1]) && std::isfinite(d[2]))) {
      out.summary.finite = false;
      break;
    }
    if (n <= spec.orbit_window && !orbit.result().found) orbit.observe(d);
    if (n > spec.spinup_steps && (n - spec.spinup_steps) % spec.sample_every == 0)
      for (int c = 0; c < 3; ++c) out.samples.xyz[c].push_back(d[c]);
    if ((n & 0x3fff) == 0) {
      bar.advance(static_cast<std::uint64_t>(n - reported));
      reported = n;
    }
  }
  bar.advance(static_cast<std::uint64_t>(total - reported));
  out.summary.orbit = orbit.result();
}

void summarize(RunOutput& out) {
  for (int c = 0; c < 3; ++c) {
    auto& v = out.samples.xyz[c];
    if (v.empty()) continue;
    double sum = 0, sq = 0;
    for (double s : v) sum += s;
    const double mean = sum / static_cast<double>(v.size());
    for (double s : v) sq += (s - mean) * (s - mean);
    out.summary.mean[c] = mean;
    out.summary.stddev[c] = std::sqrt(sq / static_cast<double>(v.size()));
    std::sort(v.begin(), v.end());
    out.summary.min[c] = v.front();
    out.summary.max[c] = v.back();
  }
}

template <class Policy>
void run_reduced(const LorenzExperimentSpec& spec, const DriftConfig& c, int member, const Lorenz63State<double>& ic,
                 RunOutput& out, ProgressBar& bar) {
  SbitsRounder rounder(member_rounding(c, spec.range, spec.seed, member));
  ReducedScope scope(rounder);
  using N = Reduced<Policy>;
  integrate<N>(spec, Lorenz63State<N>{N(ic[0]), N(ic[1]), N(ic[2])}, out, bar);
  out.summary.random_draws = rounder.draws();
  out.summary.stream = rounder.spec().stream;
}

}  // namespace

namespace {

// A finished run's samples as the distances need them: each variable sorted, and the z prefixes of
// the W-against-length curve (time-ordered prefixes, each sorted).
struct Sorted {
  std::array<std::vector<double>, 3> xyz;
  std::vector<std::vector<double>> z_prefix;
};

Sorted sorted_samples(RunOutput& out, const LorenzExperimentSpec& spec) {
  Sorted s;
  const auto& z = out.samples.xyz[2];
  const auto full = static_cast<std::size_t>(spec.sampled_steps() / spec.sample_every);
  for (int p = 0; p < spec.curve_points; ++p) {
    const std::size_t n = std::min(z.size(), full >> (spec.curve_points - 1 - p));
    std::vector<double> prefix(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(n));
    std::sort(prefix.begin(), prefix.end());
    s.z_prefix.push_back(std::move(prefix));
  }
  summarize(out);  // sorts xyz in place
  for (int c = 0; c < 3; ++c) s.xyz[static_cast<std::size_t>(c)] = std::move(out.samples.xyz[static_cast<std::size_t>(c)]);
  return s;
}

double w_full(const LorenzRunSummary& a, const Sorted& sa, const LorenzRunSummary& b, const Sorted& sb, int c) {
  if (!a.finite || !b.finite) return std::numeric_limits<double>::infinity();
  return wasserstein1_sorted(sa.xyz[static_cast<std::size_t>(c)], sb.xyz[static_cast<std::size_t>(c)]);
}

double w_prefix(const LorenzRunSummary& a, const Sorted& sa, const LorenzRunSummary& b, const Sorted& sb, int p) {
  if (!a.finite || !b.finite) return std::numeric_limits<double>::infinity();
  return wasserstein1_sorted(sa.z_prefix[static_cast<std::size_t>(p)], sb.z_prefix[static_cast<std::size_t>(p)]);
}

// A member's distances to every reference: full length per variable, and the z prefixes.
struct MemberDistances {
  std::array<std::vector<double>, 3> to_ref;
  std::vector<std::vector<double>> prefix_to_ref;
};

}  // namespace

LorenzExperimentResult run_lorenz_experiment(const LorenzExperimentSpec& spec, const std::vector<DriftConfig>& configs) {
  spec.validate();
  for (const DriftConfig& c : configs) SbitsRounder check(member_rounding(c, spec.range, spec.seed, 0));  // InputError
  const auto t0 = std::chrono::steady_clock::now();
  const auto k = static_cast<std::size_t>(spec.references), m = static_cast<std::size_t>(spec.members);
  const auto points = static_cast<std::size_t>(spec.curve_points);
  const std::size_t runs = k + configs.size() * m;
  const std::int64_t steps_per_run = spec.spinup_steps + spec.sampled_steps();
  ProgressBar bar("lorenz: " + std::to_string(runs) + " runs", static_cast<std::uint64_t>(steps_per_run) * runs, spec.progress);
  auto ic = [](std::size_t i) { return Lorenz63State<double>{1.0 + 0.01 * static_cast<double>(i + 1), 1.0, 20.0}; };
  const int threads = spec.threads > 0 ? spec.threads : omp_get_max_threads();
  std::vector<std::string> errors(runs);
  auto timed = [&](std::size_t r, RunOutput& out, auto body) {
    const auto start = std::chrono::steady_clock::now();
    try {
      body();
    } catch (const std::exception& e) {
      errors[r] = e.what();
    }
    out.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  // Phase 1: the references, kept (sorted) for every distance.
  std::vector<LorenzRunSummary> ref_summary(k);
  std::vector<Sorted> ref_sorted(k);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t r = 0; r < k; ++r) {
    RunOutput out;
    out.summary.label = "double";
    out.summary.member = static_cast<int>(r);
    timed(r, out, [&] { integrate<double>(spec, ic(r), out, bar); });
    ref_sorted[r] = sorted_samples(out, spec);
    ref_summary[r] = out.summary;
  }
  for (const std::string& e : errors)
    if (!e.empty()) throw InputError("lorenz experiment: " + e);

  LorenzExperimentResult res;
  res.spec = spec;
  res.references = ref_summary;
  for (std::size_t p = 0; p < points; ++p)
    res.curve_lengths.push_back(spec.length / static_cast<double>(std::uint64_t{1} << (points - 1 - p)));
  for (int c = 0; c < 3; ++c)
    res.threshold[static_cast<std::size_t>(c)] = threshold_from_references(k, [&](std::size_t i, std::size_t j) {
      return w_full(ref_summary[i], ref_sorted[i], ref_summary[j], ref_sorted[j], c);
    });
  std::vector<double> tau_at(points);
  for (std::size_t p = 0; p < points; ++p)
    tau_at[p] = threshold_from_references(k, [&](std::size_t i, std::size_t j) {
                  return w_prefix(ref_summary[i], ref_sorted[i], ref_summary[j], ref_sorted[j], static_cast<int>(p));
                }).tau;

  // Phase 2: the members; each one's distances to the references are taken as soon as it finishes,
  // and its samples dropped (memory: the references plus the runs in flight).
  const std::size_t jobs = configs.size() * m;
  std::vector<LorenzRunSummary> member_summary(jobs);
  std::vector<MemberDistances> member_w(jobs);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t jb = 0; jb < jobs; ++jb) {
    const DriftConfig& c = configs[jb / m];
    const int member = static_cast<int>(jb % m);
    RunOutput out;
    out.summary.label = c.label();
    out.summary.member = member;
    out.summary.stochastic = c.stochastic();
    timed(k + jb, out, [&] {
      const Lorenz63State<double> start = ic(static_cast<std::size_t>(member));
      if (spec.policy == OperandPolicy::Rpe) run_reduced<RpeCompatible>(spec, c, member, start, out, bar);
      else run_reduced<EveryOpRounded>(spec, c, member, start, out, bar);
    });
    if (!errors[k + jb].empty()) continue;
    const Sorted s = sorted_samples(out, spec);
    MemberDistances& d = member_w[jb];
    for (int v = 0; v < 3; ++v)
      for (std::size_t j = 0; j < k; ++j) d.to_ref[static_cast<std::size_t>(v)].push_back(w_full(out.summary, s, ref_summary[j], ref_sorted[j], v));
    d.prefix_to_ref.assign(points, {});
    for (std::size_t p = 0; p < points; ++p)
      for (std::size_t j = 0; j < k; ++j)
        d.prefix_to_ref[p].push_back(w_prefix(out.summary, s, ref_summary[j], ref_sorted[j], static_cast<int>(p)));
    member_summary[jb] = out.summary;
  }
  bar.finish();
  for (const std::string& e : errors)
    if (!e.empty()) throw InputError("lorenz experiment: " + e);

  for (std::size_t ci = 0; ci < configs.size(); ++ci) {
    LorenzConfigResult cr;
    cr.config = configs[ci];
    const std::size_t base = ci * m;
    for (std::size_t j = 0; j < m; ++j) cr.members.push_back(member_summary[base + j]);
    for (std::size_t v = 0; v < 3; ++v)
      cr.decision[v] = decide_members(k, m, [&](std::size_t mm, std::size_t j) { return member_w[base + mm].to_ref[v][j]; },
                                      res.threshold[v].tau);
    for (std::size_t p = 0; p < points; ++p) {
      const Decision d = decide_members(k, m, [&](std::size_t mm, std::size_t j) { return member_w[base + mm].prefix_to_ref[p][j]; },
                                        tau_at[p]);
      cr.curve.push_back(LorenzCurvePoint{res.curve_lengths[p], d.tau, d.w});
    }
    res.configs.push_back(std::move(cr));
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace roundlab::analysis
