// Host-only: DeviceMxBlock from the reference's BlockFormat (one definition of every MX format).
#pragma once
#include "device/device_format_from_reference.hpp"
#include "device/mx_block.hpp"
#include "reference/block_format.hpp"
#include "reference/error.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab::device {

inline MxScaleRule to_device_rule(ScaleRule rule) {
  switch (rule) {
    case ScaleRule::MxFloor: return MxScaleRule::Floor;
    case ScaleRule::MxCeil: return MxScaleRule::Ceil;
    case ScaleRule::MxEven: return MxScaleRule::Even;
    case ScaleRule::MxRceil: return MxScaleRule::Rceil;
    default: throw InputError("the device MX kernel takes the MX scale rules only (floor, ceil, even, rceil)");
  }
}

inline DeviceMxBlock make_device_mx_block(const BlockFormat& f) {
  if (f.scale.is_signed || f.scale.p != 1 || f.scale.k != 8)
    throw InputError("block '" + f.name + "' is not an MX block (E8M0 scale)");
  DeviceMxBlock b;
  b.element = make_device_format(f.element);
  b.block_size = f.block_size;
  const ExactValue max = f.element.max_finite();
  b.emax_elem = static_cast<int>(mpfr_get_exp(max.magnitude().get())) - 1;
  b.max_elem_mantissa = b.emax_elem - static_cast<int>(precision_step(f.element, max).quantum_exponent);
  b.max_elem = mpfr_get_d(max.magnitude().get(), MPFR_RNDN);  // exact: a few significant bits
  b.scale_emin = static_cast<int>(f.scale.min_exponent());
  b.scale_emax = static_cast<int>(mpfr_get_exp(f.scale.max_finite().magnitude().get())) - 1;
  b.scale_nan_code = static_cast<std::uint8_t>(f.scale.code_of_nan());
  b.scale_bias = static_cast<int>(f.scale.bias);
  return b;
}

}  // namespace roundlab::device
