#include "proofs/compare_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <random>

#include "device/cpu_launch.hpp"
#include "device/device_format_from_reference.hpp"
#include "reference/error.hpp"
#include "reference/round_away.hpp"
#include "reference/round_to_precision.hpp"
#ifdef ROUNDLAB_HAVE_CUDA
#include "device/cuda/cuda_launch.hpp"
#endif

namespace roundlab::proofs {

namespace {

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

int source_bits(device::SourceFormat s) { return device::source_bytes(s) * 8; }

std::uint64_t r_limit(const Rounding& rounding) {  // number of distinct r (0 = 2^64)
  if (rounding.mode == Mode::StochasticExact || rounding.random_bits >= 64) return 0;
  return std::uint64_t{1} << rounding.random_bits;
}

void record(CompareReport& rep, int max_reported, std::uint64_t in, std::uint64_t r, std::optional<std::uint64_t> exp,
            std::uint64_t got, bool got_none) {
  ++rep.cases;
  const bool same = exp ? (!got_none && got == *exp) : got_none;
  if (same) return;
  ++rep.mismatches;
  if (static_cast<int>(rep.first.size()) < max_reported)
    rep.first.push_back(Mismatch{in, r, exp.value_or(0), got, !exp.has_value(), got_none});
}

void run_backend(const CompareSpec& spec, const device::DeviceFormat& df, const device::DeviceRounding& dr,
                 const std::vector<std::uint64_t>& inputs, const std::vector<std::uint64_t>& rs,
                 std::vector<std::uint64_t>& codes, std::vector<std::uint8_t>& none) {
  const std::size_t n = inputs.size();
  const int sb = device::source_bytes(spec.source);
  std::vector<unsigned char> packed(n * sb);
  for (std::size_t i = 0; i < n; ++i) std::memcpy(packed.data() + i * sb, &inputs[i], sb);  // little-endian
  const int cb = device::code_bytes(df);
  std::vector<unsigned char> out(n * cb);
  none.assign(n, 0);
  device::RandomInput rnd;
  rnd.explicit_r = rs.data();
  if (spec.backend == Backend::Cpu) {
    device::round_array_cpu(df, dr, spec.source, packed.data(), out.data(), n, rnd, none.data());
  } else {
#ifdef ROUNDLAB_HAVE_CUDA
    device::round_array_cuda(df, dr, spec.source, packed.data(), out.data(), n, rnd, none.data());
#else
    throw InputError("backend cuda: this roundlab was built without CUDA (nvcc was not found at configure time)");
#endif
  }
  codes.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) std::memcpy(&codes[i], out.data() + i * cb, cb);
}

// Sampled inputs that reach every class: random words, and words near the target's boundaries.
std::uint64_t sample_input(std::mt19937_64& rng, device::SourceFormat s) {
  const int bits = source_bits(s);
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

}  // namespace

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

CompareReport compare_kernel(const CompareSpec& spec) {
  spec.rounding.validate();
  if (spec.shard_count == 0 || spec.shard_index >= spec.shard_count)
    throw InputError("--shard i/n needs 0 ≤ i < n");
  const auto df = device::make_device_format(spec.format);
  const auto dr = device::make_device_rounding(spec.rounding);
  const bool stochastic = spec.rounding.is_stochastic();
  CompareReport rep;
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
      std::vector<std::uint64_t> codes;
      std::vector<std::uint8_t> none;
      run_backend(spec, df, dr, inputs, rs, codes, none);
      for (std::size_t i = 0; i < inputs.size(); ++i)
        record(rep, spec.max_reported, inputs[i], rs[i], expected[i], codes[i], none[i] != 0);
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
    const std::uint64_t x = sample_input(rng, spec.source);
    const std::uint64_t r = !stochastic ? 0 : lim == 0 ? rng() : rng() % lim;
    inputs.push_back(x);
    rs.push_back(r);
    expected.push_back(reference_code(spec.format, spec.rounding, spec.source, x, r));
  }
  rep.inputs = count;
  std::vector<std::uint64_t> codes;
  std::vector<std::uint8_t> none;
  run_backend(spec, df, dr, inputs, rs, codes, none);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    record(rep, spec.max_reported, inputs[i], rs[i], expected[i], codes[i], none[i] != 0);
  return rep;
}

CompareReport compare_arrays(const IeeeLikeFormat& format, const Rounding& rounding, device::SourceFormat source,
                             const std::vector<std::uint64_t>& inputs, const std::vector<std::uint64_t>& outputs,
                             const std::vector<std::uint64_t>& random, int max_reported) {
  rounding.validate();
  if (inputs.size() != outputs.size())
    throw InputError("--inputs has " + std::to_string(inputs.size()) + " elements but --outputs has " +
                     std::to_string(outputs.size()));
  if (rounding.is_stochastic() && random.size() != inputs.size())
    throw InputError("mode " + mode_name(rounding.mode) + " needs --random with one word per element (" +
                     std::to_string(inputs.size()) + "), got " + std::to_string(random.size()));
  CompareReport rep;
  rep.inputs = inputs.size();
  const bool has_nan = format.has_nan();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::uint64_t r = rounding.is_stochastic() ? random[i] : 0;
    // A user's kernel has no "no encoding" channel: it is a mismatch whatever it wrote.
    record(rep, max_reported, inputs[i], r, reference_code(format, rounding, source, inputs[i], r), outputs[i],
           false);
    (void)has_nan;
  }
  return rep;
}

}  // namespace roundlab::proofs
