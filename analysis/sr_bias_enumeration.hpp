// Exact pointwise bias and variance of one rounding of one input x: P(away), E[result] − x, Var[result],
// MSE, and the bias in target ulps, as exact rationals, for every mode of rounding.hpp (the SR variants
// srff/srf/src/sro/srceil with N random bits, exact sr, and the deterministic modes) and every
// saturation, on IEEE-like target formats.
//
// Everything goes through the reference (reference_round: RoundToPrecision, Saturate, encode). Two
// exact ways to get the distribution of the few-bit modes (stochastic-rounding.md §8.3 item 1):
//   Enumerate: call reference_round for each of the 2^N values of r and count the outcomes; feasible
//              for N ≤ kMaxEnumeratedBits (16).
//   Count:     C(ν) from round_away_count (exact: the number of r in [0, 2^N) that round away), and
//              reference_round once per direction that has non-zero probability; any N ≤ 64.
// Exact sr ("round away iff δ + u ≥ 1", u uniform on the reals of [0, 1)) has no finite r to
// enumerate: P(away) is the exact δ, a rational computed from x's exact rational, and the two outcomes
// come from reference_round with u = 0 and u = 1 − 2^-192 (see the .cpp for ν < 2^-192).
//
// Conventions (stochastic-rounding.md §3): δ = (|x| − lo)/ulp ∈ [0, 1) with lo = I·2^Q, ulp = 2^Q from
// the reference's precision_step; bias_ulps = sgn(x)·(E[result] − x)/ulp, so + means away from zero.
// When an outcome with non-zero probability is ±Inf or NaN (overflow under SatNone, no encoding), the
// statistics say so (ExtendedRational ±inf / nan = undefined) instead of giving a finite number.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/exact_rational.hpp"
#include "analysis/extended_rational.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab::analysis {

inline constexpr int kMaxEnumeratedBits = 16;

enum class CountMethod { Auto, Enumerate, Count };
CountMethod parse_count_method(std::string_view name);  // auto | enumerate | count; InputError otherwise
std::string count_method_name(CountMethod method);

// How the probabilities of one PointBias were obtained (all exact).
enum class HowComputed {
  Deterministic,  // a deterministic mode: one reference_round call
  Enumerated,     // 2^N reference_round calls
  Counted,        // round_away_count C(ν)
  ExactDelta,     // exact sr: P(away) = δ
  SpecialInput,   // x is ±0, ±Inf or NaN: every r gives the same result, one call
};
std::string how_computed_name(HowComputed how);

// One distinct result of the rounding, with its exact probability.
struct RoundingOutcome {
  ExactValue value;          // as reference_round returned it (NaN when no_encoding)
  Rational value_exact;      // its exact rational when finite (0 otherwise)
  std::uint64_t code = 0;    // its code (0 when no_encoding)
  bool no_encoding = false;  // reference_round threw NoEncodingError (NaN in a format without NaN)
  bool away = false;         // rounded away from zero (before saturation)
  bool saturated = false;    // saturation changed the rounded value
  Rational probability;      // exact, > 0
};

struct PointBias {
  ExactValue x;
  bool x_finite = false;
  Rational x_exact;            // exact rational of x (finite x only)
  long quantum_exponent = 0;   // Q: the target ulp at x is 2^Q (for x = 0: the smallest quantum)
  Rational ulp;                // 2^Q (0 for non-finite x)
  Rational delta;              // δ ∈ [0, 1), exact
  Rational toward_candidate;   // sgn(x)·I·2^Q, the candidate toward zero before saturation
  Rational away_candidate;     // sgn(x)·(I+1)·2^Q
  Rational p_away;             // exact P(rounded away from zero)
  std::vector<RoundingOutcome> outcomes;  // toward-zero outcome first; only probability > 0
  HowComputed how = HowComputed::Deterministic;
  // Statistics of the result (exact; ±inf / nan when outcomes are not finite, see above).
  ExtendedRational mean;           // E[result]
  ExtendedRational error;          // E[result] − x
  ExtendedRational bias_ulps;      // sgn(x)·(E[result] − x)/ulp
  ExtendedRational variance;       // Var[result]
  ExtendedRational variance_ulps;  // Var[result]/ulp²
  ExtendedRational mse;            // E[(result − x)²]
  ExtendedRational mse_ulps;       // MSE/ulp²

  bool exact_input() const { return x_finite && delta == 0; }
  bool finite_statistics() const { return x_finite && bias_ulps.is_finite() && variance_ulps.is_finite(); }
  bool any_saturated() const;
  bool any_non_finite_outcome() const;  // ±Inf, NaN or no encoding with probability > 0
};

// Evaluates many inputs for one (format, rounding, method). Keeps the reference's two candidate
// outcomes of the last (sign, I, Q) for the Count and ExactDelta paths: Project's result depends on x
// only through RoundToPrecision's value (P3109 §4.7.4: Saturate and encode see only that value), so
// consecutive inputs of a grid between the same two neighbours share them. Not thread-safe.
class PointBiasEvaluator {
 public:
  // InputError for an invalid rounding, a block or codebook format is rejected by the caller's type;
  // Enumerate with N > kMaxEnumeratedBits is an InputError (2^N calls per input).
  PointBiasEvaluator(IeeeLikeFormat format, Rounding rounding, CountMethod method);
  // Exact. Throws InputError when x is inexact without its exact rational (no exact answer exists).
  PointBias evaluate(const ExactValue& x);
  // The same into `out`, overwriting every field and reusing its storage (no allocation per input
  // once warm: a grid of 2^16 inputs evaluates several times faster than with fresh PointBias).
  void evaluate(const ExactValue& x, PointBias& out);
  CountMethod resolved_method() const { return method_; }  // Auto resolved for this N

 private:
  struct Probe {
    bool valid = false;
    bool negative = false;
    long quantum_exponent = 0;
    Rational integer_part;
    std::optional<RoundingOutcome> toward, away;
  };
  // Reused temporaries of evaluate / fill_statistics (GMP rationals allocate on construction).
  struct Scratch {
    Rational integer_part, t, d, pd, error, mse;
  };
  RoundingOutcome probe(const ExactValue& x, bool away, mpfr_srcptr nu);
  void fill_statistics(PointBias& p);
  RoundingOutcome call_reference(const Rounding& rounding, const ExactValue& x, std::uint64_t r,
                                 const std::optional<ExactValue>& u);

  const IeeeLikeFormat& ieee() const { return std::get<IeeeLikeFormat>(format_); }

  Format format_;  // always an IeeeLikeFormat; held as a Format so reference_round takes it uncopied
  Rounding rounding_;
  CountMethod method_;
  Probe cache_;
  Scratch scratch_;
};

// One input, no cache: PointBiasEvaluator(format, rounding, method).evaluate(x). Exact.
PointBias enumerate_point_bias(const IeeeLikeFormat& format, const Rounding& rounding, const ExactValue& x,
                               CountMethod method = CountMethod::Auto);

// The method Auto resolves to for `inputs` inputs: Enumerate when N ≤ kMaxEnumeratedBits and the total
// work inputs·2^N stays ≤ 2^22 reference calls (a few seconds), else Count. Both are exact, so the
// choice changes only the time taken, never a number.
CountMethod choose_count_method(const Rounding& rounding, std::uint64_t inputs);

}  // namespace roundlab::analysis
