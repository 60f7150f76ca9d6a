// Closed forms of the bias and variance of the SR modes (stochastic-rounding.md §2.1, §3), computed
// directly from δ, N and D in exact rational arithmetic — deliberately NOT through the reference's
// rounding or the enumeration, so that the two can be checked against each other.
//
// Units: target ulps (variance and MSE: ulp²). Bias is signed so that + means away from zero:
// bias(δ) = q(δ) − δ with q = C(δ)/2^N = P(round away). Modes: srff, srf, src, sro, srceil (N random
// bits) and sr (exact, q = δ); other modes are an InputError. N = 0 follows P3109 (and the reference):
// a few-bit mode with no random bits never rounds away (q = 0, TowardZero); gfloat differs there
// (stochastic-rounding.md §2.4), so no §3 formula is quoted for N = 0 — the N = 0 rows below are
// q = 0 worked through, e.g. the grid mean −(1 − 2^-D)/2.
//
// "D-bit grid" means δ uniform on {i·2^-D : 0 ≤ i < 2^D} (case 2 of §3.3: inputs with D bits below
// the target ulp, e.g. a whole binade of bfloat16 inputs to an 8-bit target); "infinite precision"
// means δ uniform on the reals of [0, 1) (case 1, §3.2). Every function is exact.
#pragma once
#include "analysis/exact_rational.hpp"
#include "reference/rounding.hpp"

namespace roundlab::analysis {

// q(δ) = R(δ·2^N)/2^N with R = ⌊·⌋ (srff), ⌊· + ½⌋ (srf), ties-to-even on the parity of ⌊δ2^N⌋ (src),
// ties-to-odd (sro), ⌈·⌉ (srceil); q = δ for sr; q = 0 for N = 0. δ must lie in [0, 1). Exact.
Rational closed_form_p_away(Mode mode, int n, const Rational& delta);
// q(δ) − δ. Exact.
Rational closed_form_bias(Mode mode, int n, const Rational& delta);
// Var = q(1 − q) (the result is a two-point Bernoulli on lo/hi, one ulp apart). Exact.
Rational closed_form_variance(Mode mode, int n, const Rational& delta);
// MSE = E[(result − x)²] = q(1 − δ)² + (1 − q)δ² = Var + bias². Exact.
Rational closed_form_mse(Mode mode, int n, const Rational& delta);

// The smallest and largest pointwise bias (§3.1). min/max_attained say whether the bound is a value
// of the bias (true on every D-bit grid; false only for the open ends of the infinite-precision ranges).
struct BiasRange {
  Rational min, max;
  bool min_attained = true;
  bool max_attained = true;
};
// Over δ on the D-bit grid (D ≥ 0). D ≤ N: [0, 0] for every mode; else
//   srff [−(2^-N − 2^-D), 0]   srf [−(2^-(N+1) − 2^-D), +2^-(N+1)]   src, sro [−2^-(N+1), +2^-(N+1)]
//   srceil [0, 2^-N − 2^-D] (derived: ⌈y⌉ − y mirrors y − ⌊y⌋)   sr [0, 0]. Exact, bounds attained.
BiasRange grid_bias_range(Mode mode, int n, int d);
// Over δ ∈ [0, 1) real: srff (−2^-N, 0], srf (−2^-(N+1), +2^-(N+1)], src/sro [−2^-(N+1), +2^-(N+1)],
// srceil [0, 2^-N), sr [0, 0]. Exact.
BiasRange infinite_precision_bias_range(Mode mode, int n);

// Mean bias over the D-bit grid (case 2, §3.3). D ≤ N: 0 for every mode; else
//   srff −(2^-N − 2^-D)/2   srf +2^-(D+1)   src 0   sro 0   sr 0
//   srceil +(2^-N − 2^-D)/2 (derived: write δ2^N = j + k/M, M = 2^(D−N); the bias is (M − k)/2^D for
//     k > 0 and 0 for k = 0, so its mean is (M − 1)/2^(D+1) — srff's mirror image).
// Exact.
Rational grid_mean_bias(Mode mode, int n, int d);
// Mean of Var = q(1 − q) over the D-bit grid (derived; checked by enumeration in tests/test_sr_bias.cpp):
//   D ≤ N, or sr: (1 − 4^-D)/6, which is the mean of exact SR's δ(1 − δ) over the grid
//   srff, srf, srceil (D > N): (1 − 4^-N)/6   (each q = j/2^N taken by equally many δ, up to q ∈ {0, 1}
//                                              where q(1 − q) = 0)
//   src (D > N): (1 − 4^-N)/6 − 2^-(D+N+1)   (ties go to even j: 2 extra δ for even j, 2 fewer for odd)
//   sro (D > N): (1 − 4^-N)/6 + 2^-(D+N+1)
// Exact.
Rational grid_mean_variance(Mode mode, int n, int d);
// The mean of exact SR's variance δ(1 − δ) over the D-bit grid: (1 − 4^-D)/6 (→ 1/6, §2.3). Exact.
Rational grid_mean_exact_sr_variance(int d);

// Infinite-precision limits (case 1, §3.2): srff −2^-(N+1), srf 0, src 0, sro 0, sr 0, srceil +2^-(N+1)
// (derived, the mirror of srff); N = 0: −1/2. Exact.
Rational infinite_precision_mean_bias(Mode mode, int n);
// Mean Var over δ ∈ [0, 1) real: (1 − 4^-N)/6 for the few-bit modes (the D → ∞ limit of the grid
// forms), 1/6 for sr, 0 for N = 0. Exact.
Rational infinite_precision_mean_variance(Mode mode, int n);

}  // namespace roundlab::analysis
