// Statistical test of a stochastic-rounding kernel's sampled outputs against the exact probabilities.
//
// For every input x_j (binary32 values) the device kernel runs `samples` times with its Philox stream
// (element j·samples + k), and each result is classified as the lower neighbour, the upper neighbour
// (round away) or neither. The exact P(away) of the claimed rounding comes from the reference: ν from
// precision_step, then C(ν)/2^N (round_away_count) or ν for exact SR. Tests, all two-sided:
//   - per input, the exact binomial test of the away count (Holm-corrected across inputs);
//   - across inputs, chi-square of the standardized away counts (df = inputs with 0 < p < 1);
//   - z-test of the mean signed rounding error in target ulps against its exact expectation;
//   - z-test of the summed per-input sample variances against Σ p(1−p) (delta-method variance).
// Any result that is neither neighbour rejects at once. The family (per-input tests and the three
// global tests) is Holm-corrected, so a correct kernel is rejected with probability at most alpha.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "reference/exact_value.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab::analysis {

struct SampledTestSpec {
  IeeeLikeFormat format;
  Rounding claimed;        // what the kernel says it does (the exact expectations)
  Rounding kernel;         // what actually runs (normally = claimed; differs to show the test's power)
  std::vector<float> inputs;
  std::uint64_t samples = 4096;  // per input
  std::uint64_t seed = 1;        // Philox key
  std::uint64_t stream = 0;
  double alpha = 1e-3;  // family-wise false-alarm rate
  int threads = 0;
};

struct InputOutcome {
  float x = 0;
  double p_away = 0;       // exact probability, as the nearest double
  std::string p_exact;     // the same, exactly ("C/2^N" or a hex float)
  std::uint64_t away = 0, toward = 0, neither = 0;
  double p_value = 1;      // binomial test
  bool tested = true;      // false when both neighbours encode alike (saturation): no information
  bool rejected = false;   // after Holm
};

struct GlobalTest {
  std::string name;
  double statistic = 0;
  double p_value = 1;
  bool rejected = false;
};

struct SampledTestResult {
  std::vector<InputOutcome> inputs;
  std::vector<GlobalTest> global;  // chi-square, mean z, variance z
  std::uint64_t total_samples = 0;
  std::uint64_t not_neighbour = 0;  // results that are neither neighbour
  bool rejected = false;
  // Samples per input that a z-test of the mean at this alpha needs to see a bias of 2^-(N+1) ulp
  // with power 0.9, using σ² = the mean of p(1−p) over the inputs (0 when every p is 0 or 1, and for
  // exact SR, which has no N).
  double samples_for_half_bit_bias = 0;
};

// The two results a stochastic rounding of x can give and the exact probability of the one away from
// zero (reference: ν from precision_step, then C(ν)/2^N or ν for exact SR). Exact, except p (the
// nearest double; p_text is exact: "C/2^N" or a hex float). Throws InputError for a non-stochastic
// rounding. x = 0 has p = 0; non-finite x has p = 0 and is not informative.
struct RoundAwayExpectation {
  std::uint64_t lo_code = 0, hi_code = 0;  // toward zero / away from zero
  double p = 0;
  std::string p_text;
  bool informative = true;  // false when both neighbours encode alike (saturation) or x is not finite
};
RoundAwayExpectation round_away_expectation(const IeeeLikeFormat& format, const Rounding& claimed,
                                            const ExactValue& x);

// Throws InputError for a non-stochastic claimed rounding, no inputs, non-finite inputs or a sample
// count of 0 or above 2^24 per input.
SampledTestResult run_sampled_test(const SampledTestSpec& spec);

}  // namespace roundlab::analysis
