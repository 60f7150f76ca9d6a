// The device kernels' host build equals the exact reference bit for bit: every 8-bit (and a few wider)
// IEEE-like target × every mode × every saturation, over all 2^16 bfloat16 and binary16 inputs, with
// r swept (N ≤ 2) or sampled; plus sampled binary32/binary64 inputs.
#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <variant>

#include "device/device_format_from_reference.hpp"
#include "device/round_to_format.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/round_to_precision.hpp"

using namespace roundlab;

namespace {

struct Case {
  Mode mode;
  int n;
};

std::vector<Case> all_cases() {
  std::vector<Case> c = {{Mode::NearestTiesToEven, 0}, {Mode::NearestTiesToAway, 0}, {Mode::TowardZero, 0},
                         {Mode::TowardPositive, 0},    {Mode::TowardNegative, 0},    {Mode::ToOdd, 0}};
  for (Mode m : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil})
    for (int n : {0, 1, 3, 8, 23, 64}) c.push_back({m, n});
  c.push_back({Mode::StochasticExact, 0});
  return c;
}

// Compares one input against the reference; returns false (and records) on mismatch.
bool check_one(const IeeeLikeFormat& ref_format, const device::DeviceFormat& df, const Rounding& rounding,
               const device::DeviceRounding& dr, const ExactValue& x, const device::Unpacked& u,
               std::uint64_t r, std::string& why) {
  RandomDraw draw;
  draw.r = r;
  std::uint64_t expected = 0;
  bool expected_none = false;
  try {
    expected = project(ref_format, rounding, x, draw).code;
  } catch (const NoEncodingError&) {
    expected_none = true;
  }
  device::DeviceResult got = device::round_to_format(df, dr, u, r);
  if (got.no_encoding == expected_none && (expected_none || got.code == expected)) return true;
  char buf[256];
  std::snprintf(buf, sizeof buf, "r=%llu expected=%s0x%llx got=%s0x%llx", static_cast<unsigned long long>(r),
                expected_none ? "none/" : "", static_cast<unsigned long long>(expected),
                got.no_encoding ? "none/" : "", static_cast<unsigned long long>(got.code));
  why = buf;
  return false;
}

std::uint64_t random_for(const Rounding& rounding, std::mt19937_64& rng) {
  std::uint64_t r = rng();
  if (rounding.mode == Mode::StochasticExact || rounding.random_bits >= 64) return r;
  if (rounding.random_bits == 0) return 0;
  return r & ((std::uint64_t{1} << rounding.random_bits) - 1);
}

void sweep_16bit_source(const char* source_name, bool bf16) {
  const std::vector<std::string> targets = {"p3109_k8p4se", "p3109_k8p3sf", "p3109_k8p1se", "p3109_k8p1uf",
                                            "p3109_k8p5ue", "p3109_k8p8uf", "ocp_e4m3",     "ocp_e5m2",
                                            "ocp_e2m1",     "ocp_e3m2",     "ocp_e8m0",     "ocp_int8",
                                            "e4m3fnuz",     "e5m2fnuz",     "p3109_k6p3sf", "p3109_k3p2se"};
  std::mt19937_64 rng(12345);
  long checked = 0;
  const auto source = std::get<IeeeLikeFormat>(find_format(source_name));
  for (const auto& name : targets) {
    const auto ref_format = std::get<IeeeLikeFormat>(find_format(name));
    const auto df = device::make_device_format(ref_format);
    for (const Case& c : all_cases()) {
      for (Saturation sat : {Saturation::None, Saturation::Finite, Saturation::Propagate}) {
        Rounding rounding;
        rounding.mode = c.mode;
        rounding.random_bits = c.n;
        rounding.saturation = sat;
        const auto dr = device::make_device_rounding(rounding);
        int failures = 0;
        for (std::uint32_t code = 0; code < 65536; code += (rounding.is_stochastic() ? 7 : 1)) {
          const auto bits = static_cast<std::uint16_t>(code);
          const device::Unpacked u = bf16 ? device::unpack_bfloat16(bits) : device::unpack_binary16(bits);
          const ExactValue x = source.decode(code);
          std::string why;
          const std::uint64_t r = rounding.is_stochastic() ? random_for(rounding, rng) : 0;
          ++checked;
          if (!check_one(ref_format, df, rounding, dr, x, u, r, why) && ++failures <= 3) {
            ADD_FAILURE() << source_name << ":0x" << std::hex << code << std::dec << " -> " << name << " "
                          << rounding.describe() << ": " << why;
          }
        }
      }
    }
  }
  ::testing::Test::RecordProperty("cases", static_cast<int>(checked));
  EXPECT_GT(checked, 0);
}

}  // namespace

TEST(DeviceVsReference, Bfloat16SourceEvery8BitTarget) { sweep_16bit_source("bfloat16", true); }
TEST(DeviceVsReference, Binary16SourceEvery8BitTarget) { sweep_16bit_source("binary16", false); }

TEST(DeviceVsReference, SampledBinary32AndBinary64) {
  const std::vector<std::string> targets = {"bfloat16", "binary16", "p3109_k8p4se", "ocp_e4m3", "ocp_e5m2",
                                            "sbits10",  "sbits23",  "binary32",     "ocp_e2m1", "ocp_int8"};
  std::mt19937_64 rng(777);
  for (const auto& name : targets) {
    const auto ref_format = std::get<IeeeLikeFormat>(find_format(name));
    const auto df = device::make_device_format(ref_format);
    for (const Case& c : all_cases()) {
      Rounding rounding;
      rounding.mode = c.mode;
      rounding.random_bits = c.n;
      rounding.saturation = static_cast<Saturation>(rng() % 3);
      const auto dr = device::make_device_rounding(rounding);
      int failures = 0;
      for (int i = 0; i < 400; ++i) {
        const bool wide = i % 2;
        std::uint64_t bits = rng();
        if (!wide) bits &= 0xffffffffu;
        const device::Unpacked u = wide ? device::unpack_binary64(bits)
                                        : device::unpack_binary32(static_cast<std::uint32_t>(bits));
        const ExactValue x = wide ? ExactValue::from_double(std::bit_cast<double>(bits))
                                  : ExactValue::from_float(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
        if (x.is_nan() && u.cls != device::ValueClass::NaN) FAIL() << "unpack disagrees on NaN";
        std::string why;
        const std::uint64_t r = random_for(rounding, rng);
        if (!check_one(ref_format, df, rounding, dr, x, u, r, why) && ++failures <= 3)
          ADD_FAILURE() << (wide ? "binary64:0x" : "binary32:0x") << std::hex << bits << std::dec << " -> " << name
                        << " " << rounding.describe() << ": " << why;
      }
    }
  }
}
