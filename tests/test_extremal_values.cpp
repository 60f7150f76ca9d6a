// Extremal values and special codes of every IEEE-like format, against formats.md §0, §1, §2.4, §3.1 and
// stochastic-rounding.md §7, and against closed forms computed here in exact rational arithmetic
// (boost cpp_rational). Counts and extremes are taken by decoding every code, not from the format's own
// accessors (those are checked too, against the same independent numbers).
#include <gtest/gtest.h>

#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <ios>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "tests/support/exact_rational_testing.hpp"

using namespace roundlab;
using namespace roundlab::exact_testing;

namespace {

// Everything learnt by decoding every code of a format (k ≤ 22 here).
struct Scan {
  std::uint64_t codes = 0, finite = 0, nan = 0, pos_inf = 0, neg_inf = 0, neg_zero = 0, zero = 0;
  std::vector<std::uint64_t> nan_codes, pos_inf_codes, neg_inf_codes;
  std::optional<ExactValue> max, min, min_positive, max_below_threshold;
  std::uint64_t max_code = 0, min_code = 0;
};

Scan scan(const IeeeLikeFormat& f, const std::optional<ExactValue>& threshold = std::nullopt) {
  Scan s;
  s.codes = std::uint64_t{1} << f.k;
  for (std::uint64_t c = 0; c < s.codes; ++c) {
    const ExactValue v = f.decode(c);
    if (v.is_nan()) {
      ++s.nan;
      if (s.nan_codes.size() < 64) s.nan_codes.push_back(c);
      continue;
    }
    if (v.is_infinite()) {
      if (v.negative()) ++s.neg_inf, s.neg_inf_codes.push_back(c);
      else ++s.pos_inf, s.pos_inf_codes.push_back(c);
      continue;
    }
    ++s.finite;
    if (v.is_zero()) {
      ++s.zero;
      if (v.negative()) ++s.neg_zero;
    }
    if (!s.max || *s.max < v) s.max = v, s.max_code = c;
    if (!s.min || v < *s.min) s.min = v, s.min_code = c;
    if (!v.is_zero() && !v.negative() && (!s.min_positive || v < *s.min_positive)) s.min_positive = v;
    if (threshold && !v.negative() && v < *threshold && (!s.max_below_threshold || *s.max_below_threshold < v))
      s.max_below_threshold = v;
  }
  return s;
}

// ---- P3109 closed forms (formats.md §2.4 "General K"), computed independently --------------------------

struct Closed {
  long bias;
  Rat max, min_normal;
  std::optional<Rat> min_subnormal, max_subnormal;  // P ≥ 2 only
  std::uint64_t finite;
  std::uint64_t nan_code, max_code;
  std::optional<std::uint64_t> pos_inf_code, neg_inf_code;
};

Closed closed_form(int K, int P, bool is_signed, bool extended) {
  Closed c;
  c.bias = is_signed ? (1L << (K - P - 1)) : (1L << (K - P));
  const long B = c.bias;
  if (is_signed) {
    if (P == 1) c.max = extended ? pow2(B - 2) : pow2(B - 1);
    else c.max = (Rat(2) - (extended ? pow2(2 - P) : pow2(1 - P))) * pow2(B - 1);
  } else {
    if (P == 1) c.max = extended ? pow2(B - 3) : pow2(B - 2);
    else if (!extended) c.max = (Rat(2) - pow2(2 - P)) * pow2(B - 1);
    else if (P == 2) c.max = Rat(3, 2) * pow2(B - 2);
    else c.max = (Rat(2) - Rat(3) * pow2(1 - P)) * pow2(B - 1);
  }
  c.min_normal = pow2(1 - B);
  if (P >= 2) {
    c.min_subnormal = pow2(2 - B - P);
    c.max_subnormal = (Rat(1) - pow2(1 - P)) * pow2(1 - B);
  }
  // §2.1/§2.2: exactly one NaN, no −0; signed Extended has ±Inf, unsigned Extended +Inf only.
  const std::uint64_t n = std::uint64_t{1} << K;
  c.finite = n - 1 - (extended ? (is_signed ? 2 : 1) : 0);
  // §2.2 code points.
  c.nan_code = is_signed ? (n >> 1) : n - 1;
  if (extended) {
    c.pos_inf_code = is_signed ? (n >> 1) - 1 : n - 2;
    if (is_signed) c.neg_inf_code = n - 1;
  }
  c.max_code = is_signed ? (n >> 1) - 1 - (extended ? 1 : 0) : n - 2 - (extended ? 1 : 0);
  return c;
}

void check_p3109(const IeeeLikeFormat& f, int K, int P, bool is_signed, bool extended, bool full_scan) {
  SCOPED_TRACE(f.name);
  const Closed c = closed_form(K, P, is_signed, extended);
  EXPECT_EQ(f.bias, c.bias);
  EXPECT_EQ(to_rat(f.max_finite()), c.max);
  EXPECT_EQ(to_rat(f.decode(c.max_code)), c.max);
  EXPECT_EQ(f.code_of_max(), c.max_code);
  EXPECT_EQ(to_rat(f.min_normal()), c.min_normal);
  EXPECT_EQ(to_rat(f.min_finite()), is_signed ? Rat(-c.max) : Rat(0));
  if (c.min_subnormal) {
    ASSERT_TRUE(f.min_subnormal().has_value());
    EXPECT_EQ(to_rat(*f.min_subnormal()), *c.min_subnormal);
    EXPECT_EQ(to_rat(f.decode(1)), *c.min_subnormal);  // code 1 = smallest subnormal
  } else {
    EXPECT_FALSE(f.min_subnormal().has_value());
    EXPECT_EQ(to_rat(f.decode(1)), c.min_normal);  // P = 1: the smallest positive value is the min normal
  }
  EXPECT_TRUE(f.decode(c.nan_code).is_nan());
  EXPECT_EQ(f.code_of_nan(), c.nan_code);
  if (c.pos_inf_code) {
    ExactValue v = f.decode(*c.pos_inf_code);
    EXPECT_TRUE(v.is_infinite() && !v.negative());
    EXPECT_EQ(f.code_of_positive_infinity(), *c.pos_inf_code);
  }
  if (c.neg_inf_code) {
    ExactValue v = f.decode(*c.neg_inf_code);
    EXPECT_TRUE(v.is_infinite() && v.negative());
    EXPECT_EQ(f.code_of_negative_infinity(), *c.neg_inf_code);
  }
  // 1.0 is the mid code 2^(K−2) (signed) or 2^(K−1) (unsigned) (§2.1, Annex A.5).
  EXPECT_EQ(to_rat(f.decode(std::uint64_t{1} << (is_signed ? K - 2 : K - 1))), Rat(1));
  if (!full_scan) return;
  const Scan s = scan(f, exact(c.min_normal));
  EXPECT_EQ(s.finite, c.finite);
  EXPECT_EQ(s.nan, 1u);
  EXPECT_EQ(s.neg_zero, 0u);
  EXPECT_EQ(s.zero, 1u);
  EXPECT_EQ(s.pos_inf, extended ? 1u : 0u);
  EXPECT_EQ(s.neg_inf, extended && is_signed ? 1u : 0u);
  ASSERT_TRUE(s.max && s.min && s.min_positive);
  EXPECT_EQ(to_rat(*s.max), c.max);
  EXPECT_EQ(s.max_code, c.max_code);
  EXPECT_EQ(to_rat(*s.min), is_signed ? Rat(-c.max) : Rat(0));
  EXPECT_EQ(to_rat(*s.min_positive), c.min_subnormal ? *c.min_subnormal : c.min_normal);
  ASSERT_TRUE(s.max_below_threshold.has_value());
  EXPECT_EQ(to_rat(*s.max_below_threshold), c.max_subnormal ? *c.max_subnormal : Rat(0));
}

}  // namespace

