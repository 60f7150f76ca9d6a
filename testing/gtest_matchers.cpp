#include "testing/gtest_matchers.hpp"

#include <sstream>
#include <variant>

#include "analysis/kernel_sweep.hpp"
#include "analysis/sampled_rounding_test.hpp"
#include "analysis/stat_tests.hpp"
#include "reference/error.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"

namespace roundlab::testing {

namespace {

const IeeeLikeFormat& ieee_like(const Format& format, const char* what) {
  const auto* f = std::get_if<IeeeLikeFormat>(&format);
  if (!f) throw InputError(std::string(what) + " works on IEEE-like formats; '" + format_name(format) + "' is not one");
  return *f;
}

std::string x_and_rounding(const Format& format, const Rounding& rounding, const ExactValue& x) {
  return "x = " + to_hex_float(x) + " into " + format_name(format) + " under " + rounding.describe();
}

}  // namespace

std::uint64_t reference_code_of(const Format& format, const Rounding& rounding, const ExactValue& x, std::uint64_t r) {
  RandomDraw draw;
  draw.r = r;
  return reference_round(format, rounding, x, draw).code;
}

std::string describe_code(const Format& format, std::uint64_t code) {
  std::ostringstream s;
  s << "code 0x" << std::hex << code << std::dec;
  try {
    s << " (" << to_hex_float(decode_code(format, code)) << ")";
  } catch (const InputError&) {
    s << " (not a code of " << format_name(format) << ")";
  }
  return s.str();
}

void EqualsReferenceBitForBitMatcher::DescribeTo(std::ostream* os) const {
  *os << "rounds " << analysis::source_format_name(source_) << " inputs to " << format_name(format_) << " under "
      << rounding_.describe() << " exactly as the reference does, bit for bit";
}

void EqualsReferenceBitForBitMatcher::DescribeNegationTo(std::ostream* os) const {
  *os << "differs from the reference (" << format_name(format_) << ", " << rounding_.describe() << ") somewhere";
}

bool IsReferenceCodeMatcher::match(std::uint64_t code, ::testing::MatchResultListener* listener) const {
  std::uint64_t expected = 0;
  try {
    expected = reference_code_of(format_, rounding_, x_, r_);
  } catch (const NoEncodingError& e) {
    *listener << "the reference has no code for this result: " << e.what();
    return false;
  }
  if (code == expected) return true;
  *listener << "the reference gives " << describe_code(format_, expected) << " for "
            << x_and_rounding(format_, rounding_, x_)
            << (rounding_.is_stochastic() ? " r=" + std::to_string(r_) : std::string()) << "; got "
            << describe_code(format_, code);
  return false;
}

void IsReferenceCodeMatcher::DescribeTo(std::ostream* os) const {
  *os << "is the reference's code for " << x_and_rounding(format_, rounding_, x_);
  if (rounding_.is_stochastic()) *os << " r=" << r_;
}

void IsReferenceCodeMatcher::DescribeNegationTo(std::ostream* os) const {
  *os << "is not the reference's code for " << x_and_rounding(format_, rounding_, x_);
}

::testing::AssertionResult RoundAwayFrequencyConsistent(const Format& format, const Rounding& rounding,
                                                        const ExactValue& x, std::uint64_t away,
                                                        std::uint64_t samples, double alpha) {
  const IeeeLikeFormat& f = ieee_like(format, "RoundAwayFrequencyConsistent");
  if (samples == 0 || away > samples)
    throw InputError("RoundAwayFrequencyConsistent: need 0 < samples and away ≤ samples, got away = " +
                     std::to_string(away) + ", samples = " + std::to_string(samples));
  if (!(alpha > 0 && alpha < 1)) throw InputError("RoundAwayFrequencyConsistent: alpha must lie in (0, 1)");
  const analysis::RoundAwayExpectation e = analysis::round_away_expectation(f, rounding, x);
  const double p_value = analysis::binomial_two_sided_p(away, samples, e.p);
  std::ostringstream s;
  s << x_and_rounding(format, rounding, x) << ": " << away << " of " << samples
    << " results rounded away; exact P(away) = " << e.p_text << " ≈ " << e.p << ", expected ≈ "
    << e.p * static_cast<double>(samples) << "; two-sided binomial p-value " << p_value
    << (p_value < alpha ? " < alpha " : " ≥ alpha ") << alpha;
  if (p_value < alpha) return ::testing::AssertionFailure() << s.str();
  return ::testing::AssertionSuccess() << s.str();
}

::testing::AssertionResult RoundAwayFrequencyConsistent(const Format& format, const Rounding& rounding,
                                                        const ExactValue& x,
                                                        const std::function<std::uint64_t()>& sampler,
                                                        std::uint64_t samples, double alpha) {
  const IeeeLikeFormat& f = ieee_like(format, "RoundAwayFrequencyConsistent");
  const analysis::RoundAwayExpectation e = analysis::round_away_expectation(f, rounding, x);
  std::uint64_t away = 0;
  for (std::uint64_t i = 0; i < samples; ++i) {
    const std::uint64_t code = sampler();
    if (code == e.hi_code && code != e.lo_code) {
      ++away;
    } else if (code != e.lo_code) {
      return ::testing::AssertionFailure()
             << x_and_rounding(format, rounding, x) << ": sample " << i << " gave " << describe_code(format, code)
             << ", neither neighbour " << describe_code(format, e.lo_code) << " nor "
             << describe_code(format, e.hi_code);
    }
  }
  return RoundAwayFrequencyConsistent(format, rounding, x, away, samples, alpha);
}

}  // namespace roundlab::testing
