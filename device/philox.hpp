// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the counter-
// based generator behind every random bit of roundlab: same function on CPU and GPU, no state.
//
// Stream definition (fixed; results record seed and stream). The N-bit random word r of element i in
// (seed, stream), N in 1..64, is made of a top part of t = min(N, b) bits and, when N > b, a low part:
//   slot width b = 4 when N ≤ 4, 8 when N ≤ 8, else 16; a Philox block holds 128/b slots (32, 16 or 8
//          elements);
//   top  = the low t bits of slot (i mod 128/b) of Philox(ctr = {j lo, j hi, stream lo, stream hi},
//          key = seed), j = ⌊i / (128/b)⌋; the block's bytes B_0..B_15 are its words little-endian
//          (B_m = bits [8(m mod 4), +8) of word ⌊m/4⌋); b = 16: slot k = B_2k + 256·B_(2k+1) (the block
//          read as 16-bit words); b = 8: slot k = B_k; b = 4: slot k = the low nibble of B_k for k < 16, the
//          high nibble of B_(k−16) for k ≥ 16 (so slots unpack with whole-vector operations);
//   low  = the low N − 16 bits of (v1·2^32 + v0) of Philox(ctr = {i lo, i hi | 2^31, stream lo, stream hi},
//          key = seed) (a counter range disjoint from the slots' for i < 2^63);
//   r    = top·2^(N−t) + low.
// Why: every rounding decision is "r ≥ threshold", which the top part settles unless it equals the
// threshold's top part (probability 2^-16 for N > 16), so a kernel draws one Philox block per 8, 16 or
// 32 elements and the low part only for those rare ties (random_word_bounds, random_low_part); the
// result is the same as with the whole word. Every bit of r is uniform and independent of the others.
// (Revision note: before 2026-12-05 the slots of N > 8 were 8 bits wide, with ties at 2^-8; results
// drawn from Philox with N > 8 or exact SR differ from those of earlier revisions.)
#pragma once
#include <cstdint>

#include "device/portability.hpp"

namespace roundlab::device {

struct Philox4x32 {
  std::uint32_t v[4];
};

RL_HD void mulhilo32(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(p >> 32);
  lo = static_cast<std::uint32_t>(p);
}

RL_HD Philox4x32 philox4x32_10(Philox4x32 ctr, std::uint32_t key0, std::uint32_t key1) {
  constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // multipliers
  constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Weyl key increments
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int round = 0; round < 10; ++round) {
    std::uint32_t hi0, lo0, hi1, lo1;
    mulhilo32(kM0, ctr.v[0], hi0, lo0);
    mulhilo32(kM1, ctr.v[2], hi1, lo1);
    ctr = Philox4x32{{hi1 ^ ctr.v[1] ^ key0, lo1, hi0 ^ ctr.v[3] ^ key1, lo0}};
    key0 += kW0;
    key1 += kW1;
  }
  return ctr;
}

struct RandomStream {
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;
};

RL_HD Philox4x32 philox_at(const RandomStream& s, std::uint32_t c0, std::uint32_t c1) {
  return philox4x32_10(Philox4x32{{c0, c1, static_cast<std::uint32_t>(s.stream), static_cast<std::uint32_t>(s.stream >> 32)}},
                       static_cast<std::uint32_t>(s.seed), static_cast<std::uint32_t>(s.seed >> 32));
}

// Slot width b and slots per Philox block for an N-bit word.
RL_HD int random_slot_bits(int n) { return n <= 4 ? 4 : n <= 8 ? 8 : 16; }
RL_HD int random_slots_per_block(int n) { return 128 / random_slot_bits(n); }
// Bits of r that come from the slot: t = min(N, b).
RL_HD int random_top_bits(int n) { return n < random_slot_bits(n) ? n : random_slot_bits(n); }

// Slot `k` (0 ≤ k < 128/b) of a Philox block, for an N-bit word: its low t bits.
RL_HD std::uint32_t random_slot_of(const Philox4x32& block, int k, int n) {
  if (random_slot_bits(n) == 16)  // 16-bit word k
    return (block.v[(k & 7) >> 1] >> (16 * (k & 1))) & static_cast<std::uint32_t>(low_mask(random_top_bits(n)));
  const int m = k & 15;  // byte B_m
  const std::uint32_t byte = (block.v[m >> 2] >> (8 * (m & 3))) & 0xffu;
  const std::uint32_t slot = random_slot_bits(n) == 8 ? byte : k < 16 ? byte & 15u : byte >> 4;
  return slot & static_cast<std::uint32_t>(low_mask(random_top_bits(n)));
}

// The top part of element `index`'s N-bit word (0 when N ≤ 0).
RL_HD std::uint32_t random_top_part(const RandomStream& s, std::uint64_t index, int n) {
  if (n <= 0) return 0;
  const int per = random_slots_per_block(n);
  const std::uint64_t block = index / static_cast<std::uint64_t>(per);
  const Philox4x32 out = philox_at(s, static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32));
  return random_slot_of(out, static_cast<int>(index % static_cast<std::uint64_t>(per)), n);
}

// The low N − t bits of element `index`'s word (0 when N ≤ b).
RL_HD std::uint64_t random_low_part(const RandomStream& s, std::uint64_t index, int n) {
  const int low_bits = n - random_top_bits(n);
  if (low_bits <= 0) return 0;
  const Philox4x32 out =
      philox_at(s, static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32) | 0x80000000u);
  return ((static_cast<std::uint64_t>(out.v[1]) << 32) | out.v[0]) & low_mask(low_bits);
}

// The smallest and largest word with a given top part: r ∈ [lo, hi] whatever the low part. Exact.
struct RandomWordBounds {
  std::uint64_t lo, hi;
};
RL_HD RandomWordBounds random_word_bounds(std::uint32_t top, int n) {
  const int low_bits = n - random_top_bits(n);
  const std::uint64_t lo = static_cast<std::uint64_t>(top) << low_bits;
  return RandomWordBounds{lo, lo | low_mask(low_bits)};
}

// The N-bit random word of element `index` (see the stream definition above); N in 0..64.
RL_HD std::uint64_t random_bits_for(const RandomStream& s, std::uint64_t index, int n) {
  if (n <= 0) return 0;
  return random_word_bounds(random_top_part(s, index, n), n).lo | random_low_part(s, index, n);
}

}  // namespace roundlab::device
