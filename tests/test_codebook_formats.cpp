// Codebook formats: value lists against formats.md §4–§5, encode/decode, ties, SR counts against an
// independent cpp_rational closed form, clamping, errors, and neighbour/monotonicity properties.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "reference/codebook_format.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"
#include "reference/round_away.hpp"

using namespace roundlab;
using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

namespace {

const CodebookFormat& codebook(const std::string& name) {
  for (const auto& e : catalogue())
    if (const auto* c = std::get_if<CodebookFormat>(&e.format); c && c->name == name) return *c;
  throw std::runtime_error("no codebook " + name);
}

std::vector<CodebookFormat> all_codebooks() {
  std::vector<CodebookFormat> out;
  for (const auto& e : catalogue())
    if (const auto* c = std::get_if<CodebookFormat>(&e.format)) out.push_back(*c);
  return out;
}

Rounding mode(Mode m, int n = 0, TieRule tie = TieRule::Lower) {
  Rounding r;
  r.mode = m;
  r.random_bits = n;
  r.tie = tie;
  return r;
}

// Exact decimal literal → rational, written independently of the library's parser.
cpp_rational decimal(const std::string& s) {
  bool negative = s[0] == '-';
  std::string digits;
  int frac = -1;
  for (char c : s.substr(negative ? 1 : 0)) {
    if (c == '.') frac = 0;
    else digits += c, frac += frac >= 0 ? 1 : 0;
  }
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));  // no octal
  const cpp_int den = boost::multiprecision::pow(cpp_int(10), static_cast<unsigned>(frac < 0 ? 0 : frac));
  cpp_rational r(cpp_int(digits), den);
  return negative ? cpp_rational(-r) : r;
}

// x = ±m·2^e both as ExactValue and as cpp_rational.
struct Dyadic {
  ExactValue value;
  cpp_rational exact;
};
Dyadic dyadic(std::int64_t m, long e) {
  const bool neg = m < 0;
  const std::uint64_t mag = neg ? static_cast<std::uint64_t>(-m) : static_cast<std::uint64_t>(m);
  cpp_rational q = cpp_rational(cpp_int(mag));
  if (e >= 0) q *= cpp_rational(cpp_int(1) << e);
  else q /= cpp_rational(cpp_int(1) << -e);
  return {ExactValue::from_integer_scaled(neg, mag, e), neg ? cpp_rational(-q) : q};
}

// Exact rational of a dyadic ExactValue (test-side, via the hex text).
cpp_rational rational_of(const ExactValue& v) {
  EXPECT_FALSE(v.inexact());
  mpz_t m;
  mpz_init(m);
  mpfr_exp_t e = mpfr_get_z_2exp(m, v.magnitude().get());
  char* s = mpz_get_str(nullptr, 10, m);
  cpp_rational q{cpp_int(std::string(s))};
  void (*freefunc)(void*, size_t);
  mp_get_memory_functions(nullptr, nullptr, &freefunc);
  freefunc(s, std::strlen(s) + 1);
  mpz_clear(m);
  if (v.is_zero()) return 0;
  if (e >= 0) q *= cpp_rational(cpp_int(1) << e);
  else q /= cpp_rational(cpp_int(1) << -e);
  return v.negative() ? cpp_rational(-q) : q;
}

// Closed forms of stochastic-rounding.md §2.1 on an exact ν.
cpp_int floor_q(const cpp_rational& q) {
  cpp_int n = numerator(q), d = denominator(q);
  cpp_int f = n / d;
  if (n < 0 && f * d != n) f -= 1;
  return f;
}
cpp_int closed_form_count(Mode m, const cpp_rational& nu, int n) {
  const cpp_rational s = nu * cpp_rational(cpp_int(1) << n);
  const cpp_int f = floor_q(s);
  const cpp_rational frac = s - cpp_rational(f);
  const cpp_rational half(1, 2);
  switch (m) {
    case Mode::StochasticA: return f;
    case Mode::StochasticB: return floor_q(s + half);
    case Mode::StochasticC: return frac > half || (frac == half && f % 2 != 0) ? f + 1 : f;
    case Mode::StochasticOdd: return frac > half || (frac == half && f % 2 == 0) ? f + 1 : f;
    case Mode::StochasticCeil: return frac == 0 ? f : f + 1;
    default: ADD_FAILURE() << "not a few-bit SR mode"; return 0;
  }
}

// The "position from zero" parity, recomputed from the values.
bool rank_is_even(const CodebookFormat& f, size_t i) {
  const ExactValue& v = f.values[i];
  size_t rank = v.is_zero() ? 0 : 1;
  for (const auto& w : f.values) {
    if (w.is_zero() || v.is_zero()) continue;
    const bool same_side = w.negative() == v.negative();
    ExactValue aw = w, av = v;
    aw.set_negative(false);
    av.set_negative(false);
    if (same_side && aw < av) ++rank;
  }
  return rank % 2 == 0;
}

bool all_exact(const CodebookFormat& f) {
  for (const auto& v : f.values)
    if (v.inexact()) return false;
  return true;
}

}  // namespace

// ---- value lists -----------------------------------------------------------------------------

