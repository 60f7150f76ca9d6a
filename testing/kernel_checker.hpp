// One call to check your own rounding kernel against the exact reference, bit for bit.
//
// Your kernel is a callable (input_bits, r) -> code: input_bits is a source word (binary16, bfloat16,
// binary32 or binary64 bits in the low bits of a uint64), r the random word of a stochastic rounding
// (0 ≤ r < 2^N for the few-bit modes, any 64-bit word for sr; 0 for deterministic modes), and the
// result is the code of the target format. A CUDA kernel is checked through a host callable that
// launches it (or through a batch of arrays: proofs/compare_kernels.hpp, `roundlab compare --inputs`).
//
// Exactness: every expected code is the reference's exact result (MPFR); a case passes only when the
// kernel returns exactly that code.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "device/array_rounding.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/rounding.hpp"

namespace roundlab::testing {

using Kernel = std::function<std::uint64_t(std::uint64_t input_bits, std::uint64_t r)>;

struct KernelCheckOptions {
  // true: every input word of a 16-bit source, with every r for N ≤ 8 (random_per_input r values,
  // 0 and 2^N − 1 included, otherwise). false: `samples` seeded (input, r) cases reaching every class.
  bool exhaustive = true;
  std::uint64_t samples = 100000;
  std::uint64_t seed = 1;
  int random_per_input = 16;
  // Where the reference has no encoding (NaN into a format without NaN), accept any code.
  bool any_output_without_encoding = true;
  // Where the reference gives NaN (always the format's canonical NaN code), accept every NaN code of the
  // format (other payloads and signs). Off: bit for bit, the canonical code only.
  bool any_nan_code = false;
};

struct Counterexample {
  std::uint64_t input_bits = 0;
  std::uint64_t r = 0;
  std::optional<std::uint64_t> expected;  // nullopt: the reference has no encoding
  std::uint64_t got = 0;
};

struct KernelCheckResult {
  std::uint64_t inputs = 0;  // distinct input words
  std::uint64_t cases = 0;   // (input, r) pairs
  std::uint64_t mismatches = 0;
  std::optional<Counterexample> first;  // the first (or, from check_kernel_shrinking, the smallest) failure
  // Empty when ok(); otherwise what a user reads: "p3109_k8p4se src N=3 sat=none: the kernel differs from
  // the reference in 3 of 524288 cases; first: " + describe_counterexample(…), or from
  // check_kernel_shrinking "…: RapidCheck found a counterexample after 12 passing cases, shrunk to: …".
  std::string message;
  bool ok() const { return mismatches == 0 && cases > 0; }
};

// Sweeps the kernel against the reference (see KernelCheckOptions). format must be IEEE-like (not a
// codebook or block format); throws InputError otherwise, and for an invalid rounding or an exhaustive
// sweep of binary64 (binary32 is allowed but means 2^32 calls).
KernelCheckResult check_kernel(const Format& format, const Rounding& rounding, device::SourceFormat source,
                               const Kernel& kernel, const KernelCheckOptions& options = {});

// RapidCheck variant: `cases` random cases from gen_interesting_source_word and gen_r; on a failure
// RapidCheck shrinks (input word toward 0, r toward 0) and the smallest failing case is returned as
// `first`. mismatches counts 1 when a failure was found. seed 0: RapidCheck's configured seed.
KernelCheckResult check_kernel_shrinking(const Format& format, const Rounding& rounding, device::SourceFormat source,
                                         const Kernel& kernel, int cases = 1000, std::uint64_t seed = 0);

// "input binary16 0x3c05 (0x1.014p+0) r=5: expected 0x41 (0x1.2p+0), got 0x40 (0x1p+0)": the input word and
// its exact value, r (stochastic roundings only), the expected and the returned code with their values.
std::string describe_counterexample(const IeeeLikeFormat& format, const Rounding& rounding,
                                    device::SourceFormat source, const Counterexample& c);

}  // namespace roundlab::testing
