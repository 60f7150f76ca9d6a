// Edge classes that peer implementations get wrong, checked on the device kernel against the exact
// reference for every IEEE-like catalogue format of at most 16 bits, every mode (SR: every r for
// N = 3), every saturation, from binary32 and binary64 inputs:
//   1. NaN inputs whose payload lies only in the discarded bits stay NaN (never ±Inf or −0);
//   2. the band just above the largest finite value under SR (and RN), incl. max + ½ulp and max + ulp;
//   3. ties at every binade boundary (the midpoints just below and just above each power of two);
//   4. OCP E4M3's maximum 448 and its neighbourhood (448, 464, 464 + tiny, 480).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <variant>

#include "device/device_format_from_reference.hpp"
#include "device/round_to_format.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/round_to_precision.hpp"

using namespace roundlab;

namespace {

std::vector<Rounding> all_roundings() {
  std::vector<Rounding> out;
  for (Mode m : {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::TowardPositive,
                 Mode::TowardNegative, Mode::ToOdd, Mode::StochasticExact, Mode::StochasticA, Mode::StochasticB,
                 Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil}) {
    for (Saturation s : {Saturation::None, Saturation::Finite, Saturation::Propagate}) {
      Rounding r;
      r.mode = m;
      r.random_bits = r.uses_random_bits() ? 3 : 0;
      r.saturation = s;
      out.push_back(r);
    }
  }
  return out;
}

std::vector<std::uint64_t> draws_for(const Rounding& r) {
  if (r.uses_random_bits()) return {0, 1, 2, 3, 4, 5, 6, 7};
  if (r.mode == Mode::StochasticExact) return {0, 1ull << 63, ~0ull, 0x5555555555555555ull};
  return {0};
}

// Binary64 inputs of one edge class for target f (all exactly representable in binary64).
std::vector<double> edge_inputs(const IeeeLikeFormat& f) {
  std::vector<double> xs;
  // Largest finite and the ulp of its binade, from the reference (exact values, converted exactly).
  Mpfr m(kWorkPrecision);
  f.max_finite().to_mpfr(m.get());
  const double mx = mpfr_get_d(m.get(), MPFR_RNDN);
  if (!std::isfinite(mx)) return xs;
  const int e = std::ilogb(mx);
  const double ulp = f.twos_complement ? std::ldexp(1.0, 1 - static_cast<int>(f.bias) - (f.p - 1))
                                       : std::ldexp(1.0, e - (f.p - 1));
  for (double frac : {0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.875, 1.0, 1.5, 2.0, 1e-9})
    for (double sign : {1.0, -1.0}) xs.push_back(sign * (mx + frac * ulp));
  // Ties at the binade boundaries: every boundary of formats with ≤ 64 binades; otherwise the lowest
  // six, the six around 1 and the highest six (wide P3109 p=1 formats have thousands of binades).
  const int emin = static_cast<int>(f.min_exponent());
  for (int b = emin - 2; b <= e + 2; ++b) {
    const bool narrow = e - emin <= 64;
    const bool window = b <= emin + 3 || (b >= -3 && b <= 3) || b >= e - 3;
    if (b < -1000 || b > 1000 || (!narrow && !window)) continue;
    const double pow2 = std::ldexp(1.0, b);
    const double below = std::ldexp(1.0, b - f.p);      // half an ulp of the binade below 2^b
    const double above = std::ldexp(1.0, b - f.p + 1);  // half an ulp of the binade at 2^b
    for (double x : {pow2 - below, pow2 + above, pow2 - below / 2, pow2 + above * 1.5})
      for (double sign : {1.0, -1.0}) xs.push_back(sign * x);
  }
  for (double x : {448.0, 464.0, 464.0 + std::ldexp(1.0, -20), 480.0, 240.0, 232.0, 57344.0, 61440.0})
    xs.push_back(x), xs.push_back(-x);
  return xs;
}

int check(const IeeeLikeFormat& f, const device::Unpacked& u, const ExactValue& x, const std::string& label) {
  const auto df = device::make_device_format(f);
  int failures = 0;
  for (const Rounding& r : all_roundings()) {
    const auto dr = device::make_device_rounding(r);
    for (std::uint64_t rv : draws_for(r)) {
      RandomDraw d;
      d.r = rv;
      std::optional<std::uint64_t> want;
      try {
        want = project(f, r, x, d).code;
      } catch (const NoEncodingError&) {
      }
      const auto got = device::round_to_format(df, dr, u, rv);
      const bool ok = want ? (!got.no_encoding && got.code == *want) : got.no_encoding;
      if (!ok && ++failures <= 2)
        ADD_FAILURE() << f.name << " " << r.describe() << " r=" << rv << " input " << label << ": expected "
                      << (want ? std::to_string(*want) : "no-encoding") << " got " << got.code;
    }
  }
  return failures;
}

std::vector<IeeeLikeFormat> targets() {
  std::vector<IeeeLikeFormat> out;
  for (const auto& e : catalogue())
    if (const auto* f = std::get_if<IeeeLikeFormat>(&e.format); f && f->k <= 16) out.push_back(*f);
  return out;
}

}  // namespace