// formats.md §2.4, K = 8 table, row by row (numbers copied from the table, not from the closed forms).
TEST(ExtremalValues, P3109K8Table) {
  struct Row {
    const char* name;
    Rat max, min_normal, min_positive;
    std::optional<Rat> max_subnormal;
    std::uint64_t finite;
  };
  const std::vector<Row> rows = {
      {"p3109_k8p1se", pow2(62), pow2(-63), pow2(-63), std::nullopt, 253},
      {"p3109_k8p1sf", pow2(63), pow2(-63), pow2(-63), std::nullopt, 255},
      {"p3109_k8p1ue", pow2(125), pow2(-127), pow2(-127), std::nullopt, 254},
      {"p3109_k8p1uf", pow2(126), pow2(-127), pow2(-127), std::nullopt, 255},
      {"p3109_k8p2se", pow2(31), pow2(-31), pow2(-32), pow2(-32), 253},
      {"p3109_k8p2sf", Rat(3, 2) * pow2(31), pow2(-31), pow2(-32), pow2(-32), 255},
      {"p3109_k8p2ue", Rat(3, 2) * pow2(62), pow2(-63), pow2(-64), pow2(-64), 254},
      {"p3109_k8p2uf", pow2(63), pow2(-63), pow2(-64), pow2(-64), 255},
      {"p3109_k8p3se", 49152, pow2(-15), pow2(-17), Rat(3, 2) * pow2(-16), 253},
      {"p3109_k8p3sf", 57344, pow2(-15), pow2(-17), Rat(3, 2) * pow2(-16), 255},
      {"p3109_k8p3ue", Rat(5, 4) * pow2(31), pow2(-31), pow2(-33), Rat(3, 2) * pow2(-32), 254},
      {"p3109_k8p3uf", Rat(3, 2) * pow2(31), pow2(-31), pow2(-33), Rat(3, 2) * pow2(-32), 255},
      {"p3109_k8p4se", 224, pow2(-7), pow2(-10), Rat(7, 4) * pow2(-8), 253},
      {"p3109_k8p4sf", 240, pow2(-7), pow2(-10), Rat(7, 4) * pow2(-8), 255},
      {"p3109_k8p4ue", 53248, pow2(-15), pow2(-18), Rat(7, 4) * pow2(-16), 254},
      {"p3109_k8p4uf", 57344, pow2(-15), pow2(-18), Rat(7, 4) * pow2(-16), 255},
      {"p3109_k8p5se", 15, Rat(1, 8), pow2(-7), Rat(1171875, 10000000), 253},
      {"p3109_k8p5sf", Rat(31, 2), Rat(1, 8), pow2(-7), Rat(1171875, 10000000), 255},
      {"p3109_k8p5ue", 232, pow2(-7), pow2(-11), Rat(15, 8) * pow2(-8), 254},
      {"p3109_k8p5uf", 240, pow2(-7), pow2(-11), Rat(15, 8) * pow2(-8), 255},
      {"p3109_k8p6se", Rat(3875, 1000), Rat(1, 2), pow2(-6), Rat(484375, 1000000), 253},
      {"p3109_k8p6sf", Rat(39375, 10000), Rat(1, 2), pow2(-6), Rat(484375, 1000000), 255},
      {"p3109_k8p6ue", Rat(1525, 100), Rat(1, 8), pow2(-8), Rat(12109375, 100000000), 254},
      {"p3109_k8p6uf", Rat(31, 2), Rat(1, 8), pow2(-8), Rat(12109375, 100000000), 255},
      {"p3109_k8p7se", Rat(196875, 100000), 1, pow2(-6), Rat(984375, 1000000), 253},
      {"p3109_k8p7sf", Rat(1984375, 1000000), 1, pow2(-6), Rat(984375, 1000000), 255},
      {"p3109_k8p7ue", Rat(390625, 100000), Rat(1, 2), pow2(-7), Rat(4921875, 10000000), 254},
      {"p3109_k8p7uf", Rat(39375, 10000), Rat(1, 2), pow2(-7), Rat(4921875, 10000000), 255},
      {"p3109_k8p8ue", Rat(19765625, 10000000), 1, pow2(-7), Rat(9921875, 10000000), 254},
      {"p3109_k8p8uf", Rat(1984375, 1000000), 1, pow2(-7), Rat(9921875, 10000000), 255},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const auto f = fmt(row.name);
    const bool is_signed = row.name[10] == 's';  // "p3109_k8pPse"
    const bool extended = row.name[11] == 'e';
    const Scan s = scan(f, exact(row.min_normal));
    ASSERT_TRUE(s.max && s.min_positive);
    EXPECT_EQ(to_rat(*s.max), row.max);
    EXPECT_EQ(to_rat(f.max_finite()), row.max);
    EXPECT_EQ(to_rat(f.min_normal()), row.min_normal);
    EXPECT_EQ(to_rat(*s.min_positive), row.min_positive);
    // The min normal is itself a value of the format; below it lie only subnormals (or 0 when P = 1).
    EXPECT_NO_THROW(f.encode(exact(row.min_normal)));
    ASSERT_TRUE(s.max_below_threshold.has_value());
    EXPECT_EQ(to_rat(*s.max_below_threshold), row.max_subnormal ? *row.max_subnormal : Rat(0));
    EXPECT_EQ(s.finite, row.finite);
    // Specials (§2.4 last column, §2.2): signed: NaN 0x80, Inf 0x7F / −Inf 0xFF in "e"; unsigned: NaN
    // 0xFF, Inf 0xFE in "e". No −0 anywhere.
    EXPECT_EQ(s.nan, 1u);
    ASSERT_EQ(s.nan_codes.size(), 1u);
    EXPECT_EQ(s.nan_codes[0], is_signed ? 0x80u : 0xFFu);
    EXPECT_EQ(s.neg_zero, 0u);
    if (extended) {
      ASSERT_EQ(s.pos_inf_codes.size(), 1u);
      EXPECT_EQ(s.pos_inf_codes[0], is_signed ? 0x7Fu : 0xFEu);
      if (is_signed) {
        ASSERT_EQ(s.neg_inf_codes.size(), 1u);
        EXPECT_EQ(s.neg_inf_codes[0], 0xFFu);
      } else {
        EXPECT_EQ(s.neg_inf, 0u);
      }
      EXPECT_EQ(s.max_code, is_signed ? 0x7Eu : 0xFDu);
    } else {
      EXPECT_EQ(s.pos_inf + s.neg_inf, 0u);
      EXPECT_EQ(s.max_code, is_signed ? 0x7Fu : 0xFEu);  // the Extended +Inf code is the largest value
    }
  }
}

