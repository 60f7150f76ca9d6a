// A fast kernel vs the generic CPU kernel, bit for bit, on inputs too many for the MPFR reference: the
// full 2^32 binary32 sweep (sharded), every 16-bit input, or sampled words of any source. The generic
// kernel (device/round_to_format.hpp through round_array_cpu) is the one proven equal to MPFR on the
// exhaustive 16-bit sweeps (proofs/compare_kernels, claim device-equals-reference); this extends that
// proof to the fast CPU launcher and the CUDA launcher over whole input spaces.
//
// Random words come from the Philox stream (seed, stream 0) as in production: element i of the sweep has
// stream index i (exhaustive: the input word itself, plus 2^k·repeat for 16-bit sources), so both kernels
// draw the same words, lazily or not. Mismatches report the element's whole word (random_bits_for).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/kernel_sweep.hpp"
#include "proofs/compare_kernels.hpp"

namespace roundlab::proofs {

struct AgreementSpec {
  IeeeLikeFormat format;
  Rounding rounding;
  device::SourceFormat source = device::SourceFormat::Binary32;
  // Under test, each with and without no-encoding flags (which take different kernels): Cpu =
  // round_array_cpu_fast; Cuda = round_array_cuda.
  Backend backend = Backend::Cpu;
  // Cpu: the instruction-set variants to run (set_fast_path_isa names); empty = every one this CPU has.
  std::vector<std::string> isas;
  bool exhaustive = false;       // every input word (16- and 32-bit sources)
  std::uint64_t samples = 1 << 20;
  std::uint64_t seed = 1;        // Philox seed, and the input sampler's
  int repeats = 16;              // exhaustive 16-bit sources, stochastic modes: stream words per input
  std::uint64_t shard_index = 0, shard_count = 1;
  int max_reported = 10;
};

// Runs the comparison in chunks of at most 2^24 elements; the CPU launcher once per instruction set
// (restored afterwards), each run with and without flags. Throws InputError on bad specs (bad shard,
// exhaustive binary64, an instruction set this CPU lacks, CUDA in a build without it).
CompareReport compare_to_generic_kernel(const AgreementSpec& spec);

// The instruction sets compare_to_generic_kernel runs for spec (empty for the CUDA backend).
std::vector<std::string> agreement_isas(const AgreementSpec& spec);

}  // namespace roundlab::proofs