TEST(DeviceEdgeClasses, NanPayloadOnlyInDiscardedBitsStaysNan) {
  const std::uint32_t nans32[] = {0x7f800001u, 0xff800001u, 0x7f8000ffu, 0x7fc00000u, 0x7f801000u};
  const std::uint64_t nans64[] = {0x7ff0000000000001ull, 0xfff0000000000001ull, 0x7ff0000000000fffull};
  for (const auto& f : targets()) {
    for (std::uint32_t b : nans32) {
      const auto u = device::unpack_binary32(b);
      ASSERT_EQ(u.cls, device::ValueClass::NaN);
      EXPECT_EQ(check(f, u, ExactValue::from_float(std::bit_cast<float>(b)), "binary32 NaN"), 0);
      // And the result, where the format has NaN, decodes to NaN (not ±Inf, not −0).
      if (f.has_nan()) {
        Rounding r;
        EXPECT_TRUE(f.decode(device::round_to_format(device::make_device_format(f), device::make_device_rounding(r), u, 0).code).is_nan())
            << f.name;
      }
    }
    for (std::uint64_t b : nans64)
      EXPECT_EQ(check(f, device::unpack_binary64(b), ExactValue::from_double(std::bit_cast<double>(b)), "binary64 NaN"), 0);
  }
}

TEST(DeviceEdgeClasses, BandAboveMaxAndBinadeTiesAndE4m3Max) {
  long checked = 0;
  for (const auto& f : targets()) {
    for (double x : edge_inputs(f)) {
      const std::uint64_t b64 = std::bit_cast<std::uint64_t>(x);
      EXPECT_EQ(check(f, device::unpack_binary64(b64), ExactValue::from_double(x), std::to_string(x)), 0);
      const float xf = static_cast<float>(x);
      if (static_cast<double>(xf) == x) {
        const std::uint32_t b32 = std::bit_cast<std::uint32_t>(xf);
        EXPECT_EQ(check(f, device::unpack_binary32(b32), ExactValue::from_float(xf), std::to_string(x)), 0);
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000);
}

TEST(DeviceEdgeClasses, E4m3MaximumIsHandledAsOfp8Says) {
  // Independent of the reference: OFP8 rev 1.0 says 448 is the maximum, 464 ties to even (448), and
  // anything above 464 overflows to NaN without saturation and to 448 with it.
  const auto f = device::make_device_format(std::get<IeeeLikeFormat>(find_format("ocp_e4m3")));
  device::DeviceRounding rne, sat;
  sat.saturation = device::DeviceSaturation::Finite;
  auto code = [&](float x, const device::DeviceRounding& r) {
    return device::round_to_format(f, r, device::unpack_binary32(std::bit_cast<std::uint32_t>(x)), 0).code;
  };
  EXPECT_EQ(code(448.0f, rne), 0x7eu);
  EXPECT_EQ(code(464.0f, rne), 0x7eu);
  EXPECT_EQ(code(464.0001f, rne), 0x7fu);
  EXPECT_EQ(code(464.0001f, sat), 0x7eu);
  EXPECT_EQ(code(-1e30f, sat), 0xfeu);
  EXPECT_EQ(code(std::numeric_limits<float>::infinity(), rne), 0x7fu);
}
