// The public API of reference/roundlab.hpp: formats and roundings from names or parameters, errors that
// name the bad input, and reference_round on a double with a random word.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <variant>

#include "reference/roundlab.hpp"

using namespace roundlab;

namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST(PublicApi, FormatFromNameAndAlias) {
  const Format f = format_from_name("p3109_k8p4se");
  const auto& ieee = std::get<IeeeLikeFormat>(f);
  EXPECT_EQ(ieee.k, 8);
  EXPECT_EQ(ieee.p, 4);
  EXPECT_EQ(format_name(format_from_name("b8p4")), "p3109_k8p4se");
  EXPECT_EQ(format_name(format_from_name("BFLOAT16")), "bfloat16");
}

TEST(PublicApi, UnknownFormatNamesTheInput) {
  EXPECT_NE(error_of([] { format_from_name("p3109_k8p9se"); }).find("p3109_k8p9se"), std::string::npos);
  const std::string e = error_of([] { format_from_name("binary17x"); });
  EXPECT_NE(e.find("unknown format 'binary17x'"), std::string::npos) << e;
}

TEST(PublicApi, FormatFromParameters) {
  IeeeLikeFormat p;
  p.name = "my_e4m3_ieee";
  p.family = "custom";
  p.k = 8;
  p.p = 4;
  p.bias = 7;
  const Format f = format_from_parameters(p);
  EXPECT_EQ(format_name(f), "my_e4m3_ieee");
  EXPECT_EQ(to_hex_float(decode_code(f, 0x38)), "0x1p+0");  // exponent field 7 = bias
  EXPECT_EQ(to_hex_float(decode_code(f, 0x01)), "0x1p-9");  // smallest subnormal
  p.p = 9;  // more precision than bits
  EXPECT_NE(error_of([&] { format_from_parameters(p); }), "(no InputError)");
}

TEST(PublicApi, RoundingFromName) {
  const Rounding src = rounding_from_name("src", 3);
  EXPECT_EQ(src.mode, Mode::StochasticC);
  EXPECT_EQ(src.random_bits, 3);
  EXPECT_EQ(src.saturation, Saturation::None);
  EXPECT_EQ(rounding_from_name("StochasticC", 3, "finite").saturation, Saturation::Finite);
  EXPECT_EQ(rounding_from_parameters(Mode::NearestTiesToEven).describe(), "rne sat=none");
}

TEST(PublicApi, BadRoundingNamesTheInputAndWhatWasExpected) {
  std::string e = error_of([] { rounding_from_name("stochastic-c", 3); });
  EXPECT_NE(e.find("unknown rounding mode 'stochastic-c'"), std::string::npos) << e;
  EXPECT_NE(e.find("src"), std::string::npos) << e;  // the list of expected names
  e = error_of([] { rounding_from_name("src", 65); });
  EXPECT_NE(e.find("N = 65"), std::string::npos) << e;
  EXPECT_NE(e.find("0..64"), std::string::npos) << e;
  e = error_of([] { rounding_from_name("rne", 2); });
  EXPECT_NE(e.find("deterministic"), std::string::npos) << e;
  e = error_of([] { rounding_from_name("rne", 0, "clamp"); });
  EXPECT_NE(e.find("unknown saturation 'clamp'"), std::string::npos) << e;
}

// 1 + 5/128 into binary8p4 with SRC and 3 random bits: δ = 5/16, C = RNE(2.5) = 2, so r = 6 and 7 round up.
TEST(PublicApi, ReferenceRoundOfADoubleWithRandomWord) {
  const Format f = format_from_name("p3109_k8p4se");
  const Rounding src = rounding_from_name("src", 3);
  for (std::uint64_t r = 0; r < 8; ++r) {
    const RoundResult res = reference_round(f, src, 1.0 + 5.0 / 128, r);
    EXPECT_EQ(res.code, r >= 6 ? 0x41u : 0x40u) << "r=" << r;
    EXPECT_EQ(to_hex_float(res.value), r >= 6 ? "0x1.2p+0" : "0x1p+0") << "r=" << r;
    EXPECT_EQ(res.away, r >= 6);
    RandomDraw draw;
    draw.r = r;
    EXPECT_TRUE(res.value.identical(reference_round(f, src, ExactValue::from_double(1.0 + 5.0 / 128), draw).value));
  }
  // Deterministic modes ignore r; NaN keeps its canonical code.
  EXPECT_EQ(reference_round(f, rounding_from_name("rne"), 1.0 + 5.0 / 128).code, 0x40u);
  EXPECT_EQ(reference_round(f, rounding_from_name("rne"), std::numeric_limits<double>::quiet_NaN()).code, 0x80u);
}
