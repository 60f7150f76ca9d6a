// Device kernel vs exact reference, bit for bit: exhaustive sweeps of 16-bit sources (every r for
// N ≤ 8), sampled sweeps of any source, sharded sweeps (analysis/kernel_sweep.hpp), run on our CPU or
// CUDA launchers, and checks of a user's own kernel output arrays.
#pragma once
#include <cstdint>
#include <vector>

#include "analysis/kernel_sweep.hpp"
#include "proofs/claim.hpp"
#include "device/array_rounding.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab::proofs {

enum class Backend { Cpu, Cuda };

struct CompareSpec : analysis::SweepSpec {
  Backend backend = Backend::Cpu;
};

using Mismatch = analysis::Mismatch;
using CompareReport = analysis::SweepReport;
using analysis::reference_code;

// Throws InputError when backend is Cuda and no CUDA device is visible (or the build has no CUDA), so that
// a sweep says so before any work instead of failing at its first allocation.
void require_cuda_device(Backend backend);

// Runs the sweep described by spec on the chosen backend. Throws InputError on bad specs (e.g. CUDA
// requested in a build without CUDA, exhaustive on binary64).
CompareReport compare_kernel(const CompareSpec& spec);

// Checks arrays produced by someone else's kernel: inputs (source words), outputs (codes), and the
// random words each element used (required for stochastic modes).
CompareReport compare_arrays(const IeeeLikeFormat& format, const Rounding& rounding, device::SourceFormat source,
                             const std::vector<std::uint64_t>& inputs, const std::vector<std::uint64_t>& outputs,
                             const std::vector<std::uint64_t>& random, int max_reported = 10);

// Records every mismatch of a sweep in a claim's certificate: `unit` names the sweep, then the input, r,
// and the two codes (with their roles, e.g. "expected" / "got", "generic" / "fast") and the launch.
void record_sweep_failures(Certificate& cert, const std::string& unit, const CompareReport& rep,
                           const char* expected_role, const char* got_role);

}  // namespace roundlab::proofs