TEST(CodebookCatalogue, NamesSizesAndFamilies) {
  const std::map<std::string, std::pair<size_t, int>> expected = {
      {"nf4", {16, 4}},       {"nf3", {8, 3}},        {"nf3_nz", {8, 3}},     {"af4", {16, 4}},
      {"sf4_3", {16, 4}},     {"sf4_4", {16, 4}},     {"sf4_5", {16, 4}},     {"sf4_6", {16, 4}},
      {"sf4_7", {16, 4}},     {"sf3_3", {8, 3}},      {"sf3_3_nz", {8, 3}},   {"sf3_4", {8, 3}},
      {"sf3_4_nz", {8, 3}},   {"sf3_5", {8, 3}},      {"sf3_5_nz", {8, 3}},   {"sf3_6", {8, 3}},
      {"sf3_6_nz", {8, 3}},   {"en_25", {16, 4}},     {"fp4_basic", {15, 4}}, {"fp4_range", {16, 4}},
      {"fp4_prec1", {16, 4}}, {"fp4_prec2", {16, 4}}, {"fp4_no_sub", {15, 4}}, {"fp4_e2m1", {15, 4}},
      {"fp4_bnb", {15, 4}},   {"bnb_fp4", {15, 4}},   {"fp4_e1m2", {15, 4}},  {"fp4_log", {15, 4}},
      {"fp3_log", {7, 3}},    {"mokey", {15, 4}},     {"denorm4", {16, 4}},   {"apot4", {15, 4}},
      {"apot4_sp", {16, 4}},  {"bnb_int4", {15, 4}},  {"int2", {3, 2}},       {"int3", {7, 3}},
      {"int4", {15, 4}},      {"int5", {31, 5}},      {"int6", {63, 6}},      {"int7", {127, 7}},
      {"int8", {255, 8}}};
  std::set<std::string> seen;
  for (const auto& c : all_codebooks()) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(expected.count(c.name)) << "unexpected codebook " << c.name;
    EXPECT_TRUE(seen.insert(c.name).second);
    EXPECT_EQ(c.values.size(), expected.at(c.name).first);
    EXPECT_EQ(c.k, expected.at(c.name).second);
    EXPECT_NO_THROW(c.validate());
    EXPECT_FALSE(c.source.empty());
    const std::string fam = c.family;
    if (c.name.rfind("int", 0) == 0) EXPECT_EQ(fam, "int");
    else if (c.name == "nf4" || c.name == "af4" || c.name.rfind("bnb_", 0) == 0) EXPECT_EQ(fam, "bitsandbytes");
    else EXPECT_EQ(fam, "llm-datatypes");
    EXPECT_EQ(c.default_tie, fam == "int" ? TieRule::Even : c.name == "bnb_fp4" ? TieRule::Zero : TieRule::Lower);
  }
  EXPECT_EQ(seen.size(), expected.size());
  EXPECT_EQ(symmetric_int_codebook(3).values.size(), 7u);
  EXPECT_THROW(symmetric_int_codebook(1), InputError);
  EXPECT_THROW(symmetric_int_codebook(17), InputError);
}

TEST(CodebookCatalogue, Nf4IsTheStoredBinary32Values) {
  // formats.md §4.1, binary32 bit patterns.
  const std::uint32_t bits[16] = {0xBF800000, 0xBF3239B1, 0xBF066B30, 0xBECA32A0, 0xBE91A24D, 0xBE3D353F,
                                  0xBDBA7871, 0x00000000, 0x3DA2FAFF, 0x3E24CAE3, 0x3E7C04DD, 0x3EAD033A,
                                  0x3EE1A4B8, 0x3F1007AB, 0x3F3913B3, 0x3F800000};
  // The source literals of get_4bit_type('nf4'), which round to those floats.
  const char* literals[16] = {"-1.0", "-0.6961928009986877", "-0.5250730514526367", "-0.39491748809814453",
                              "-0.28444138169288635", "-0.18477343022823334", "-0.09105003625154495", "0.0",
                              "0.07958029955625534", "0.16093020141124725", "0.24611230194568634",
                              "0.33791524171829224", "0.44070982933044434", "0.5626170039176941",
                              "0.7229568362236023", "1.0"};
  const auto& nf4 = codebook("nf4");
  for (int i = 0; i < 16; ++i) {
    SCOPED_TRACE(i);
    const float f = std::bit_cast<float>(bits[i]);
    EXPECT_TRUE(nf4.values[i].identical(ExactValue::from_float(f))) << to_hex_float(nf4.values[i]);
    EXPECT_EQ(std::strtof(literals[i], nullptr), f);
    EXPECT_EQ(nf4.codes[i], static_cast<std::uint64_t>(i));
    EXPECT_TRUE(nf4.decode(i).identical(ExactValue::from_float(f)));
  }
  EXPECT_TRUE(nf4.decode(1).identical(ExactValue::from_float(std::bit_cast<float>(0xBF3239B1u))));
}

