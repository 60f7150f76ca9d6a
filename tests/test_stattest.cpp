// Statistical tests of sampled SR outputs (analysis/stat_tests, analysis/sampled_rounding_test,
// `roundlab stattest`): known answers of the statistics, written out from their definitions; a correct
// kernel passes and deliberately wrong kernels (SRFF presented as SRC, srceil as srff, exact SR as
// SRFF) are rejected at modest sample sizes; the false-alarm rate over many seeds stays near alpha.
// Every random stream is seeded, so every outcome here is deterministic.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <variant>

#include "analysis/sampled_rounding_test.hpp"
#include "analysis/stat_tests.hpp"
#include "cli/commands.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;
using namespace roundlab::analysis;

TEST(StatTests, BinomialKnownAnswers) {
  // n = 10, p = 1/2: P(0) = P(10) = 2^-10, so k = 0 has two-sided p = 2/1024; k = 5 is the mode: 1.
  EXPECT_NEAR(binomial_two_sided_p(0, 10, 0.5), 2.0 / 1024, 1e-15);
  EXPECT_NEAR(binomial_two_sided_p(5, 10, 0.5), 1.0, 1e-12);
  // k = 1: P(0) + P(1) + P(9) + P(10) = 22/1024.
  EXPECT_NEAR(binomial_two_sided_p(1, 10, 0.5), 22.0 / 1024, 1e-14);
  // p = 0.25, n = 4, k = 4: only k = 4 is as unlikely (1/256); k = 3 has 12/256 > 1/256.
  EXPECT_NEAR(binomial_two_sided_p(4, 4, 0.25), 1.0 / 256, 1e-15);
  EXPECT_EQ(binomial_two_sided_p(0, 100, 0.0), 1.0);
  EXPECT_EQ(binomial_two_sided_p(1, 100, 0.0), 0.0);
  EXPECT_EQ(binomial_two_sided_p(100, 100, 1.0), 1.0);
}

TEST(StatTests, ChiSquareNormalAndHolm) {
  // Textbook quantile: chi-square(1) 0.95 → 3.841458820694124; chi-square(15) at 37.69765 (≈ its 0.999
  // quantile) from mpmath;
  // chi-square(2) upper tail is exp(−x/2) exactly.
  EXPECT_NEAR(chi_square_upper_tail(3.841458820694124, 1), 0.05, 1e-10);
  EXPECT_NEAR(chi_square_upper_tail(37.69765, 15), 0.000999880726891298, 1e-15);  // mpmath.gammainc(7.5, x/2)
  EXPECT_NEAR(chi_square_upper_tail(7.0, 2), std::exp(-3.5), 1e-13);
  // Large df, continued-fraction branch: Q(150, 200) = 9.67862199493358e-5 (mpmath.gammainc).
  EXPECT_NEAR(chi_square_upper_tail(400, 300), 9.67862199493358e-5, 1e-15);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(normal_two_sided_p(1.959963984540054), 0.05, 1e-12);
  // Holm at 0.05 over {0.01, 0.04, 0.03, 0.005}: sorted 0.005 ≤ 0.05/4, 0.01 ≤ 0.05/3, 0.03 > 0.05/2: stop.
  const auto r = holm_reject({0.01, 0.04, 0.03, 0.005}, 0.05);
  EXPECT_EQ(r, (std::vector<bool>{true, false, false, true}));
  // n = ((z_.9995 + z_.9) σ / b)^2 with σ = 1/2, b = 1/16: (3.290527 + 1.281552)^2 · 64 = 1337.9.
  EXPECT_NEAR(samples_to_detect_shift(1.0 / 16, 0.5, 1e-3, 0.9), 1337.9, 0.2);
}

namespace {

SampledTestSpec spec_for(const char* format, Mode claimed, int n, Mode kernel, int kn, std::uint64_t samples,
                         std::uint64_t seed, int inputs = 32) {
  SampledTestSpec s;
  s.format = std::get<IeeeLikeFormat>(find_format(format));
  s.claimed.mode = claimed;
  s.claimed.random_bits = n;
  s.kernel.mode = kernel;
  s.kernel.random_bits = kn;
  s.samples = samples;
  s.seed = seed;
  s.alpha = 1e-3;
  // Inputs with many discarded bits (D = 20 into p3109_k8p4se): the variants differ on them.
  for (int i = 0; i < inputs; ++i) s.inputs.push_back(std::ldexp(1.0f + static_cast<float>((i * 2654435761u) % 8388608u) / 8388608.0f, i % 7 - 3) * (i % 3 == 0 ? -1.0f : 1.0f));
  return s;
}

}  // namespace

