#include "analysis/kernel_sweep.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

#include "reference/error.hpp"
#include "reference/round_away.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab::analysis {

namespace {

int source_bits(device::SourceFormat s) { return device::source_bytes(s) * 8; }

std::uint64_t r_limit(const Rounding& rounding) {  // number of distinct r (0 = 2^64)
  if (rounding.mode == Mode::StochasticExact || rounding.random_bits >= 64) return 0;
  return std::uint64_t{1} << rounding.random_bits;
}

}  // namespace

std::uint64_t sample_source_word(std::mt19937_64& rng, device::SourceFormat s) {
  const int bits = device::source_bytes(s) * 8;
  std::uint64_t w = rng();
  if (bits < 64) w &= (std::uint64_t{1} << bits) - 1;
  switch (rng() % 8) {
    case 0: {  // small exponents (subnormal range of the target and source)
      const int keep = bits == 64 ? 58 : bits == 32 ? 28 : 13;
      w &= ((std::uint64_t{1} << keep) - 1) | (std::uint64_t{1} << (bits - 1));
      break;
    }
    case 1: w = (w & ~std::uint64_t{0xff}) | (rng() % 2 ? 0 : 0xff); break;  // trailing zeros / ones
    default: break;
  }
  return w;
}

void SweepReport::record(int max_reported, std::uint64_t in, std::uint64_t r, std::optional<std::uint64_t> exp,
                         std::uint64_t got, bool got_none, bool any_output_without_encoding) {
  ++cases;
  const bool same = exp ? (!got_none && got == *exp) : (got_none || any_output_without_encoding);
  if (same) return;
  ++mismatches;
  if (static_cast<int>(first.size()) < max_reported)
    first.push_back(Mismatch{in, r, exp.value_or(0), got, !exp.has_value(), got_none, {}});
}

ExactValue source_value(device::SourceFormat s, std::uint64_t bits) {
  switch (s) {
    case device::SourceFormat::Binary32: {
      float f;
      auto b = static_cast<std::uint32_t>(bits);
      std::memcpy(&f, &b, 4);
      return ExactValue::from_float(f);
    }
    case device::SourceFormat::Binary64: {
      double d;
      std::memcpy(&d, &bits, 8);
      return ExactValue::from_double(d);
    }
    case device::SourceFormat::Bfloat16: {
      float f;
      auto b = static_cast<std::uint32_t>(bits & 0xffff) << 16;  // bfloat16 is the top half of binary32
      std::memcpy(&f, &b, 4);
      return ExactValue::from_float(f);
    }
    case device::SourceFormat::Binary16: {
      // Exact decode from the bits (no half type needed): sign, 5-bit exponent, 10-bit fraction.
      const bool neg = (bits >> 15) & 1;
      const std::uint64_t e = (bits >> 10) & 31, m = bits & 1023;
      if (e == 31) return m ? ExactValue::nan() : ExactValue::infinity(neg);
      if (e == 0) return ExactValue::from_integer_scaled(neg, m, -24);
      return ExactValue::from_integer_scaled(neg, m | 1024, static_cast<long>(e) - 25);
    }
  }
  return ExactValue::nan();
}

device::SourceFormat source_format_from_name(std::string_view s) {
  if (s == "binary32" || s == "float32" || s == "fp32") return device::SourceFormat::Binary32;
  if (s == "binary64" || s == "float64" || s == "fp64") return device::SourceFormat::Binary64;
  if (s == "bfloat16" || s == "bf16") return device::SourceFormat::Bfloat16;
  if (s == "binary16" || s == "float16" || s == "fp16") return device::SourceFormat::Binary16;
  throw InputError("unknown source format '" + std::string(s) + "': expected binary32, binary64, bfloat16 or binary16");
}

const char* source_format_name(device::SourceFormat s) {
  switch (s) {
    case device::SourceFormat::Binary32: return "binary32";
    case device::SourceFormat::Binary64: return "binary64";
    case device::SourceFormat::Bfloat16: return "bfloat16";
    case device::SourceFormat::Binary16: return "binary16";
  }
  return "?";
}

std::optional<std::uint64_t> reference_code(const IeeeLikeFormat& format, const Rounding& rounding,
                                            device::SourceFormat source, std::uint64_t input_bits, std::uint64_t r) {
  RandomDraw draw;
  draw.r = r;
  try {
    return project(format, rounding, source_value(source, input_bits), draw).code;
  } catch (const NoEncodingError&) {
    return std::nullopt;
  }
}

