// CI-sized exhaustive proof that the device kernels (CPU build) equal the exact reference: for every
// 8-bit IEEE-like target of the catalogue, every mode, every saturation, every bfloat16 and binary16
// input (2^16 each), and every r for the few-bit SR modes with N = 1 and N = 4 (exact SR: r = 0,
// 2^64 − 1 and two seeded words per input).
// One test per (source, target) so ctest spreads them over the cores.
#include <gtest/gtest.h>

#include <variant>

#include "proofs/compare_kernels.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;

namespace {

std::vector<std::string> eight_bit_targets() {
  std::vector<std::string> names;
  for (const auto& e : catalogue())
    if (const auto* f = std::get_if<IeeeLikeFormat>(&e.format); f && f->k == 8) names.push_back(f->name);
  return names;
}

struct Param {
  device::SourceFormat source;
  std::string target;
};

std::string param_name(const testing::TestParamInfo<Param>& info) {
  return std::string(info.param.source == device::SourceFormat::Bfloat16 ? "bfloat16_to_" : "binary16_to_") +
         info.param.target;
}

std::vector<Param> params() {
  std::vector<Param> out;
  for (auto s : {device::SourceFormat::Bfloat16, device::SourceFormat::Binary16})
    for (const auto& t : eight_bit_targets()) out.push_back({s, t});
  return out;
}

class Exhaustive8Bit : public testing::TestWithParam<Param> {};

}  // namespace

TEST(Exhaustive8BitTargets, CatalogueHasTheExpectedEightBitFormats) {
  // 30 P3109 K=8 formats + OCP e4m3, e5m2, e8m0, int8 + the FNUZ pair.
  EXPECT_EQ(eight_bit_targets().size(), 36u);
}

TEST_P(Exhaustive8Bit, EveryModeEverySaturationEveryInput) {
  const auto format = std::get<IeeeLikeFormat>(find_format(GetParam().target));
  std::vector<Rounding> roundings;
  for (Mode m : {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::TowardPositive,
                 Mode::TowardNegative, Mode::ToOdd, Mode::StochasticExact}) {
    Rounding r;
    r.mode = m;
    roundings.push_back(r);
  }
  for (Mode m : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil})
    for (int n : {1, 4}) {
      Rounding r;
      r.mode = m;
      r.random_bits = n;
      roundings.push_back(r);
    }
  std::uint64_t cases = 0;
  for (Rounding r : roundings) {
    for (Saturation s : {Saturation::None, Saturation::Finite, Saturation::Propagate}) {
      r.saturation = s;
      proofs::CompareSpec spec;
      spec.format = format;
      spec.rounding = r;
      spec.source = GetParam().source;
      spec.exhaustive = true;
      spec.seed = 20261123;
      spec.max_reported = 3;
      spec.random_per_input = 4;
      const proofs::CompareReport rep = proofs::compare_kernel(spec);
      EXPECT_EQ(rep.inputs, 65536u);
      EXPECT_EQ(rep.mismatches, 0u) << format.name << " " << r.describe();
      for (const auto& m : rep.first)
        ADD_FAILURE() << "input 0x" << std::hex << m.input_bits << " r=" << std::dec << m.r << " expected 0x"
                      << std::hex << m.expected << (m.expected_none ? " (no encoding)" : "") << " got 0x" << m.got
                      << (m.got_none ? " (no encoding)" : "");
      cases += rep.cases;
    }
  }
  RecordProperty("cases", std::to_string(cases));
  EXPECT_GT(cases, 65536u * roundings.size() * 3);
}

INSTANTIATE_TEST_SUITE_P(AllTargets, Exhaustive8Bit, testing::ValuesIn(params()), param_name);
