// Rounding of a binary64 word to an "sbits" format that keeps float64's exponent range (S explicit
// significand bits, 1 ≤ S ≤ 52; the reduced-precision emulator's format, as rpe's): the result is again
// a binary64 word, so the emulator never leaves double. Because the exponent range is float64's, the
// discarded part is always the low d = 52 − S bits of the word, for normal and subnormal doubles alike,
// and a carry out of the kept bits moves into the exponent field by itself (up to the +Inf word).
// Every mode of the suite, saturation None (IEEE: overflow to ±Inf by the P3109 SatNone table); the
// round-away decision is round_away_bits, the same predicate function as round_to_format's. Exact;
// host and device. tests/test_sbits_rounder.cpp checks it against round_to_format bit for bit.
#pragma once
#include <cstdint>

#include "device/device_format.hpp"
#include "device/portability.hpp"
#include "device/round_away_bits.hpp"

namespace roundlab::device {

// The canonical NaN that round_to_format encodes for every sbits format: exponent all ones, the top
// kept significand bit set (as a binary64 word).
RL_HD std::uint64_t sbits_nan_word() { return 0x7FF8000000000000ull; }

// `bits`: the binary64 word; `d`: discarded bits 52 − S in 0..51; r: the random word (stochastic modes).
RL_HD std::uint64_t round_binary64_to_sbits(std::uint64_t bits, int d, const DeviceRounding& rd, std::uint64_t r) {
  constexpr std::uint64_t kSign = 0x8000000000000000ull, kExp = 0x7FF0000000000000ull;
  if ((bits & kExp) == kExp) return (bits & ~kSign & ~kExp) != 0 ? sbits_nan_word() : bits;  // NaN, ±Inf
  if (d == 0) return bits;
  const std::uint64_t mask = low_mask(d);
  const std::uint64_t mag = bits & ~kSign;
  const std::uint64_t kept = mag & ~mask;
  // The common modes as integer additions (no data-dependent branch: an emulated model's rounding
  // directions are unpredictable); the same results as round_away_bits' predicates.
  if (rd.mode == DeviceMode::RNE) {  // carry iff D > half, or D = half and the kept lsb is 1
    const std::uint64_t half = std::uint64_t{1} << (d - 1);
    return (bits & kSign) | ((mag + (half - 1) + ((mag >> d) & 1)) & ~mask);
  }
  if (rd.mode == DeviceMode::SR) {  // carry of ⌊ν·2^64⌋ + r
    const std::uint64_t f = (mag & mask) << (64 - d);
    return (bits & kSign) | (kept + (static_cast<std::uint64_t>(f + r < r) << d));
  }
  Fraction nu;
  nu.f = (mag & mask) << (64 - d);  // ν = discarded / 2^d, exactly (d ≤ 51 bits)
  const bool positive = (bits & kSign) == 0;
  const bool even = ((kept >> d) & 1) == 0;
  const bool away = round_away_bits(rd, r, nu, positive, even);
  return (bits & kSign) | (kept + (away ? (std::uint64_t{1} << d) : 0));
}

}  // namespace roundlab::device