SweepReport sweep_against_reference(const SweepSpec& spec, const BatchKernel& kernel) {
  spec.rounding.validate();
  if (spec.shard_count == 0 || spec.shard_index >= spec.shard_count)
    throw InputError("--shard i/n needs 0 ≤ i < n");
  const bool stochastic = spec.rounding.is_stochastic();
  SweepReport rep;
  auto evaluate = [&](const std::vector<std::uint64_t>& inputs, const std::vector<std::uint64_t>& rs,
                      const std::vector<std::optional<std::uint64_t>>& expected) {
    std::vector<std::uint64_t> codes;
    std::vector<std::uint8_t> none;
    kernel(inputs, rs, codes, none);
    codes.resize(inputs.size(), 0);
    none.resize(inputs.size(), 0);
    for (std::size_t i = 0; i < inputs.size(); ++i)
      rep.record(spec.max_reported, inputs[i], rs[i], expected[i], codes[i], none[i] != 0,
                 spec.any_output_without_encoding);
  };
  const int sbits = source_bits(spec.source);
  if (spec.exhaustive) {
    if (sbits == 64) throw InputError("--exhaustive is not possible for binary64 inputs; use --samples");
    const std::uint64_t total = std::uint64_t{1} << sbits;
    const std::uint64_t per = (total + spec.shard_count - 1) / spec.shard_count;
    const std::uint64_t begin = spec.shard_index * per, end = std::min(total, begin + per);
    // Every r when N ≤ 8; otherwise spec.random_per_input seeded r per input, always including 0 and
    // 2^N − 1.
    const std::uint64_t lim = r_limit(spec.rounding);
    const bool all_r = stochastic && lim != 0 && lim <= 256;
    std::mt19937_64 rng(spec.seed);
    const std::uint64_t chunk = std::uint64_t{1} << 16;
    for (std::uint64_t lo = begin; lo < end; lo += chunk) {
      const std::uint64_t hi = std::min(end, lo + chunk);
      std::vector<std::uint64_t> inputs, rs;
      std::vector<std::optional<std::uint64_t>> expected;
      for (std::uint64_t x = lo; x < hi; ++x) {
        ++rep.inputs;
        if (!stochastic) {
          inputs.push_back(x);
          rs.push_back(0);
          expected.push_back(reference_code(spec.format, spec.rounding, spec.source, x, 0));
          continue;
        }
        // The reference's result depends on r only through RoundAway, which is monotone in r: one
        // reference call at each end of the r range gives both outcomes, and the reference's own
        // count C(ν) (round_away_count, tested equal to the per-r predicate) says which r gets which.
        const std::uint64_t rmax = lim == 0 ? ~std::uint64_t{0} : lim - 1;
        const auto at0 = reference_code(spec.format, spec.rounding, spec.source, x, 0);
        const auto atmax = reference_code(spec.format, spec.rounding, spec.source, x, rmax);
        std::vector<std::uint64_t> these;
        if (all_r) {
          for (std::uint64_t r = 0; r < lim; ++r) these.push_back(r);
        } else {
          these = {0, rmax};
          for (int j = 2; j < spec.random_per_input; ++j) these.push_back(lim == 0 ? rng() : rng() % lim);
        }
        // Threshold from C(ν): A/B/C/Odd round away iff r ≥ 2^N − C; srceil iff r < C.
        std::uint64_t c = 0;
        const bool few_bit = spec.rounding.uses_random_bits() && lim != 0;
        if (at0 != atmax && few_bit) {
          const ExactValue v = source_value(spec.source, x);
          c = static_cast<std::uint64_t>(round_away_count(spec.rounding, precision_step(spec.format, v).nu.get()));
        }
        for (std::uint64_t r : these) {
          inputs.push_back(x);
          rs.push_back(r);
          if (at0 == atmax || r == 0 || r == rmax) {
            expected.push_back(r == rmax ? atmax : at0);
          } else if (few_bit) {
            const bool away = spec.rounding.mode == Mode::StochasticCeil ? r < c : r >= lim - c;
            const bool away_at_max = spec.rounding.mode != Mode::StochasticCeil;
            expected.push_back(away == away_at_max ? atmax : at0);
          } else {
            expected.push_back(reference_code(spec.format, spec.rounding, spec.source, x, r));
          }
        }
      }
      evaluate(inputs, rs, expected);
    }
    return rep;
  }
  // Sampled: the shard picks its own seed so shards are disjoint streams.
  std::mt19937_64 rng(spec.seed * 0x9E3779B97F4A7C15ull + spec.shard_index);
  const std::uint64_t lim = r_limit(spec.rounding);
  const std::uint64_t per = (spec.samples + spec.shard_count - 1) / spec.shard_count;
  const std::uint64_t count = std::min(per, spec.samples - std::min(spec.samples, spec.shard_index * per));
  std::vector<std::uint64_t> inputs, rs;
  std::vector<std::optional<std::uint64_t>> expected;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint64_t x = sample_source_word(rng, spec.source);
    const std::uint64_t r = !stochastic ? 0 : lim == 0 ? rng() : rng() % lim;
    inputs.push_back(x);
    rs.push_back(r);
    expected.push_back(reference_code(spec.format, spec.rounding, spec.source, x, r));
  }
  rep.inputs = count;
  evaluate(inputs, rs, expected);
  return rep;
}

}  // namespace roundlab::analysis