// Biases (K = 8, signed): p1 64, p2 32, …, p7 1 (formats.md §2.4); Binary8p4se: 2.0 = 0x48 (§2.1).
TEST(ExtremalValues, P3109K8BiasesAndAnnexExamples) {
  const long biases[] = {64, 32, 16, 8, 4, 2, 1};
  for (int p = 1; p <= 7; ++p) EXPECT_EQ(fmt("p3109_k8p" + std::to_string(p) + "se").bias, biases[p - 1]) << p;
  const auto f = fmt("Binary8p4se");
  EXPECT_EQ(to_rat(f.decode(0x48)), Rat(2));
  EXPECT_TRUE(f.decode(0x7F).is_infinite());
  // The b8pP aliases are the signed Extended formats (§2.5: "binary8p4" = Binary8p4se, max 224).
  EXPECT_EQ(to_rat(fmt("b8p4").max_finite()), Rat(224));
  EXPECT_EQ(to_rat(fmt("binary8p3").max_finite()), Rat(49152));
}

// formats.md §2.4 general-K closed forms, every catalogue P3109 format with 3 ≤ K ≤ 16. Every code is
// decoded for every format (K = 16 included).
TEST(ExtremalValues, P3109ClosedFormsAllK) {
  int checked = 0;
  for (const auto& e : catalogue()) {
    const auto* f = std::get_if<IeeeLikeFormat>(&e.format);
    if (!f || f->family != "p3109") continue;
    const bool is_signed = f->is_signed;
    const bool extended = f->domain == Domain::Extended;
    check_p3109(*f, f->k, f->p, is_signed, extended, /*full_scan=*/true);
    ++checked;
  }
  // Σ_{K=3..16} (signed P = 1..K−1, unsigned P = 1..K) × {e, f} = Σ 2(2K − 1) = 504 formats.
  EXPECT_EQ(checked, 504);
}

