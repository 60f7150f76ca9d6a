#include "analysis/wasserstein.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "reference/error.hpp"

namespace roundlab::analysis {

double wasserstein1(std::vector<double> a, std::vector<double> b) {
  // Checked before sorting: NaN breaks the ordering std::sort relies on.
  auto has_nan = [](const std::vector<double>& v) { return std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); }); };
  if (has_nan(a) || has_nan(b)) throw InputError("wasserstein1: a sample holds NaN or ±Inf");
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return wasserstein1_sorted(a, b);
}

double wasserstein1_sorted(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) throw InputError("wasserstein1: both samples must be non-empty");
  // Sorted ascending, a NaN would sit anywhere; a non-finite value makes every distance meaningless.
  auto finite = [](const std::vector<double>& v) { return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); }); };
  if (!finite(a) || !finite(b)) throw InputError("wasserstein1: a sample holds NaN or ±Inf");
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  if (a.size() == b.size()) {  // equal sizes: the mean distance between order statistics
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += std::fabs(a[i] - b[i]);
    return sum / na;
  }
  // Merge the two sorted samples; between consecutive support points F_a and F_b are constant.
  std::size_t i = 0, j = 0;
  double x = std::min(a[0], b[0]), sum = 0;
  while (i < a.size() || j < b.size()) {
    const double next = j == b.size() || (i < a.size() && a[i] <= b[j]) ? a[i] : b[j];
    sum += std::fabs(static_cast<double>(i) / na - static_cast<double>(j) / nb) * (next - x);
    x = next;
    while (i < a.size() && a[i] == x) ++i;
    while (j < b.size() && b[j] == x) ++j;
  }
  return sum;
}

FieldDistance wasserstein1_per_point(const std::vector<std::vector<double>>& a,
                                     const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size() || a.empty())
    throw InputError("wasserstein1_per_point: the fields have " + std::to_string(a.size()) + " and " +
                     std::to_string(b.size()) + " points; expected the same non-zero number");
  FieldDistance d;
  for (std::size_t p = 0; p < a.size(); ++p) {
    const double w = wasserstein1(a[p], b[p]);
    d.mean += w;
    if (w > d.max || p == 0) {
      d.max = w;
      d.argmax = p;
    }
  }
  d.mean /= static_cast<double>(a.size());
  return d;
}

}  // namespace roundlab::analysis
