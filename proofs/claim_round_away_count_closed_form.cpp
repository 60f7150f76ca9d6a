// Claim round-away-count-closed-form: for every few-bit SR variant and N, the number of r ∈ [0, 2^N) for
// which the reference rounds x away from zero equals the closed form C(δ) = 2^N·q(δ) of
// stochastic-rounding.md §2.1 (analysis/sr_bias_closed_forms), for every finite bfloat16 / binary16 x
// inside the target's finite range.
#include <omp.h>

#include <atomic>
#include <variant>

#include "analysis/exact_rational.hpp"
#include "analysis/sr_bias_closed_forms.hpp"
#include "proofs/claim.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab::proofs {

namespace {

void check(const ClaimRun& run, Certificate& cert) {
  cert.unit = "target x source x mode x N";
  std::vector<const char*> targets = {"p3109_k8p4se", "ocp_e2m1"};
  if (run.full) targets = {"p3109_k8p4se", "p3109_k8p1se", "p3109_k6p3se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1"};
  std::vector<const char*> sources = {"bfloat16"};
  if (run.full) sources.push_back("binary16");
  const std::vector<Mode> modes = {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd,
                                   Mode::StochasticCeil};
  std::vector<int> ns = {1, 3};
  if (run.full) ns = {1, 2, 3, 4, 5, 6, 7, 8};
  struct Unit {
    const char* target;
    const char* source;
    Mode mode;
    int n;
  };
  std::vector<Unit> all;
  for (const char* t : targets)
    for (const char* s : sources)
      for (Mode m : modes)
        for (int n : ns) all.push_back({t, s, m, n});
  cert.work_units = all.size();
  std::vector<Unit> units;
  for (std::size_t u = 0; u < all.size(); ++u)
    if (u % run.shard_count == run.shard_index) units.push_back(all[u]);
  cert.units_checked = units.size();
  std::atomic<std::uint64_t> checked{0}, done{0};
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t ui = 0; ui < units.size(); ++ui) {
    const Unit& unit = units[ui];
    const auto f = std::get<IeeeLikeFormat>(find_format(unit.target));
    const auto src = std::get<IeeeLikeFormat>(find_format(unit.source));
    Rounding rd;
    rd.mode = unit.mode;
    rd.random_bits = unit.n;
    const ExactValue lo_range = f.min_finite(), hi_range = f.max_finite();
    const std::uint64_t count = std::uint64_t{1} << unit.n;
    std::uint64_t local = 0;
    for (std::uint64_t code = 0; code <= src.code_count_mask(); ++code) {
      const ExactValue x = src.decode(code);
      if (!x.is_finite() || x.is_zero() || x < lo_range || hi_range < x) continue;
      std::uint64_t away = 0;
      for (std::uint64_t r = 0; r < count; ++r) away += project(f, rd, x, RandomDraw{r, {}}).away ? 1 : 0;
      // δ = ν exactly (binary16/bfloat16 values are dyadic, so precision_step's ν is exact).
      const analysis::Rational delta = analysis::rational_of(precision_step(f, x).nu.get());
      analysis::Rational c = analysis::closed_form_p_away(unit.mode, unit.n, delta) * count;
      if (run.inject_fault && delta != 0) c += 1;  // tests: a wrong closed form must be caught
      if (c != away)
        record_failure(cert, f.name + " " + mode_name(unit.mode) + " N=" + std::to_string(unit.n) + " x=" +
                                 to_hex_float(x) + ": " + std::to_string(away) + " of " + std::to_string(count) +
                                 " r round away, closed form C(delta = " + analysis::rational_text(delta) + ") = " +
                                 analysis::rational_text(c));
      local += count;
    }
    checked += local;
    const std::uint64_t d = ++done;
    if (run.progress && omp_get_thread_num() == 0) run.progress(static_cast<double>(d) / static_cast<double>(units.size()));
  }
  cert.cases_checked = checked;
}

}  // namespace

Claim claim_round_away_count_closed_form() {
  return Claim{"round-away-count-closed-form",
               "For srff, srf, src, sro and srceil with N random bits, the number of r in [0, 2^N) for which the reference "
               "rounds x away from zero equals C(delta) = 2^N q(delta) (floor, round-half-up, half-even, half-odd, ceil "
               "of delta 2^N), for every nonzero finite source value x in the target's finite range.",
               "exhaustive: every r through the MPFR reference (project), against the closed form in exact rationals "
               "(analysis/sr_bias_closed_forms), delta from the reference's exact nu",
               "targets p3109_k8p4se, ocp_e2m1 x the five modes x N in {1, 3} x every bfloat16",
               "targets p3109_k8p4se, p3109_k8p1se, p3109_k6p3se, ocp_e4m3, ocp_e5m2, ocp_e2m1 x the five modes x "
               "N = 1..8 x every bfloat16 and binary16",
               check};
}

}  // namespace roundlab::proofs
