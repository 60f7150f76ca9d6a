#include "proofs/kernel_agreement.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "device/cpu_launch.hpp"
#include "device/device_format_from_reference.hpp"
#include "device/fast_cpu_launch.hpp"
#include "reference/error.hpp"
#ifdef ROUNDLAB_HAVE_CUDA
#include "device/cuda/cuda_launch.hpp"
#endif

namespace roundlab::proofs {

namespace {

constexpr std::uint64_t kChunk = std::uint64_t{1} << 24;

std::uint64_t word_at(const std::vector<unsigned char>& bytes, std::size_t i, int size) {
  std::uint64_t w = 0;
  std::memcpy(&w, bytes.data() + i * size, static_cast<std::size_t>(size));  // little-endian
  return w;
}

// Restores the fast path's instruction set on scope exit.
struct IsaGuard {
  std::string saved = device::fast_path_isa();
  ~IsaGuard() { device::set_fast_path_isa(saved.c_str()); }
};

}  // namespace

std::vector<std::string> agreement_isas(const AgreementSpec& spec) {
  if (spec.backend != Backend::Cpu) return {};
  const std::vector<std::string> have = device::fast_path_isas();
  if (spec.isas.empty()) return have;
  for (const auto& isa : spec.isas)
    if (std::find(have.begin(), have.end(), isa) == have.end()) {
      std::string list;
      for (const auto& h : have) list += (list.empty() ? "" : ", ") + h;
      throw InputError("instruction set '" + isa + "' is not available on this CPU (it has: " + list + ")");
    }
  return spec.isas;
}

CompareReport compare_to_generic_kernel(const AgreementSpec& spec) {
  spec.rounding.validate();
  if (spec.shard_count == 0 || spec.shard_index >= spec.shard_count)
    throw InputError("--shard i/n needs 0 ≤ i < n");
  if (spec.repeats < 1) throw InputError("repeats must be at least 1");
  require_cuda_device(spec.backend);  // also refuses builds without CUDA
  const auto df = device::make_device_format(spec.format);
  const auto dr = device::make_device_rounding(spec.rounding);
  const int sb = device::source_bytes(spec.source), cb = device::code_bytes(df);
  const int sbits = 8 * sb;
  const bool stochastic = device::needs_random(dr);
  if (spec.exhaustive && sbits == 64) throw InputError("--exhaustive is not possible for binary64 inputs; use --samples");

  // Element e of the whole sweep: exhaustive, the input word e mod 2^sbits; sampled, the sampler's e-th
  // word (the sampler restarts per shard from (seed, shard), so a shard's inputs do not depend on others).
  const std::uint64_t total = spec.exhaustive
                                  ? (std::uint64_t{1} << sbits) * (stochastic && sbits == 16 ? spec.repeats : 1)
                                  : spec.samples;
  const std::uint64_t per = total / spec.shard_count + (total % spec.shard_count != 0);
  const std::uint64_t begin = std::min(total, spec.shard_index * per), end = std::min(total, begin + per);
  std::mt19937_64 sampler(spec.seed * 0x9E3779B97F4A7C15ull + spec.shard_index);

  const std::vector<std::string> isas = agreement_isas(spec);
  IsaGuard guard;
  device::RandomInput rnd;
  rnd.stream = device::RandomStream{spec.seed, 0};
  CompareReport rep;
  std::vector<unsigned char> in, expected, got, got_flagged;
  std::vector<std::uint8_t> expected_none, got_none;
  for (std::uint64_t lo = begin; lo < end; lo += kChunk) {
    const std::size_t len = static_cast<std::size_t>(std::min(kChunk, end - lo));
    in.resize(len * sb);
    for (std::size_t i = 0; i < len; ++i) {
      const std::uint64_t w = spec.exhaustive ? (lo + i) & device::low_mask(sbits) : analysis::sample_source_word(sampler, spec.source);
      std::memcpy(in.data() + i * sb, &w, static_cast<std::size_t>(sb));
    }
    rnd.first_index = lo;
    expected.resize(len * cb);
    got.resize(len * cb);
    got_flagged.resize(len * cb);
    expected_none.assign(len, 0);
    got_none.assign(len, 0);
    device::round_array_cpu(df, dr, spec.source, in.data(), expected.data(), len, rnd, expected_none.data());
    rep.inputs += len;
    // Each launch variant (CPU instruction set, or the GPU) is checked as its own cases: without flags
    // the launchers take their hot (aligned) kernels, with flags their general twins.
    auto check_variant = [&](const std::string& variant) {
      if (got == expected && got_flagged == expected && got_none == expected_none) {
        rep.cases += len;  // all equal: nothing to report
        return;
      }
      for (std::size_t i = 0; i < len; ++i) {
        const std::uint64_t e = word_at(expected, i, cb), g = word_at(got_flagged, i, cb);
        const bool flagged_ok = g == e && got_none[i] == expected_none[i];
        const bool unflagged_ok = word_at(got, i, cb) == e;
        if (flagged_ok && unflagged_ok) {
          ++rep.cases;
          continue;
        }
        const std::uint64_t x = word_at(in, i, sb);
        const std::uint64_t r = stochastic ? device::random_bits_for(rnd.stream, lo + i, dr.random_bits) : 0;
        const std::size_t kept = rep.first.size();
        if (!flagged_ok)  // the code, or the no-encoding flag
          rep.record(spec.max_reported, x, r, expected_none[i] ? std::nullopt : std::optional<std::uint64_t>(e), g,
                     got_none[i] != 0);
        else  // the unflagged launch wrote another code (its no-encoding elements too must match)
          rep.record(spec.max_reported, x, r, e, word_at(got, i, cb), false);
        if (rep.first.size() > kept) rep.first.back().note = variant + (flagged_ok ? ", without flags" : ", with flags");
      }
    };
    if (spec.backend == Backend::Cpu) {
      for (const std::string& isa : isas) {
        device::set_fast_path_isa(isa.c_str());
        device::round_array_cpu_fast(df, dr, spec.source, in.data(), got.data(), len, rnd, nullptr);
        device::round_array_cpu_fast(df, dr, spec.source, in.data(), got_flagged.data(), len, rnd, got_none.data());
        check_variant(isa);
      }
    } else {
#ifdef ROUNDLAB_HAVE_CUDA
      device::round_array_cuda(df, dr, spec.source, in.data(), got.data(), len, rnd, nullptr);
      device::round_array_cuda(df, dr, spec.source, in.data(), got_flagged.data(), len, rnd, got_none.data());
      check_variant("cuda");
#endif
    }
  }
  return rep;
}

}  // namespace roundlab::proofs
