// Device kernel vs exact reference, bit for bit: exhaustive sweeps of 16-bit sources (every r for
// N ≤ 8), sampled sweeps of any source, sharded sweeps, and checks of a user's own kernel output.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "device/array_rounding.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab::proofs {

enum class Backend { Cpu, Cuda };

struct CompareSpec {
  IeeeLikeFormat format;
  Rounding rounding;
  device::SourceFormat source = device::SourceFormat::Binary32;
  Backend backend = Backend::Cpu;
  bool exhaustive = false;         // every input code (16-bit sources; binary32 is allowed with shards)
  std::uint64_t samples = 100000;  // sampled mode
  std::uint64_t seed = 1;
  std::uint64_t shard_index = 0, shard_count = 1;
  int max_reported = 10;
  int random_per_input = 16;  // exhaustive mode, N > 8 or exact SR: r values per input (≥ 2)
};

struct Mismatch {
  std::uint64_t input_bits = 0;
  std::uint64_t r = 0;
  std::uint64_t expected = 0, got = 0;
  bool expected_none = false, got_none = false;  // NaN in a format without NaN
};

struct CompareReport {
  std::uint64_t inputs = 0;  // distinct input words checked
  std::uint64_t cases = 0;   // (input, r) pairs checked
  std::uint64_t mismatches = 0;
  std::vector<Mismatch> first;
  bool ok() const { return mismatches == 0 && cases > 0; }
};

// Expected code of the reference for one input word and r (nullopt: NaN without encoding).
std::optional<std::uint64_t> reference_code(const IeeeLikeFormat& format, const Rounding& rounding,
                                            device::SourceFormat source, std::uint64_t input_bits, std::uint64_t r);

// Runs the sweep described by spec on the chosen backend. Throws InputError on bad specs (e.g. CUDA
// requested in a build without CUDA, exhaustive on binary64).
CompareReport compare_kernel(const CompareSpec& spec);

// Checks arrays produced by someone else's kernel: inputs (source words), outputs (codes), and the
// random words each element used (required for stochastic modes).
CompareReport compare_arrays(const IeeeLikeFormat& format, const Rounding& rounding, device::SourceFormat source,
                             const std::vector<std::uint64_t>& inputs, const std::vector<std::uint64_t>& outputs,
                             const std::vector<std::uint64_t>& random, int max_reported = 10);

}  // namespace roundlab::proofs
