// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the counter-
// based generator behind every random bit of roundlab: same function on CPU and GPU, no state.
//
// Stream definition (fixed; results record seed and stream): the random word of element i in
// (seed, stream) is
//   N ≤ 32: word (i mod 4) of Philox(ctr = {⌊i/4⌋ lo, ⌊i/4⌋ hi, stream lo, stream hi}, key = seed),
//   N > 32: words 2(i mod 2), 2(i mod 2)+1 (low, high) of Philox(ctr = {⌊i/2⌋ …}, key = seed),
// masked to its low N bits.
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

// The N-bit random word of element `index` (see the stream definition above); N in 0..64.
RL_HD std::uint64_t random_bits_for(const RandomStream& s, std::uint64_t index, int n) {
  if (n <= 0) return 0;
  const auto key0 = static_cast<std::uint32_t>(s.seed), key1 = static_cast<std::uint32_t>(s.seed >> 32);
  const auto st0 = static_cast<std::uint32_t>(s.stream), st1 = static_cast<std::uint32_t>(s.stream >> 32);
  if (n <= 32) {
    const std::uint64_t block = index >> 2;
    const Philox4x32 out = philox4x32_10(
        Philox4x32{{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), st0, st1}}, key0, key1);
    return out.v[index & 3] & low_mask(n);
  }
  const std::uint64_t block = index >> 1;
  const Philox4x32 out = philox4x32_10(
      Philox4x32{{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), st0, st1}}, key0, key1);
  const int w = static_cast<int>(index & 1) * 2;
  return ((static_cast<std::uint64_t>(out.v[w + 1]) << 32) | out.v[w]) & low_mask(n);
}

}  // namespace roundlab::device
