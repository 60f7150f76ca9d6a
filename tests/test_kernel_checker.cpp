// roundlab::testing's kernel checker and GoogleTest matchers on planted bugs: the checker returns the
// planted counterexample, the matchers fail with a message naming it, and the frequency check rejects
// a biased sampler while keeping a correct one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "analysis/kernel_sweep.hpp"
#include "reference/roundlab.hpp"
#include "testing/gtest_matchers.hpp"
#include "testing/kernel_checker.hpp"

using namespace roundlab;
namespace rt = roundlab::testing;
using ::testing::HasSubstr;
using device::SourceFormat;

namespace {

const Format kB8p4 = format_from_name("p3109_k8p4se");
const Rounding kSrc3 = rounding_from_name("src", 3);

// The reference itself as a "kernel" (NaN without encoding → 0).
rt::Kernel reference_kernel(const Format& format, const Rounding& rounding, SourceFormat source) {
  const IeeeLikeFormat f = std::get<IeeeLikeFormat>(format);
  return [f, rounding, source](std::uint64_t x, std::uint64_t r) {
    return analysis::reference_code(f, rounding, source, x, r).value_or(0);
  };
}

}  // namespace

TEST(KernelChecker, ReferenceAsKernelPassesEveryCase) {
  const rt::KernelCheckResult res = rt::check_kernel(kB8p4, kSrc3, SourceFormat::Binary16,
                                                     reference_kernel(kB8p4, kSrc3, SourceFormat::Binary16));
  EXPECT_TRUE(res.ok()) << res.message;
  EXPECT_EQ(res.inputs, 65536u);
  EXPECT_EQ(res.cases, 65536u * 8);  // every r for N = 3
  EXPECT_FALSE(res.first.has_value());
}

TEST(KernelChecker, ExhaustiveFindsThePlantedCounterexample) {
  const rt::Kernel good = reference_kernel(kB8p4, kSrc3, SourceFormat::Binary16);
  const rt::Kernel bad = [good](std::uint64_t x, std::uint64_t r) {
    return good(x, r) ^ ((x == 0x3c05 && r == 5) ? 1 : 0);
  };
  const rt::KernelCheckResult res = rt::check_kernel(kB8p4, kSrc3, SourceFormat::Binary16, bad);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.mismatches, 1u);
  ASSERT_TRUE(res.first.has_value());
  EXPECT_EQ(res.first->input_bits, 0x3c05u);
  EXPECT_EQ(res.first->r, 5u);
  EXPECT_EQ(res.first->expected, good(0x3c05, 5));
  EXPECT_EQ(res.first->got, good(0x3c05, 5) ^ 1);
  // binary16 0x3c05 = 1 + 5/1024: δ = 5/128, C = RNE(0.3125) = 0, so every r gives 1.0 (code 0x40).
  EXPECT_THAT(res.message, HasSubstr("p3109_k8p4se src N=3 sat=none: the kernel differs from the reference in 1 of "
                                     "524288 cases; first: input binary16 0x3c05 (0x1.014p+0) r=5: expected 0x40 "
                                     "(0x1p+0), got 0x41 (0x1.2p+0)"));
}

TEST(KernelChecker, SampledFindsABugOnOneInputIn256) {
  const Rounding rne = rounding_from_name("rne");
  const rt::Kernel good = reference_kernel(kB8p4, rne, SourceFormat::Binary32);
  const rt::Kernel bad = [good](std::uint64_t x, std::uint64_t r) { return good(x, r) ^ ((x & 0xff) == 0x11 ? 1 : 0); };
  rt::KernelCheckOptions sampled;
  sampled.exhaustive = false;
  sampled.samples = 20000;
  const rt::KernelCheckResult res = rt::check_kernel(kB8p4, rne, SourceFormat::Binary32, bad, sampled);
  ASSERT_TRUE(res.first.has_value());
  EXPECT_EQ(res.first->input_bits & 0xff, 0x11u);
  EXPECT_EQ(res.cases, 20000u);
  EXPECT_TRUE(rt::check_kernel(kB8p4, rne, SourceFormat::Binary32, good, sampled).ok());
}

