// Your rounding kernels, checked against roundlab's exact reference. Two hand-written kernels that
// round binary16 to OCP FP8 E5M2 (same exponent range: rounding drops 8 of the 10 fraction bits),
// each with a correct and a deliberately wrong version:
//   - stochastic rounding with 3 random bits, P3109 StochasticC ("src"): the wrong one is really SRFF
//     (truncates δ·2^N instead of rounding it to nearest even) presented as SRC;
//   - round to nearest even: the wrong one is the classic add-and-shift that turns some NaNs into Inf.
// CorrectKernel.* pass; WrongKernel.* fail on purpose, to show the messages a user reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "reference/roundlab.hpp"
#include "testing/gtest_matchers.hpp"
#include "testing/kernel_checker.hpp"

namespace {

using roundlab::device::SourceFormat;
namespace rt = roundlab::testing;

bool is_nan16(std::uint64_t h) { return (h & 0x7fff) > 0x7c00; }

// binary16 → E5M2, SRC with N = 3: C = RNE(δ·2^3) from the 8 dropped bits, away iff C + r ≥ 2^3.
std::uint64_t e5m2_src3(std::uint64_t h, std::uint64_t r) {
  if (is_nan16(h)) return 0x7e;  // E5M2's canonical NaN
  const std::uint64_t dropped = h & 0xff;
  const std::uint64_t c = (dropped + 15 + ((dropped >> 5) & 1)) >> 5;  // RNE(dropped / 32)
  return (h >> 8) + (c + r >= 8 ? 1 : 0);  // sign-magnitude: +1 moves away from zero (max → Inf)
}

// Wrong: SRFF (C = ⌊δ·2^3⌋) presented as SRC.
std::uint64_t e5m2_srff3_claimed_src(std::uint64_t h, std::uint64_t r) {
  if (is_nan16(h)) return 0x7e;
  return (h + (r << 5)) >> 8;
}

// binary16 → E5M2, round to nearest, ties to even.
std::uint64_t e5m2_rne(std::uint64_t h, std::uint64_t /*r*/) {
  if (is_nan16(h)) return 0x7e;
  return (h + 0x7f + ((h >> 8) & 1)) >> 8;
}

// Wrong: no NaN case, so a NaN with a small payload (0x7c01) carries into the Inf code.
std::uint64_t e5m2_rne_nan_to_inf(std::uint64_t h, std::uint64_t /*r*/) { return (h + 0x7f + ((h >> 8) & 1)) >> 8; }

const roundlab::Format kE5M2 = roundlab::format_from_name("ocp_e5m2");
const roundlab::Rounding kSrc3 = roundlab::rounding_from_name("src", 3);
const roundlab::Rounding kRne = roundlab::rounding_from_name("rne");

}  // namespace

// Every binary16 input, every r in 0..7: bit for bit equal to the reference.
TEST(CorrectKernel, StochasticRoundingEqualsReference) {
  EXPECT_THAT(e5m2_src3, rt::EqualsReferenceBitForBit(kE5M2, kSrc3, SourceFormat::Binary16));
}

TEST(CorrectKernel, NearestEvenEqualsReference) {
  EXPECT_THAT(e5m2_rne, rt::EqualsReferenceBitForBit(kE5M2, kRne, SourceFormat::Binary16));
  // One value, by hand: 1 + 3/8 is a tie between 1.25 and 1.5 in E5M2; even is 1.5 (code 0x3e).
  EXPECT_THAT(e5m2_rne(0x3d80, 0), rt::IsReferenceCode(kE5M2, kRne, 1.375));
  EXPECT_EQ(roundlab::reference_round(kE5M2, kRne, 1.375).code, 0x3eu);
}

// The kernel with its own random numbers: the frequency of rounding away is the exact P(away)
// (x = 1 + 11/128 in E5M2 with SRC N = 3: δ = 11/32, C = RNE(2.75) = 3, P = 3/8; SRFF would give 2/8).
TEST(CorrectKernel, RoundAwayFrequencyMatchesExactProbability) {
  std::mt19937_64 rng(42);
  const auto sampler = [&] { return e5m2_src3(0x3c58, rng() & 7); };
  EXPECT_TRUE(rt::RoundAwayFrequencyConsistent(kE5M2, kSrc3, roundlab::ExactValue::from_double(1 + 11.0 / 128),
                                               sampler, 20000, 1e-6));
}

// RapidCheck finds and shrinks the counterexample when the kernel is wrong; with the right kernel it
// finds none.
TEST(CorrectKernel, RapidCheckFindsNoCounterexample) {
  const rt::KernelCheckResult res = rt::check_kernel_shrinking(kE5M2, kRne, SourceFormat::Binary16, e5m2_rne);
  EXPECT_TRUE(res.ok()) << res.message;
}

TEST(WrongKernel, SrffPresentedAsSrc) {
  EXPECT_THAT(e5m2_srff3_claimed_src, rt::EqualsReferenceBitForBit(kE5M2, kSrc3, SourceFormat::Binary16));
}

TEST(WrongKernel, NanBecomesInf) {
  EXPECT_THAT(e5m2_rne_nan_to_inf, rt::EqualsReferenceBitForBit(kE5M2, kRne, SourceFormat::Binary16));
}

TEST(WrongKernel, NanBecomesInfShrunkByRapidCheck) {
  const rt::KernelCheckResult res =
      rt::check_kernel_shrinking(kE5M2, kRne, SourceFormat::Binary16, e5m2_rne_nan_to_inf);
  EXPECT_TRUE(res.ok()) << res.message;
}

TEST(WrongKernel, SrffFrequencyIsNotSrc) {
  std::mt19937_64 rng(42);
  const auto sampler = [&] { return e5m2_srff3_claimed_src(0x3c58, rng() & 7); };
  EXPECT_TRUE(rt::RoundAwayFrequencyConsistent(kE5M2, kSrc3, roundlab::ExactValue::from_double(1 + 11.0 / 128),
                                               sampler, 20000, 1e-6));
}