// The generator beyond the catalogue (find_format accepts any p3109 name): closed forms at K = 20 and 32
// (K = 32 only with P ≥ 20, so that 2^B stays a manageable rational).
TEST(ExtremalValues, P3109ClosedFormsGeneratedNames) {
  for (int K : {20, 32}) {
    for (bool s : {true, false}) {
      for (bool ext : {true, false}) {
        const std::vector<int> ps = K == 20 ? std::vector<int>{1, 2, 3, 10, 19} : std::vector<int>{20, 24, 31};
        for (int P : ps) {
          const std::string name = "p3109_k" + std::to_string(K) + "p" + std::to_string(P) + (s ? "s" : "u") +
                                   (ext ? "e" : "f");
          check_p3109(fmt(name), K, P, s, ext, /*full_scan=*/false);
        }
      }
    }
  }
}

// formats.md §0 master table and §1 (OCP FP8, FNUZ), §3.1 (MX element value sets), §0 E8M0 / INT8.
TEST(ExtremalValues, OcpAndFnuzMasterTable) {
  struct Row {
    const char* name;
    long bias;
    Rat max, min_normal, min_subnormal, max_subnormal, min_finite;
    std::uint64_t finite;
    std::vector<std::uint64_t> nan_codes, pos_inf, neg_inf;
    std::uint64_t neg_zero;
    std::uint64_t max_code;
  };
  const std::vector<Row> rows = {
      // E4M3: 126 positive non-zero finite values (7 + 119), ±0 → 254 finite codes; NaN S.1111.111.
      {"ocp_e4m3", 7, 448, pow2(-6), pow2(-9), Rat(7, 8) * pow2(-6), -448, 254, {0x7F, 0xFF}, {}, {}, 1, 0x7E},
      // E5M2: 123 positive non-zero finite values (3 + 120), ±0 → 248; ±Inf S.11111.00; 6 NaNs.
      {"ocp_e5m2", 15, 57344, pow2(-14), pow2(-16), Rat(3, 4) * pow2(-14), -57344, 248,
       {0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF}, {0x7C}, {0xFC}, 1, 0x7B},
      // MX FP6 / FP4: no Inf/NaN, ±0; every code finite.
      {"ocp_e3m2", 3, 28, pow2(-2), pow2(-4), Rat(3, 16), -28, 64, {}, {}, {}, 1, 0x1F},
      {"ocp_e2m3", 1, Rat(15, 2), 1, pow2(-3), Rat(7, 8), Rat(-15, 2), 64, {}, {}, {}, 1, 0x1F},
      {"ocp_e2m1", 1, 6, 1, Rat(1, 2), Rat(1, 2), -6, 16, {}, {}, {}, 1, 0x7},
      // FNUZ: NaN 0x80, no Inf, no −0; max 0x7F.
      {"e4m3fnuz", 8, 240, pow2(-7), pow2(-10), Rat(7, 8) * pow2(-7), -240, 255, {0x80}, {}, {}, 0, 0x7F},
      {"e5m2fnuz", 16, 57344, pow2(-15), pow2(-17), Rat(3, 4) * pow2(-15), -57344, 255, {0x80}, {}, {}, 0, 0x7F},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const auto f = fmt(row.name);
    EXPECT_EQ(f.bias, row.bias);
    const Scan s = scan(f, exact(row.min_normal));
    ASSERT_TRUE(s.max && s.min && s.min_positive && s.max_below_threshold);
    EXPECT_EQ(to_rat(*s.max), row.max);
    EXPECT_EQ(s.max_code, row.max_code);
    EXPECT_EQ(f.code_of_max(), row.max_code);
    EXPECT_EQ(to_rat(f.max_finite()), row.max);
    EXPECT_EQ(to_rat(*s.min), row.min_finite);
    EXPECT_EQ(to_rat(f.min_finite()), row.min_finite);
    EXPECT_EQ(to_rat(f.min_normal()), row.min_normal);
    ASSERT_TRUE(f.min_subnormal().has_value());
    EXPECT_EQ(to_rat(*f.min_subnormal()), row.min_subnormal);
    EXPECT_EQ(to_rat(*s.min_positive), row.min_subnormal);
    EXPECT_EQ(to_rat(*s.max_below_threshold), row.max_subnormal);
    EXPECT_EQ(s.finite, row.finite);
    EXPECT_EQ(s.nan_codes, row.nan_codes);
    EXPECT_EQ(s.pos_inf_codes, row.pos_inf);
    EXPECT_EQ(s.neg_inf_codes, row.neg_inf);
    EXPECT_EQ(s.neg_zero, row.neg_zero);
  }
  // §1: the E4M3 / E5M2 top binades.
  const auto e4m3 = fmt("ocp_e4m3");
  const auto e5m2 = fmt("ocp_e5m2");
  for (int m = 0; m < 7; ++m) EXPECT_EQ(to_rat(e4m3.decode(0x78 + m)), Rat(256 + 32 * m)) << m;
  for (int m = 0; m < 4; ++m) EXPECT_EQ(to_rat(e5m2.decode(0x78 + m)), Rat(32768 + 8192 * m)) << m;
}