TEST(CodebookCatalogue, DecimalListsAreTheirLiterals) {
  // formats.md §5.1, verbatim.
  const std::map<std::string, std::vector<std::string>> lists = {
      {"sf4_5", {"-1.0", "-0.627781", "-0.454736", "-0.334331", "-0.237434", "-0.152899", "-0.074982", "0.0",
                 "0.065513", "0.132965", "0.204661", "0.283835", "0.375805", "0.491076", "0.656781", "1.0"}},
      {"nf3_nz", {"-1.0", "-0.5840457615163138", "-0.3225133196607414", "-0.10387883073852357",
                  "0.10387883073852357", "0.3225133196607414", "0.5840457615163137", "1.0"}},
      {"en_25", {"-0.787862", "-0.609476", "-0.459471", "-0.333333", "-0.227264", "-0.138071", "-0.063069", "0.0",
                 "0.063069", "0.138071", "0.227264", "0.333333", "0.459471", "0.609476", "0.787862", "1.0"}},
      {"apot4", {"-1.0", "-0.8", "-0.6", "-0.4", "-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3", "0.4", "0.6",
                 "0.8", "1.0"}},
      {"apot4_sp", {"-1.0", "-0.8", "-0.6", "-0.4", "-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3", "0.4", "0.5",
                    "0.6", "0.8", "1.0"}},
      {"denorm4", {"-7", "-6", "-5", "-4", "-3", "-2", "-1", "-0.5", "0", "0.5", "1", "2", "3", "4", "5", "6"}},
      {"fp4_range", {"-6", "-4", "-3", "-2", "-1.5", "-1", "-0.5", "0", "0.5", "1", "1.5", "2", "3", "4", "6", "8"}},
      {"fp4_bnb", {"-12", "-8", "-6", "-4", "-3", "-2", "-0.0625", "0", "0.0625", "2", "3", "4", "6", "8", "12"}},
      {"sf4_7", {"-1.0", "-0.648695668605137", "-0.4758049192191136", "-0.35226650560941064",
                 "-0.25124728719118344", "-0.16222176644114206", "-0.07967003587244491", "0.0",
                 "0.06961628484673037", "0.1411376777420972", "0.21681690757912492", "0.2997785136806453",
                 "0.39509153065438735", "0.5125912352606964", "0.6770872505232854", "1.0"}},
  };
  for (const auto& [name, lits] : lists) {
    SCOPED_TRACE(name);
    const auto& c = codebook(name);
    ASSERT_EQ(c.values.size(), lits.size());
    for (size_t i = 0; i < lits.size(); ++i) {
      ExactValue expected = parse_number(lits[i]);
      if (expected.is_zero()) expected.set_negative(false);
      EXPECT_TRUE(c.values[i].identical(expected)) << lits[i] << " vs " << to_hex_float(c.values[i]);
      EXPECT_EQ(c.values[i].inexact(), decimal(lits[i]) != 0 && denominator(decimal(lits[i])) % 5 == 0) << lits[i];
    }
  }
  EXPECT_TRUE(codebook("sf4_5").values.front().equals(parse_number("-1")));
  EXPECT_TRUE(codebook("sf4_5").values.back().equals(parse_number("1")));
  EXPECT_TRUE(codebook("denorm4").values.front().equals(parse_number("-7")));
  EXPECT_TRUE(codebook("fp4_range").values.back().equals(parse_number("8")));
  EXPECT_TRUE(codebook("fp4_range").values.front().equals(parse_number("-6")));
  EXPECT_NO_THROW(codebook("apot4_sp").encode(parse_number("0.5")));
  EXPECT_THROW(codebook("apot4").encode(parse_number("0.5")), NoEncodingError);
}

TEST(CodebookCatalogue, BnbFp4CodeOrderAndNegativeZero) {
  const auto& c = codebook("bnb_fp4");
  // Raw code order 0b000=0, 001=0.0625, 010=8, 011=12, 100=4, 101=6, 110=2, 111=3, all /12.
  const int raw_num[8] = {0, 1, 8, 12, 4, 6, 2, 3};
  const int raw_den[8] = {1, 16, 1, 1, 1, 1, 1, 1};
  for (int code = 0; code < 16; ++code) {
    SCOPED_TRACE(code);
    const ExactValue v = c.decode(code);
    if ((code & 7) == 0) {
      EXPECT_TRUE(v.is_zero());
      EXPECT_EQ(v.negative(), code == 8);
      EXPECT_EQ(c.encode(v), static_cast<std::uint64_t>(code));
      continue;
    }
    // Independent image: RNDZ division at 320 bits, then the round-to-odd bit.
    Mpfr q(kWorkPrecision);
    mpfr_set_ui(q.get(), static_cast<unsigned long>(raw_num[code & 7]), MPFR_RNDN);
    const int t = mpfr_div_ui(q.get(), q.get(), static_cast<unsigned long>(12 * raw_den[code & 7]), MPFR_RNDZ);
    ExactValue expected = ExactValue::from_mpfr(q.get());
    if (t != 0) expected.make_round_to_odd_image();
    expected.set_negative(code >= 8);
    EXPECT_TRUE(v.identical(expected)) << to_hex_float(v);
    EXPECT_EQ(c.encode(v), static_cast<std::uint64_t>(code));
  }
  EXPECT_TRUE(c.decode(0b0110).inexact());    // 1/6
  EXPECT_FALSE(c.decode(0b0111).inexact());   // 1/4
  // −0 input → the +0 code (bnb: −0 < 0 is false); a negative x rounding to 0 → the −0 code.
  RoundResult z = round_codebook(c, mode(Mode::NearestTiesToEven), ExactValue::zero(true));
  EXPECT_EQ(z.code, 0u);
  EXPECT_FALSE(z.value.negative());
  RoundResult t = round_codebook(c, mode(Mode::NearestTiesToEven), parse_number("-0x1p-12"));
  EXPECT_EQ(t.code, 0b1000u);
  EXPECT_TRUE(t.value.is_zero() && t.value.negative());
  // The dyadic midpoint 11/128 of 1/192 and 1/6: bnb's |x| > t tree sends ties to the smaller magnitude.
  Rounding rn = mode(Mode::Nearest, 0, c.default_tie);
  EXPECT_EQ(round_codebook(c, rn, parse_number("-0x1.6p-4")).code, 0b1001u);
  EXPECT_EQ(round_codebook(c, rn, parse_number("0x1.6p-4")).code, 0b0001u);
  EXPECT_EQ(round_codebook(c, mode(Mode::Nearest, 0, TieRule::Lower), parse_number("-0x1.6p-4")).code, 0b1110u);
}

