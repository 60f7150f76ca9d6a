// The ensemble decision rule of the drift experiments (../shared/reference/climate.md §2, "the rule I
// recommend", made like-for-like). K double-precision references start from perturbed initial
// conditions. A run's statistic is its mean distance to the references other than the one it shares an
// initial condition with: reference i's is s_i = mean_{j≠i} W(ref_i, ref_j), and member m of a
// low-precision configuration (started from reference m's initial condition) has
// W_m = mean_{j≠m} W(lp_m, ref_j). The threshold τ is max_i s_i, or the 95th percentile of the s_i when
// K ≥ 8: a member no different from a double run has a statistic distributed like the s_i. The
// configuration's W is the median of its W_m. Verdict: PASS when W ≤ τ, MINOR when W ≤ 3τ, else FAIL.
// (climate.md's τ = max of the pair distances themselves is kept in the output as pair_max; it is the
// noisier of the two, being the maximum of K(K−1)/2 single distances.)
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace roundlab::analysis {

enum class Verdict { Pass, Minor, Fail };
std::string verdict_name(Verdict v);  // "PASS", "MINOR", "FAIL"

struct Threshold {
  double tau = 0;
  std::vector<double> reference_statistics;  // s_i
  std::vector<double> pair_distances;        // W(ref_i, ref_j) in pair order (0,1), (0,2), …, (1,2), …
  double pair_max = 0;
  std::string rule;  // "max of 6 reference statistics" / "95th percentile of 10 reference statistics"
};

// From the K × K matrix of reference distances (only i ≠ j is read); K ≥ 2, else InputError.
Threshold threshold_from_matrix(const std::vector<std::vector<double>>& w);

template <class Distance>
Threshold threshold_from_references(std::size_t k, Distance pair_distance) {
  std::vector<std::vector<double>> w(k, std::vector<double>(k, 0.0));
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i + 1; j < k; ++j) w[i][j] = w[j][i] = pair_distance(i, j);
  return threshold_from_matrix(w);
}

struct Decision {
  double w = 0;      // median over members
  double tau = 0;
  double ratio = 0;  // W / τ (+∞ when τ = 0 and W > 0)
  Verdict verdict = Verdict::Fail;
  std::vector<double> member_w;
};
Decision decide(const std::vector<double>& member_w, double tau);

// W_m = mean of lp_ref(m, j) over the references j ≠ m, then decide().
template <class LpRefDistance>
Decision decide_members(std::size_t k, std::size_t members, LpRefDistance lp_ref, double tau) {
  std::vector<double> w(members, 0.0);
  for (std::size_t m = 0; m < members; ++m) {
    std::size_t count = 0;
    for (std::size_t j = 0; j < k; ++j) {
      if (j == m) continue;
      w[m] += lp_ref(m, j);
      ++count;
    }
    w[m] /= static_cast<double>(count == 0 ? 1 : count);
  }
  return decide(w, tau);
}

}  // namespace roundlab::analysis
