// Unpacking of the IEEE 754 source formats (binary16/32/64, bfloat16) into sign, class and an exact
// integer pair |x| = m·2^e. Exact, branch-light, host and device.
#pragma once
#include <cstdint>

#include "device/portability.hpp"

namespace roundlab::device {

enum class ValueClass : std::uint8_t { Zero, Finite, Infinite, NaN };

struct Unpacked {
  bool negative = false;
  ValueClass cls = ValueClass::Zero;
  std::uint64_t m = 0;  // significand integer (Finite: > 0)
  std::int64_t e = 0;   // exponent of its last bit
};

// IEEE source with k bits, precision p (implicit bit included), bias (binary32: 32, 24, 127).
RL_HD Unpacked unpack_ieee(std::uint64_t bits, int k, int p, int bias) {
  const int t = p - 1;
  const int w = k - 1 - t;
  Unpacked u;
  u.negative = ((bits >> (k - 1)) & 1) != 0;
  const std::uint64_t frac = bits & low_mask(t);
  const std::uint64_t ef = (bits >> t) & low_mask(w);
  if (ef == low_mask(w)) {
    u.cls = frac == 0 ? ValueClass::Infinite : ValueClass::NaN;
  } else if (ef == 0) {
    u.cls = frac == 0 ? ValueClass::Zero : ValueClass::Finite;
    u.m = frac;
    u.e = 1 - bias - t;
  } else {
    u.cls = ValueClass::Finite;
    u.m = frac | (std::uint64_t{1} << t);
    u.e = static_cast<std::int64_t>(ef) - bias - t;
  }
  return u;
}

RL_HD Unpacked unpack_binary32(std::uint32_t bits) { return unpack_ieee(bits, 32, 24, 127); }
RL_HD Unpacked unpack_binary64(std::uint64_t bits) { return unpack_ieee(bits, 64, 53, 1023); }
RL_HD Unpacked unpack_binary16(std::uint16_t bits) { return unpack_ieee(bits, 16, 11, 15); }
RL_HD Unpacked unpack_bfloat16(std::uint16_t bits) { return unpack_ieee(bits, 16, 8, 127); }

}  // namespace roundlab::device
