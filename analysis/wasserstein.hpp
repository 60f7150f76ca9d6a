// Wasserstein-1 distances between empirical distributions (the drift experiments' metric,
// ../shared/reference/climate.md §2): W1(a, b) = ∫ |F_a(x) − F_b(x)| dx, the exact formula for 1-D
// samples (no binning, no approximation beyond double arithmetic in the sums), and its average over
// the points of a field (each point's time series compared separately).
#pragma once
#include <cstddef>
#include <vector>

namespace roundlab::analysis {

// W1 between the empirical distributions of two samples (any sizes ≥ 1), in O((n + m) log(n + m)).
// Throws InputError when a sample is empty or holds a NaN (a distance would be meaningless).
double wasserstein1(std::vector<double> a, std::vector<double> b);
// The same for samples already sorted ascending (no copy; the caller sorts once for many distances).
double wasserstein1_sorted(const std::vector<double>& a, const std::vector<double>& b);

// Per-point W1 of two fields given as time series per point (series[p][t]), averaged over points.
struct FieldDistance {
  double mean = 0;  // average over points
  double max = 0;   // largest point's W1
  std::size_t argmax = 0;
};
FieldDistance wasserstein1_per_point(const std::vector<std::vector<double>>& a,
                                     const std::vector<std::vector<double>>& b);

}  // namespace roundlab::analysis
