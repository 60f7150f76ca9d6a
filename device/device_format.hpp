// DeviceFormat / DeviceRounding: plain-old-data images of reference/'s IeeeLikeFormat and Rounding,
// with the codes and limits the bit-level kernels need precomputed on the host. Built from the
// reference descriptions (make_device_format), so a format is defined once.
#pragma once
#include <cstdint>

#include "device/portability.hpp"

namespace roundlab::device {

enum class DeviceMode : std::uint8_t {
  RNE, RNA, RTZ, RUP, RDN, RTO,
  SR,      // exact SR from a 64-bit word (= SRFF with N = 64)
  SRFF, SRF, SRC, SRO, SRCEIL,
  RN_TIE_ZERO, RN_TIE_LOWER, RN_TIE_UPPER,  // nearest with the other tie rules of the reference
};

enum class DeviceSaturation : std::uint8_t { None, Finite, Propagate };

struct DeviceRounding {
  DeviceMode mode = DeviceMode::RNE;
  int random_bits = 0;  // N, 0..64 (SR: 64)
  DeviceSaturation saturation = DeviceSaturation::None;
};

struct DeviceFormat {
  int k = 8, p = 4, t = 3, w = 4;
  std::int64_t bias = 7;
  bool is_signed = true, twos_complement = false, extended = true, negative_zero = true;
  bool subnormals = true, overflow_nan = false, has_nan = true, has_zero = true;
  std::uint64_t sign_bit = 0x80;           // 0 for unsigned
  std::uint64_t max_magnitude_code = 0x7e; // magnitude code of M_hi
  std::int64_t max_exponent_field = 15;    // largest exponent field value of a finite number
  std::uint64_t code_nan = 0x7f, code_pos_inf = 0x7c, code_neg_inf = 0xfc;
  // M_lo: for signed sign-magnitude −M_hi; two's complement −2^(k−1) units; unsigned: 0 or min (no zero).
  std::uint64_t min_magnitude_code = 0;    // magnitude code of |M_lo| on the negative side (two's complement)
};

// Result of one rounding: the code, or no_encoding when the result is NaN in a format without NaN.
struct DeviceResult {
  std::uint64_t code = 0;
  bool no_encoding = false;
};

}  // namespace roundlab::device
