// Block quantization with a scale that need not be a power of two, on words: NVFP4 (UE4M3 block scale
// from amax / (6·s_t), formats.md §3.3) and P3109 ConvertToBlockMaxAbsFinite (scale = Project(amax),
// §2.6): the device twin of reference/block_format.cpp's quantize_nvfp4 and quantize_p3109, from
// binary32 inputs. Shares the block scan, NaN fill and random words with the MX kernel (mx_block.hpp).
//
// Exactness: the reference rounds the exact quotient x / s (MPFR, or its round-to-odd image at 320
// bits, which rounds like it). Here no quotient is formed in floating point: round_quotient divides
// the integer significands and hands the RoundAway predicates the exact integer part at the target's
// quantum and the exact first 66 fraction bits plus a sticky bit, which is all any mode reads
// (round_away_bits.hpp: ⌊ν·2^64⌋, the next bit, and whether any bit follows).
// A binary32/binary64 quotient would not do: the 64-bit SR modes read 66 bits below the element's
// quantum, and NVFP4 divisors (3·s_t·q_b) are odd, so the quotient's expansion never ends.
#pragma once
#include <cstddef>
#include <cstdint>

#include "device/array_rounding.hpp"
#include "device/mx_block.hpp"
#include "device/portability.hpp"
#include "device/round_away_bits.hpp"
#include "device/round_to_format.hpp"