std::set<Rat> positive_finite_values(const IeeeLikeFormat& f) {
  std::set<Rat> out;
  for (std::uint64_t c = 0; c < (std::uint64_t{1} << f.k); ++c) {
    const ExactValue v = f.decode(c);
    if (v.is_finite() && !v.is_zero() && !v.negative()) out.insert(to_rat(v));
  }
  return out;
}

// §1 "Positive finite set, exact" for E4M3 / E5M2, and §3.1 element value sets for E2M1/E2M3/E3M2.
TEST(ExtremalValues, OcpExactValueSets) {
  std::set<Rat> e4m3, e5m2;
  for (int m = 1; m <= 7; ++m) e4m3.insert(Rat(m, 8) * pow2(-6));
  for (int e = 1; e <= 15; ++e)
    for (int m = 0; m <= 7; ++m)
      if (!(e == 15 && m == 7)) e4m3.insert((1 + Rat(m, 8)) * pow2(e - 7));
  for (int m = 1; m <= 3; ++m) e5m2.insert(Rat(m, 4) * pow2(-14));
  for (int e = 1; e <= 30; ++e)
    for (int m = 0; m <= 3; ++m) e5m2.insert((1 + Rat(m, 4)) * pow2(e - 15));
  EXPECT_EQ(e4m3.size(), 126u);
  EXPECT_EQ(e5m2.size(), 123u);
  EXPECT_EQ(positive_finite_values(fmt("ocp_e4m3")), e4m3);
  EXPECT_EQ(positive_finite_values(fmt("ocp_e5m2")), e5m2);
  // UE4M3 (NVFP4 scale): "E4M3 with sign = 0": the same positive set, max 448.
  EXPECT_EQ(positive_finite_values(fmt("ocp_ue4m3")), e4m3);

  auto set_of = [](std::vector<Rat> v) { return std::set<Rat>(v.begin(), v.end()); };
  const std::set<Rat> e2m1 = set_of({Rat(1, 2), 1, Rat(3, 2), 2, 3, 4, 6});
  std::vector<Rat> e2m3v;
  for (int i = 1; i <= 7; ++i) e2m3v.push_back(Rat(i, 8));  // 0.125 … 0.875 (subnormals)
  for (int i = 8; i <= 15; ++i) e2m3v.push_back(Rat(i, 8));  // 1 … 1.875
  for (int i = 8; i <= 15; ++i) e2m3v.push_back(Rat(i, 4));  // 2 … 3.75
  for (int i = 8; i <= 15; ++i) e2m3v.push_back(Rat(i, 2));  // 4 … 7.5
  const std::set<Rat> e3m2 = set_of({Rat(1, 16), Rat(2, 16), Rat(3, 16), Rat(1, 4), Rat(5, 16), Rat(6, 16),
                                     Rat(7, 16), Rat(1, 2), Rat(5, 8), Rat(3, 4), Rat(7, 8), 1, Rat(5, 4),
                                     Rat(3, 2), Rat(7, 4), 2, Rat(5, 2), 3, Rat(7, 2), 4, 5, 6, 7, 8, 10, 12, 14,
                                     16, 20, 24, 28});
  EXPECT_EQ(positive_finite_values(fmt("ocp_e2m1")), e2m1);
  EXPECT_EQ(positive_finite_values(fmt("ocp_e2m3")), set_of(e2m3v));
  EXPECT_EQ(positive_finite_values(fmt("ocp_e3m2")), e3m2);
  // Both signs present, mirror images, with ±0 (§3.1).
  for (const char* name : {"ocp_e2m1", "ocp_e2m3", "ocp_e3m2"}) {
    const auto f = fmt(name);
    const std::uint64_t half = std::uint64_t{1} << (f.k - 1);
    for (std::uint64_t c = 0; c < half; ++c) {
      const ExactValue a = f.decode(c), b = f.decode(c | half);
      EXPECT_EQ(to_rat(b), -to_rat(a)) << name << " " << c;
      EXPECT_TRUE(b.negative()) << name << " " << c;
    }
  }
}

