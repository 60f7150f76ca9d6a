// The device MX block kernel equals the exact reference (reference/block_format.cpp) on element codes
// and scale codes: every MX format × scale rule × element mode, on seeded random blocks spanning many
// binades plus the special blocks (all zero, a NaN, an Inf, amax below 2^-127·max, amax beyond 2^127).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <variant>

#include "device/cpu_launch.hpp"
#include "device/mx_block_from_reference.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;

namespace {

std::vector<std::uint32_t> make_blocks(int block_size, int n_blocks, std::mt19937& rng) {
  std::vector<std::uint32_t> in;
  for (int b = 0; b < n_blocks; ++b) {
    const int kind = b % 10;
    const int base = static_cast<int>(rng() % 80) - 40;  // block's binade
    for (int i = 0; i < block_size; ++i) {
      float x = std::ldexp(static_cast<float>(rng() % 100000) / 100000.0f, base - static_cast<int>(rng() % 6));
      if (rng() % 2) x = -x;
      if (kind == 0) x = 0.0f;
      if (kind == 1 && i == 5) x = std::nanf("");
      if (kind == 2 && i == 7) x = -std::numeric_limits<float>::infinity();
      if (kind == 3) x = std::ldexp(x, -100);  // amax tiny: shared exponent clamps to −127
      if (kind == 6 && i == 0) x = 3.3e38f;   // ceil/rceil of INT8 push the shared exponent past 127
      if (kind == 4 && i == 3) x = 3.0e38f;     // amax huge: shared exponent may exceed 127
      if (kind == 5 && i % 4 == 0) x = std::ldexp(1.0f, base);  // exact powers of two (ceil rule)
      in.push_back(std::bit_cast<std::uint32_t>(x));
    }
  }
  return in;
}

}  // namespace

TEST(DeviceMxBlock, EqualsReferenceForEveryFormatRuleAndMode) {
  std::mt19937 rng(31337);
  long blocks_checked = 0;
  for (const char* name : {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8"}) {
    const auto bf = std::get<BlockFormat>(find_format(name));
    const auto db = device::make_device_mx_block(bf);
    for (ScaleRule rule : {ScaleRule::MxFloor, ScaleRule::MxCeil, ScaleRule::MxEven, ScaleRule::MxRceil}) {
      for (Mode mode : {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::StochasticC,
                        Mode::StochasticA, Mode::StochasticExact}) {
        Rounding er;
        er.mode = mode;
        er.random_bits = er.uses_random_bits() ? 3 : 0;
        Rounding er_device = er;
        er_device.saturation = Saturation::Finite;  // the reference's default for MX elements
        const auto dr = device::make_device_rounding(er_device);
        const int n_blocks = 40;
        const auto in = make_blocks(bf.block_size, n_blocks, rng);
        std::vector<std::uint64_t> rs(in.size());
        for (auto& r : rs) r = er.uses_random_bits() ? rng() % 8 : (static_cast<std::uint64_t>(rng()) << 32 | rng());
        std::vector<std::uint8_t> codes(in.size()), scales(n_blocks);
        device::RandomInput ri;
        ri.explicit_r = rs.data();
        device::quantize_mx_blocks_cpu(db, device::to_device_rule(rule), dr, in.data(), n_blocks, codes.data(),
                                       scales.data(), ri);
        for (int b = 0; b < n_blocks; ++b) {
          std::vector<ExactValue> values;
          std::vector<RandomDraw> draws;
          for (int i = 0; i < bf.block_size; ++i) {
            values.push_back(ExactValue::from_float(std::bit_cast<float>(in[b * bf.block_size + i])));
            RandomDraw d;
            d.r = rs[b * bf.block_size + i];
            draws.push_back(d);
          }
          BlockOptions opt;
          opt.scale_rule = rule;
          const BlockResult ref = quantize_block(bf, er, values, er.is_stochastic() ? std::span<const RandomDraw>(draws)
                                                                                    : std::span<const RandomDraw>(),
                                                 opt);
          ASSERT_EQ(scales[b], ref.scale_code) << name << " " << scale_rule_name(rule) << " block " << b;
          for (int i = 0; i < bf.block_size; ++i)
            ASSERT_EQ(codes[b * bf.block_size + i], ref.elements[i].code)
                << name << " " << scale_rule_name(rule) << " " << er.describe() << " block " << b << " element " << i;
          ++blocks_checked;
        }
      }
    }
  }
  EXPECT_EQ(blocks_checked, 6 * 4 * 6 * 40);
}
