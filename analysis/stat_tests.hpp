// Statistical tests of sampled rounding outputs: exact two-sided binomial test, chi-square and normal
// tails, Holm's step-down correction, and the sample size that detects a given bias.
// Exactness: these are double-precision statistics. Tail probabilities are computed to about 1e-12
// relative accuracy (log-space sums, series / continued fraction of the incomplete gamma function);
// decisions compare them with alpha, so only p-values within that accuracy of alpha could flip.
#pragma once
#include <cstdint>
#include <vector>

namespace roundlab::analysis {

// P-value of the exact two-sided binomial test of k successes in n trials against probability p
// (the "minimum likelihood" rule: the total probability of outcomes no more likely than k). p in
// [0, 1]; p = 0 or 1 gives 1 when k is the only possible outcome and 0 otherwise.
double binomial_two_sided_p(std::uint64_t k, std::uint64_t n, double p);

// Upper tail P(X ≥ x) of the chi-square distribution with df degrees of freedom (df ≥ 1).
double chi_square_upper_tail(double x, double df);

// Two-sided normal tail P(|Z| ≥ |z|).
double normal_two_sided_p(double z);

// z with P(Z ≤ z) = q, 0 < q < 1 (bisection on erfc; about 1e-12 absolute).
double normal_quantile(double q);

// Holm's step-down procedure: which of the hypotheses with these p-values are rejected with the
// family-wise error rate held at alpha.
std::vector<bool> holm_reject(const std::vector<double>& p_values, double alpha);

// Number of samples n for which a two-sided z-test of a mean at level alpha detects a shift of
// `bias` (same units as sigma) with probability `power`: n = ((z_{1-α/2} + z_{power}) σ / bias)^2.
double samples_to_detect_shift(double bias, double sigma, double alpha, double power);

}  // namespace roundlab::analysis