TEST(CodebookCatalogue, BnbInt4AndAf4CodeOrder) {
  const auto& i4 = codebook("bnb_int4");
  EXPECT_TRUE(i4.decode(0).equals(parse_number("1")));
  EXPECT_TRUE(i4.decode(7).is_zero() && !i4.decode(7).negative());
  EXPECT_TRUE(i4.decode(8).is_zero() && i4.decode(8).negative());
  EXPECT_TRUE(i4.decode(15).equals(parse_number("-1")));
  EXPECT_TRUE(i4.decode(6).inexact());  // 1/7
  const auto& af4 = codebook("af4");
  EXPECT_TRUE(af4.decode(0).equals(parse_number("1")));
  EXPECT_TRUE(af4.decode(15).equals(parse_number("-1")));
  EXPECT_TRUE(af4.decode(1).identical(parse_number("0.72424863")));
}

// ---- encode / decode -------------------------------------------------------------------------

TEST(CodebookCodec, RoundTripEveryCodeOfEveryCodebook) {
  for (const auto& c : all_codebooks()) {
    SCOPED_TRACE(c.name);
    size_t used = 0;
    for (std::uint64_t code = 0; code < (std::uint64_t{1} << c.k); ++code) {
      const bool listed = std::find(c.codes.begin(), c.codes.end(), code) != c.codes.end() ||
                          (c.negative_zero_code && *c.negative_zero_code == code);
      if (!listed) {
        EXPECT_THROW(c.decode(code), InputError) << code;
        continue;
      }
      ++used;
      const ExactValue v = c.decode(code);
      EXPECT_EQ(c.encode(v), code);
      // Rounding a listed value returns it, in every mode.
      for (Mode m : {Mode::NearestTiesToEven, Mode::TowardPositive, Mode::TowardNegative, Mode::ToOdd}) {
        RoundResult r = round_codebook(c, mode(m), v);
        EXPECT_TRUE(r.value.equals(v));
        EXPECT_FALSE(r.away);
        EXPECT_FALSE(r.saturated);
      }
      RoundResult r = round_codebook(c, mode(Mode::StochasticA, 3), v, RandomDraw{7, {}});
      EXPECT_TRUE(r.value.equals(v));
    }
    EXPECT_EQ(used, c.values.size() + (c.negative_zero_code ? 1 : 0));
    EXPECT_THROW(c.decode(std::uint64_t{1} << c.k), InputError);
    EXPECT_THROW(c.encode(ExactValue::nan()), NoEncodingError);
    EXPECT_THROW(c.encode(ExactValue::infinity(false)), NoEncodingError);
    EXPECT_THROW(c.encode(parse_number("0x1.0000000000001p-1")), NoEncodingError);
  }
}

TEST(CodebookCodec, ValidateRejectsBrokenLists) {
  CodebookFormat c = symmetric_int_codebook(3);
  EXPECT_NO_THROW(c.validate());
  CodebookFormat swapped = c;
  std::swap(swapped.values[1], swapped.values[2]);
  std::swap(swapped.exact[1], swapped.exact[2]);
  EXPECT_THROW(swapped.validate(), InputError);
  CodebookFormat clash = c;
  clash.codes[1] = clash.codes[0];
  EXPECT_THROW(clash.validate(), InputError);
  CodebookFormat wide = c;
  wide.codes[0] = 8;
  EXPECT_THROW(wide.validate(), InputError);
  CodebookFormat nan = c;
  nan.exact.clear();
  nan.values[0] = ExactValue::nan();
  EXPECT_THROW(nan.validate(), InputError);
  CodebookFormat inf = c;
  inf.exact.clear();
  inf.values.back() = ExactValue::infinity(false);
  EXPECT_THROW(inf.validate(), InputError);
  try {
    clash.validate();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("int3"), std::string::npos) << e.what();
  }
}

// ---- nearest and ties ------------------------------------------------------------------------

TEST(CodebookRound, MidpointsGoToTheDefaultTieAndToEvenRank) {
  for (const auto& c : all_codebooks()) {
    if (!all_exact(c)) continue;  // decimal midpoints are not dyadic: checked below for apot4
    SCOPED_TRACE(c.name);
    for (size_t i = 0; i + 1 < c.values.size(); ++i) {
      const cpp_rational lo = rational_of(c.values[i]), hi = rational_of(c.values[i + 1]);
      const cpp_rational mid = (lo + hi) / 2;
      // mid is dyadic: write it as m·2^-e.
      cpp_int den = denominator(mid);
      long e = 0;
      while (den > 1) den >>= 1, ++e;
      const Dyadic x = dyadic(static_cast<std::int64_t>(numerator(mid)), -e);
      ASSERT_EQ(x.exact, mid);
      const RoundResult rn = round_codebook(c, mode(Mode::Nearest, 0, c.default_tie), x.value);
      size_t want = i;
      if (c.default_tie == TieRule::Even) want = rank_is_even(c, i) ? i : i + 1;
      if (c.default_tie == TieRule::Zero) want = hi <= 0 ? i + 1 : i;
      EXPECT_TRUE(rn.value.equals(c.values[want])) << "mid " << mid;
      const RoundResult up = round_codebook(c, mode(Mode::Nearest, 0, TieRule::Upper), x.value);
      EXPECT_TRUE(up.value.equals(c.values[i + 1]));
      const RoundResult rne = round_codebook(c, mode(Mode::NearestTiesToEven), x.value);
      EXPECT_TRUE(rne.value.equals(c.values[rank_is_even(c, i) ? i : i + 1])) << "mid " << mid;
      EXPECT_NE(rank_is_even(c, i), rank_is_even(c, i + 1));
      EXPECT_EQ(codebook_code_is_even(c, i), rank_is_even(c, i));
    }
  }
}

