// Bit-level Project (P3109 RoundToPrecision, Saturate, encode) of an unpacked exact value to any
// IEEE-like format: the device twin of reference/round_to_precision.cpp and reference/saturate.cpp.
// Written once for host and device; proven equal to the reference by tests/test_device_vs_reference.
#pragma once
#include <cstdint>

#include "device/device_format.hpp"
#include "device/portability.hpp"
#include "device/round_away_bits.hpp"
#include "device/source_unpack.hpp"

namespace roundlab::device {

namespace detail {

enum class Outcome : std::uint8_t { Value, Zero, MaxFinite, MinFinite, PosInf, NegInf, NaN };

// Relation of the rounded value to [M_lo, M_hi].
struct Placed {
  bool over = false;   // X > M_hi
  bool under = false;  // X < M_lo
};

// The P3109 v4.0 saturation table (reference/saturate.cpp), first matching row wins.
RL_HD Outcome saturate(const DeviceFormat& f, const DeviceRounding& rd, bool is_inf, bool negative, Placed pl) {
  const bool pos_inf = is_inf && !negative;
  const bool neg_inf = is_inf && negative;
  const bool overflow_nan = !f.extended && f.overflow_nan;
  switch (rd.saturation) {
    case DeviceSaturation::Finite:
      if (pos_inf || pl.over) return Outcome::MaxFinite;
      if (neg_inf || pl.under) return Outcome::MinFinite;
      return Outcome::Value;
    case DeviceSaturation::Propagate:
      if (pos_inf && f.extended) return Outcome::PosInf;
      if (neg_inf && f.extended && f.is_signed) return Outcome::NegInf;
      if (pos_inf || pl.over) return Outcome::MaxFinite;
      if (neg_inf || pl.under) return Outcome::MinFinite;
      return Outcome::Value;
    case DeviceSaturation::None: break;
  }
  const bool down = rd.mode == DeviceMode::RTZ || rd.mode == DeviceMode::RDN;
  const bool up = rd.mode == DeviceMode::RTZ || rd.mode == DeviceMode::RUP;
  if (pos_inf) return f.extended ? Outcome::PosInf : (overflow_nan ? Outcome::NaN : Outcome::MaxFinite);
  if (neg_inf) {
    if (f.is_signed && f.extended) return Outcome::NegInf;
    if (!f.is_signed) return Outcome::NaN;
    return overflow_nan ? Outcome::NaN : Outcome::MinFinite;
  }
  if (pl.over && rd.mode == DeviceMode::RTO && !f.is_signed && f.extended) return Outcome::MaxFinite;
  if (pl.over && down) return Outcome::MaxFinite;
  if (pl.under && up) return Outcome::MinFinite;
  if (pl.under) {
    if (f.is_signed && f.extended) return Outcome::NegInf;
    if (!f.is_signed) return Outcome::NaN;
    return overflow_nan ? Outcome::NaN : Outcome::MinFinite;
  }
  if (pl.over) return f.extended ? Outcome::PosInf : (overflow_nan ? Outcome::NaN : Outcome::MaxFinite);
  return Outcome::Value;
}

RL_HD DeviceResult encode(const DeviceFormat& f, Outcome o, bool negative, std::uint64_t magnitude_code) {
  DeviceResult res;
  switch (o) {
    case Outcome::Value:
      if (f.twos_complement && negative) {
        res.code = ((std::uint64_t{1} << f.k) - magnitude_code) & low_mask(f.k);
      } else {
        res.code = magnitude_code | (negative ? f.sign_bit : 0);
      }
      return res;
    case Outcome::Zero: res.code = negative && f.negative_zero ? f.sign_bit : 0; return res;
    case Outcome::MaxFinite: res.code = f.max_magnitude_code; return res;
    case Outcome::MinFinite:
      if (f.twos_complement) res.code = std::uint64_t{1} << (f.k - 1);
      else res.code = f.is_signed ? (f.sign_bit | f.max_magnitude_code) : 0;
      return res;
    case Outcome::PosInf: res.code = f.code_pos_inf; return res;
    case Outcome::NegInf: res.code = f.code_neg_inf; return res;
    case Outcome::NaN:
      res.code = f.code_nan;
      res.no_encoding = !f.has_nan;
      return res;
  }
  return res;
}

}  // namespace detail

// Rounds the exact value x with the random input r (ignored by deterministic modes).
RL_HD DeviceResult round_to_format(const DeviceFormat& f, const DeviceRounding& rd, const Unpacked& x,
                                   std::uint64_t r) {
  using detail::Outcome;
  detail::Placed none{};
  switch (x.cls) {
    case ValueClass::NaN: return detail::encode(f, Outcome::NaN, false, 0);
    case ValueClass::Infinite:
      return detail::encode(f, detail::saturate(f, rd, true, x.negative, none), x.negative, 0);
    case ValueClass::Zero:
      if (f.has_zero) return detail::encode(f, Outcome::Zero, x.negative, 0);
      {  // no zero (E8M0): 0 lies below M_lo
        detail::Placed pl{false, true};
        return detail::encode(f, detail::saturate(f, rd, false, x.negative, pl), x.negative, 0);
      }
    case ValueClass::Finite: break;
  }
  // RoundToPrecision: Q = max(⌊log2|x|⌋, 1−B) − P + 1 (no clamp without subnormals).
  const std::int64_t msb = x.e + bit_length(x.m) - 1;
  std::int64_t e = msb;
  if (f.subnormals && e < 1 - f.bias) e = 1 - f.bias;
  std::int64_t q = e - f.p + 1;
  const std::int64_t shift = q - x.e;
  std::uint64_t integer = 0;
  Fraction nu;
  if (shift <= 0) {
    integer = x.m << (-shift);  // < 2^P by the choice of Q
  } else if (shift < 64) {
    integer = x.m >> shift;
    nu.f = (x.m & low_mask(static_cast<int>(shift))) << (64 - shift);
  } else {
    const std::int64_t down = shift - 64;  // ν·2^64 = m·2^-down
    nu.f = down < 64 ? x.m >> down : 0;
    nu.g = down >= 1 && down <= 64 ? ((x.m >> (down - 1)) & 1) != 0 : false;
    nu.s = down >= 2 ? (x.m & low_mask(static_cast<int>(down >= 65 ? 64 : down - 1))) != 0 : false;
  }
  const bool code_is_even = f.p > 1 ? (integer & 1) == 0 : (integer == 0 || ((q + f.bias) & 1) == 0);
  const bool away = round_away_bits(rd, r, nu, !x.negative, code_is_even);
  std::uint64_t s = integer + (away ? 1 : 0);
  if (s == 0) return detail::encode(f, Outcome::Zero, x.negative, 0);
  if (s == (std::uint64_t{1} << f.p)) {  // carry into the next binade
    s >>= 1;
    q += 1;
  }
  // Magnitude code of S·2^Q, with flags for values beyond the code range.
  std::uint64_t mc = 0;
  bool beyond = false, below = false;
  if (f.twos_complement) {
    const std::int64_t d = q - (1 - f.bias - f.t);
    if (d >= 62 || bit_length(s) + d > 62) beyond = true;
    else mc = s << d;
  } else if (s < (std::uint64_t{1} << (f.p - 1))) {
    mc = s;  // subnormal: exponent field 0
  } else {
    const std::int64_t ef = q + f.p - 1 + f.bias;
    if (ef > static_cast<std::int64_t>(low_mask(f.w))) beyond = true;
    else if (ef < 0) below = true;
    else mc = (static_cast<std::uint64_t>(ef) << f.t) | (s - (std::uint64_t{1} << (f.p - 1)));
  }
  detail::Placed pl;
  if (f.twos_complement) {
    pl.over = !x.negative && (beyond || mc > f.max_magnitude_code);
    pl.under = x.negative && (beyond || mc > f.min_magnitude_code);
  } else if (f.is_signed) {
    pl.over = !x.negative && (beyond || mc > f.max_magnitude_code);
    pl.under = x.negative && (beyond || mc > f.max_magnitude_code);
  } else {
    pl.over = !x.negative && (beyond || mc > f.max_magnitude_code);
    pl.under = x.negative || below;  // M_lo = 0 (or the smallest value without zero)
  }
  const Outcome o = detail::saturate(f, rd, false, x.negative, pl);
  return detail::encode(f, o, x.negative, mc);
}

}  // namespace roundlab::device
