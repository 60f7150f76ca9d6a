// Block formats: MX scale selection and element rounding (formats.md §3.1–3.2), torchao scale modes,
// NVFP4 two-level scaling (§3.3), P3109 ConvertToBlockMaxAbsFinite (§2.6), and `roundlab
// quantize-block`. Every expected value below is worked out by hand from the spec text (see the
// comment at each), never copied from the implementation's output.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "reference/block_format.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/round_to_precision.hpp"

using namespace roundlab;

namespace {

BlockFormat block(const std::string& name) { return std::get<BlockFormat>(find_format(name)); }
IeeeLikeFormat element_format(const std::string& name) { return std::get<IeeeLikeFormat>(find_format(name)); }

ExactValue D(double v) { return ExactValue::from_double(v); }

// head, then `fill` up to n values.
std::vector<ExactValue> values_of(std::vector<double> head, int n, double fill = 0.0) {
  std::vector<ExactValue> out;
  for (double v : head) out.push_back(D(v));
  while (static_cast<int>(out.size()) < n) out.push_back(D(fill));
  return out;
}

BlockResult quantize(const std::string& name, const std::vector<ExactValue>& values, Rounding r = {},
                     BlockOptions o = {}, const std::vector<RandomDraw>& draws = {}) {
  return quantize_block(block(name), r, values, draws, o);
}

BlockOptions with_rule(ScaleRule rule) {
  BlockOptions o;
  o.scale_rule = rule;
  return o;
}

// Exactly the double `expected` (exact, same sign of zero).
::testing::AssertionResult is_value(const ExactValue& v, double expected) {
  if (std::isnan(expected)) {
    if (v.is_nan()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << to_hex_float(v) << " is not NaN";
  }
  if (v.identical(D(expected))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << to_hex_float(v) << ", expected " << to_hex_float(D(expected));
}

ExactValue pow2(long e) { return ExactValue::from_integer_scaled(false, 1, e); }

// v + sign·2^e, exact at kWorkPrecision.
ExactValue nudged(double v, long e, bool up) {
  ExactValue out = D(v);
  Mpfr tiny(kWorkPrecision);
  mpfr_set_ui_2exp(tiny.get(), 1, e, MPFR_RNDN);
  if (up) mpfr_add(out.magnitude().get(), out.magnitude().get(), tiny.get(), MPFR_RNDN);
  else mpfr_sub(out.magnitude().get(), out.magnitude().get(), tiny.get(), MPFR_RNDN);
  return out;
}

double to_double(const ExactValue& v) {
  Mpfr m(kWorkPrecision);
  v.to_mpfr(m.get());
  return mpfr_get_d(m.get(), MPFR_RNDN);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Catalogue

TEST(BlockCatalogue, NamesSizesAndScaleFormats) {
  struct Want {
    const char* name;
    const char* family;
    int size;
    const char* element;
    const char* scale;
    ScaleRule rule;
  };
  const Want wants[] = {
      {"mxfp8_e4m3", "mx", 32, "ocp_e4m3", "ocp_e8m0", ScaleRule::MxFloor},
      {"mxfp8_e5m2", "mx", 32, "ocp_e5m2", "ocp_e8m0", ScaleRule::MxFloor},
      {"mxfp6_e3m2", "mx", 32, "ocp_e3m2", "ocp_e8m0", ScaleRule::MxFloor},
      {"mxfp6_e2m3", "mx", 32, "ocp_e2m3", "ocp_e8m0", ScaleRule::MxFloor},
      {"mxfp4", "mx", 32, "ocp_e2m1", "ocp_e8m0", ScaleRule::MxFloor},
      {"mxint8", "mx", 32, "ocp_int8", "ocp_e8m0", ScaleRule::MxFloor},
      {"nvfp4", "nvfp4", 16, "ocp_e2m1", "ocp_ue4m3", ScaleRule::NvFp4},
      {"p3109_block_k8p4se_k8p1uf_b8", "p3109-block", 8, "p3109_k8p4se", "p3109_k8p1uf", ScaleRule::AmaxItself},
  };
  ASSERT_EQ(block_catalogue().size(), std::size(wants));
  for (const auto& w : wants) {
    SCOPED_TRACE(w.name);
    const BlockFormat b = block(w.name);
    EXPECT_EQ(b.family, w.family);
    EXPECT_EQ(b.block_size, w.size);
    EXPECT_EQ(b.element.name, w.element);
    EXPECT_EQ(b.scale.name, w.scale);
    EXPECT_EQ(b.default_scale_rule, w.rule);
    EXPECT_NE(b.source.find("§"), std::string::npos) << b.source;
    // The block's formats are built separately from the catalogue; they must be the same formats.
    for (const IeeeLikeFormat* f : {&b.element, &b.scale}) {
      const IeeeLikeFormat named = element_format(f->name);
      EXPECT_EQ(f->k, named.k);
      EXPECT_EQ(f->p, named.p);
      EXPECT_EQ(f->bias, named.bias);
      EXPECT_EQ(f->is_signed, named.is_signed);
      EXPECT_EQ(f->twos_complement, named.twos_complement);
      EXPECT_EQ(f->domain, named.domain);
      EXPECT_EQ(f->has_negative_zero, named.has_negative_zero);
      EXPECT_EQ(f->num_high_nans, named.num_high_nans);
      EXPECT_EQ(f->has_subnormals, named.has_subnormals);
      EXPECT_EQ(f->finite_overflow, named.finite_overflow);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// MX FLOOR (OCP MX §6.3, formats.md §3.2)

// E2M1 codes: 0 0.5 1 1.5 2 3 4 6 → 0x0 … 0x7; negative + 0x8 (formats.md §3.1).
TEST(MxFloor, E2M1AmaxFiveGivesUnitScaleAndTheRneExamples) {
  // amax 5: shared = ⌊log2 5⌋ − 2 = 0, X = 1 = E8M0 code 127. §3.1: 0.25→0, 0.75→1, 1.25→1, 1.75→2,
  // 2.5→2, 3.5→4, 5→4.
  const auto r = quantize("mxfp4", values_of({5, 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, -5}, 32));
  EXPECT_TRUE(is_value(r.scale, 1.0));
  EXPECT_EQ(r.scale_code, 0x7Fu);
  const double want[] = {4, 0, 1, 1, 2, 2, 4, -4};
  const std::uint64_t codes[] = {0x6, 0x0, 0x2, 0x2, 0x4, 0x4, 0x6, 0xE};
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(is_value(r.elements[i].value, want[i])) << i;
    EXPECT_EQ(r.elements[i].code, codes[i]) << i;
    EXPECT_TRUE(is_value(r.decoded[i], want[i])) << i;
  }
  for (int i = 8; i < 32; ++i) EXPECT_TRUE(is_value(r.decoded[i], 0.0)) << i;
}

TEST(MxFloor, E2M1ValuesBetweenSixAndEightSaturateToSix) {
  // amax 7.9: shared = 2 − 2 = 0, X = 1; 7 ties to 8 (even) then clamps to 6; 6.5 rounds to 6 itself.
  const auto r = quantize("mxfp4", values_of({7, 6.5, -7.9, 6.25, 1}, 32));
  EXPECT_TRUE(is_value(r.scale, 1.0));
  EXPECT_TRUE(is_value(r.decoded[0], 6));
  EXPECT_TRUE(r.elements[0].saturated);
  EXPECT_TRUE(is_value(r.decoded[1], 6));
  EXPECT_FALSE(r.elements[1].saturated);
  EXPECT_TRUE(is_value(r.decoded[2], -6));
  EXPECT_TRUE(r.elements[2].saturated);
  EXPECT_EQ(r.elements[2].code, 0xFu);
  EXPECT_TRUE(is_value(r.decoded[3], 6));
  EXPECT_TRUE(is_value(r.decoded[4], 1));
}

TEST(MxFloor, ScalingTheBlockByAPowerOfTwoMovesOnlyTheScale) {
  // amax 5·2^10: shared = 12 − 2 = 10 → E8M0 code 127 + 10 = 0x89; elements as for amax 5.
  const auto r = quantize("mxfp4", values_of({5 * 1024.0, 0.75 * 1024, -2.5 * 1024}, 32));
  EXPECT_TRUE(is_value(r.scale, 1024));
  EXPECT_EQ(r.scale_code, 0x89u);
  EXPECT_TRUE(is_value(r.decoded[0], 4096));
  EXPECT_TRUE(is_value(r.decoded[1], 1024));
  EXPECT_TRUE(is_value(r.decoded[2], -2048));
  EXPECT_EQ(r.elements[2].code, 0xCu);  // −2
}

TEST(MxElementRounding, TiesAwayGivesThreeForTwoAndAHalf) {
  // microxcaling "nearest" = ties away: 2.5 → 3, 0.25 → 0.5 (subnormal quantum 0.5); RNE gives 2 and 0.
  Rounding rna;
  rna.mode = Mode::NearestTiesToAway;
  const auto block_values = values_of({5, 2.5, 0.25, -2.5}, 32);
  const auto a = quantize("mxfp4", block_values, rna);
  EXPECT_TRUE(is_value(a.decoded[1], 3));
  EXPECT_EQ(a.elements[1].code, 0x5u);
  EXPECT_TRUE(is_value(a.decoded[2], 0.5));
  EXPECT_TRUE(is_value(a.decoded[3], -3));
  const auto e = quantize("mxfp4", block_values);
  EXPECT_TRUE(is_value(e.decoded[1], 2));
  EXPECT_TRUE(is_value(e.decoded[2], 0));
}

TEST(MxFloor, E4M3AmaxIn256To512ClipsAt448) {
  // amax 500: shared = 8 − 8 = 0, X = 1. In [256, 512) the E4M3 step is 32.
  // 500 → 512 → clamp 448; 460 < 464 → 448 (no clamp); 470 → 480 → clamp 448;
  // 200: step 16, tie 192/208 → 192 (M = 4 even); −300 → −288.
  const auto r = quantize("mxfp8_e4m3", values_of({500, 460, 470, 200, -300}, 32));
  EXPECT_TRUE(is_value(r.scale, 1));
  const double want[] = {448, 448, 448, 192, -288};
  const bool saturated[] = {true, false, true, false, false};
  const std::uint64_t codes[] = {0x7E, 0x7E, 0x7E, 0x74, 0xF9};  // 448 = S.1111.110; 192 = 0.1110.100
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(is_value(r.decoded[i], want[i])) << i;
    EXPECT_EQ(r.elements[i].saturated, saturated[i]) << i;
    EXPECT_EQ(r.elements[i].code, codes[i]) << i;
  }
  // amax 200: shared = 7 − 8 = −1, X = 0.5 (code 126); 200/X = 400 ties 384/416 → 384 → 192.
  const auto h = quantize("mxfp8_e4m3", values_of({200, 1}, 32));
  EXPECT_TRUE(is_value(h.scale, 0.5));
  EXPECT_EQ(h.scale_code, 0x7Eu);
  EXPECT_TRUE(is_value(h.elements[0].value, 384));
  EXPECT_TRUE(is_value(h.decoded[0], 192));
  EXPECT_TRUE(is_value(h.elements[1].value, 2));
}

TEST(MxScale, ZeroBlockGetsTwoToTheMinus127UnderEveryRule) {
  for (const char* name : {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8"}) {
    for (ScaleRule rule : {ScaleRule::MxFloor, ScaleRule::MxCeil, ScaleRule::MxEven, ScaleRule::MxRceil}) {
      SCOPED_TRACE(std::string(name) + " " + scale_rule_name(rule));
      const auto r = quantize(name, values_of({}, 32), {}, with_rule(rule));
      EXPECT_TRUE(r.scale.identical(pow2(-127)));
      EXPECT_EQ(r.scale_code, 0x00u);
      for (int i = 0; i < 32; ++i) {
        EXPECT_TRUE(is_value(r.decoded[i], 0.0));
        EXPECT_EQ(r.elements[i].code, 0u);
      }
    }
  }
}

TEST(MxScale, NanOrInfinityInTheBlockGivesANanScale) {
  const double nan = std::nan(""), inf = INFINITY;
  // E4M3 has a NaN (S.1111.111 = 0x7F): every element is NaN, the scale is E8M0 0xFF.
  const auto a = quantize("mxfp8_e4m3", values_of({1, nan, 3}, 32, 1));
  EXPECT_TRUE(a.scale.is_nan());
  EXPECT_EQ(a.scale_code, 0xFFu);
  for (int i = 0; i < 32; ++i) {
    EXPECT_TRUE(a.decoded[i].is_nan()) << i;
    EXPECT_EQ(a.elements[i].code, 0x7Fu) << i;
  }
  // E5M2 NaN codes are S.11111.{01,10,11}; the canonical quiet one is 0x7E.
  const auto b = quantize("mxfp8_e5m2", values_of({inf, 2}, 32));
  EXPECT_EQ(b.scale_code, 0xFFu);
  EXPECT_EQ(b.elements[1].code, 0x7Eu);
  EXPECT_TRUE(b.decoded[1].is_nan());
  // E2M1 has no NaN: the elements are +0 (don't care), the block still decodes to NaN.
  const auto c = quantize("mxfp4", values_of({-inf, 5}, 32, 1));
  EXPECT_EQ(c.scale_code, 0xFFu);
  for (int i = 0; i < 32; ++i) EXPECT_TRUE(c.decoded[i].is_nan()) << i;
  // The rule does not matter.
  for (ScaleRule rule : {ScaleRule::MxCeil, ScaleRule::MxEven, ScaleRule::MxRceil})
    EXPECT_EQ(quantize("mxfp4", values_of({nan}, 32), {}, with_rule(rule)).scale_code, 0xFFu);
}

TEST(MxScale, SharedExponentAbove127IsNanBelowMinus127IsClamped) {
  // E2M1: amax 2^129 → 129 − 2 = 127 → 2^127 (code 0xFE); element 2^129 / 2^127 = 4.
  const auto a = quantize("mxfp4", std::vector<ExactValue>(32, pow2(129)));
  EXPECT_TRUE(a.scale.identical(pow2(127)));
  EXPECT_EQ(a.scale_code, 0xFEu);
  EXPECT_TRUE(is_value(a.elements[0].value, 4));
  // 2^130 → 128 > 127 → NaN scale.
  const auto b = quantize("mxfp4", std::vector<ExactValue>(32, pow2(130)));
  EXPECT_EQ(b.scale_code, 0xFFu);
  EXPECT_TRUE(b.decoded[0].is_nan());
  // INT8 (emax 0): 2^127 fits, 2^128 does not.
  EXPECT_EQ(quantize("mxint8", std::vector<ExactValue>(32, pow2(127))).scale_code, 0xFEu);
  EXPECT_EQ(quantize("mxint8", std::vector<ExactValue>(32, pow2(128))).scale_code, 0xFFu);
  // amax 2^-200 → −202 → clamped to −127; 2^-200 / 2^-127 = 2^-73 rounds to 0.
  const auto c = quantize("mxfp4", std::vector<ExactValue>(32, pow2(-200)));
  EXPECT_EQ(c.scale_code, 0x00u);
  EXPECT_TRUE(is_value(c.decoded[0], 0.0));
}

TEST(MxInt8, ElementsAreMultiplesOfOneSixtyFourthClampedToTwosComplementRange) {
  // amax 1.5 → shared 0 → X = 1. 0.3·64 = 19.2 → 19/64; −1.9921875 = −127.5/64 ties to −128/64 = −2
  // (even), which two's complement INT8 holds (gfloat min −2).
  const auto r = quantize("mxint8", values_of({1.5, 0.3, -1.9921875}, 32));
  EXPECT_TRUE(is_value(r.scale, 1));
  EXPECT_TRUE(is_value(r.decoded[0], 1.5));
  EXPECT_EQ(r.elements[0].code, 96u);  // 1.5·64
  EXPECT_TRUE(is_value(r.decoded[1], 19.0 / 64));
  EXPECT_TRUE(is_value(r.decoded[2], -2));
  EXPECT_EQ(r.elements[2].code, 0x80u);
}

// ---------------------------------------------------------------------------------------------------
// torchao scale modes (formats.md §3.2)

TEST(MxScaleRules, CeilEvenRceilOnHandBlocks) {
  struct Case {
    const char* format;
    double amax;
    double floor, ceil, even, rceil;  // expected X
  };
  // E2M1 (emax 2, max 6, 1 mantissa bit: EVEN rounds up from 1.75·2^e):
  //   5: ⌊log2⌋ 2 → 1; ⌈log2⌉ 3 → 2; 1.25 < 1.75 → 1; ⌈log2(5/6)⌉ = 0 → 1.
  //   7 = 1.75·4: 1; 2; 2; ⌈log2(7/6)⌉ = 1 → 2.
  //   4: power of two, CEIL = FLOOR = 1; ⌈log2(4/6)⌉ = 0 → 1.
  //   12: 2; ⌈log2⌉ 4 → 4; 2 (1.5 < 1.75); 12/6 = 2 → 2.   12.5: 2; 4; 2; ⌈log2(2.08)⌉ = 2 → 4.
  // E4M3 (emax 8, max 448, 3 mantissa bits: EVEN threshold 1.9375·256 = 496):
  //   496: 1; 2; 2; ⌈log2(496/448)⌉ = 1 → 2.   495: 1; 2; 1; 2.   448: 1; 2; 1; 1.   256: 1; 1; 1; 1.
  // E5M2 (emax 15, max 57344, 2 mantissa bits: threshold 1.875·2^15 = 61440):
  //   61440: 1; 2; 2; 2.   61439: 1; 2; 1; 2.
  // INT8 (emax 0, max 127/64, 6 fraction bits: threshold 2 − 2^-7 = 1.9921875):
  //   1.9921875: 1; 2; 2; 2.   1.984375 = 127/64: 1; 2; 1; 1.
  const Case cases[] = {
      {"mxfp4", 5, 1, 2, 1, 1},           {"mxfp4", 7, 1, 2, 2, 2},         {"mxfp4", 4, 1, 1, 1, 1},
      {"mxfp4", 12, 2, 4, 2, 2},          {"mxfp4", 12.5, 2, 4, 2, 4},      {"mxfp8_e4m3", 496, 1, 2, 2, 2},
      {"mxfp8_e4m3", 495, 1, 2, 1, 2},    {"mxfp8_e4m3", 448, 1, 2, 1, 1},  {"mxfp8_e4m3", 256, 1, 1, 1, 1},
      {"mxfp8_e5m2", 61440, 1, 2, 2, 2},  {"mxfp8_e5m2", 61439, 1, 2, 1, 2},
      {"mxint8", 1.9921875, 1, 2, 2, 2},  {"mxint8", 1.984375, 1, 2, 1, 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.format) + " amax " + std::to_string(c.amax));
    const auto vals = values_of({c.amax, -c.amax / 3}, 32);
    EXPECT_TRUE(is_value(quantize(c.format, vals, {}, with_rule(ScaleRule::MxFloor)).scale, c.floor));
    EXPECT_TRUE(is_value(quantize(c.format, vals, {}, with_rule(ScaleRule::MxCeil)).scale, c.ceil));
    EXPECT_TRUE(is_value(quantize(c.format, vals, {}, with_rule(ScaleRule::MxEven)).scale, c.even));
    EXPECT_TRUE(is_value(quantize(c.format, vals, {}, with_rule(ScaleRule::MxRceil)).scale, c.rceil));
  }
  // RCEIL on amax 7 (X = 2): 7/2 = 3.5 ties 3/4 → 4 (even) → decoded 8, no clamp.
  const auto r = quantize("mxfp4", values_of({7}, 32), {}, with_rule(ScaleRule::MxRceil));
  EXPECT_TRUE(is_value(r.decoded[0], 8));
  EXPECT_FALSE(r.elements[0].saturated);
}

namespace {

struct MxInfo {
  const char* name;
  int emax;
  double max;
};
const MxInfo kMx[] = {{"mxfp8_e4m3", 8, 448},  {"mxfp8_e5m2", 15, 57344}, {"mxfp6_e3m2", 4, 28},
                      {"mxfp6_e2m3", 2, 7.5},  {"mxfp4", 2, 6},          {"mxint8", 0, 127.0 / 64}};

// 32 finite doubles with ≤ 21 significant bits and exponents in [−40, 40]: every quotient by a
// power-of-two scale and every product below is exact in double.
rc::Gen<std::vector<double>> gen_block() {
  return rc::gen::container<std::vector<double>>(
      32, rc::gen::map(rc::gen::tuple(rc::gen::inRange(0, 1 << 21), rc::gen::inRange(-60, 20), rc::gen::arbitrary<bool>()),
                       [](const std::tuple<int, int, bool>& t) {
                         double v = std::ldexp(static_cast<double>(std::get<0>(t)), std::get<1>(t));
                         return std::get<2>(t) ? -v : v;
                       }));
}

}  // namespace

RC_GTEST_PROP(MxScaleRules, RceilNeverSaturatesAndPicksTheLeastPowerOfTwo, ()) {
  const std::vector<double> xs = *gen_block();
  std::vector<ExactValue> vals;
  double amax = 0;
  for (double x : xs) vals.push_back(D(x)), amax = std::max(amax, std::fabs(x));
  for (const auto& f : kMx) {
    const auto r = quantize(f.name, vals, {}, with_rule(ScaleRule::MxRceil));
    const double X = to_double(r.scale);
    for (const auto& e : r.elements) RC_ASSERT(!e.saturated);
    if (amax == 0) {
      RC_ASSERT(X == std::ldexp(1.0, -127));
    } else {
      RC_ASSERT(amax <= f.max * X);     // never clips
      RC_ASSERT(amax > f.max * X / 2);  // and no larger than needed
    }
  }
}

RC_GTEST_PROP(MxScaleRules, FloorAndCeilPutAmaxInTheirBinadeAndElementsAreProjectedQuotients, ()) {
  const std::vector<double> xs = *gen_block();
  std::vector<ExactValue> vals;
  double amax = 0;
  for (double x : xs) vals.push_back(D(x)), amax = std::max(amax, std::fabs(x));
  RC_PRE(amax > 0);
  Rounding rne_sat;
  rne_sat.saturation = Saturation::Finite;
  for (const auto& f : kMx) {
    const BlockFormat b = block(f.name);
    const auto fl = quantize(f.name, vals);
    const double X = to_double(fl.scale);
    RC_ASSERT(amax / X >= std::ldexp(1.0, f.emax));
    RC_ASSERT(amax / X < std::ldexp(1.0, f.emax + 1));
    for (size_t i = 0; i < vals.size(); ++i) {
      const RoundResult want = project(b.element, rne_sat, D(xs[i] / X));  // X is a power of two
      RC_ASSERT(fl.elements[i].code == want.code);
      RC_ASSERT(fl.decoded[i].identical(D(X * to_double(want.value))));  // exact: scale × element
    }
    const auto ce = quantize(f.name, vals, {}, with_rule(ScaleRule::MxCeil));
    const double Xc = to_double(ce.scale);
    RC_ASSERT(amax / Xc > std::ldexp(1.0, f.emax - 1));
    RC_ASSERT(amax / Xc <= std::ldexp(1.0, f.emax));
    for (const auto& e : ce.elements) RC_ASSERT(!e.saturated);
  }
}

// ---------------------------------------------------------------------------------------------------
// NVFP4 (formats.md §3.3)

TEST(Nvfp4, AmaxNineGivesScaleOneAndAHalf) {
  // s_b = 9/6 = 1.5, in UE4M3 exactly (E = 7, M = 4 → code 0x3C). Elements x/1.5:
  // 9 → 6; 4.5 → 3; 1 → 0.667 < 0.75 → 0.5 (decoded 0.75); 2 → 1.333 > 1.25 → 1.5 (2.25);
  // 3.75 → 2.5 ties 2/3 → 2 (3); 5.25 → 3.5 ties 3/4 → 4 (6); −9 → −6.
  const auto r = quantize("nvfp4", values_of({9, 4.5, 1, 2, 3.75, 5.25, -9}, 16));
  EXPECT_TRUE(is_value(r.scale, 1.5));
  EXPECT_TRUE(is_value(r.stored_scale, 1.5));
  EXPECT_EQ(r.scale_code, 0x3Cu);
  const double elem[] = {6, 3, 0.5, 1.5, 2, 4, -6};
  const double dec[] = {9, 4.5, 0.75, 2.25, 3, 6, -9};
  const std::uint64_t codes[] = {0x7, 0x5, 0x1, 0x3, 0x4, 0x6, 0xF};
  for (int i = 0; i < 7; ++i) {
    EXPECT_TRUE(is_value(r.elements[i].value, elem[i])) << i;
    EXPECT_TRUE(is_value(r.decoded[i], dec[i])) << i;
    EXPECT_EQ(r.elements[i].code, codes[i]) << i;
  }
}

TEST(Nvfp4, NonDyadicQuotientsRoundExactlyNextToATie) {
  // X = 1.5; 1.875/1.5 = 1.25 is the tie between 1 and 1.5. A nudge of one unit in the last of the
  // 320 working bits (2^-319) must decide: above → 1.5 (2.25), below → 1 (1.5); on it → 1 (even). A
  // quotient truncated to 320 bits would land on the tie and give 1 for the upper one.
  std::vector<ExactValue> v = values_of({9}, 16);
  v[1] = nudged(1.875, -319, true);
  v[2] = nudged(1.875, -319, false);
  v[3] = D(1.875);
  const auto r = quantize("nvfp4", v);
  EXPECT_TRUE(is_value(r.scale, 1.5));
  EXPECT_TRUE(is_value(r.decoded[1], 2.25));
  EXPECT_TRUE(is_value(r.decoded[2], 1.5));
  EXPECT_TRUE(is_value(r.decoded[3], 1.5));
}

TEST(Nvfp4, ScaleRoundsToUe4m3AndHonoursTheTensorScale) {
  // amax 10: 10/6 = 1.667, UE4M3 step 0.125 in [1, 2): 1.625 | 1.75, midpoint 1.6875 → 1.625
  // (E = 7, M = 5 → 0x3D). 10/1.625 = 6.15 → 6 → decoded 9.75.
  const auto a = quantize("nvfp4", values_of({10}, 16));
  EXPECT_TRUE(is_value(a.scale, 1.625));
  EXPECT_EQ(a.scale_code, 0x3Du);
  EXPECT_TRUE(is_value(a.decoded[0], 9.75));
  // s_t = 0.5: 10/3 = 3.333, step 0.25 in [2, 4): 3.25 (E = 8, M = 5 → 0x45); effective 1.625.
  BlockOptions o;
  o.tensor_scale = D(0.5);
  const auto b = quantize("nvfp4", values_of({10}, 16), {}, o);
  EXPECT_TRUE(is_value(b.stored_scale, 3.25));
  EXPECT_EQ(b.scale_code, 0x45u);
  EXPECT_TRUE(is_value(b.scale, 1.625));
  EXPECT_TRUE(is_value(b.decoded[0], 9.75));
  // s_t = 2^-10: 10/6·1024 = 1706.7 → clamp 448 (0x7E); effective 0.4375; 10/0.4375 = 22.9 → 6.
  o.tensor_scale = pow2(-10);
  const auto c = quantize("nvfp4", values_of({10}, 16), {}, o);
  EXPECT_TRUE(is_value(c.stored_scale, 448));
  EXPECT_EQ(c.scale_code, 0x7Eu);
  EXPECT_TRUE(is_value(c.decoded[0], 2.625));
  EXPECT_TRUE(c.elements[0].saturated);
}

TEST(Nvfp4, SmallBlocksClampTheScaleAtTwoToTheMinusSix) {
  // Zero or tiny amax: s_b clamps up to 2^-6 (UE4M3 E = 1, M = 0 → 0x08); 2^-20 / 2^-6 → 0.
  for (double a : {0.0, std::ldexp(1.0, -20)}) {
    const auto r = quantize("nvfp4", values_of({a}, 16));
    EXPECT_TRUE(is_value(r.scale, std::ldexp(1.0, -6)));
    EXPECT_EQ(r.scale_code, 0x08u);
    EXPECT_TRUE(is_value(r.decoded[0], 0.0));
  }
}

TEST(Nvfp4, NanInBlockAndBadTensorScales) {
  const auto r = quantize("nvfp4", values_of({std::nan(""), 1}, 16));
  EXPECT_EQ(r.scale_code, 0x7Fu);  // UE4M3 NaN: 0.1111.111
  for (const auto& d : r.decoded) EXPECT_TRUE(d.is_nan());
  BlockOptions o;
  for (const char* bad : {"0.1", "-1", "0", "inf", "0x1p-200"}) {
    o.tensor_scale = parse_number(bad);
    EXPECT_THROW(quantize("nvfp4", values_of({1}, 16), {}, o), InputError) << bad;
  }
  o.tensor_scale = D(2);
  EXPECT_THROW(quantize("mxfp4", values_of({1}, 32), {}, o), InputError);
}

// ---------------------------------------------------------------------------------------------------
// P3109 ConvertToBlockMaxAbsFinite (formats.md §2.6): Binary8p4se elements (bias 8, max 224, NaN 0x80,
// +Inf 0x7F), Binary8p1uf scale (bias 128, powers of two 2^-127 … 2^127, 0 and NaN 0xFF).

TEST(P3109Block, ScaleIsTheProjectedAmax) {
  // S = 3. P = 1: Q = 1, S̃ = 1.5, ν = ½, CodeIsEven = IsEven(Q + B) = IsEven(129) = false → away:
  // s = 4, code 2 + 128 = 0x82. Elements X/4 in Binary8p4se (code = Ebiased·8 + T):
  // 0.75 → 0x3C; 0.25 → 0x30; −0.125 → 0xA8; 0.075 → step 2^-7: 9.6 → 10 → 0.078125 (0x22, decoded
  // 0.3125); 0; −0.625 → 0xBA; 0.00025 < 2^-11 → 0; 0.4375 → 0x36.
  const auto r = quantize("p3109_block_k8p4se_k8p1uf_b8", {D(3), D(1), D(-0.5), parse_number("0.3"), D(0),
                                                          D(-2.5), parse_number("0.001"), D(1.75)});
  EXPECT_TRUE(is_value(r.scale, 4));
  EXPECT_EQ(r.scale_code, 0x82u);
  const std::uint64_t codes[] = {0x3C, 0x30, 0xA8, 0x22, 0x00, 0xBA, 0x00, 0x36};
  const double dec[] = {3, 1, -0.5, 0.3125, 0, -2.5, 0, 1.75};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(r.elements[i].code, codes[i]) << i;
    EXPECT_TRUE(is_value(r.decoded[i], dec[i])) << i;
  }
}

TEST(P3109Block, ZeroScaleMakesEveryNonNanElementZero) {
  // S = 2^-200 is below half of 2^-127 → s = 0 (code 0); ±Inf elements become 0 too.
  const double inf = INFINITY;
  std::vector<ExactValue> v = {pow2(-200), pow2(-201).negated(), D(0), D(inf), D(std::nan("")), pow2(-300),
                               D(-inf), D(0)};
  const auto r = quantize("p3109_block_k8p4se_k8p1uf_b8", v);
  EXPECT_TRUE(is_value(r.scale, 0.0));
  EXPECT_EQ(r.scale_code, 0x00u);
  for (int i = 0; i < 8; ++i) {
    if (i == 4) {
      EXPECT_EQ(r.elements[i].code, 0x80u);
      EXPECT_TRUE(r.decoded[i].is_nan());
    } else {
      EXPECT_EQ(r.elements[i].code, 0x00u) << i;
      EXPECT_TRUE(is_value(r.decoded[i], 0.0)) << i;
    }
  }
}

TEST(P3109Block, InfiniteScaleMakesElementsTheSignOfX) {
  // Binary8p1ue scale (max 2^125, +Inf 0xFE): S = 2^126 > max → SatNone, Extended → +∞.
  // Elements sgn(X_i)·sgn(S) ∈ {−1, 0, 1} (1.0 = 0x40); decoded ∞·±1 = ±∞, ∞·0 = NaN.
  BlockFormat b = block("p3109_block_k8p4se_k8p1uf_b8");
  b.scale = p3109_format(8, 1, false, true);
  const double inf = INFINITY;
  const std::vector<ExactValue> v = {pow2(126), D(-3), D(0), D(inf), D(std::nan("")), D(1), D(-inf), D(2)};
  const auto r = quantize_block(b, Rounding{}, v, {}, BlockOptions{});
  EXPECT_TRUE(r.scale.is_infinite() && !r.scale.negative());
  EXPECT_EQ(r.scale_code, 0xFEu);
  const std::uint64_t codes[] = {0x40, 0xC0, 0x00, 0x40, 0x80, 0x40, 0xC0, 0x40};
  const double dec[] = {inf, -inf, std::nan(""), inf, std::nan(""), inf, -inf, inf};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(r.elements[i].code, codes[i]) << i;
    EXPECT_TRUE(is_value(r.decoded[i], dec[i])) << i;
  }
}

TEST(P3109Block, NoFiniteValueGivesNanScale) {
  const double inf = INFINITY;
  const auto r = quantize("p3109_block_k8p4se_k8p1uf_b8",
                          values_of({inf, std::nan(""), -inf, inf, inf, -inf, std::nan(""), inf}, 8));
  EXPECT_TRUE(r.scale.is_nan());
  EXPECT_EQ(r.scale_code, 0xFFu);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(r.elements[i].code, 0x80u) << i;
    EXPECT_TRUE(r.decoded[i].is_nan()) << i;
  }
}

TEST(P3109Block, InfiniteElementWithFiniteScaleFollowsTheElementSaturation) {
  // S = 1 → s = 1 (code 128 = 0x80). ∞/1 = ∞: SatNone keeps +Inf (0x7F); SatFinite gives 224 (0x7E).
  const auto v = values_of({INFINITY, 1}, 8);
  const auto a = quantize("p3109_block_k8p4se_k8p1uf_b8", v);
  EXPECT_EQ(a.scale_code, 0x80u);
  EXPECT_EQ(a.elements[0].code, 0x7Fu);
  EXPECT_TRUE(is_value(a.decoded[0], INFINITY));
  EXPECT_EQ(a.elements[1].code, 0x40u);
  BlockOptions o;
  o.element_saturation = Saturation::Finite;
  const auto b = quantize("p3109_block_k8p4se_k8p1uf_b8", v, {}, o);
  EXPECT_EQ(b.elements[0].code, 0x7Eu);
  EXPECT_TRUE(is_value(b.decoded[0], 224));
}

// ---------------------------------------------------------------------------------------------------
// Errors and stochastic element rounding

TEST(BlockErrors, WrongLengthsAndMismatchedRules) {
  try {
    quantize("mxfp4", values_of({1}, 31));
    FAIL() << "31 values accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("32"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("31"), std::string::npos) << e.what();
  }
  EXPECT_THROW(quantize("nvfp4", values_of({1}, 32)), InputError);
  Rounding srff;
  srff.mode = Mode::StochasticA;
  srff.random_bits = 3;
  try {
    quantize("mxfp4", values_of({1}, 32), srff, {}, std::vector<RandomDraw>(3));
    FAIL() << "3 draws accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("3 random draws for 32"), std::string::npos) << e.what();
  }
  EXPECT_THROW(quantize("mxfp4", values_of({1}, 32), srff), InputError);  // no draws at all
  EXPECT_THROW(quantize("mxfp4", values_of({1}, 32), {}, {}, std::vector<RandomDraw>(5)), InputError);
  EXPECT_NO_THROW(quantize("mxfp4", values_of({1}, 32), {}, {}, std::vector<RandomDraw>(32)));
  // MX rules need a power-of-two scale format; UE4M3 is not one.
  EXPECT_THROW(quantize("nvfp4", values_of({1}, 16), {}, with_rule(ScaleRule::MxFloor)), InputError);
  EXPECT_THROW(parse_scale_rule("round"), InputError);
  EXPECT_EQ(parse_scale_rule("rceil"), ScaleRule::MxRceil);
}

TEST(BlockStochastic, PerElementDrawsMatchProjectOnTheElementInput) {
  // amax 2.5 → shared ⌊log2 2.5⌋ − 2 = −1, X = 0.5; each element input is 5, between 4 and 6 with
  // ν = ½. SRFF N = 3 rounds away iff ⌊½·8⌋ + r ≥ 8, i.e. r ≥ 4 → 6 (decoded 3), else 4 (decoded 2).
  Rounding srff;
  srff.mode = Mode::StochasticA;
  srff.random_bits = 3;
  std::vector<RandomDraw> draws(32);
  for (int i = 0; i < 32; ++i) draws[i].r = static_cast<std::uint64_t>(i % 8);
  const auto r = quantize("mxfp4", values_of({}, 32, 2.5), srff, {}, draws);
  EXPECT_TRUE(is_value(r.scale, 0.5));
  Rounding sat = srff;
  sat.saturation = Saturation::Finite;
  const IeeeLikeFormat e2m1 = element_format("ocp_e2m1");
  for (int i = 0; i < 32; ++i) {
    EXPECT_TRUE(is_value(r.decoded[i], i % 8 >= 4 ? 3 : 2)) << i;
    EXPECT_EQ(r.elements[i].code, project(e2m1, sat, D(5), draws[i]).code) << i;
  }
  // NVFP4, X = 1.5: 1.875/1.5 = 1.25 sits at ν = ½ between 1 and 1.5; SRC N = 2 rounds away iff
  // RNE(½·4) + r ≥ 4, i.e. r ≥ 2.
  Rounding src;
  src.mode = Mode::StochasticC;
  src.random_bits = 2;
  std::vector<RandomDraw> d16(16);
  for (int i = 0; i < 16; ++i) d16[i].r = static_cast<std::uint64_t>(i % 4);
  const auto n = quantize("nvfp4", values_of({9}, 16, 1.875), src, {}, d16);
  Rounding src_sat = src;
  src_sat.saturation = Saturation::Finite;
  for (int i = 1; i < 16; ++i) {
    EXPECT_TRUE(is_value(n.decoded[i], i % 4 >= 2 ? 2.25 : 1.5)) << i;
    EXPECT_EQ(n.elements[i].code, project(e2m1, src_sat, D(1.25), d16[i]).code) << i;
  }
}

// ---------------------------------------------------------------------------------------------------
// CLI

namespace {
int run_cli(const std::vector<std::string>& args, const std::string& input, std::string& out, std::string& err) {
  std::istringstream in(input);
  std::ostringstream o, e;
  int rc = cli::run_main(args, in, o, e);
  out = o.str();
  err = e.str();
  return rc;
}
std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}
}  // namespace

TEST(QuantizeBlockCli, AnswersEachLineAndReportsBadLines) {
  const std::string line1 = "5 0.25 0.75 1.25 1.75 2.5 3.5 -5" + repeat(" 0", 24) + "\n";
  const std::string line2 = "1 2 3\n";
  std::string out, err;
  const int rc = run_cli({"quantize-block", "--format", "mxfp4", "--mode", "rne"}, line1 + line2, out, err);
  EXPECT_EQ(rc, 1);
  const std::string want1 = "scale=0x1p+0 scale_code=0x7f codes=0x6,0x0,0x2,0x2,0x4,0x4,0x6,0xe" +
                            repeat(",0x0", 24) +
                            " values=0x1p+2 0x0p+0 0x1p+0 0x1p+0 0x1p+1 0x1p+1 0x1p+2 -0x1p+2" +
                            repeat(" 0x0p+0", 24) + "\n";
  ASSERT_EQ(out.substr(0, want1.size()), want1);
  EXPECT_EQ(out.substr(want1.size(), 15), "error: line 2: ");
  EXPECT_NE(out.find("32"), std::string::npos);
}

TEST(QuantizeBlockCli, StochasticLinesTakeOneDrawPerValue) {
  // P3109 block, S = 2 → s = 2 (code 129 = 0x81); 1/2 = 0.5 exact; 0.3/2 = 0.15: step 2^-6 in
  // [2^-3, 2^-2): 9.6 → ν = 0.6; SRFF N = 1: ⌊0.6·2⌋ + r ≥ 2 iff r = 1: 9/64 or 10/64, decoded ×2.
  std::string out, err;
  int rc = run_cli({"quantize-block", "--format", "p3109_block_k8p4se_k8p1uf_b8", "--mode", "srff",
                    "--random-bits", "1"},
                   "2 1 0.3 0.3 0 0 0 0 ; 0 0 0 1 0 0 0 0\n", out, err);
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_EQ(out,
            "scale=0x1p+1 scale_code=0x81 codes=0x40,0x38,0x29,0x2a,0x00,0x00,0x00,0x00 "
            "values=0x1p+1 0x1p+0 0x1.2p-2 0x1.4p-2 0x0p+0 0x0p+0 0x0p+0 0x0p+0\n");
  // A deterministic mode takes no draws; a stochastic one needs them.
  rc = run_cli({"quantize-block", "--format", "p3109_block_k8p4se_k8p1uf_b8", "--mode", "rne"},
               "1 1 1 1 1 1 1 1 ; 0 0 0 0 0 0 0 0\n", out, err);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out.rfind("error: line 1: ", 0), 0u) << out;
  rc = run_cli({"quantize-block", "--format", "p3109_block_k8p4se_k8p1uf_b8", "--mode", "srff", "--random-bits",
                "1"},
               "1 1 1 1 1 1 1 1 ; 0 0 2 0 0 0 0 0\n", out, err);
  EXPECT_EQ(rc, 1);
}

