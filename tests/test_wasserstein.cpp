// Wasserstein-1 (exact 1-D), the ensemble decision rule and the periodic-orbit detector of the drift
// experiments, on cases whose answers are known in closed form.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "analysis/ensemble_decision.hpp"
#include "analysis/periodic_orbit.hpp"
#include "analysis/wasserstein.hpp"
#include "reference/error.hpp"

using namespace roundlab;
using namespace roundlab::analysis;

namespace {

// ∫|F_a − F_b| on a fine grid of the merged range: an independent (approximate) evaluation.
double w1_by_cdf_grid(const std::vector<double>& a, const std::vector<double>& b) {
  const double lo = std::min(*std::min_element(a.begin(), a.end()), *std::min_element(b.begin(), b.end()));
  const double hi = std::max(*std::max_element(a.begin(), a.end()), *std::max_element(b.begin(), b.end()));
  auto cdf = [](const std::vector<double>& v, double x) {
    return static_cast<double>(std::count_if(v.begin(), v.end(), [&](double y) { return y <= x; })) / static_cast<double>(v.size());
  };
  const int steps = 200000;
  const double h = (hi - lo) / steps;
  double sum = 0;
  for (int i = 0; i < steps; ++i) {
    const double x = lo + (i + 0.5) * h;
    sum += std::fabs(cdf(a, x) - cdf(b, x)) * h;
  }
  return sum;
}

}  // namespace

TEST(Wasserstein, ClosedFormCases) {
  EXPECT_DOUBLE_EQ(wasserstein1({0.0}, {1.0}), 1.0);
  EXPECT_DOUBLE_EQ(wasserstein1({0.0, 1.0}, {0.0, 2.0}), 0.5);
  EXPECT_DOUBLE_EQ(wasserstein1({0.0, 1.0}, {0.0}), 0.5);  // unequal sizes: mass ½ moved by 1
  EXPECT_DOUBLE_EQ(wasserstein1({0.0, 0.0, 3.0}, {1.0}), 4.0 / 3.0);  // ⅔ moved by 1, ⅓ by 2
  EXPECT_DOUBLE_EQ(wasserstein1({3.0, 1.0, 2.0}, {2.0, 3.0, 1.0}), 0.0);  // order does not matter
}

TEST(Wasserstein, ShiftSymmetryAndAGridIntegral) {
  std::mt19937_64 g(4);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> a(300), b(170);
  for (double& x : a) x = normal(g);
  for (double& x : b) x = 0.3 + 1.5 * normal(g);
  std::vector<double> shifted = a;
  for (double& x : shifted) x += 0.75;
  EXPECT_NEAR(wasserstein1(a, shifted), 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(wasserstein1(a, b), wasserstein1(b, a));
  EXPECT_NEAR(wasserstein1(a, b), w1_by_cdf_grid(a, b), 1e-3);
  // Triangle inequality.
  EXPECT_LE(wasserstein1(a, b), wasserstein1(a, shifted) + wasserstein1(shifted, b) + 1e-12);
}

TEST(Wasserstein, PerPointAverageAndBadInput) {
  const FieldDistance d = wasserstein1_per_point({{0.0, 1.0}, {5.0}}, {{0.0, 1.0}, {7.0}});
  EXPECT_DOUBLE_EQ(d.mean, 1.0);
  EXPECT_DOUBLE_EQ(d.max, 2.0);
  EXPECT_EQ(d.argmax, 1u);
  EXPECT_THROW(wasserstein1({}, {1.0}), InputError);
  EXPECT_THROW(wasserstein1({NAN}, {1.0}), InputError);
  EXPECT_THROW(wasserstein1_per_point({{1.0}}, {{1.0}, {2.0}}), InputError);
}

TEST(EnsembleDecision, ThresholdIsTheLargestReferenceStatistic) {
  // Three references: W(0,1) = 1, W(0,2) = 2, W(1,2) = 4 → s = (1.5, 2.5, 3).
  const std::vector<std::vector<double>> w{{0, 1, 2}, {1, 0, 4}, {2, 4, 0}};
  const Threshold t = threshold_from_matrix(w);
  EXPECT_DOUBLE_EQ(t.tau, 3.0);
  EXPECT_EQ(t.reference_statistics, (std::vector<double>{1.5, 2.5, 3.0}));
  EXPECT_EQ(t.pair_distances, (std::vector<double>{1, 2, 4}));
  EXPECT_DOUBLE_EQ(t.pair_max, 4.0);
  EXPECT_THROW(threshold_from_matrix({{0}}), InputError);
}

TEST(EnsembleDecision, NinetyFifthPercentileFromEightOrMoreReferences) {
  // Twenty references with W(i, j) = a_i + a_j: s_i = a_i + (Σa − a_i)/(K−1), increasing in a_i.
  const std::size_t k = 20;
  std::vector<double> a(k);
  for (std::size_t i = 0; i < k; ++i) a[i] = static_cast<double>(i);
  std::vector<std::vector<double>> w(k, std::vector<double>(k, 0));
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) w[i][j] = i == j ? 0 : a[i] + a[j];
  const Threshold t = threshold_from_matrix(w);
  std::vector<double> s = t.reference_statistics;
  std::sort(s.begin(), s.end());
  EXPECT_DOUBLE_EQ(t.tau, s[18]);  // nearest rank ⌈0.95·20⌉ = 19
  EXPECT_LT(t.tau, s[19]);
}

