// Host-only: DeviceScaledBlock from the reference's BlockFormat and BlockOptions (scale rules nvfp4 and
// amax), so a block format, its scale codes and the options' meaning are defined once.
#pragma once
#include <gmp.h>
#include <mpfr.h>

#include <cstdint>
#include <string>

#include "device/device_format_from_reference.hpp"
#include "device/scaled_block.hpp"
#include "reference/block_format.hpp"
#include "reference/error.hpp"

namespace roundlab::device {

namespace scaled_host_detail {

// m·2^e of a finite non-zero value with m odd. Exact; InputError when m needs more than max_bits bits.
inline void dyadic_parts(const ExactValue& v, int max_bits, std::uint64_t& m, std::int64_t& e, const std::string& what) {
  mpz_t z;
  mpz_init(z);
  e = mpfr_get_z_2exp(z, v.magnitude().get());  // exact: |v| = z·2^e
  const auto low = static_cast<long>(mpz_scan1(z, 0));
  mpz_tdiv_q_2exp(z, z, static_cast<mp_bitcnt_t>(low));
  e += low;
  const bool fits = mpz_sizeinbase(z, 2) <= static_cast<size_t>(max_bits);
  m = fits ? mpz_get_ui(z) : 0;  // unsigned long is 64 bits here
  mpz_clear(z);
  if (!fits) throw InputError(what + " needs more than " + std::to_string(max_bits) + " significant bits");
}

}  // namespace scaled_host_detail

inline ScaledRule to_scaled_rule(ScaleRule rule) {
  switch (rule) {
    case ScaleRule::NvFp4: return ScaledRule::NvFp4;
    case ScaleRule::AmaxItself: return ScaledRule::AmaxItself;
    default: throw InputError("the device scaled-block kernel takes scale rules nvfp4 and amax only (MX rules: mx_block.hpp)");
  }
}

// The rule is options.scale_rule or the format's default. Throws InputError for an MX rule, a tensor
// scale with a rule other than nvfp4 or that is not a positive finite binary32 value (as the
// reference), a scale format of more than 8 bits or without NaN (the reference's NaN block needs one),
// an amax-rule element without NaN, or significands too wide for the kernel's exact division.
inline DeviceScaledBlock make_device_scaled_block(const BlockFormat& f, const BlockOptions& o) {
  using scaled_host_detail::dyadic_parts;
  mpfr_setup();
  const ScaleRule rule = o.scale_rule.value_or(f.default_scale_rule);
  const std::string where = "device block '" + f.name + "'";
  DeviceScaledBlock b;
  b.rule = to_scaled_rule(rule);
  if (o.tensor_scale && rule != ScaleRule::NvFp4)
    throw InputError("a tensor scale is taken by scale rule nvfp4 only, not " + scale_rule_name(rule));
  if (f.scale.k > 8 || f.scale.p > 16)
    throw InputError(where + ": the scale format must have k <= 8 and p <= 16 ('" + f.scale.name + "')");
  if (f.element.p > 32) throw InputError(where + ": the element format must have p <= 32");
  if (!f.scale.has_nan()) throw InputError(where + ": the scale format '" + f.scale.name + "' has no NaN");
  if (rule == ScaleRule::AmaxItself && !f.element.has_nan())
    throw InputError(where + ": rule amax needs an element format with NaN ('" + f.element.name + "')");
  b.element = make_device_format(f.element);
  b.scale = make_device_format(f.scale);
  b.block_size = f.block_size;
  b.scale_rounding = make_device_rounding(o.scale_rounding);
  if (o.tensor_scale) {
    const ExactValue& s_t = *o.tensor_scale;
    const bool ok = s_t.is_finite() && !s_t.is_zero() && !s_t.negative() &&
                    ExactValue::from_float(mpfr_get_flt(s_t.magnitude().get(), MPFR_RNDN)).identical(s_t);
    if (!ok) throw InputError("NVFP4 tensor scale must be a positive finite binary32 value");
    dyadic_parts(s_t, 24, b.tensor_m, b.tensor_e, where + ": tensor scale");
  }
  if (rule == ScaleRule::NvFp4) {
    std::uint64_t mm = 0;
    std::int64_t me = 0;
    dyadic_parts(f.element.max_finite(), 16, mm, me, where + ": element max");
    b.target_m = mm * b.tensor_m;  // exact: ≤ 16 + 24 bits
    b.target_e = me + b.tensor_e;
    dyadic_parts(f.scale.min_normal(), 16, b.lo_m, b.lo_e, where + ": scale min normal");
    dyadic_parts(f.scale.max_finite(), 16, b.hi_m, b.hi_e, where + ": scale max");
  }
  const std::uint64_t n_codes = std::uint64_t{1} << f.scale.k;
  for (std::uint64_t c = 0; c < n_codes; ++c) {
    const ExactValue v = f.scale.decode(c);
    ScaleCodeValue& s = b.scale_values[c];
    if (v.is_nan()) {
      s.cls = ValueClass::NaN;
    } else if (v.is_infinite()) {
      s.cls = ValueClass::Infinite;
    } else if (v.is_zero()) {
      s.cls = ValueClass::Zero;
    } else {
      std::uint64_t m = 0;
      std::int64_t e = 0;
      dyadic_parts(v, 16, m, e, where + ": scale value");
      if (e < -32000 || e > 32000) throw InputError(where + ": scale exponent out of range");
      s.cls = ValueClass::Finite;
      s.m = static_cast<std::uint32_t>(m);
      s.e = static_cast<std::int16_t>(e);
    }
  }
  return b;
}

// The element rounding the reference applies (block_format.cpp): options.element_saturation, else
// SatFinite for nvfp4 and the element rounding's own saturation for amax.
inline DeviceRounding make_scaled_element_rounding(const BlockFormat& f, const Rounding& element_rounding,
                                                   const BlockOptions& o) {
  Rounding er = element_rounding;
  const ScaleRule rule = o.scale_rule.value_or(f.default_scale_rule);
  er.saturation = o.element_saturation.value_or(rule == ScaleRule::AmaxItself ? element_rounding.saturation
                                                                               : Saturation::Finite);
  return make_device_rounding(er);
}

}  // namespace roundlab::device