TEST(SampledRoundingTest, CorrectKernelsPass) {
  for (auto [mode, n] : {std::pair{Mode::StochasticC, 3}, std::pair{Mode::StochasticA, 2}, std::pair{Mode::StochasticB, 4},
                         std::pair{Mode::StochasticOdd, 3}, std::pair{Mode::StochasticExact, 64}, std::pair{Mode::StochasticCeil, 12}}) {
    const auto res = run_sampled_test(spec_for("p3109_k8p4se", mode, mode == Mode::StochasticExact ? 0 : n, mode,
                                               mode == Mode::StochasticExact ? 0 : n, 2000, 7));
    EXPECT_FALSE(res.rejected) << mode_name(mode) << " N=" << n;
    EXPECT_EQ(res.not_neighbour, 0u);
    EXPECT_EQ(res.total_samples, 32u * 2000u);
  }
}

TEST(SampledRoundingTest, WrongKernelsAreRejected) {
  // SRFF presented as SRC (N = 3): the bias −2^-(N+1) on average shows at 32 inputs × 500 samples.
  auto res = run_sampled_test(spec_for("p3109_k8p4se", Mode::StochasticC, 3, Mode::StochasticA, 3, 500, 11));
  EXPECT_TRUE(res.rejected);
  EXPECT_TRUE(res.global[1].rejected) << "the mean test should see the bias toward zero";
  EXPECT_LT(res.global[1].statistic, 0);
  // The sample size the result itself reports for that bias is below what was used.
  EXPECT_GT(res.samples_for_half_bit_bias, 0);
  EXPECT_LT(res.samples_for_half_bit_bias, 500);
  // srceil presented as srff, and SRFF (N = 2) presented as exact SR.
  EXPECT_TRUE(run_sampled_test(spec_for("p3109_k8p4se", Mode::StochasticA, 3, Mode::StochasticCeil, 3, 500, 12)).rejected);
  EXPECT_TRUE(run_sampled_test(spec_for("bfloat16", Mode::StochasticExact, 0, Mode::StochasticA, 2, 500, 13)).rejected);
  // A different N: src N = 2 presented as src N = 3.
  EXPECT_TRUE(run_sampled_test(spec_for("p3109_k8p4se", Mode::StochasticC, 3, Mode::StochasticC, 2, 2000, 14)).rejected);
}

TEST(SampledRoundingTest, FalseAlarmRateNearAlpha) {
  // 60 independent seeds at alpha = 0.05 with a correct kernel: the count of rejections is
  // Binomial(60, ≤ 0.05) (mean ≤ 3); P(count ≥ 10) < 1e-3 under that law.
  int rejected = 0;
  for (std::uint64_t seed = 100; seed < 160; ++seed) {
    auto s = spec_for("p3109_k8p4se", Mode::StochasticC, 3, Mode::StochasticC, 3, 200, seed, 16);
    s.alpha = 0.05;
    rejected += run_sampled_test(s).rejected ? 1 : 0;
  }
  EXPECT_LT(rejected, 10);
}

TEST(SampledRoundingTest, BadInputIsRefused) {
  auto s = spec_for("p3109_k8p4se", Mode::NearestTiesToEven, 0, Mode::StochasticC, 3, 10, 1);
  EXPECT_THROW(run_sampled_test(s), std::exception);
  s = spec_for("p3109_k8p4se", Mode::StochasticC, 3, Mode::StochasticC, 3, 0, 1);
  EXPECT_THROW(run_sampled_test(s), std::exception);
  s = spec_for("p3109_k8p4se", Mode::StochasticC, 3, Mode::StochasticC, 3, 10, 1);
  s.inputs.push_back(INFINITY);
  EXPECT_THROW(run_sampled_test(s), std::exception);
}

TEST(StattestCli, ExitStatusFollowsTheVerdict) {
  auto run = [](std::vector<std::string> args, std::string& out, std::string& err) {
    std::istringstream in;
    std::ostringstream o, e;
    args.insert(args.begin(), "stattest");
    const int rc = cli::run_main(args, in, o, e);
    out = o.str();
    err = e.str();
    return rc;
  };
  std::string out, err;
  EXPECT_EQ(run({"--format", "b8p4", "--mode", "src", "--random-bits", "3", "--inputs", "16", "--samples", "1000"}, out, err), 0)
      << out << err;
  EXPECT_NE(out.find("not rejected"), std::string::npos);
  EXPECT_NE(out.find("Philox seed 1"), std::string::npos);  // the streams are recorded
  EXPECT_EQ(run({"--format", "b8p4", "--mode", "src", "--random-bits", "3", "--kernel-mode", "srff", "--inputs", "16",
                 "--samples", "1000", "--json"},
                out, err),
            1);
  EXPECT_NE(out.find("\"rejected\": true"), std::string::npos);
  EXPECT_EQ(run({"--format", "b8p4", "--mode", "src", "--random-bits", "3", "--inputs", "0"}, out, err), 2);
  EXPECT_NE(err.find("--inputs"), std::string::npos);
  EXPECT_EQ(run({"--format", "b8p4", "--mode", "rne"}, out, err), 2);
  EXPECT_NE(err.find("not stochastic"), std::string::npos);
  EXPECT_EQ(run({"--format", "b8p4", "--mode", "src", "--random-bits", "3", "--range", "5"}, out, err), 2);
  EXPECT_NE(err.find("a:b"), std::string::npos);
}