TEST(EnsembleDecision, VerdictsAtTheirBoundaries) {
  EXPECT_EQ(decide({1.0, 3.0, 2.0}, 2.0).verdict, Verdict::Pass);  // median 2 ≤ τ
  EXPECT_EQ(decide({6.0}, 2.0).verdict, Verdict::Minor);           // 3τ
  EXPECT_EQ(decide({6.5}, 2.0).verdict, Verdict::Fail);
  EXPECT_DOUBLE_EQ(decide({1.0, 4.0}, 2.0).w, 2.5);  // even count: mean of the middle two
  EXPECT_TRUE(std::isinf(decide({1.0}, 0.0).ratio));
  // Member m is compared with the references other than m.
  const Decision d = decide_members(3, 2, [](std::size_t m, std::size_t j) { return m == j ? 100.0 : 1.0 + static_cast<double>(m); }, 1.5);
  EXPECT_EQ(d.member_w, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(d.verdict, Verdict::Pass);
}

TEST(PeriodicOrbit, FindsTransientAndPeriodOfAKnownMap) {
  // x → (x² + 1) mod 1009 from 3: check against a brute-force first repeat.
  auto step = [](std::array<double, 1>& x) { x[0] = std::fmod(x[0] * x[0] + 1, 1009.0); };
  std::vector<double> seq{3.0};
  std::array<double, 1> y{3.0};
  std::size_t mu = 0, lambda = 0;
  for (bool done = false; !done;) {
    step(y);
    for (std::size_t i = 0; i < seq.size(); ++i)
      if (seq[i] == y[0]) {
        mu = i;
        lambda = seq.size() - i;
        done = true;
      }
    seq.push_back(y[0]);
  }
  const PeriodicOrbit o = find_periodic_orbit<1>(std::array<double, 1>{3.0}, step, 10000, [](double v) { return v; });
  ASSERT_TRUE(o.found);
  EXPECT_EQ(o.transient, static_cast<std::int64_t>(mu));
  EXPECT_EQ(o.period, static_cast<std::int64_t>(lambda));
  EXPECT_EQ(o.chance_repeats, 0);
}

TEST(PeriodicOrbit, AChanceRepeatIsNotAnOrbit) {
  // 0 1 2 1 3 4 5 …: state 1 repeats once, but the sequence does not continue 2 after it.
  PeriodicOrbitDetector<1> d(16, /*min_confirm=*/2);
  for (double v : {0.0, 1.0, 2.0, 1.0, 3.0, 4.0, 5.0, 6.0}) EXPECT_FALSE(d.observe({v}));
  EXPECT_EQ(d.result().chance_repeats, 1);
  // Then a true cycle 7 8 7 8 7 8.
  bool found = false;
  for (double v : {7.0, 8.0, 7.0, 8.0, 7.0, 8.0}) found = d.observe({v}) || found;
  EXPECT_TRUE(found);
  EXPECT_EQ(d.result().period, 2);
  EXPECT_EQ(d.result().transient, 8);
}

// A state held for a few steps (a stochastic run near an equilibrium) is not a period-1 orbit unless
// it holds for min_confirm steps.
TEST(PeriodicOrbit, AShortStallIsNotAFixedPoint) {
  PeriodicOrbitDetector<1> d(4096, 100);
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(d.observe({5.0}));
  EXPECT_FALSE(d.observe({6.0}));
  EXPECT_EQ(d.result().chance_repeats, 1);
  bool found = false;
  for (int i = 0; i < 102; ++i) found = d.observe({9.0}) || found;  // the repeat at 52, then 100 more
  EXPECT_TRUE(found);
  EXPECT_EQ(d.result().period, 1);
  EXPECT_EQ(d.result().transient, 51);
}