// §0 / §3.1 E8M0: X = 2^(e−127), e = 0..254, 0xFF = NaN; unsigned, no zero, no Inf.
TEST(ExtremalValues, E8M0) {
  const auto f = fmt("ocp_e8m0");
  EXPECT_EQ(f.bias, 127);
  EXPECT_FALSE(f.is_signed);
  EXPECT_FALSE(f.has_zero());
  for (std::uint64_t e = 0; e <= 254; ++e) EXPECT_EQ(to_rat(f.decode(e)), pow2(static_cast<long>(e) - 127)) << e;
  EXPECT_TRUE(f.decode(0xFF).is_nan());
  EXPECT_EQ(to_rat(f.max_finite()), pow2(127));
  EXPECT_EQ(f.code_of_max(), 0xFEu);
  EXPECT_EQ(to_rat(f.min_finite()), pow2(-127));
  EXPECT_EQ(to_rat(f.min_normal()), pow2(-127));
  EXPECT_FALSE(f.min_subnormal().has_value());
  EXPECT_EQ(f.code_of_nan(), 0xFFu);
}

// §0 / §3.1 MX INT8: values i·2^-6, i ∈ [−128, 127], two's complement; max 127/64, min −2 at 0x80.
TEST(ExtremalValues, MxInt8) {
  const auto f = fmt("ocp_int8");
  EXPECT_EQ(f.bias, 0);
  for (std::uint64_t c = 0; c < 256; ++c) {
    const long i = c < 128 ? static_cast<long>(c) : static_cast<long>(c) - 256;
    const ExactValue v = f.decode(c);
    ASSERT_TRUE(v.is_finite()) << c;
    EXPECT_EQ(to_rat(v), Rat(i, 64)) << c;
    EXPECT_FALSE(v.is_zero() && v.negative()) << c;
  }
  EXPECT_EQ(to_rat(f.max_finite()), Rat(127, 64));
  EXPECT_EQ(to_rat(f.min_finite()), Rat(-2));
  EXPECT_EQ(f.code_of_min(), 0x80u);
  EXPECT_EQ(f.code_of_max(), 0x7Fu);
  ASSERT_TRUE(f.min_subnormal().has_value());
  EXPECT_EQ(to_rat(*f.min_subnormal()), pow2(-6));
  EXPECT_FALSE(f.has_nan());
}

// §1: "Their value sets equal P3109 Binary8p4sf and Binary8p3sf exactly" (and the encodings coincide).
TEST(ExtremalValues, FnuzEqualsP3109Finite) {
  const std::pair<const char*, const char*> pairs[] = {{"e4m3fnuz", "p3109_k8p4sf"}, {"e5m2fnuz", "p3109_k8p3sf"}};
  for (const auto& [fnuz, p3109] : pairs) {
    const auto a = fmt(fnuz), b = fmt(p3109);
    for (std::uint64_t c = 0; c < 256; ++c) {
      const ExactValue va = a.decode(c), vb = b.decode(c);
      EXPECT_TRUE(va.identical(vb)) << fnuz << " " << c << ": " << to_hex_float(va) << " vs " << to_hex_float(vb);
    }
  }
}

