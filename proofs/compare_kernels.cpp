#include "proofs/compare_kernels.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include "device/cpu_launch.hpp"
#include "device/device_format_from_reference.hpp"
#include "reference/error.hpp"
#ifdef ROUNDLAB_HAVE_CUDA
#include "device/cuda/cuda_launch.hpp"
#include "device/cuda/device_query.hpp"
#endif

namespace roundlab::proofs {

namespace {

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

}  // namespace

void require_cuda_device(Backend backend) {
  if (backend != Backend::Cuda) return;
#ifdef ROUNDLAB_HAVE_CUDA
  if (device::cuda_status().device_count == 0) throw InputError("backend cuda: no CUDA device is visible");
#else
  throw InputError("backend cuda: this roundlab was built without CUDA (nvcc was not found at configure time)");
#endif
}

CompareReport compare_kernel(const CompareSpec& spec) {
  spec.rounding.validate();
  require_cuda_device(spec.backend);
  const auto df = device::make_device_format(spec.format);
  const auto dr = device::make_device_rounding(spec.rounding);
  return analysis::sweep_against_reference(
      spec, [&](const std::vector<std::uint64_t>& inputs, const std::vector<std::uint64_t>& rs,
                std::vector<std::uint64_t>& codes, std::vector<std::uint8_t>& none) {
        run_backend(spec, df, dr, inputs, rs, codes, none);
      });
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
  if (!rounding.is_stochastic() && !random.empty())
    throw InputError("mode " + mode_name(rounding.mode) + " is deterministic: --random does not apply");
  // A word of more than N bits has no meaning under the definitions (the device kernels' convention
  // for one, "never away", is not the user's): refused like round's r, not given some answer.
  const int n = rounding.mode == Mode::StochasticExact ? 64 : rounding.random_bits;
  if (rounding.is_stochastic() && n < 64)
    for (std::size_t i = 0; i < random.size(); ++i)
      if ((random[i] >> n) != 0)
        throw InputError("--random element " + std::to_string(i) + ": r = " + std::to_string(random[i]) +
                         " needs more than N = " + std::to_string(n) + " bits (expected 0 ≤ r < 2^" +
                         std::to_string(n) + ")");
  CompareReport rep;
  rep.inputs = inputs.size();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::uint64_t r = rounding.is_stochastic() ? random[i] : 0;
    // A user's kernel has no "no encoding" channel: it is a mismatch whatever it wrote.
    rep.record(max_reported, inputs[i], r, reference_code(format, rounding, source, inputs[i], r), outputs[i], false);
  }
  return rep;
}

void record_sweep_failures(Certificate& cert, const std::string& unit, const CompareReport& rep,
                           const char* expected_role, const char* got_role) {
  for (std::uint64_t k = 0; k < rep.mismatches; ++k) {
    std::string what = unit;
    if (k < rep.first.size()) {
      const Mismatch& m = rep.first[k];
      char buf[240];
      std::snprintf(buf, sizeof buf, ": input 0x%llx r=%llu %s code 0x%llx%s, %s 0x%llx%s%s%s%s",
                    static_cast<unsigned long long>(m.input_bits), static_cast<unsigned long long>(m.r), expected_role,
                    static_cast<unsigned long long>(m.expected), m.expected_none ? " (no encoding)" : "", got_role,
                    static_cast<unsigned long long>(m.got), m.got_none ? " (no encoding)" : "",
                    m.note.empty() ? "" : " (", m.note.c_str(), m.note.empty() ? "" : ")");
      what += buf;
    }
    record_failure(cert, what);
  }
}

}  // namespace roundlab::proofs
