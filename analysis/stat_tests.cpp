#include "analysis/stat_tests.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace roundlab::analysis {

namespace {

double log_binomial_pmf(std::uint64_t k, std::uint64_t n, double log_p, double log_q) {
  const double kn = static_cast<double>(k), nn = static_cast<double>(n);
  return std::lgamma(nn + 1) - std::lgamma(kn + 1) - std::lgamma(nn - kn + 1) + kn * log_p + (nn - kn) * log_q;
}

// Regularized lower incomplete gamma P(a, x) by its series (x < a + 1).
double gamma_p_series(double a, double x) {
  double term = 1.0 / a, sum = term;
  for (int i = 1; i < 100000; ++i) {
    term *= x / (a + i);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Regularized upper incomplete gamma Q(a, x) by Lentz's continued fraction (x ≥ a + 1).
double gamma_q_fraction(double a, double x) {
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-16) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

}  // namespace

double binomial_two_sided_p(std::uint64_t k, std::uint64_t n, double p) {
  if (k > n) throw std::invalid_argument("binomial test: successes exceed trials");
  if (!(p >= 0 && p <= 1)) throw std::invalid_argument("binomial test: probability outside [0, 1]");
  if (p == 0) return k == 0 ? 1.0 : 0.0;
  if (p == 1) return k == n ? 1.0 : 0.0;
  const double log_p = std::log(p), log_q = std::log1p(-p);
  const double ref = log_binomial_pmf(k, n, log_p, log_q);
  // Sum the outcomes no more likely than k (with a relative slack for rounding of equal terms), in
  // log space relative to ref so that nothing underflows.
  const double slack = 1e-7;
  double sum = 0;
  for (std::uint64_t j = 0; j <= n; ++j) {
    const double lj = log_binomial_pmf(j, n, log_p, log_q);
    if (lj <= ref + slack) sum += std::exp(lj - ref);
  }
  return std::min(1.0, sum * std::exp(ref));
}

double chi_square_upper_tail(double x, double df) {
  if (!(df > 0)) throw std::invalid_argument("chi-square: degrees of freedom must be positive");
  if (x <= 0) return 1.0;
  const double a = df / 2, h = x / 2;
  return h < a + 1 ? 1.0 - gamma_p_series(a, h) : gamma_q_fraction(a, h);
}

double normal_two_sided_p(double z) { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

double normal_quantile(double q) {
  if (!(q > 0 && q < 1)) throw std::invalid_argument("normal quantile: q must lie in (0, 1)");
  double lo = -40, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

std::vector<bool> holm_reject(const std::vector<double>& p_values, double alpha) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<bool> reject(m, false);
  for (std::size_t i = 0; i < m; ++i) {
    if (p_values[order[i]] > alpha / static_cast<double>(m - i)) break;  // stop at the first acceptance
    reject[order[i]] = true;
  }
  return reject;
}

double samples_to_detect_shift(double bias, double sigma, double alpha, double power) {
  if (!(bias > 0) || !(sigma > 0)) throw std::invalid_argument("sample size: bias and sigma must be positive");
  const double z = normal_quantile(1 - alpha / 2) + normal_quantile(power);
  const double n = z * sigma / bias;
  return n * n;
}

}  // namespace roundlab::analysis