TEST(CodebookRound, TieExamples) {
  auto value_of = [](const std::string& f, Rounding r, const std::string& x) {
    return to_hex_float(round_codebook(codebook(f), r, parse_number(x)).value);
  };
  const Rounding rne = mode(Mode::NearestTiesToEven), rna = mode(Mode::NearestTiesToAway);
  const Rounding lower = mode(Mode::Nearest, 0, TieRule::Lower);
  // torch.round for INT-k; OCP E2M1 for fp4_basic.
  EXPECT_EQ(value_of("int4", rne, "0.5"), "0x0p+0");
  EXPECT_EQ(value_of("int4", rne, "1.5"), "0x1p+1");
  EXPECT_EQ(value_of("int4", rne, "-2.5"), "-0x1p+1");
  EXPECT_EQ(value_of("int8", rne, "126.5"), "0x1.f8p+6");
  EXPECT_EQ(value_of("int8", rne, "-125.5"), "-0x1.f8p+6");
  EXPECT_EQ(value_of("fp4_basic", rne, "0.25"), "0x0p+0");
  EXPECT_EQ(value_of("fp4_basic", rne, "0.75"), "0x1p+0");
  EXPECT_EQ(value_of("fp4_basic", rne, "5"), "0x1p+2");
  EXPECT_EQ(value_of("fp4_basic", rna, "5"), "0x1.8p+2");
  EXPECT_EQ(value_of("fp4_basic", lower, "-5"), "-0x1.8p+2");
  EXPECT_EQ(value_of("fp4_basic", lower, "5"), "0x1p+2");
  // Exact decimal ties between non-dyadic values (held exactly as rationals).
  EXPECT_EQ(value_of("apot4", lower, "0.25"), to_hex_float(parse_number("0.2")));
  EXPECT_EQ(value_of("apot4", mode(Mode::Nearest, 0, TieRule::Upper), "0.25"), to_hex_float(parse_number("0.3")));
  EXPECT_EQ(value_of("apot4", lower, "0.5"), to_hex_float(parse_number("0.4")));
  EXPECT_EQ(value_of("apot4", lower, "-0.5"), to_hex_float(parse_number("-0.6")));
  EXPECT_EQ(value_of("apot4", rna, "-0.5"), to_hex_float(parse_number("-0.6")));
  EXPECT_EQ(value_of("apot4", rne, "0.5"), to_hex_float(parse_number("0.4")));  // rank 4 vs 5
  EXPECT_EQ(value_of("apot4", lower, "0x1.0000000000001p-1"), to_hex_float(parse_number("0.6")));
  EXPECT_EQ(value_of("apot4", lower, "0x1.fffffffffffffp-2"), to_hex_float(parse_number("0.4")));
  // A decimal input equal to a listed decimal is that value (fixed point in every mode).
  EXPECT_EQ(value_of("apot4", mode(Mode::TowardPositive), "0.3"), to_hex_float(parse_number("0.3")));
  EXPECT_EQ(value_of("apot4", mode(Mode::TowardNegative), "0.3"), to_hex_float(parse_number("0.3")));
  // nf3_nz has no 0: 0 is the exact midpoint of ±0.10387883073852357.
  EXPECT_EQ(value_of("nf3_nz", lower, "0"), to_hex_float(parse_number("-0.10387883073852357")));
  EXPECT_EQ(value_of("nf3_nz", lower, "-0"), to_hex_float(parse_number("-0.10387883073852357")));
  EXPECT_EQ(value_of("nf3_nz", mode(Mode::Nearest, 0, TieRule::Upper), "0"),
            to_hex_float(parse_number("0.10387883073852357")));
  EXPECT_EQ(value_of("nf3_nz", mode(Mode::TowardZero), "0.01"), to_hex_float(parse_number("-0.10387883073852357")));
  EXPECT_EQ(value_of("nf3_nz", mode(Mode::TowardPositive), "-0.01"),
            to_hex_float(parse_number("0.10387883073852357")));
}

TEST(CodebookRound, Fp4BasicRoundsExactlyAsOcpE2m1) {
  const auto& cb = codebook("fp4_basic");
  const Format e2m1 = find_format("ocp_e2m1");
  const Mode modes[] = {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::TowardPositive,
                        Mode::TowardNegative,    Mode::ToOdd,             Mode::StochasticA, Mode::StochasticB,
                        Mode::StochasticC,       Mode::StochasticOdd,     Mode::StochasticCeil};
  for (std::int64_t m = -96; m <= 96; ++m) {  // x = m/16 over [−6, 6]
    const ExactValue x = dyadic(m, -4).value;
    for (Mode md : modes) {
      const bool sr = md >= Mode::StochasticA;
      for (std::uint64_t r = 0; r < (sr ? 8u : 1u); ++r) {
        const Rounding rd = mode(md, sr ? 3 : 0);
        const RoundResult a = round_codebook(cb, rd, x, RandomDraw{r, {}});
        const RoundResult b = reference_round(e2m1, rd, x, RandomDraw{r, {}});
        EXPECT_TRUE(a.value.equals(b.value)) << m << "/16 " << mode_name(md) << " r=" << r;
        EXPECT_EQ(a.away, b.away) << m << "/16 " << mode_name(md) << " r=" << r;
      }
    }
  }
}

// ---- stochastic rounding ---------------------------------------------------------------------