TEST(KernelChecker, NanCodesBitForBitUnlessAnyNanCodeIsAllowed) {
  const Format e5m2 = format_from_name("ocp_e5m2");
  const Rounding rne = rounding_from_name("rne");
  const rt::Kernel good = reference_kernel(e5m2, rne, SourceFormat::Bfloat16);
  const rt::Kernel other_nan = [good](std::uint64_t x, std::uint64_t r) {
    const std::uint64_t c = good(x, r);
    return c == 0x7e ? std::uint64_t{0xff} : c;  // −NaN with another payload instead of the canonical NaN
  };
  const rt::KernelCheckResult strict = rt::check_kernel(e5m2, rne, SourceFormat::Bfloat16, other_nan);
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.message, HasSubstr("expected 0x7e (nan), got 0xff (nan)"));
  rt::KernelCheckOptions any_nan;
  any_nan.any_nan_code = true;
  EXPECT_TRUE(rt::check_kernel(e5m2, rne, SourceFormat::Bfloat16, other_nan, any_nan).ok());
  // A number where NaN is due is still wrong.
  const rt::Kernel nan_to_inf = [good](std::uint64_t x, std::uint64_t r) {
    const std::uint64_t c = good(x, r);
    return c == 0x7e ? std::uint64_t{0x7c} : c;
  };
  const rt::KernelCheckResult inf = rt::check_kernel(e5m2, rne, SourceFormat::Bfloat16, nan_to_inf, any_nan);
  ASSERT_TRUE(inf.first.has_value());
  EXPECT_THAT(inf.message, HasSubstr("(nan): expected 0x7e (nan), got 0x7c (inf)"));
}

TEST(KernelChecker, RapidCheckVariantShrinksToAFailingCase) {
  const Rounding rne = rounding_from_name("rne");
  const rt::Kernel good = reference_kernel(kB8p4, rne, SourceFormat::Binary16);
  // Wrong for every input of magnitude ≥ 2 (binary16 exponent field ≥ 16).
  const rt::Kernel bad = [good](std::uint64_t x, std::uint64_t r) {
    return good(x, r) ^ ((x & 0x7fff) >= 0x4000 ? 1 : 0);
  };
  const rt::KernelCheckResult res = rt::check_kernel_shrinking(kB8p4, rne, SourceFormat::Binary16, bad, 500, 7);
  ASSERT_TRUE(res.first.has_value()) << res.message;
  EXPECT_EQ(res.mismatches, 1u);
  EXPECT_GE(res.first->input_bits & 0x7fff, 0x4000u);
  EXPECT_EQ(res.first->got, bad(res.first->input_bits, res.first->r));
  EXPECT_NE(res.first->got, good(res.first->input_bits, res.first->r));
  EXPECT_THAT(res.message, HasSubstr("p3109_k8p4se rne sat=none: RapidCheck found a counterexample after "));
  EXPECT_THAT(res.message, HasSubstr(" passing cases, shrunk to: input binary16 0x"));
  EXPECT_TRUE(rt::check_kernel_shrinking(kB8p4, rne, SourceFormat::Binary16, good, 200, 7).ok());
  // Wrong for every NaN: RapidCheck shrinks sign and payload to the smallest NaN word, +NaN payload 1.
  const rt::Kernel nan_to_zero = [good](std::uint64_t x, std::uint64_t r) {
    return (x & 0x7fff) > 0x7c00 ? std::uint64_t{0} : good(x, r);
  };
  const rt::KernelCheckResult nan = rt::check_kernel_shrinking(kB8p4, rne, SourceFormat::Binary16, nan_to_zero, 500, 7);
  ASSERT_TRUE(nan.first.has_value());
  EXPECT_EQ(nan.first->input_bits, 0x7c01u) << nan.message;
}

TEST(KernelChecker, RejectsFormatsItCannotSweep) {
  const auto k = [](std::uint64_t, std::uint64_t) { return std::uint64_t{0}; };
  EXPECT_THROW(rt::check_kernel(format_from_name("nf4"), rounding_from_name("rne"), SourceFormat::Binary16, k),
               InputError);
  EXPECT_THROW(rt::check_kernel(kB8p4, rounding_from_name("rne"), SourceFormat::Binary64, k), InputError);
  EXPECT_THROW(analysis::source_format_from_name("binary8"), InputError);
}