// IEEE 754 binary16/32/64 and bfloat16 (stochastic-rounding.md §7 table).
TEST(ExtremalValues, Ieee754AndBfloat16) {
  struct Row {
    const char* name;
    long bias;
    Rat max, min_normal, min_subnormal;
    std::uint64_t pos_inf_code, max_code;
  };
  const std::vector<Row> rows = {
      {"binary16", 15, 65504, pow2(-14), pow2(-24), 0x7C00, 0x7BFF},
      {"bfloat16", 127, Rat(255, 128) * pow2(127), pow2(-126), pow2(-133), 0x7F80, 0x7F7F},
      {"binary32", 127, (2 - pow2(-23)) * pow2(127), pow2(-126), pow2(-149), 0x7F800000, 0x7F7FFFFF},
      {"binary64", 1023, (2 - pow2(-52)) * pow2(1023), pow2(-1022), pow2(-1074), 0x7FF0000000000000,
       0x7FEFFFFFFFFFFFFF},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const auto f = fmt(row.name);
    EXPECT_EQ(f.bias, row.bias);
    EXPECT_EQ(to_rat(f.max_finite()), row.max);
    EXPECT_EQ(to_rat(f.decode(row.max_code)), row.max);
    EXPECT_EQ(f.code_of_max(), row.max_code);
    EXPECT_EQ(to_rat(f.min_finite()), -row.max);
    EXPECT_EQ(to_rat(f.min_normal()), row.min_normal);
    ASSERT_TRUE(f.min_subnormal().has_value());
    EXPECT_EQ(to_rat(*f.min_subnormal()), row.min_subnormal);
    EXPECT_EQ(to_rat(f.decode(1)), row.min_subnormal);
    EXPECT_EQ(f.code_of_positive_infinity(), row.pos_inf_code);
    const ExactValue inf = f.decode(row.pos_inf_code);
    EXPECT_TRUE(inf.is_infinite() && !inf.negative());
    const std::uint64_t sign = std::uint64_t{1} << (f.k - 1);
    const ExactValue ninf = f.decode(row.pos_inf_code | sign);
    EXPECT_TRUE(ninf.is_infinite() && ninf.negative());
    const ExactValue nz = f.decode(sign);
    EXPECT_TRUE(nz.is_zero() && nz.negative());
    EXPECT_TRUE(f.decode(row.pos_inf_code + 1).is_nan());
    EXPECT_TRUE(f.decode(f.code_count_mask()).is_nan());
  }
  // 16-bit formats: every code; NaN counts 2046 (binary16) and 254 (bfloat16) (§7 "NaNs" column).
  const Scan h = scan(fmt("binary16"));
  EXPECT_EQ(h.nan, 2046u);
  EXPECT_EQ(h.pos_inf, 1u);
  EXPECT_EQ(h.neg_inf, 1u);
  EXPECT_EQ(to_rat(*h.max), Rat(65504));
  const Scan b = scan(fmt("bfloat16"));
  EXPECT_EQ(b.nan, 254u);
  EXPECT_EQ(to_rat(*b.max), Rat(255, 128) * pow2(127));
}

// binary32 / binary64 against the host's IEEE arithmetic (an independent oracle): std::numeric_limits,
// and decode(code) == bit_cast<float/double>(code) on a stride through the code space plus edges.
TEST(ExtremalValues, Binary32And64AgainstHardware) {
  const auto f32 = fmt("binary32");
  const auto f64 = fmt("binary64");
  EXPECT_TRUE(f32.max_finite().identical(ExactValue::from_float(std::numeric_limits<float>::max())));
  EXPECT_TRUE(f32.min_normal().identical(ExactValue::from_float(std::numeric_limits<float>::min())));
  EXPECT_TRUE(f32.min_subnormal()->identical(ExactValue::from_float(std::numeric_limits<float>::denorm_min())));
  EXPECT_TRUE(f64.max_finite().identical(ExactValue::from_double(std::numeric_limits<double>::max())));
  EXPECT_TRUE(f64.min_normal().identical(ExactValue::from_double(std::numeric_limits<double>::min())));
  EXPECT_TRUE(f64.min_subnormal()->identical(ExactValue::from_double(std::numeric_limits<double>::denorm_min())));
  auto check32 = [&](std::uint32_t c) {
    const float x = std::bit_cast<float>(c);
    const ExactValue v = f32.decode(c);
    if (x != x) {
      EXPECT_TRUE(v.is_nan()) << c;
    } else {
      EXPECT_TRUE(v.identical(ExactValue::from_float(x))) << std::hex << c;
    }
  };
  auto check64 = [&](std::uint64_t c) {
    const double x = std::bit_cast<double>(c);
    const ExactValue v = f64.decode(c);
    if (x != x) {
      EXPECT_TRUE(v.is_nan()) << c;
    } else {
      EXPECT_TRUE(v.identical(ExactValue::from_double(x))) << std::hex << c;
    }
  };
  for (std::uint64_t c = 0; c <= 0xFFFFFFFFu; c += 73013) check32(static_cast<std::uint32_t>(c));
  for (std::uint32_t c : {0x00000000u, 0x80000000u, 0x00000001u, 0x007FFFFFu, 0x00800000u, 0x7F7FFFFFu, 0x7F800000u,
                          0xFF800000u, 0x7F800001u, 0x7FC00000u, 0xFFFFFFFFu, 0x3F800000u})
    check32(c);
  for (std::uint64_t i = 0, c = 0; i < 60000; ++i, c += (std::uint64_t{73013} << 32) + 39) check64(c);
  for (std::uint64_t c : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0x000FFFFFFFFFFFFF},
                          std::uint64_t{0x0010000000000000}, std::uint64_t{0x7FEFFFFFFFFFFFFF},
                          std::uint64_t{0x7FF0000000000000}, std::uint64_t{0xFFF0000000000000},
                          std::uint64_t{0x7FF0000000000001}, std::uint64_t{0x8000000000000000}})
    check64(c);
}

