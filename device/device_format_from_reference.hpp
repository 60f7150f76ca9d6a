// Host-only: builds the plain-data DeviceFormat / DeviceRounding from reference/'s descriptions, so a
// format or rounding is defined in one place. Uses only the descriptions' integer code functions.
#pragma once
#include "device/device_format.hpp"
#include "reference/error.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab::device {

inline DeviceFormat make_device_format(const IeeeLikeFormat& r) {
  r.validate();
  DeviceFormat f;
  f.k = r.k;
  f.p = r.p;
  f.t = r.trailing_bits();
  f.w = r.exponent_bits();
  f.bias = r.bias;
  f.is_signed = r.is_signed;
  f.twos_complement = r.twos_complement;
  f.extended = r.domain == Domain::Extended;
  f.negative_zero = r.has_negative_zero;
  f.subnormals = r.has_subnormals;
  f.overflow_nan = r.finite_overflow == FiniteOverflow::NaN;
  f.has_nan = r.has_nan();
  f.has_zero = r.has_zero();
  f.sign_bit = r.is_signed ? (std::uint64_t{1} << (r.k - 1)) : 0;
  f.max_magnitude_code = r.code_of_max();
  f.max_exponent_field = static_cast<std::int64_t>(low_mask(f.w));
  f.code_nan = r.has_nan() ? r.code_of_nan() : 0;
  f.code_pos_inf = r.has_infinities() ? r.code_of_positive_infinity() : 0;
  f.code_neg_inf = r.has_infinities() && r.is_signed ? r.code_of_negative_infinity() : 0;
  f.min_magnitude_code = r.twos_complement ? (std::uint64_t{1} << (r.k - 1)) : r.code_of_max();
  return f;
}

inline DeviceRounding make_device_rounding(const Rounding& r) {
  r.validate();
  DeviceRounding d;
  d.random_bits = r.random_bits;
  switch (r.saturation) {
    case Saturation::None: d.saturation = DeviceSaturation::None; break;
    case Saturation::Finite: d.saturation = DeviceSaturation::Finite; break;
    case Saturation::Propagate: d.saturation = DeviceSaturation::Propagate; break;
  }
  switch (r.mode) {
    case Mode::NearestTiesToEven: d.mode = DeviceMode::RNE; break;
    case Mode::NearestTiesToAway: d.mode = DeviceMode::RNA; break;
    case Mode::TowardZero: d.mode = DeviceMode::RTZ; break;
    case Mode::TowardPositive: d.mode = DeviceMode::RUP; break;
    case Mode::TowardNegative: d.mode = DeviceMode::RDN; break;
    case Mode::ToOdd: d.mode = DeviceMode::RTO; break;
    case Mode::StochasticExact: d.mode = DeviceMode::SR; d.random_bits = 64; break;
    case Mode::StochasticA: d.mode = DeviceMode::SRFF; break;
    case Mode::StochasticB: d.mode = DeviceMode::SRF; break;
    case Mode::StochasticC: d.mode = DeviceMode::SRC; break;
    case Mode::StochasticOdd: d.mode = DeviceMode::SRO; break;
    case Mode::StochasticCeil: d.mode = DeviceMode::SRCEIL; break;
    case Mode::Nearest:
      switch (r.tie) {
        case TieRule::Even: d.mode = DeviceMode::RNE; break;
        case TieRule::Away: d.mode = DeviceMode::RNA; break;
        case TieRule::Zero: d.mode = DeviceMode::RN_TIE_ZERO; break;
        case TieRule::Lower: d.mode = DeviceMode::RN_TIE_LOWER; break;
        case TieRule::Upper: d.mode = DeviceMode::RN_TIE_UPPER; break;
      }
      break;
  }
  return d;
}

}  // namespace roundlab::device
