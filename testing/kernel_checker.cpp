#include "testing/kernel_checker.hpp"

#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

#include <sstream>
#include <variant>

#include "analysis/kernel_sweep.hpp"
#include "reference/error.hpp"
#include "reference/number_text.hpp"
#include "testing/rapidcheck_generators.hpp"

namespace roundlab::testing {

namespace {

const IeeeLikeFormat& ieee_like(const Format& format) {
  const auto* f = std::get_if<IeeeLikeFormat>(&format);
  if (!f)
    throw InputError("check_kernel works on IEEE-like formats; '" + format_name(format) +
                     "' is a codebook or block format");
  return *f;
}

std::string code_text(const IeeeLikeFormat& f, std::uint64_t code) {
  if (f.k < 64 && code >> f.k != 0) return hex_code(code, f.k) + " (not a code of " + f.name + ")";
  return hex_code(code, f.k) + " (" + to_hex_float(f.decode(code)) + ")";
}

bool is_nan_code(const IeeeLikeFormat& f, std::uint64_t code) {
  return f.has_nan() && (f.k >= 64 || code >> f.k == 0) && f.decode(code).is_nan();
}

}  // namespace

std::string describe_counterexample(const IeeeLikeFormat& format, const Rounding& rounding,
                                    device::SourceFormat source, const Counterexample& c) {
  const int sbits = device::source_bytes(source) * 8;
  std::ostringstream s;
  s << "input " << analysis::source_format_name(source) << " " << hex_code(c.input_bits, sbits) << " ("
    << to_hex_float(analysis::source_value(source, c.input_bits)) << ")";
  if (rounding.is_stochastic()) s << " r=" << c.r;
  s << ": expected " << (c.expected ? code_text(format, *c.expected) : std::string("no encoding (NaN)")) << ", got "
    << code_text(format, c.got);
  return s.str();
}

KernelCheckResult check_kernel(const Format& format, const Rounding& rounding, device::SourceFormat source,
                               const Kernel& kernel, const KernelCheckOptions& options) {
  analysis::SweepSpec spec;
  spec.format = ieee_like(format);
  spec.rounding = rounding;
  spec.source = source;
  spec.exhaustive = options.exhaustive;
  spec.samples = options.samples;
  spec.seed = options.seed;
  spec.random_per_input = options.random_per_input;
  spec.max_reported = 1;
  spec.any_output_without_encoding = options.any_output_without_encoding;
  const analysis::SweepReport rep = analysis::sweep_against_reference(
      spec, [&](const std::vector<std::uint64_t>& inputs, const std::vector<std::uint64_t>& rs,
                std::vector<std::uint64_t>& codes, std::vector<std::uint8_t>& none) {
        codes.resize(inputs.size());
        none.assign(inputs.size(), 0);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          codes[i] = kernel(inputs[i], rs[i]);
          if (options.any_nan_code && is_nan_code(spec.format, codes[i])) codes[i] = spec.format.code_of_nan();
        }
      });
  KernelCheckResult res;
  res.inputs = rep.inputs;
  res.cases = rep.cases;
  res.mismatches = rep.mismatches;
  if (!rep.first.empty()) {
    const analysis::Mismatch& m = rep.first.front();
    res.first = Counterexample{m.input_bits, m.r, m.expected_none ? std::nullopt : std::optional(m.expected), m.got};
    res.message = spec.format.name + " " + rounding.describe() + ": the kernel differs from the reference in " +
                  std::to_string(res.mismatches) + " of " + std::to_string(res.cases) +
                  " cases; first: " + describe_counterexample(spec.format, rounding, source, *res.first);
  } else if (res.cases == 0) {
    res.message = "no case was checked";
  }
  return res;
}

KernelCheckResult check_kernel_shrinking(const Format& format, const Rounding& rounding, device::SourceFormat source,
                                         const Kernel& kernel, int cases, std::uint64_t seed) {
  const IeeeLikeFormat& f = ieee_like(format);
  rounding.validate();
  const int n = rounding.mode == Mode::StochasticExact ? 64 : rounding.uses_random_bits() ? rounding.random_bits : -1;
  KernelCheckResult res;
  std::optional<Counterexample> last_failure;  // RapidCheck's last failing call is its shrunk counterexample
  const auto property = [&] {
    const std::uint64_t x = *gen_interesting_source_word(source, f);
    const std::uint64_t r = n < 0 ? 0 : *gen_r(n);
    const auto expected = analysis::reference_code(f, rounding, source, x, r);
    const std::uint64_t got = kernel(x, r);
    if (expected ? got != *expected : false) {
      last_failure = Counterexample{x, r, expected, got};
      RC_FAIL("kernel differs from the reference");
    }
  };
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = cases;
  if (seed != 0) params.seed = seed;
  rc::detail::TestListenerAdapter quiet;
  const rc::detail::TestResult result =
      rc::detail::checkProperty(rc::detail::toProperty(property), rc::detail::TestMetadata{}, params, quiet);
  rc::detail::SuccessResult success;
  if (result.match(success)) {
    res.cases = static_cast<std::uint64_t>(success.numSuccess);
    res.inputs = res.cases;
    return res;
  }
  rc::detail::FailureResult failure;
  if (!result.match(failure) || !last_failure) {
    res.message = "RapidCheck gave up (too many discarded cases)";
    return res;
  }
  res.cases = static_cast<std::uint64_t>(failure.numSuccess) + 1;
  res.inputs = res.cases;
  res.mismatches = 1;
  res.first = last_failure;
  res.message = f.name + " " + rounding.describe() + ": RapidCheck found a counterexample after " +
                std::to_string(failure.numSuccess) + " passing cases, shrunk to: " +
                describe_counterexample(f, rounding, source, *last_failure);
  return res;
}

}  // namespace roundlab::testing