TEST(CodebookRound, StochasticCountsMatchTheClosedForms) {
  // Lists re-typed from formats.md §5.1 (and INT-4), so ν is computed independently of the library.
  const std::map<std::string, std::vector<std::string>> lists = {
      {"fp4_basic", {"-6", "-4", "-3", "-2", "-1.5", "-1", "-0.5", "0", "0.5", "1", "1.5", "2", "3", "4", "6"}},
      {"mokey", {"-16", "-8", "-6", "-4", "-3", "-2", "-1", "0", "1", "2", "3", "4", "6", "8", "16"}},
      {"int4", {"-7", "-6", "-5", "-4", "-3", "-2", "-1", "0", "1", "2", "3", "4", "5", "6", "7"}},
      {"apot4", {"-1.0", "-0.8", "-0.6", "-0.4", "-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3", "0.4", "0.6",
                 "0.8", "1.0"}},
      {"nf3_nz", {"-1.0", "-0.5840457615163138", "-0.3225133196607414", "-0.10387883073852357",
                  "0.10387883073852357", "0.3225133196607414", "0.5840457615163137", "1.0"}},
  };
  const Mode sr_modes[] = {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd,
                           Mode::StochasticCeil};
  int checked = 0;
  for (const auto& [name, lits] : lists) {
    const auto& c = codebook(name);
    for (size_t i = 0; i + 1 < lits.size(); ++i) {
      const cpp_rational lo = decimal(lits[i]), hi = decimal(lits[i + 1]);
      // Dyadic x strictly inside, on a 2^-12 grid: hits ν·2^N ties for dyadic brackets.
      for (int j = 1; j < 64; j += 4) {
        const cpp_rational target = lo + (hi - lo) * cpp_rational(j, 64);
        const cpp_int m = floor_q(target * 4096);
        const Dyadic x = dyadic(static_cast<std::int64_t>(m), -12);
        if (!(x.exact > lo && x.exact < hi)) continue;
        const bool straddle = lo < 0 && hi > 0;
        const bool neg_side = hi <= 0;
        const cpp_rational near = neg_side ? hi : lo, far = neg_side ? lo : hi;
        const cpp_rational nu = abs(x.exact - near) / abs(far - near);
        SCOPED_TRACE(name + " x=" + x.exact.str());
        for (Mode md : sr_modes) {
          for (int n = 1; n <= 8; ++n) {
            int away = 0;
            for (std::uint64_t r = 0; r < (std::uint64_t{1} << n); ++r) {
              const RoundResult res = round_codebook(c, mode(md, n), x.value, RandomDraw{r, {}});
              const bool is_far = res.value.equals(c.values[neg_side ? i : i + 1]);
              const bool is_near = res.value.equals(c.values[neg_side ? i + 1 : i]);
              ASSERT_TRUE(is_far || is_near);
              EXPECT_EQ(res.away, is_far);
              away += is_far;
            }
            EXPECT_EQ(cpp_int(away), closed_form_count(md, nu, n)) << mode_name(md) << " N=" << n << " nu=" << nu;
            ++checked;
          }
        }
        // Exact SR: far iff ν + u ≥ 1.
        for (int k = 0; k < 16; ++k) {
          const Dyadic u = dyadic(k * 4 + 1, -6);
          const RoundResult res = round_codebook(c, mode(Mode::StochasticExact), x.value, RandomDraw{0, u.value});
          EXPECT_EQ(res.value.equals(c.values[neg_side ? i : i + 1]), nu + u.exact >= 1) << "u=" << u.exact;
        }
        // Directed modes and to-odd.
        EXPECT_TRUE(round_codebook(c, mode(Mode::TowardPositive), x.value).value.equals(c.values[i + 1]));
        EXPECT_TRUE(round_codebook(c, mode(Mode::TowardNegative), x.value).value.equals(c.values[i]));
        EXPECT_TRUE(round_codebook(c, mode(Mode::TowardZero), x.value)
                        .value.equals(c.values[neg_side ? i + 1 : i]));
        EXPECT_TRUE(round_codebook(c, mode(Mode::ToOdd), x.value)
                        .value.equals(c.values[rank_is_even(c, i) ? i + 1 : i]));
        (void)straddle;
      }
    }
  }
  EXPECT_GT(checked, 5000);
}

TEST(CodebookRound, CountHelperAgreesOnCodebookNu) {
  // round_away_count on the library's ν for one bracket equals the enumeration above (sanity link).
  const auto& c = codebook("mokey");
  const Dyadic x = dyadic(45, -3);  // 5.625 in [4, 6]: ν = 0.8125
  for (Mode md : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC}) {
    Mpfr nu(kWorkPrecision);
    mpfr_set_d(nu.get(), 0.8125, MPFR_RNDN);
    for (int n = 1; n <= 6; ++n) {
      int away = 0;
      for (std::uint64_t r = 0; r < (std::uint64_t{1} << n); ++r)
        away += round_codebook(c, mode(md, n), x.value, RandomDraw{r, {}}).away;
      EXPECT_EQ(static_cast<unsigned __int128>(away), round_away_count(mode(md, n), nu.get()));
    }
  }
}

// ---- ends, specials, errors ------------------------------------------------------------------

