// The P3109 RoundAway predicates on machine words: the device twin of reference/round_away.cpp.
//
// The discarded fraction ν ∈ [0,1) arrives as F = ⌊ν·2^64⌋, G = the next bit, S = OR of all bits below
// (exact: every predicate needs at most N + 1 ≤ 65 leading bits of ν and whether any bit follows).
#pragma once
#include <cstdint>

#include "device/device_format.hpp"
#include "device/portability.hpp"

namespace roundlab::device {

struct Fraction {
  std::uint64_t f = 0;  // ⌊ν·2^64⌋
  bool g = false;       // bit 2^-65 of ν
  bool s = false;       // any bit below 2^-65
};

// C(ν) of a few-bit mode as (value, carry): carry set when C = 2^64 (only possible for N = 64).
RL_HD void few_bit_count(DeviceMode mode, int n, const Fraction& nu, std::uint64_t& c, bool& carry) {
  const std::uint64_t fl = n == 64 ? nu.f : nu.f >> (64 - n);
  const bool below = n == 64 ? nu.g : ((nu.f >> (63 - n)) & 1) != 0;
  const bool rest = n == 64 ? nu.s : ((nu.f & low_mask(63 - n)) != 0 || nu.g || nu.s);
  bool inc = false;
  switch (mode) {
    case DeviceMode::SRF: inc = below; break;                                  // ⌊ν2^N + ½⌋
    case DeviceMode::SRC: inc = below && (rest || (fl & 1)); break;            // RNITE
    case DeviceMode::SRO: inc = below && (rest || !(fl & 1)); break;           // RNITO
    case DeviceMode::SRCEIL: inc = below || rest; break;                       // ⌈·⌉
    default: break;                                                            // SRFF: ⌊·⌋
  }
  c = fl + (inc ? 1 : 0);
  carry = inc && c == 0;
}

RL_HD bool round_away_bits(const DeviceRounding& rd, std::uint64_t r, const Fraction& nu, bool positive,
                           bool code_is_even) {
  const bool nu_positive = nu.f != 0 || nu.g || nu.s;
  const bool half_bit = (nu.f >> 63) != 0;
  const bool below_half = (nu.f & low_mask(63)) != 0 || nu.g || nu.s;
  const int vs_half = half_bit ? (below_half ? 1 : 0) : -1;
  switch (rd.mode) {
    case DeviceMode::RTZ: return false;
    case DeviceMode::RUP: return nu_positive && positive;
    case DeviceMode::RDN: return nu_positive && !positive;
    case DeviceMode::RNA: return vs_half >= 0;
    case DeviceMode::RNE: return vs_half > 0 || (vs_half == 0 && !code_is_even);
    case DeviceMode::RN_TIE_ZERO: return vs_half > 0;
    case DeviceMode::RN_TIE_LOWER: return vs_half > 0 || (vs_half == 0 && !positive);
    case DeviceMode::RN_TIE_UPPER: return vs_half > 0 || (vs_half == 0 && positive);
    case DeviceMode::RTO: return nu_positive && code_is_even;
    case DeviceMode::SR: {  // ⌊ν2^64⌋ + r ≥ 2^64
      std::uint64_t sum = nu.f + r;
      return sum < r;
    }
    default: break;
  }
  const int n = rd.random_bits;
  if (n == 0 || (n < 64 && (r >> n) != 0)) return false;  // P3109: no round-away
  std::uint64_t c = 0;
  bool carry = false;
  few_bit_count(rd.mode, n, nu, c, carry);
  if (rd.mode == DeviceMode::SRCEIL) return carry || r < c;  // r < ⌈ν2^N⌉
  if (n < 64) return c + r >= (std::uint64_t{1} << n);       // C ≤ 2^N, r < 2^N: no wrap
  if (carry) return true;                                    // C = 2^64
  std::uint64_t sum = c + r;
  return sum < r;
}

}  // namespace roundlab::device
