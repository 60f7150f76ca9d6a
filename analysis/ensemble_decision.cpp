#include "analysis/ensemble_decision.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "reference/error.hpp"

namespace roundlab::analysis {

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "PASS";
    case Verdict::Minor: return "MINOR";
    case Verdict::Fail: break;
  }
  return "FAIL";
}

Threshold threshold_from_matrix(const std::vector<std::vector<double>>& w) {
  const std::size_t k = w.size();
  if (k < 2) throw InputError("ensemble threshold: needs at least 2 reference runs (got " + std::to_string(k) + ")");
  for (const auto& row : w)
    if (row.size() != k) throw InputError("ensemble threshold: the reference distance matrix is not square");
  Threshold t;
  for (std::size_t i = 0; i < k; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < k; ++j) {
      if (j == i) continue;
      s += w[i][j];
      if (j > i) {
        t.pair_distances.push_back(w[i][j]);
        t.pair_max = std::max(t.pair_max, w[i][j]);
      }
    }
    t.reference_statistics.push_back(s / static_cast<double>(k - 1));
  }
  std::vector<double> sorted = t.reference_statistics;
  std::sort(sorted.begin(), sorted.end());
  if (k >= 8) {  // nearest-rank 95th percentile
    const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(k)));
    t.tau = sorted[rank - 1];
    t.rule = "95th percentile of " + std::to_string(k) + " reference statistics";
  } else {
    t.tau = sorted.back();
    t.rule = "max of " + std::to_string(k) + " reference statistics";
  }
  return t;
}

Decision decide(const std::vector<double>& member_w, double tau) {
  if (member_w.empty()) throw InputError("ensemble decision: no member distances");
  Decision d;
  d.member_w = member_w;
  d.tau = tau;
  std::vector<double> s = member_w;
  std::sort(s.begin(), s.end());
  const std::size_t n = s.size();
  d.w = n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  d.ratio = tau > 0 ? d.w / tau : (d.w > 0 ? std::numeric_limits<double>::infinity() : 0.0);
  d.verdict = d.w <= tau ? Verdict::Pass : d.w <= 3 * tau ? Verdict::Minor : Verdict::Fail;
  return d;
}

}  // namespace roundlab::analysis