TEST(CodebookRound, ClampsBeyondTheEndsInEveryMode) {
  const Mode modes[] = {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::Nearest,      Mode::TowardZero,
                        Mode::TowardPositive,    Mode::TowardNegative,    Mode::ToOdd,        Mode::StochasticA,
                        Mode::StochasticB,       Mode::StochasticC,       Mode::StochasticOdd, Mode::StochasticCeil,
                        Mode::StochasticExact};
  for (const char* name : {"fp4_range", "denorm4", "nf3_nz", "int8", "bnb_fp4"}) {
    const auto& c = codebook(name);
    SCOPED_TRACE(name);
    for (Mode md : modes) {
      const bool few = md >= Mode::StochasticA && md != Mode::StochasticExact;
      const Rounding rd = mode(md, few ? 4 : 0);
      for (std::uint64_t r : {0ull, 15ull}) {
        const RandomDraw d{r, {}};
        for (const char* big : {"1000", "0x1p+100000", "inf"}) {
          const RoundResult hi = round_codebook(c, rd, parse_number(big), d);
          EXPECT_TRUE(hi.value.identical(c.values.back())) << big;
          EXPECT_EQ(hi.code, c.codes.back());
          EXPECT_TRUE(hi.saturated);
          EXPECT_FALSE(hi.away);
          const RoundResult lo = round_codebook(c, rd, parse_number(std::string("-") + big), d);
          EXPECT_TRUE(lo.value.identical(c.values.front())) << big;
          EXPECT_TRUE(lo.saturated);
        }
        const RoundResult at_max = round_codebook(c, rd, c.values.back(), d);
        EXPECT_FALSE(at_max.saturated);
      }
    }
  }
  // fp4_range's negative side ends at −6 while +8 exists.
  EXPECT_TRUE(round_codebook(codebook("fp4_range"), mode(Mode::NearestTiesToEven), parse_number("-7"))
                  .value.equals(parse_number("-6")));
  EXPECT_TRUE(round_codebook(codebook("fp4_range"), mode(Mode::NearestTiesToEven), parse_number("7.5"))
                  .value.equals(parse_number("8")));
  EXPECT_TRUE(round_codebook(codebook("denorm4"), mode(Mode::NearestTiesToEven), parse_number("-6.75"))
                  .value.equals(parse_number("-7")));
}

TEST(CodebookRound, NanAndBadDrawsAreErrors) {
  const auto& c = codebook("apot4");
  try {
    round_codebook(c, mode(Mode::NearestTiesToEven), ExactValue::nan());
    ADD_FAILURE() << "NaN was rounded";
  } catch (const NoEncodingError& e) {
    EXPECT_NE(std::string(e.what()).find("apot4"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos);
  }
  EXPECT_THROW(round_codebook(c, mode(Mode::StochasticA, 65), parse_number("0.15")), InputError);
  EXPECT_THROW(round_codebook(c, mode(Mode::NearestTiesToEven), parse_number("0.15"), RandomDraw{0, parse_number("0.5")}),
               InputError);
}

TEST(CodebookRound, ZeroAndTinyInputs) {
  const auto& fp4 = codebook("fp4_basic");
  for (bool neg : {false, true}) {
    const RoundResult z = round_codebook(fp4, mode(Mode::TowardPositive), ExactValue::zero(neg));
    EXPECT_EQ(z.code, 7u);
    EXPECT_TRUE(z.value.is_zero() && !z.value.negative());
  }
  const ExactValue tiny = ExactValue::from_integer_scaled(false, 1, -5000000);
  EXPECT_TRUE(round_codebook(fp4, mode(Mode::NearestTiesToEven), tiny).value.is_zero());
  EXPECT_TRUE(round_codebook(fp4, mode(Mode::TowardPositive), tiny).value.equals(parse_number("0.5")));
  EXPECT_TRUE(round_codebook(fp4, mode(Mode::TowardNegative), tiny.negated()).value.equals(parse_number("-0.5")));
  EXPECT_TRUE(round_codebook(fp4, mode(Mode::StochasticExact), tiny, RandomDraw{~0ull, {}}).value.is_zero());
  // nf3_nz: a tiny x sits just above the midpoint of ±0.1038…: nearest is the positive value.
  const auto& nz = codebook("nf3_nz");
  EXPECT_TRUE(round_codebook(nz, mode(Mode::Nearest, 0, TieRule::Lower), tiny)
                  .value.identical(parse_number("0.10387883073852357")));
  EXPECT_TRUE(round_codebook(nz, mode(Mode::Nearest, 0, TieRule::Lower), tiny.negated())
                  .value.identical(parse_number("-0.10387883073852357")));
}

// ---- CLI -------------------------------------------------------------------------------------

TEST(CodebookCli, FormatsListsTheFamilyAndRoundWorks) {
  std::istringstream none;
  std::ostringstream out, err;
  ASSERT_EQ(cli::run_main({"formats", "--family", "llm-datatypes"}, none, out, err), 0) << err.str();
  for (const char* n : {"sf4_5", "apot4", "apot4_sp", "fp4_range", "denorm4", "mokey", "nf3_nz"})
    EXPECT_NE(out.str().find(std::string("\n") + n + " llm-datatypes"), std::string::npos) << n;
  std::istringstream in("0.3\n0.25\n-9\n");
  std::ostringstream o2, e2;
  ASSERT_EQ(cli::run_main({"round", "--format", "apot4", "--mode", "rne"}, in, o2, e2), 0) << e2.str();
  std::istringstream lines(o2.str());
  std::string l1, l2, l3;
  std::getline(lines, l1);
  std::getline(lines, l2);
  std::getline(lines, l3);
  EXPECT_EQ(l1, to_hex_float(parse_number("0.3")) + " 0xa");
  EXPECT_EQ(l2, to_hex_float(parse_number("0.2")) + " 0x9");
  EXPECT_EQ(l3, "-0x1p+0 0x0");
}

// ---- properties ------------------------------------------------------------------------------

RC_GTEST_PROP(CodebookProperties, ResultIsANeighbourAndMonotoneForFixedR, ()) {
  static const std::vector<std::string> names = {"fp4_basic", "fp4_range", "fp4_prec1", "fp4_prec2", "fp4_no_sub",
                                                 "fp4_e2m1",  "fp4_bnb",   "fp4_e1m2",  "fp4_log",   "int4"};
  const auto& c = codebook(*rc::gen::elementOf(names));
  const Mode md = *rc::gen::element(Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::Nearest,
                                    Mode::TowardZero, Mode::TowardPositive, Mode::TowardNegative, Mode::ToOdd,
                                    Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd,
                                    Mode::StochasticCeil, Mode::StochasticExact);
  const bool few = md >= Mode::StochasticA && md != Mode::StochasticExact;
  const int n = few ? *rc::gen::inRange(1, 9) : 0;
  Rounding rd = mode(md, n, *rc::gen::element(TieRule::Even, TieRule::Away, TieRule::Zero, TieRule::Lower,
                                               TieRule::Upper));
  const std::uint64_t r = few ? *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << n) : *rc::gen::arbitrary<std::uint64_t>();
  const RandomDraw draw{r, {}};
  // x = m·2^-6 over about ±1.5× the list's range, so ends, ties and interiors all occur.
  std::int64_t a = *rc::gen::inRange<std::int64_t>(-1600, 1601);
  std::int64_t b = *rc::gen::inRange<std::int64_t>(-1600, 1601);
  if (a > b) std::swap(a, b);
  const long shift = c.name == "fp4_log" ? -3 : -6;
  const Dyadic xa = dyadic(a, shift), xb = dyadic(b, shift);
  const RoundResult ra = round_codebook(c, rd, xa.value, draw);
  const RoundResult rb = round_codebook(c, rd, xb.value, draw);
  RC_ASSERT(!(rb.value < ra.value));  // monotone in x
  for (const auto& [x, res] : {std::pair{xa, ra}, std::pair{xb, rb}}) {
    const cpp_rational got = rational_of(res.value);
    const cpp_rational lo = rational_of(c.values.front()), hi = rational_of(c.values.back());
    if (x.exact <= lo) {
      RC_ASSERT(got == lo);
      continue;
    }
    if (x.exact >= hi) {
      RC_ASSERT(got == hi);
      continue;
    }
    cpp_rational below = lo, above = hi;
    for (const auto& v : c.values) {
      const cpp_rational q = rational_of(v);
      if (q <= x.exact && q > below) below = q;
      if (q >= x.exact && q < above) above = q;
    }
    RC_ASSERT(got == below || got == above);
    RC_ASSERT(!res.saturated);
    RC_ASSERT(res.code == c.encode(res.value));
  }
}