namespace roundlab::device {

enum class ScaledRule : std::uint8_t { NvFp4, AmaxItself };

// Value of one scale code, decoded on the host by the reference (so the device holds no second
// decoder). Scales are projections of values ≥ 0, so no sign is needed.
struct ScaleCodeValue {
  std::uint32_t m = 0;  // Finite: |value| = m·2^e, m > 0
  std::int16_t e = 0;
  ValueClass cls = ValueClass::Zero;
};

inline constexpr int kScaledMaxScaleCodes = 256;  // scale formats of at most 8 bits

struct DeviceScaledBlock {
  DeviceFormat element;
  DeviceFormat scale;
  int block_size = 16;
  ScaledRule rule = ScaledRule::NvFp4;
  DeviceRounding scale_rounding;  // NvFp4: RNE in the spec; AmaxItself: ρ_s
  // NvFp4 (all exact dyadics m·2^e): target = amax / (max_elem·s_t) = amax / (target_m·2^target_e),
  // clamped to [lo, hi] = [scale min normal, scale max finite]; the block's scale is s_t·q_b with
  // s_t = tensor_m·2^tensor_e.
  std::uint64_t target_m = 3, tensor_m = 1, lo_m = 1, hi_m = 7;
  std::int64_t target_e = 1, tensor_e = 0, lo_e = -6, hi_e = 6;
  ScaleCodeValue scale_values[kScaledMaxScaleCodes];
};

namespace scaled_detail {

// Unsigned 128-bit value as two words: only shifts are needed (no device-side 128-bit division).
struct U128 {
  std::uint64_t hi = 0, lo = 0;
};

// t·2^c + digit for 1 ≤ c ≤ 63, digit < 2^c. Exact while t·2^c < 2^128.
RL_HD U128 shift_in(U128 t, int c, std::uint64_t digit) {
  t.hi = (t.hi << c) | (t.lo >> (64 - c));
  t.lo = (t.lo << c) | digit;
  return t;
}

// Sign of a·2^ea − b·2^eb for a, b > 0. Exact: top-bit positions, then top-aligned significands.
RL_HD int compare_dyadic(std::uint64_t a, std::int64_t ea, std::uint64_t b, std::int64_t eb) {
  const std::int64_t ta = ea + bit_length(a), tb = eb + bit_length(b);
  if (ta != tb) return ta < tb ? -1 : 1;
  const std::uint64_t na = a << (64 - bit_length(a)), nb = b << (64 - bit_length(b));
  return na < nb ? -1 : (na > nb ? 1 : 0);
}

// ±m·2^e as an exact Unpacked value.
RL_HD Unpacked finite_value(bool negative, std::uint64_t m, std::int64_t e) {
  Unpacked u;
  u.negative = negative;
  u.cls = ValueClass::Finite;
  u.m = m;
  u.e = e;
  return u;
}

}  // namespace scaled_detail

// Rounds ±(a·2^ea)/(d·2^ed) to f with rd and random word r: Project of the exact quotient, equal to
// round_to_format of it. Needs 0 < a < 2^64, 0 < d < 2^63 and f.p ≤ 62.
// Exact: the quantum q is round_to_format's, from ⌊log2 Q⌋ computed on top-aligned significands; then
// T = ⌊Q·2^(66−q)⌋ (< 2^(p+66) by the choice of q) by schoolbook division of a·2^j by d, j bits at a
// time in chunks that keep the remainder·2^chunk below 2^64; the remainder ≠ 0 is the sticky bit.
// The rounded magnitude s·2^q then lies on f's grid, so round_to_format of it (ν = 0: no mode rounds
// away) only saturates and encodes, exactly as it would for the unrounded quotient.
RL_HD DeviceResult round_quotient(const DeviceFormat& f, const DeviceRounding& rd, bool negative, std::uint64_t a,
                                  std::int64_t ea, std::uint64_t d, std::int64_t ed, std::uint64_t r) {
  using scaled_detail::U128;
  const int la = bit_length(a), ld = bit_length(d);
  // Q = (na/nd)·2^(ea+la−ed−ld) with na/nd ∈ (½, 2).
  const std::uint64_t na = a << (64 - la), nd = d << (64 - ld);
  const std::int64_t msb = (ea + la) - (ed + ld) - (na < nd ? 1 : 0);
  std::int64_t e = msb;
  if (f.subnormals && e < 1 - f.bias) e = 1 - f.bias;
  const std::int64_t q = e - f.p + 1;
  const std::int64_t j = ea - ed - q + 66;  // T = ⌊a·2^j / d⌋
  U128 t;
  bool sticky = false;
  if (j >= 0) {
    t.lo = a / d;
    std::uint64_t rem = a % d;
    const int step = 64 - ld;  // rem < d < 2^ld
    for (std::int64_t left = j; left > 0;) {
      const int c = left < step ? static_cast<int>(left) : step;
      rem <<= c;
      t = scaled_detail::shift_in(t, c, rem / d);
      rem %= d;
      left -= c;
    }
    sticky = rem != 0;
  } else if (j > -64) {  // ⌊a·2^j / d⌋ = ⌊⌊a·2^j⌋ / d⌋
    const std::uint64_t top = a >> (-j);
    t.lo = top / d;
    sticky = (a & low_mask(static_cast<int>(-j))) != 0 || top % d != 0;
  } else {
    sticky = true;  // 0 < a·2^j < 1
  }
  // T = integer·2^66 + F·2^2 + G·2 + (last bit).
  Fraction nu;
  nu.f = (t.lo >> 2) | (t.hi << 62);
  nu.g = ((t.lo >> 1) & 1) != 0;
  nu.s = (t.lo & 1) != 0 || sticky;
  const std::uint64_t integer = t.hi >> 2;
  const bool code_is_even = f.p > 1 ? (integer & 1) == 0 : (integer == 0 || ((q + f.bias) & 1) == 0);
  const std::uint64_t s = integer + (round_away_bits(rd, r, nu, !negative, code_is_even) ? 1 : 0);
  if (s == 0) return detail::encode(f, detail::Outcome::Zero, negative, 0);
  return round_to_format(f, rd, scaled_detail::finite_value(negative, s, q), 0);
}

namespace scaled_detail {

// NVFP4: q_b = Project_scale(clamp(amax / (max_elem·s_t), lo, hi)); elements Project(x / (s_t·q_b)).
// Exact: the clamp compares integers, every rounding is round_to_format or round_quotient.
RL_HD void quantize_nvfp4_block(const DeviceScaledBlock& b, const DeviceRounding& er, const std::uint32_t* in,
                                void* codes, std::uint8_t* scales, const RandomInput& random,
                                const RandomInput& scale_random, std::size_t block, std::size_t first,
                                const BlockScan& sc) {
  if (sc.any_special) {
    scales[block] = static_cast<std::uint8_t>(b.scale.code_nan);
    fill_nan_elements(b.element, codes, first, b.block_size);
    return;
  }
  const std::uint64_t rs = random_word(scale_random, b.scale_rounding, block);
  const Unpacked amax = unpack_binary32(sc.amax_bits);
  // target < lo ⇔ amax < lo·target_m·2^(lo_e+target_e); both products are exact (checked on the host).
  DeviceResult qb;
  if (amax.cls == ValueClass::Zero ||
      compare_dyadic(amax.m, amax.e, b.lo_m * b.target_m, b.lo_e + b.target_e) < 0)
    qb = round_to_format(b.scale, b.scale_rounding, finite_value(false, b.lo_m, b.lo_e), rs);
  else if (compare_dyadic(amax.m, amax.e, b.hi_m * b.target_m, b.hi_e + b.target_e) > 0)
    qb = round_to_format(b.scale, b.scale_rounding, finite_value(false, b.hi_m, b.hi_e), rs);
  else
    qb = round_quotient(b.scale, b.scale_rounding, false, amax.m, amax.e, b.target_m, b.target_e, rs);
  scales[block] = static_cast<std::uint8_t>(qb.code);
  // q_b ∈ [lo, hi] (lo and hi are on the grid, so no mode leaves the interval): finite and > 0.
  const ScaleCodeValue& s = b.scale_values[qb.code];
  const std::uint64_t dm = b.tensor_m * s.m;
  const std::int64_t de = b.tensor_e + s.e;
  for (int i = 0; i < b.block_size; ++i) {
    const Unpacked x = unpack_binary32(in[first + i]);
    const std::uint64_t r = random_word(random, er, first + i);
    const DeviceResult res = x.cls == ValueClass::Zero ? round_to_format(b.element, er, x, r)  // ±0 / s = ±0
                                                       : round_quotient(b.element, er, x.negative, x.m, x.e, dm, de, r);
    store_code(b.element, codes, first + i, res.code);
  }
}

// P3109 ConvertToBlockMaxAbsFinite: s = Project_scale(max finite |x_i|, NaN if none); element inputs
// NaN (s or x NaN), +0 (s = 0), sgn(x_i) (s = ∞), ±∞ (x infinite), else x / s. Exact as above.
RL_HD void quantize_amax_block(const DeviceScaledBlock& b, const DeviceRounding& er, const std::uint32_t* in,
                               void* codes, std::uint8_t* scales, const RandomInput& random,
                               const RandomInput& scale_random, std::size_t block, std::size_t first,
                               const BlockScan& sc) {
  Unpacked amax;
  if (sc.any_finite) amax = unpack_binary32(sc.amax_bits);
  else amax.cls = ValueClass::NaN;
  const DeviceResult sr = round_to_format(b.scale, b.scale_rounding, amax, random_word(scale_random, b.scale_rounding, block));
  scales[block] = static_cast<std::uint8_t>(sr.code);
  const ScaleCodeValue& s = b.scale_values[sr.code];
  for (int i = 0; i < b.block_size; ++i) {
    const Unpacked x = unpack_binary32(in[first + i]);
    const std::uint64_t r = random_word(random, er, first + i);
    Unpacked input;  // +0
    if (s.cls == ValueClass::NaN || x.cls == ValueClass::NaN) {
      input.cls = ValueClass::NaN;
    } else if (s.cls == ValueClass::Zero) {
      // every non-NaN element is +0
    } else if (s.cls == ValueClass::Infinite) {
      if (x.cls != ValueClass::Zero) input = finite_value(x.negative, 1, 0);
    } else if (x.cls == ValueClass::Infinite || x.cls == ValueClass::Zero) {
      input = x;  // ±∞ / s and ±0 / s keep x's sign (s > 0)
    } else {
      store_code(b.element, codes, first + i, round_quotient(b.element, er, x.negative, x.m, x.e, s.m, s.e, r).code);
      continue;
    }
    store_code(b.element, codes, first + i, round_to_format(b.element, er, input, r).code);
  }
}

}  // namespace scaled_detail

// Quantizes block `block` of `in` (binary32 words): element codes to `codes` (code_bytes wide), the
// scale code to `scales[block]`. Element random words come from `random` at element index
// block·block_size + i (as the MX kernel), the scale's (stochastic scale_rounding) from `scale_random`
// at index `block`. `er` carries the element saturation (see make_scaled_element_rounding).
RL_HD void quantize_scaled_block(const DeviceScaledBlock& b, const DeviceRounding& er, const std::uint32_t* in,
                                 void* codes, std::uint8_t* scales, const RandomInput& random,
                                 const RandomInput& scale_random, std::size_t block) {
  const std::size_t first = block * static_cast<std::size_t>(b.block_size);
  const BlockScan sc = scan_block(in, first, b.block_size);
  if (b.rule == ScaledRule::NvFp4)
    scaled_detail::quantize_nvfp4_block(b, er, in, codes, scales, random, scale_random, block, first, sc);
  else
    scaled_detail::quantize_amax_block(b, er, in, codes, scales, random, scale_random, block, first, sc);
}

}  // namespace roundlab::device