// sbits10: float64's exponent range with 11 significant bits (10 explicit): k = 22, bias 1023; every
// value is the binary64 whose top 22 bits are the code and whose low 42 bits are zero.
TEST(ExtremalValues, Sbits10) {
  const auto f = fmt("sbits10");
  const auto f64 = fmt("binary64");
  EXPECT_EQ(f.k, 22);
  EXPECT_EQ(f.p, 11);
  EXPECT_EQ(f.bias, 1023);
  EXPECT_EQ(to_rat(f.max_finite()), (2 - pow2(-10)) * pow2(1023));
  EXPECT_EQ(to_rat(f.min_normal()), pow2(-1022));
  ASSERT_TRUE(f.min_subnormal().has_value());
  EXPECT_EQ(to_rat(*f.min_subnormal()), pow2(-1032));
  EXPECT_EQ(f.code_of_positive_infinity(), std::uint64_t{0x7FF} << 10);
  for (std::uint64_t c = 0; c < (std::uint64_t{1} << 22); c += 37) {
    const ExactValue a = f.decode(c), b = f64.decode(c << 42);
    if (b.is_nan()) {
      EXPECT_TRUE(a.is_nan()) << c;
    } else {
      EXPECT_TRUE(a.identical(b)) << c;
    }
  }
  for (std::uint64_t c : {std::uint64_t{1}, std::uint64_t{0x3FF}, std::uint64_t{0x400}, std::uint64_t{0x1FFBFF},
                          std::uint64_t{0x1FFC00}, std::uint64_t{0x1FFC01}, std::uint64_t{0x200000},
                          std::uint64_t{0x3FFC00}, std::uint64_t{0x3FFFFF}}) {
    const ExactValue a = f.decode(c), b = f64.decode(c << 42);
    EXPECT_TRUE(a.identical(b) || (a.is_nan() && b.is_nan())) << c;
  }
}

// sbits10_e5 = binary16's value set and encoding: every one of the 2^16 codes decodes identically.
TEST(ExtremalValues, Sbits10E5IsBinary16) {
  const auto s = fmt("sbits10_e5");
  const auto h = fmt("binary16");
  EXPECT_EQ(s.k, 16);
  EXPECT_EQ(s.bias, 15);
  for (std::uint64_t c = 0; c < 65536; ++c) {
    const ExactValue a = s.decode(c), b = h.decode(c);
    ASSERT_TRUE(a.identical(b)) << c << ": " << to_hex_float(a) << " vs " << to_hex_float(b);
  }
  EXPECT_EQ(s.code_of_nan(), h.code_of_nan());
  EXPECT_EQ(s.code_of_max(), h.code_of_max());
}

// binary16 decoded independently from the IEEE formula (§1 decode rule) for every code.
TEST(ExtremalValues, Binary16AgainstFormula) {
  const auto h = fmt("binary16");
  for (std::uint64_t c = 0; c < 65536; ++c) {
    const bool neg = (c >> 15) & 1;
    const std::uint64_t E = (c >> 10) & 0x1F, M = c & 0x3FF;
    const ExactValue v = h.decode(c);
    if (E == 31) {
      if (M == 0) {
        ASSERT_TRUE(v.is_infinite() && v.negative() == neg) << c;
      } else {
        ASSERT_TRUE(v.is_nan()) << c;
      }
      continue;
    }
    Rat want = E == 0 ? pow2(1 - 15) * Rat(static_cast<long>(M), 1024)
                      : pow2(static_cast<long>(E) - 15) * (1 + Rat(static_cast<long>(M), 1024));
    if (neg) want = -want;
    ASSERT_TRUE(v.is_finite()) << c;
    ASSERT_EQ(to_rat(v), want) << c;
    ASSERT_EQ(v.negative(), neg) << c;
  }
}
