// A kernel vs the exact reference, bit for bit: the sweep of (input word, r) cases with their exact
// expected codes, evaluated in batches by any kernel — our device launchers (proofs/compare_kernels)
// or a user's callable (testing/kernel_checker). Exhaustive over 16-bit sources (every r for N ≤ 8),
// sampled for any source, sharded.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <random>
#include <string_view>
#include <vector>

#include "device/array_rounding.hpp"
#include "reference/exact_value.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab::analysis {

struct SweepSpec {
  IeeeLikeFormat format;
  Rounding rounding;
  device::SourceFormat source = device::SourceFormat::Binary32;
  bool exhaustive = false;         // every input code (16-bit sources; binary32 is allowed with shards)
  std::uint64_t samples = 100000;  // sampled mode
  std::uint64_t seed = 1;
  std::uint64_t shard_index = 0, shard_count = 1;
  int max_reported = 10;
  int random_per_input = 16;  // exhaustive mode, N > 8 or exact SR: r values per input (≥ 2)
  // Where the reference has no encoding (NaN into a format without NaN), accept whatever the kernel
  // wrote (a user's kernel has no "no encoding" channel). Off: the kernel must report none.
  bool any_output_without_encoding = false;
};

struct Mismatch {
  std::uint64_t input_bits = 0;
  std::uint64_t r = 0;
  std::uint64_t expected = 0, got = 0;
  bool expected_none = false, got_none = false;  // NaN in a format without NaN
  std::string note;  // which launch produced `got`, where a sweep runs several ("avx2, with flags")
};

struct SweepReport {
  std::uint64_t inputs = 0;  // distinct input words checked
  std::uint64_t cases = 0;   // (input, r) pairs checked
  std::uint64_t mismatches = 0;
  std::vector<Mismatch> first;
  bool ok() const { return mismatches == 0 && cases > 0; }
  // Counts one case; keeps it in `first` (up to max_reported) when got differs from expected.
  void record(int max_reported, std::uint64_t input_bits, std::uint64_t r, std::optional<std::uint64_t> expected,
              std::uint64_t got, bool got_none, bool any_output_without_encoding = false);
};

// Evaluates a batch: codes[i] (and none[i] = 1 for "no encoding") for inputs[i] with random word rs[i].
using BatchKernel = std::function<void(const std::vector<std::uint64_t>& inputs, const std::vector<std::uint64_t>& rs,
                                       std::vector<std::uint64_t>& codes, std::vector<std::uint8_t>& none)>;

// The exact value of a source word (binary32, binary64, bfloat16, binary16). Exact.
ExactValue source_value(device::SourceFormat source, std::uint64_t bits);

// binary32|float32|fp32, binary64|float64|fp64, bfloat16|bf16, binary16|float16|fp16; InputError otherwise.
device::SourceFormat source_format_from_name(std::string_view name);
const char* source_format_name(device::SourceFormat source);

// A sampled source word that reaches every class: random words, small exponents (the target's and the
// source's subnormal ranges), words with trailing zeros or ones (ties, boundaries).
std::uint64_t sample_source_word(std::mt19937_64& rng, device::SourceFormat source);

// Expected code of the reference for one input word and r (nullopt: NaN without encoding). Exact.
std::optional<std::uint64_t> reference_code(const IeeeLikeFormat& format, const Rounding& rounding,
                                            device::SourceFormat source, std::uint64_t input_bits, std::uint64_t r);

// Runs the sweep described by spec, evaluating the kernel in batches of at most 2^16 inputs (× r).
// Throws InputError on bad specs (invalid rounding, bad shard, exhaustive on binary64).
SweepReport sweep_against_reference(const SweepSpec& spec, const BatchKernel& kernel);

}  // namespace roundlab::analysis