TEST(QuantizeBlockCli, OptionErrorsStopBeforeReadingInput) {
  std::string out, err;
  EXPECT_EQ(run_cli({"quantize-block", "--format", "mxfp4", "--mode", "rne", "--tensor-scale", "2"}, "", out, err), 2);
  EXPECT_EQ(run_cli({"quantize-block", "--format", "ocp_e2m1", "--mode", "rne"}, "", out, err), 2);
  EXPECT_EQ(run_cli({"quantize-block", "--format", "nvfp4", "--mode", "rne", "--scale-rule", "floor"}, "", out, err), 2);
  // nvfp4 with a tensor scale: 10 → q_b 3.25 (0x45), effective 1.625, decoded 9.75 (see Nvfp4 tests).
  EXPECT_EQ(run_cli({"quantize-block", "--format", "nvfp4", "--mode", "rne", "--tensor-scale", "0.5"},
                    "10" + repeat(" 0", 15) + "\n", out, err),
            0)
      << out << err;
  EXPECT_EQ(out.rfind("scale=0x1.ap+0 scale_code=0x45 codes=0x7,", 0), 0u) << out;
  EXPECT_NE(out.find("values=0x1.38p+3 "), std::string::npos) << out;
}

// A block with no encoding is a data case, not an option error: the amax rule (P3109
// ConvertToBlockMaxAbsFinite) on mxfp4 has an all-zero block's scale Project(0) = NaN in E8M0 (no zero),
// so that line is refused, while a block of 1.5s (S = 1.5 → s = 2 by RNE on E8M0's powers of two, a
// tie to the even exponent code 0x80; 1.5/2 = 0.75 → E2M1 RNE tie → 1.0, code 0x2) is answered.
// Before, the option probe used that zero block, so every use of --scale-rule amax on mxfp4 failed.
TEST(QuantizeBlockCli, AmaxRuleOnMxIsAnsweredLineByLine) {
  std::string out, err;
  const int rc = run_cli({"quantize-block", "--format", "mxfp4", "--mode", "rne", "--scale-rule", "amax"},
                         "1.5" + repeat(" 1.5", 31) + "\n0" + repeat(" 0", 31) + "\n", out, err);
  EXPECT_EQ(rc, 1) << out << err;
  const std::string want1 = "scale=0x1p+1 scale_code=0x80 codes=0x2" + repeat(",0x2", 31) + " values=0x1p+1" +
                            repeat(" 0x1p+1", 31) + "\n";
  ASSERT_EQ(out.substr(0, want1.size()), want1) << out;
  EXPECT_EQ(out.substr(want1.size(), 15), "error: line 2: ") << out;
}
