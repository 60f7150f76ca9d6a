// Claim bias-closed-forms: over the D-bit grid of discarded fractions δ = i/2^D (i = 0 … 2^D − 1), the
// mean bias and the mean variance of every few-bit SR variant, computed exactly from the reference's
// outcome probabilities (analysis/sr_bias_enumeration), equal the closed forms of stochastic-rounding.md
// §3.3 (analysis/sr_bias_closed_forms: srff −(2^-N − 2^-D)/2, srf +2^-(D+1), src = sro = 0, srceil
// +(2^-N − 2^-D)/2; 0 when D ≤ N), as do the grid's smallest and largest pointwise bias.
#include <omp.h>

#include <atomic>
#include <variant>

#include "analysis/exact_rational.hpp"
#include "analysis/sr_bias_aggregate.hpp"
#include "analysis/sr_bias_closed_forms.hpp"
#include "analysis/sr_bias_enumeration.hpp"
#include "proofs/claim.hpp"
#include "reference/format_catalogue.hpp"

namespace roundlab::proofs {

namespace {

void check(const ClaimRun& run, Certificate& cert) {
  cert.unit = "mode x N x D";
  const int max_d = run.full ? 16 : 10, max_n = 12;
  const std::vector<Mode> modes = {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd,
                                   Mode::StochasticCeil};
  struct Unit {
    Mode mode;
    int n, d;
  };
  std::vector<Unit> all;
  for (Mode m : modes)
    for (int n = 0; n <= max_n; ++n)
      for (int d = 1; d <= max_d; ++d) all.push_back({m, n, d});
  cert.work_units = all.size();
  std::vector<Unit> units;
  for (std::size_t u = 0; u < all.size(); ++u)
    if (u % run.shard_count == run.shard_index) units.push_back(all[u]);
  cert.units_checked = units.size();
  // p = 1 format: between 1 and 2 one ulp is the whole binade, so x = ±(1 + i/2^D) has δ = i/2^D.
  const auto p1 = std::get<IeeeLikeFormat>(find_format("p3109_k8p1se"));
  std::atomic<std::uint64_t> checked{0}, done{0};
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t ui = 0; ui < units.size(); ++ui) {
    const Unit& unit = units[ui];
    Rounding rd;
    rd.mode = unit.mode;
    rd.random_bits = unit.n;
    analysis::PointBiasEvaluator eval(p1, rd, analysis::CountMethod::Count);
    analysis::PointBias point;
    for (int sign = 0; sign < (run.full ? 2 : 1); ++sign) {
      analysis::BiasAggregator agg;
      for (long i = 0; i < (1L << unit.d); ++i) {
        const analysis::Rational x = 1 + analysis::Rational(i) * analysis::pow2(-unit.d);
        eval.evaluate(analysis::exact_value_of_dyadic(sign ? analysis::Rational(-x) : x), point);
        agg.add(point);
      }
      const analysis::BiasAggregate& a = agg.result();
      const std::string what = mode_name(unit.mode) + " N=" + std::to_string(unit.n) + " D=" + std::to_string(unit.d) +
                               (sign ? " (negative)" : "");
      analysis::Rational want_bias = analysis::grid_mean_bias(unit.mode, unit.n, unit.d);
      if (run.inject_fault) want_bias += analysis::pow2(-40);
      const analysis::BiasRange range = analysis::grid_bias_range(unit.mode, unit.n, unit.d);
      if (a.finite_inputs != (1UL << unit.d))
        record_failure(cert, what + ": " + std::to_string(a.finite_inputs) + " inputs with finite statistics");
      else if (*a.mean_bias_ulps() != want_bias)
        record_failure(cert, what + ": mean bias " + analysis::rational_text(*a.mean_bias_ulps()) + " != closed form " +
                                 analysis::rational_text(want_bias));
      else if (*a.mean_variance_ulps() != analysis::grid_mean_variance(unit.mode, unit.n, unit.d))
        record_failure(cert, what + ": mean variance " + analysis::rational_text(*a.mean_variance_ulps()) +
                                 " != closed form " +
                                 analysis::rational_text(analysis::grid_mean_variance(unit.mode, unit.n, unit.d)));
      else if (a.min_bias_ulps != range.min || a.max_bias_ulps != range.max)
        record_failure(cert, what + ": bias range [" + analysis::rational_text(a.min_bias_ulps) + ", " +
                                 analysis::rational_text(a.max_bias_ulps) + "] != closed form [" +
                                 analysis::rational_text(range.min) + ", " + analysis::rational_text(range.max) + "]");
      checked += 1UL << unit.d;
    }
    const std::uint64_t dn = ++done;
    if (run.progress && omp_get_thread_num() == 0) run.progress(static_cast<double>(dn) / static_cast<double>(units.size()));
  }
  cert.cases_checked = checked;
}

}  // namespace

Claim claim_bias_closed_forms() {
  return Claim{"bias-closed-forms",
               "For srff, srf, src, sro and srceil with N random bits and inputs whose discarded fraction runs over the "
               "D-bit grid i/2^D, the exact mean bias (target ulps), the mean variance and the smallest and largest "
               "pointwise bias equal the closed forms (srff -(2^-N - 2^-D)/2, srf +2^-(D+1), src = sro = 0, srceil "
               "+(2^-N - 2^-D)/2, all 0 when D <= N).",
               "exhaustive over the grid: exact outcome probabilities from the reference (C(nu) counting, "
               "analysis/sr_bias_enumeration) aggregated in exact rationals, against analysis/sr_bias_closed_forms",
               "the five modes x N = 0..12 x D = 1..10, positive inputs 1 + i/2^D into p3109_k8p1se",
               "the five modes x N = 0..12 x D = 1..16, inputs +-(1 + i/2^D) into p3109_k8p1se", check};
}

}  // namespace roundlab::proofs
