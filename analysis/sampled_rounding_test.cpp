#include "analysis/sampled_rounding_test.hpp"

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "analysis/stat_tests.hpp"
#include "device/device_format_from_reference.hpp"
#include "device/fast_cpu_launch.hpp"
#include "reference/error.hpp"
#include "reference/exact_value.hpp"
#include "reference/number_text.hpp"
#include "reference/round_away.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab::analysis {

RoundAwayExpectation round_away_expectation(const IeeeLikeFormat& format, const Rounding& claimed,
                                            const ExactValue& x) {
  if (!claimed.is_stochastic())
    throw InputError("round_away_expectation: mode " + mode_name(claimed.mode) +
                     " is not stochastic (expected sr, srff, srf, src, sro or srceil)");
  RoundAwayExpectation e;
  Rounding none = claimed;  // no round-away: N = 0 (P3109), or u = 0 for exact SR
  if (none.uses_random_bits()) none.random_bits = 0;
  e.lo_code = project(format, none, x, RandomDraw{}).code;
  Rounding away = claimed;  // exact SR with u = 1 − 2^-192 rounds away iff ν > 0
  away.mode = Mode::StochasticExact;
  away.random_bits = 0;
  Mpfr u;
  mpfr_set_ui(u.get(), 1, MPFR_RNDN);
  mpfr_sub_d(u.get(), u.get(), std::ldexp(1.0, -192), MPFR_RNDN);  // exact at 320 bits
  RandomDraw draw;
  draw.u = ExactValue::from_mpfr(u.get());
  e.hi_code = project(format, away, x, draw).code;
  if (x.is_zero() || !x.is_finite()) {
    e.p_text = "0";
    e.informative = x.is_finite();
    return e;
  }
  const PrecisionStep step = precision_step(format, x);
  if (claimed.mode == Mode::StochasticExact) {
    e.p = mpfr_get_d(step.nu.get(), MPFR_RNDN);
    e.p_text = to_hex_float(ExactValue::from_mpfr(step.nu.get()));
  } else {
    const unsigned __int128 c = round_away_count(claimed, step.nu.get());
    e.p = std::ldexp(static_cast<double>(c), -claimed.random_bits);
    std::string digits;
    for (unsigned __int128 v = c; v > 0; v /= 10) digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    e.p_text = (digits.empty() ? "0" : digits) + "/2^" + std::to_string(claimed.random_bits);
  }
  if (mpfr_zero_p(step.nu.get()) == 0 && e.hi_code == e.lo_code) e.informative = false;
  return e;
}

