// roundlab::testing's RapidCheck generators reach what they promise: ties, subnormals, the band above
// max, ±0, ±Inf and NaN for values; NaN payloads, source subnormals and infinities for source words;
// valid roundings with r < 2^N. Classes are judged with the reference's own grid (precision_step).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <set>

#include "reference/round_to_precision.hpp"
#include "reference/roundlab.hpp"
#include "testing/rapidcheck_generators.hpp"

using namespace roundlab;
namespace rt = roundlab::testing;

namespace {

template <typename T>
T draw(const rc::Gen<T>& gen, rc::Random& random) {
  return gen(random.split(), rc::kNominalSize).value();  // full size: inRange spans its whole range
}

}  // namespace

TEST(RapidCheckGenerators, InterestingValuesReachEveryClass) {
  const IeeeLikeFormat f = std::get<IeeeLikeFormat>(format_from_name("p3109_k8p4se"));
  rc::Random random(11);
  std::set<std::string> seen;
  for (int i = 0; i < 3000; ++i) {
    const ExactValue v = draw(rt::gen_interesting_value(f), random);
    ASSERT_FALSE(v.inexact());
    if (v.is_nan()) { seen.insert("nan"); continue; }
    if (v.is_infinite()) { seen.insert(v.negative() ? "-inf" : "+inf"); continue; }
    if (v.is_zero()) { seen.insert("zero"); continue; }
    seen.insert(v.negative() ? "negative" : "positive");
    ExactValue m = v;
    m.set_negative(false);
    if (m < f.min_normal()) seen.insert("subnormal range");
    if (f.max_finite() < m) seen.insert("above max");
    if (f.contains(v)) seen.insert("value of the format");
    const PrecisionStep step = precision_step(f, m);
    if (mpfr_cmp_d(step.nu.get(), 0.5) == 0) seen.insert("tie");
  }
  for (const char* c : {"nan", "+inf", "-inf", "zero", "negative", "positive", "subnormal range", "above max",
                        "value of the format", "tie"})
    EXPECT_TRUE(seen.count(c)) << "never generated: " << c;
}

TEST(RapidCheckGenerators, SourceWordsReachNanPayloadsSubnormalsAndInfinities) {
  const IeeeLikeFormat e5m2 = std::get<IeeeLikeFormat>(format_from_name("ocp_e5m2"));
  rc::Random random(12);
  std::set<std::uint64_t> nan_payloads;
  bool subnormal = false, infinity = false;
  for (int i = 0; i < 3000; ++i) {
    const std::uint64_t w = draw(rt::gen_interesting_source_word(device::SourceFormat::Binary16, e5m2), random);
    ASSERT_LT(w, 0x10000u);
    const std::uint64_t e = (w >> 10) & 31, m = w & 1023;
    if (e == 31 && m != 0) nan_payloads.insert(w);
    if (e == 31 && m == 0) infinity = true;
    if (e == 0 && m != 0) subnormal = true;
  }
  EXPECT_GT(nan_payloads.size(), 20u);
  EXPECT_TRUE(subnormal);
  EXPECT_TRUE(infinity);
}

RC_GTEST_PROP(RapidCheckGenerators, RoundingCasesAreValid, ()) {
  const rt::RoundingCase c = *rt::gen_rounding_case();
  c.rounding.validate();  // throws (fails the property) when invalid
  if (c.rounding.uses_random_bits()) RC_ASSERT(c.draw.r <= rt::top_r(c.rounding.random_bits));
  if (!c.rounding.is_stochastic()) RC_ASSERT(c.draw.r == 0u);
  const IeeeLikeFormat f = *rt::gen_ieee_like_format();
  RC_ASSERT_FALSE(f.name.empty());
}