RC_GTEST_PROP(CodebookProperties, SymmetricListsRoundSymmetrically, ()) {
  static const std::vector<std::string> names = {"fp4_basic", "fp4_no_sub", "fp4_e1m2", "fp4_log", "mokey", "int5"};
  const auto& c = codebook(*rc::gen::elementOf(names));
  const Mode md = *rc::gen::element(Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::ToOdd,
                                    Mode::StochasticA, Mode::StochasticC);
  const bool few = md >= Mode::StochasticA;
  const int n = few ? 4 : 0;
  const std::uint64_t r = few ? *rc::gen::inRange<std::uint64_t>(0, 16) : 0;
  const std::int64_t m = *rc::gen::inRange<std::int64_t>(-2000, 2001);
  const Dyadic x = dyadic(m, -6);
  const RoundResult p = round_codebook(c, mode(md, n), x.value, RandomDraw{r, {}});
  const RoundResult q = round_codebook(c, mode(md, n), x.value.negated(), RandomDraw{r, {}});
  RC_ASSERT(p.value.equals(q.value.negated()));
  RC_ASSERT(p.away == q.away);
}

// Decimal inputs carry their exact rational, so ties and SR thresholds between non-dyadic codebook
// values are decided exactly (formats.md §5.2: llm-datatypes ties go to the lower value).
TEST(CodebookDecimalInputs, TiesAndThresholdsBetweenNonDyadicValuesAreExact) {
  const auto f = std::get<roundlab::CodebookFormat>(roundlab::find_format("apot4"));
  roundlab::Rounding rn;
  rn.mode = roundlab::Mode::Nearest;
  rn.tie = roundlab::TieRule::Lower;
  auto value = [&](const char* x, const roundlab::Rounding& r, std::uint64_t rv = 0) {
    roundlab::RandomDraw d;
    d.r = rv;
    return roundlab::to_hex_float(roundlab::round_codebook(f, r, roundlab::parse_number(x), d).value);
  };
  EXPECT_EQ(value("0.15", rn), "0.1");    // midpoint of 0.1 and 0.2: lower
  EXPECT_EQ(value("-0.15", rn), "-0.2");  // lower in value order
  EXPECT_EQ(value("-0.25", rn), "-0.3");
  EXPECT_EQ(value("0.150000000000000000001", rn), "0.2");
  // 0.45 is ν = 1/4 of [0.4, 0.6]: SRFF with N = 2 rounds away for exactly one r (r = 3).
  roundlab::Rounding srff;
  srff.mode = roundlab::Mode::StochasticA;
  srff.random_bits = 2;
  int away = 0;
  for (std::uint64_t r = 0; r < 4; ++r) away += value("0.45", srff, r) == "0.6";
  EXPECT_EQ(away, 1);
  EXPECT_EQ(value("0.4499999999999999999999", srff, 3), "0.4");
}
