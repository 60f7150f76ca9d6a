// Fast CPU launcher: the same contract as round_array_cpu (same codes, same no-encoding flags, same
// Philox stream words), through device/fast_rounding.hpp's vectorizable element function where it
// applies (make_fast_plan), and through round_array_cpu otherwise. Per chunk of elements it fills the
// chunk's Philox blocks (AVX-512 intrinsics where the CPU has them, else a
// plain loop the compiler vectorizes), then rounds the chunk in one auto-vectorized loop, compiled for
// AVX-512, AVX2 and the baseline ISA and chosen at run time. Random words come from the stream's slots
// (8, 16 or 32 elements per Philox block); for N > 16 only their top 16 bits are drawn in the loop, and
// the few elements those leave open (about 1 in 2^16) are finished with the word's low part. Without
// flags, the plan's aligned kernels (device/fast_rounding.hpp) take Philox slots (nibble slots unpacked
// and masked to N bits in one AVX-512 pass) and RNE runs in 16-bit lanes from 16-bit sources.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "device/array_rounding.hpp"
#include "device/fast_rounding.hpp"

namespace roundlab::device {

// True when round_array_cpu_fast takes the fast path for this combination.
bool fast_path_applies(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source);

// Drop-in for round_array_cpu; threads = 0 uses OpenMP's default.
void round_array_cpu_fast(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* in,
                          void* out, std::size_t n, const RandomInput& random, std::uint8_t* no_encoding = nullptr,
                          int threads = 0);

// Instruction set the fast path runs with on this CPU: "avx512", "avx2" or "baseline".
const char* fast_path_isa();

// Instruction sets this CPU can run the fast path with, best first (e.g. avx512, avx2, baseline).
std::vector<std::string> fast_path_isas();
// Restricts the fast path to a lower instruction set ("avx512", "avx2", "baseline"), so tests can run
// every variant on one machine; false (and no change) when the CPU lacks it or the name is unknown.
// Not thread-safe: call it between launches.
bool set_fast_path_isa(const char* name);

// Fills the words of Philox blocks [block0, block0 + blocks) of (seed, stream): out[4j + w] = word w of
// block block0 + j, i.e. the slots of device/philox.hpp's stream definition. Exposed for tests.
void philox_fill_blocks(const RandomStream& s, std::uint64_t block0, std::size_t blocks, std::uint32_t* out);

}  // namespace roundlab::device