SampledTestResult run_sampled_test(const SampledTestSpec& spec) {
  if (!spec.claimed.is_stochastic())
    throw InputError("stattest: mode " + mode_name(spec.claimed.mode) + " is not stochastic (expected sr, srff, srf, src, sro or srceil)");
  if (!spec.kernel.is_stochastic())
    throw InputError("stattest: kernel mode " + mode_name(spec.kernel.mode) + " is not stochastic");
  if (spec.inputs.empty()) throw InputError("stattest: no inputs");
  if (spec.samples == 0 || spec.samples > (std::uint64_t{1} << 24))
    throw InputError("stattest: samples per input must be in 1..2^24, got " + std::to_string(spec.samples));
  if (!(spec.alpha > 0 && spec.alpha < 1)) throw InputError("stattest: alpha must lie in (0, 1)");
  if (spec.inputs.size() * spec.samples > (std::uint64_t{1} << 30))
    throw InputError("stattest: inputs × samples must stay below 2^30");
  for (float x : spec.inputs)
    if (!std::isfinite(x)) throw InputError("stattest: inputs must be finite");

  const std::size_t m = spec.inputs.size();
  const std::uint64_t k = spec.samples;
  std::vector<std::uint32_t> words(m * k);
  for (std::size_t j = 0; j < m; ++j) {
    std::uint32_t w;
    std::memcpy(&w, &spec.inputs[j], 4);
    std::fill(words.begin() + static_cast<std::ptrdiff_t>(j * k), words.begin() + static_cast<std::ptrdiff_t>((j + 1) * k), w);
  }
  const device::DeviceFormat df = device::make_device_format(spec.format);
  const device::DeviceRounding dr = device::make_device_rounding(spec.kernel);
  const int cb = device::code_bytes(df);
  std::vector<unsigned char> codes(words.size() * static_cast<std::size_t>(cb));
  std::vector<std::uint8_t> none(words.size());
  device::RandomInput random;
  random.stream = device::RandomStream{spec.seed, spec.stream};
  device::round_array_cpu_fast(df, dr, device::SourceFormat::Binary32, words.data(), codes.data(), words.size(),
                               random, none.data(), spec.threads);

  SampledTestResult res;
  res.total_samples = m * k;
  std::vector<double> p_values;
  double chi2 = 0, mean_num = 0, mean_var = 0, var_num = 0, var_var = 0, pq_sum = 0;
  int df_chi = 0, informative = 0;
  for (std::size_t j = 0; j < m; ++j) {
    const RoundAwayExpectation e =
        round_away_expectation(spec.format, spec.claimed, ExactValue::from_float(spec.inputs[j]));
    InputOutcome o;
    o.x = spec.inputs[j];
    o.p_away = e.p;
    o.tested = e.informative;
    o.p_exact = e.informative ? e.p_text : e.p_text + " (neighbours encode alike; not tested)";
    for (std::uint64_t s = 0; s < k; ++s) {
      std::uint64_t c = 0;
      std::memcpy(&c, codes.data() + (j * k + s) * static_cast<std::size_t>(cb), static_cast<std::size_t>(cb));
      if (none[j * k + s] == 0 && c == e.lo_code) ++o.toward;
      else if (none[j * k + s] == 0 && c == e.hi_code) ++o.away;
      else ++o.neither;
    }
    if (e.hi_code == e.lo_code) o.toward += o.away, o.away = 0;
    res.not_neighbour += o.neither;
    if (e.informative) {
      ++informative;
      o.p_value = o.neither > 0 ? 0.0 : binomial_two_sided_p(o.away, k, e.p);
      p_values.push_back(o.p_value);
      const double kd = static_cast<double>(k), a = static_cast<double>(o.away), pq = e.p * (1 - e.p);
      pq_sum += pq;
      mean_num += a - kd * e.p;
      mean_var += kd * pq;
      if (pq > 0) {
        chi2 += (a - kd * e.p) * (a - kd * e.p) / (kd * pq);
        ++df_chi;
      }
      if (k >= 2) {  // unbiased sample variance of the 0/1 away indicator, against p(1−p)
        var_num += a * (kd - a) / (kd * (kd - 1)) - pq;
        const double mu4 = pq * (1 - 3 * pq);
        var_var += mu4 / kd - pq * pq * (kd - 3) / (kd * (kd - 1));
      }
    }
    res.inputs.push_back(o);
  }
  GlobalTest chi{"chi-square of away counts", chi2, df_chi > 0 ? chi_square_upper_tail(chi2, df_chi) : 1.0, false};
  const double zm = mean_var > 0 ? mean_num / std::sqrt(mean_var) : 0.0;
  GlobalTest mean{"z-test of the mean rounding error (ulps)", zm, mean_var > 0 ? normal_two_sided_p(zm) : 1.0, false};
  const double zv = var_var > 0 ? var_num / std::sqrt(var_var) : 0.0;
  GlobalTest var{"z-test of the rounding variance (ulps^2)", zv, var_var > 0 ? normal_two_sided_p(zv) : 1.0, false};
  p_values.push_back(chi.p_value);
  p_values.push_back(mean.p_value);
  p_values.push_back(var.p_value);
  const std::vector<bool> reject = holm_reject(p_values, spec.alpha);
  std::size_t idx = 0;
  for (auto& o : res.inputs) {
    if (!o.tested) continue;
    o.rejected = reject[idx++];
  }
  chi.rejected = reject[idx];
  mean.rejected = reject[idx + 1];
  var.rejected = reject[idx + 2];
  res.global = {chi, mean, var};
  res.rejected = res.not_neighbour > 0 || std::any_of(reject.begin(), reject.end(), [](bool b) { return b; });
  if (informative > 0 && pq_sum > 0 && spec.claimed.uses_random_bits()) {
    const int n = spec.claimed.random_bits;
    // Per-input samples: the mean test pools m inputs, so divide the pooled count by m.
    res.samples_for_half_bit_bias =
        samples_to_detect_shift(std::ldexp(1.0, -(n + 1)), std::sqrt(pq_sum / informative), spec.alpha, 0.9) /
        informative;
  }
  return res;
}

}  // namespace roundlab::analysis