TEST(GtestMatchers, EqualsReferenceBitForBitExplainsTheFirstCounterexample) {
  const rt::Kernel good = reference_kernel(kB8p4, kSrc3, SourceFormat::Bfloat16);
  EXPECT_THAT(good, rt::EqualsReferenceBitForBit(kB8p4, kSrc3, SourceFormat::Bfloat16));
  const auto bad = [good](std::uint64_t x, std::uint64_t r) { return x == 0x3f80 ? std::uint64_t{0} : good(x, r); };
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(::testing::ExplainMatchResult(rt::EqualsReferenceBitForBit(kB8p4, kSrc3, SourceFormat::Bfloat16), bad,
                                             &listener));
  EXPECT_THAT(listener.str(), HasSubstr("in 8 of 524288 cases; first: input bfloat16 0x3f80 (0x1p+0) r=0: expected "
                                        "0x40 (0x1p+0), got 0x00 (0x0p+0)"));
  const ::testing::Matcher<rt::Kernel> m = rt::EqualsReferenceBitForBit(kB8p4, kSrc3, SourceFormat::Bfloat16);
  EXPECT_THAT(::testing::DescribeMatcher<rt::Kernel>(m), HasSubstr("bit for bit"));
}

TEST(GtestMatchers, IsReferenceCode) {
  EXPECT_THAT(0x41u, rt::IsReferenceCode(kB8p4, kSrc3, 1.0 + 5.0 / 128, 7));
  EXPECT_THAT(std::uint8_t{0x40}, rt::IsReferenceCode(kB8p4, kSrc3, 1.0 + 5.0 / 128, 5));
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(::testing::ExplainMatchResult(rt::IsReferenceCode(kB8p4, kSrc3, 1.0 + 5.0 / 128, 7), 0x40u, &listener));
  EXPECT_EQ(listener.str(), "the reference gives code 0x41 (0x1.2p+0) for x = 0x1.0ap+0 into p3109_k8p4se under "
                            "src N=3 sat=none r=7; got code 0x40 (0x1p+0)");
}

// x = 1 + 11/128 into p3109_k8p4se: δ = 11/16; SRC N = 3 gives C = RNE(5.5) = 6 (P = 3/4), SRFF C = 5 (5/8).
TEST(GtestMatchers, RoundAwayFrequencyRejectsABiasedSamplerAndKeepsACorrectOne) {
  const ExactValue x = ExactValue::from_double(1.0 + 11.0 / 128);
  std::mt19937_64 rng(3);
  const auto sampler_for = [&](const Rounding& actual) {
    return [&rng, actual, x] {
      RandomDraw d;
      d.r = rng() & 7;
      return reference_round(kB8p4, actual, x, d).code;
    };
  };
  EXPECT_TRUE(rt::RoundAwayFrequencyConsistent(kB8p4, kSrc3, x, sampler_for(kSrc3), 20000, 1e-6));
  const ::testing::AssertionResult biased =
      rt::RoundAwayFrequencyConsistent(kB8p4, kSrc3, x, sampler_for(rounding_from_name("srff", 3)), 20000, 1e-6);
  EXPECT_FALSE(biased);
  EXPECT_THAT(biased.message(), HasSubstr("exact P(away) = 6/2^3"));
  EXPECT_THAT(biased.message(), HasSubstr("< alpha"));
  // Counts: 7500 of 10000 is P = 3/4 exactly; 7000 is 11.5 standard deviations off.
  EXPECT_TRUE(rt::RoundAwayFrequencyConsistent(kB8p4, kSrc3, x, 7500, 10000, 1e-6));
  EXPECT_FALSE(rt::RoundAwayFrequencyConsistent(kB8p4, kSrc3, x, 7000, 10000, 1e-6));
  // A result that is neither neighbour fails at once.
  const ::testing::AssertionResult stray =
      rt::RoundAwayFrequencyConsistent(kB8p4, kSrc3, x, [] { return std::uint64_t{0x7e}; }, 100, 1e-6);
  EXPECT_FALSE(stray);
  EXPECT_THAT(stray.message(), HasSubstr("neither neighbour code 0x40 (0x1p+0) nor code 0x41 (0x1.2p+0)"));
  EXPECT_THROW(rt::RoundAwayFrequencyConsistent(kB8p4, rounding_from_name("rne"), x, 1, 2, 0.01), InputError);
}
