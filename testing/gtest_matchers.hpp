// GoogleTest matchers and assertions that compare your rounding with the exact reference.
//
//   EXPECT_THAT(my_kernel, EqualsReferenceBitForBit(format, rounding, device::SourceFormat::Binary16));
//   EXPECT_THAT(my_code, IsReferenceCode(format, rounding, x, r));
//   EXPECT_TRUE(RoundAwayFrequencyConsistent(format, rounding, x, sampler, 10000, 1e-6));
//
// Exactness: expected codes and probabilities come from the reference (exact); the frequency check is
// an exact two-sided binomial test (analysis/stat_tests.hpp), so it fails a correct sampler with
// probability at most alpha.
#pragma once
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <ostream>
#include <type_traits>
#include <utility>

#include "device/array_rounding.hpp"
#include "reference/exact_value.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/rounding.hpp"
#include "testing/kernel_checker.hpp"

namespace roundlab::testing {

// The reference's code for x under rounding with random word r; InputError for a block format,
// NoEncodingError when the result has no code (NaN into a format without NaN). Exact.
std::uint64_t reference_code_of(const Format& format, const Rounding& rounding, const ExactValue& x, std::uint64_t r);
// "code 0x41 (0x1.2p+0)" in the format.
std::string describe_code(const Format& format, std::uint64_t code);

// Matches a kernel (any callable (input_bits, r) -> code) that equals the reference on every case of
// check_kernel(format, rounding, source, kernel, options); explains a failure with the first
// counterexample.
class EqualsReferenceBitForBitMatcher {
 public:
  EqualsReferenceBitForBitMatcher(Format format, Rounding rounding, device::SourceFormat source,
                                  KernelCheckOptions options)
      : format_(std::move(format)), rounding_(rounding), source_(source), options_(options) {}
  template <typename K>
  bool MatchAndExplain(const K& kernel, ::testing::MatchResultListener* listener) const {
    const KernelCheckResult res = check_kernel(format_, rounding_, source_, Kernel(kernel), options_);
    if (res.ok()) {
      *listener << "agrees with the reference in all " << res.cases << " cases";
      return true;
    }
    *listener << res.message;
    return false;
  }
  void DescribeTo(std::ostream* os) const;
  void DescribeNegationTo(std::ostream* os) const;

 private:
  Format format_;
  Rounding rounding_;
  device::SourceFormat source_;
  KernelCheckOptions options_;
};

inline ::testing::PolymorphicMatcher<EqualsReferenceBitForBitMatcher> EqualsReferenceBitForBit(
    Format format, Rounding rounding, device::SourceFormat source, KernelCheckOptions options = {}) {
  return ::testing::MakePolymorphicMatcher(
      EqualsReferenceBitForBitMatcher(std::move(format), rounding, source, options));
}

// Matches an unsigned code equal to the reference's code for x (and r).
class IsReferenceCodeMatcher {
 public:
  IsReferenceCodeMatcher(Format format, Rounding rounding, ExactValue x, std::uint64_t r)
      : format_(std::move(format)), rounding_(rounding), x_(std::move(x)), r_(r) {}
  template <typename T>
  bool MatchAndExplain(T code, ::testing::MatchResultListener* listener) const {
    static_assert(std::is_integral_v<T>, "IsReferenceCode matches an integer code");
    return match(static_cast<std::uint64_t>(code), listener);
  }
  void DescribeTo(std::ostream* os) const;
  void DescribeNegationTo(std::ostream* os) const;

 private:
  bool match(std::uint64_t code, ::testing::MatchResultListener* listener) const;
  Format format_;
  Rounding rounding_;
  ExactValue x_;
  std::uint64_t r_;
};

inline ::testing::PolymorphicMatcher<IsReferenceCodeMatcher> IsReferenceCode(Format format, Rounding rounding,
                                                                             ExactValue x, std::uint64_t r = 0) {
  return ::testing::MakePolymorphicMatcher(IsReferenceCodeMatcher(std::move(format), rounding, std::move(x), r));
}
inline ::testing::PolymorphicMatcher<IsReferenceCodeMatcher> IsReferenceCode(Format format, Rounding rounding,
                                                                             double x, std::uint64_t r = 0) {
  return IsReferenceCode(std::move(format), rounding, ExactValue::from_double(x), r);
}

// Success when `away` of `samples` stochastic roundings of x (results away from zero) is consistent
// with the exact P(away) of the rounding at level alpha (exact two-sided binomial test). The rounding
// must be stochastic and the format IEEE-like.
::testing::AssertionResult RoundAwayFrequencyConsistent(const Format& format, const Rounding& rounding,
                                                        const ExactValue& x, std::uint64_t away,
                                                        std::uint64_t samples, double alpha);

// The same for a sampler: each call rounds x once with fresh randomness and returns the code. Fails at
// once, naming the code, when a result is neither neighbour of x.
::testing::AssertionResult RoundAwayFrequencyConsistent(const Format& format, const Rounding& rounding,
                                                        const ExactValue& x,
                                                        const std::function<std::uint64_t()>& sampler,
                                                        std::uint64_t samples, double alpha);

}  // namespace roundlab::testing
