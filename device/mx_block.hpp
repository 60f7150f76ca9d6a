// MX block quantization on words (OCP MX v1.0 §6.3 and torchao's CEIL/EVEN/RCEIL scale rules): the
// device twin of reference/block_format.cpp's MX path, from binary32 inputs. Scaling by the shared
// power of two is exact (an exponent shift), so each element is the proven round_to_format kernel.
// The block scan, NaN fill and random-word helpers here are shared with scaled_block.hpp (NVFP4, P3109).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "device/array_rounding.hpp"
#include "device/portability.hpp"
#include "device/round_to_format.hpp"

namespace roundlab::device {

enum class MxScaleRule : std::uint8_t { Floor, Ceil, Even, Rceil };

struct DeviceMxBlock {
  DeviceFormat element;
  int block_size = 32;
  int emax_elem = 2;           // ⌊log2 max_elem⌋
  int max_elem_mantissa = 1;   // m: mantissa bits of the element at its largest value (EVEN rule)
  double max_elem = 6.0;       // exact
  int scale_emin = -127, scale_emax = 127;  // E8M0 exponent range
  std::uint8_t scale_nan_code = 0xff;
  int scale_bias = 127;        // scale code = shared + bias
};

// Shared exponent of a block with finite non-zero amax (exact double comparisons: every quantity is a
// binary32 value or max_elem·2^s with |s| < 300, all exact in binary64).
RL_HD int mx_shared_exponent(const DeviceMxBlock& b, MxScaleRule rule, double amax) {
  int e = 0;
  const double frac = std::frexp(amax, &e);  // amax = frac·2^e, frac ∈ [0.5, 1)
  const int fl = e - 1;                        // ⌊log2 amax⌋
  switch (rule) {
    case MxScaleRule::Floor: return fl - b.emax_elem;
    case MxScaleRule::Ceil: return fl + (frac == 0.5 ? 0 : 1) - b.emax_elem;
    case MxScaleRule::Even: {
      const double threshold = std::ldexp(2.0 - std::ldexp(1.0, -(b.max_elem_mantissa + 1)), fl);
      return (amax < threshold ? fl : fl + 1) - b.emax_elem;
    }
    case MxScaleRule::Rceil: {
      int s = fl - b.emax_elem - 1;
      while (std::ldexp(b.max_elem, s) < amax) ++s;
      return s;
    }
  }
  return 0;
}

// What every block rule needs from a block of binary32 words: the largest finite magnitude and
// whether an Inf/NaN or a finite value occurs (exact: bit comparisons only).
struct BlockScan {
  std::uint32_t amax_bits = 0;  // +0 when no finite value
  bool any_special = false;     // some ±Inf or NaN
  bool any_finite = false;
};

RL_HD BlockScan scan_block(const std::uint32_t* in, std::size_t first, int n) {
  BlockScan s;
  for (int i = 0; i < n; ++i) {
    const std::uint32_t a = in[first + i] & 0x7fffffffu;
    if (a >= 0x7f800000u) {
      s.any_special = true;
    } else {
      s.any_finite = true;
      if (a > s.amax_bits) s.amax_bits = a;  // magnitude order = bit order for finite binary32
    }
  }
  return s;
}

// The reference's NaN block's elements: the element's NaN, or code 0 ("don't care") without one.
// Stores codes only (no arithmetic).
RL_HD void fill_nan_elements(const DeviceFormat& element, void* codes, std::size_t first, int n) {
  for (int i = 0; i < n; ++i) store_code(element, codes, first + i, element.has_nan ? element.code_nan : 0);
}

// The random word of element (or block) `index`: explicit array or Philox stream, as round_element.
RL_HD std::uint64_t random_word(const RandomInput& random, const DeviceRounding& rd, std::size_t index) {
  if (!needs_random(rd)) return 0;
  return random.explicit_r ? random.explicit_r[index]
                           : random_bits_for(random.stream, random.first_index + index, rd.random_bits);
}

// Quantizes block `block` of `in` (binary32 words): element codes to `codes` (code_bytes wide), the
// E8M0 scale code to `scales[block]`. Random words (stochastic element modes) are taken for element
// index block·block_size + i from `random`.
RL_HD void quantize_mx_block(const DeviceMxBlock& b, MxScaleRule rule, const DeviceRounding& er,
                             const std::uint32_t* in, void* codes, std::uint8_t* scales, const RandomInput& random,
                             std::size_t block) {
  const std::size_t first = block * static_cast<std::size_t>(b.block_size);
  const BlockScan sc = scan_block(in, first, b.block_size);
  int shared = b.scale_emin;
  bool nan_block = sc.any_special;
  if (!sc.any_special && sc.amax_bits != 0) {
    float amax_f;
    std::memcpy(&amax_f, &sc.amax_bits, 4);
    shared = mx_shared_exponent(b, rule, static_cast<double>(amax_f));
    if (shared > b.scale_emax) nan_block = true;
    if (shared < b.scale_emin) shared = b.scale_emin;
  }
  if (nan_block) {
    scales[block] = b.scale_nan_code;
    fill_nan_elements(b.element, codes, first, b.block_size);
    return;
  }
  scales[block] = static_cast<std::uint8_t>(shared + b.scale_bias);
  for (int i = 0; i < b.block_size; ++i) {
    Unpacked u = unpack_binary32(in[first + i]);
    u.e -= shared;  // V_i / 2^shared, exact
    store_code(b.element, codes, first + i, round_to_format(b.element, er, u, random_word(random, er, first + i)).code);
  }
}

}  // namespace roundlab::device
