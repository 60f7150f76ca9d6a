// Exact bias/variance analysis (analysis/sr_bias_*): the enumeration through the reference against the
// closed forms of stochastic-rounding.md §3 (implemented separately in sr_bias_closed_forms.cpp), against
// gfloat's enumerated table (§3.3: an independent implementation, so fair known answers), the two exact
// counting methods against each other, exact SR, saturation/overflow, and the `roundlab bias` CLI.
//
// Cost: the D ≤ 16 × N ≤ 12 matrix evaluates one 2^16-input binade per (mode, N, sign) and feeds every
// coarser grid from it (the D-bit grid of a binade is the subset of the 16-bit grid with δ on 2^-D),
// with the exact Count method; the per-r Enumerate method is checked equal to Count on smaller grids.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/sr_bias_aggregate.hpp"
#include "analysis/sr_bias_closed_forms.hpp"
#include "analysis/sr_bias_enumeration.hpp"
#include "analysis/sr_bias_sources.hpp"
#include "cli/commands.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"

using namespace roundlab;
using namespace roundlab::analysis;

namespace {

const std::vector<Mode> kFewBitModes = {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd,
                                        Mode::StochasticCeil};

Rational Q(const char* text) { return Rational(text); }  // "p/q"

IeeeLikeFormat format(const char* name) { return std::get<IeeeLikeFormat>(find_format(name)); }

Rounding rounding(Mode mode, int n, Saturation sat = Saturation::None) {
  Rounding r;
  r.mode = mode;
  r.random_bits = mode == Mode::StochasticExact ? 0 : n;
  r.saturation = sat;
  return r;
}

std::vector<ExactValue> grid(const IeeeLikeFormat& f, int d, const char* range, std::uint64_t limit = 1 << 20) {
  BiasSource s;
  s.kind = BiasSource::Kind::Grid;
  s.grid_bits = d;
  return source_values(s, f, parse_value_range(range), limit);
}

std::vector<ExactValue> values_of(const char* source_format, const char* range) {
  return source_values(parse_bias_source(source_format), format("binary32"), parse_value_range(range), 1 << 20);
}

std::vector<ExactValue> negated(const std::vector<ExactValue>& v) {
  std::vector<ExactValue> out;
  for (auto it = v.rbegin(); it != v.rend(); ++it) out.push_back(it->negated());
  return out;
}

BiasAggregate aggregate(const IeeeLikeFormat& f, const Rounding& r, const std::vector<ExactValue>& xs,
                        CountMethod method) {
  PointBiasEvaluator ev(f, r, method);
  BiasAggregator agg;
  PointBias p;
  for (const auto& x : xs) {
    ev.evaluate(x, p);
    agg.add(p);
  }
  return agg.result();
}

std::string label(Mode mode, int n, int d, bool negative) {
  return mode_name(mode) + " N=" + std::to_string(n) + " D=" + std::to_string(d) + (negative ? " negative" : " positive");
}

// Two PointBias equal in every exact field (outcomes: value, code, flags, probability).
void expect_same(const PointBias& a, const PointBias& b, const std::string& what) {
  EXPECT_EQ(a.delta, b.delta) << what;
  EXPECT_EQ(a.p_away, b.p_away) << what;
  ASSERT_EQ(a.outcomes.size(), b.outcomes.size()) << what;
  for (size_t i = 0; i < a.outcomes.size(); ++i) {
    const auto &oa = a.outcomes[i], &ob = b.outcomes[i];
    EXPECT_TRUE(oa.value.identical(ob.value)) << what << ": " << to_hex_float(oa.value) << " vs " << to_hex_float(ob.value);
    EXPECT_EQ(oa.code, ob.code) << what;
    EXPECT_EQ(oa.away, ob.away) << what;
    EXPECT_EQ(oa.saturated, ob.saturated) << what;
    EXPECT_EQ(oa.no_encoding, ob.no_encoding) << what;
    EXPECT_EQ(oa.probability, ob.probability) << what;
  }
  for (auto [x, y] : {std::pair{&a.mean, &b.mean}, {&a.error, &b.error}, {&a.bias_ulps, &b.bias_ulps},
                      {&a.variance_ulps, &b.variance_ulps}, {&a.mse_ulps, &b.mse_ulps}})
    EXPECT_EQ(x->text(), y->text()) << what;
}

// ---- a minimal JSON reader for the CLI's output (enough for objects, arrays, strings, numbers) ----
struct Json {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;
  const Json& operator[](const std::string& key) const {
    auto it = object.find(key);
    if (type != Type::Object || it == object.end()) throw std::runtime_error("JSON: no key '" + key + "'");
    return it->second;
  }
  bool has(const std::string& key) const { return type == Type::Object && object.count(key) > 0; }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : s_(text) {}
  Json document() {
    Json v = value();
    skip();
    if (i_ != s_.size()) fail("trailing text");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    throw std::runtime_error("JSON: " + why + " at offset " + std::to_string(i_));
  }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string str() {
    if (!eat('"')) fail("expected a string");
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) fail("bad escape");
        char e = s_[i_++];
        if (e == 'n') out += '\n';
        else if (e == 't') out += '\t';
        else if (e == 'u') i_ += 4, out += '?';
        else out += e;
      } else {
        out += c;
      }
    }
    if (!eat('"')) fail("unterminated string");
    return out;
  }
  Json value() {
    skip();
    Json v;
    if (i_ >= s_.size()) fail("unexpected end");
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      v.type = Json::Type::Object;
      if (eat('}')) return v;
      do {
        std::string k = str();
        if (!eat(':')) fail("expected ':'");
        v.object[k] = value();
      } while (eat(','));
      if (!eat('}')) fail("expected '}'");
    } else if (c == '[') {
      ++i_;
      v.type = Json::Type::Array;
      if (eat(']')) return v;
      do v.array.push_back(value());
      while (eat(','));
      if (!eat(']')) fail("expected ']'");
    } else if (c == '"') {
      v.type = Json::Type::String;
      v.string = str();
    } else if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
    } else if (s_.compare(i_, 4, "true") == 0) {
      i_ += 4, v.type = Json::Type::Bool, v.boolean = true;
    } else if (s_.compare(i_, 5, "false") == 0) {
      i_ += 5, v.type = Json::Type::Bool;
    } else {
      size_t used = 0;
      v.number = std::stod(s_.substr(i_, 40), &used);
      if (used == 0) fail("bad number");
      i_ += used;
      v.type = Json::Type::Number;
    }
    return v;
  }
  const std::string& s_;
  size_t i_ = 0;
};

struct CliRun {
  int rc;
  std::string out, err;
};

CliRun run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "bias");
  std::istringstream in;
  std::ostringstream out, err;
  const int rc = cli::run_main(args, in, out, err);
  return {rc, out.str(), err.str()};
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

// The grid:D source is what the tests below rely on: in a binade of a p = 1 format (one significand,
// ulp = the binade's width) grid:D is {1 + i·2^-D}, i.e. the 16-bit grid's points with δ on 2^-D; across
// binade and zero boundaries the step follows the target's ulp.
TEST(SrBiasSources, GridIsTheTargetUlpOver2PowD) {
  const IeeeLikeFormat p1 = format("p3109_k8p1se");
  const std::vector<ExactValue> fine = grid(p1, 16, "1:0x1.ffffp0");
  ASSERT_EQ(fine.size(), 65536u);
  for (int d = 0; d <= 16; ++d) {
    const std::vector<ExactValue> coarse = grid(p1, d, "1:2");  // 2 is the next binade's first point
    ASSERT_EQ(coarse.size(), (std::size_t{1} << d) + 1) << "D=" << d;
    for (std::size_t i = 0; i + 1 < coarse.size(); ++i)
      ASSERT_TRUE(coarse[i].identical(fine[i << (16 - d)])) << "D=" << d << " i=" << i;
    EXPECT_EQ(to_hex_float(coarse.back()), "0x1p+1");
  }
  // b8p4 (p = 4): ulp 1/8 below 2, 1/4 above; D = 2 puts 4 points per ulp (steps 1/32, then 1/16).
  std::vector<std::string> texts;
  for (const auto& v : grid(format("p3109_k8p4se"), 2, "0x1.ep0:0x1.2p1")) texts.push_back(to_hex_float(v));
  EXPECT_EQ(texts, (std::vector<std::string>{"0x1.ep+0", "0x1.e8p+0", "0x1.fp+0", "0x1.f8p+0", "0x1p+1", "0x1.08p+1",
                                             "0x1.1p+1", "0x1.18p+1", "0x1.2p+1"}));
  texts.clear();
  for (const auto& v : grid(format("p3109_k8p4se"), 2, "-0x1.2p1:-0x1.ep0")) texts.push_back(to_hex_float(v));
  EXPECT_EQ(texts, (std::vector<std::string>{"-0x1.2p+1", "-0x1.18p+1", "-0x1.1p+1", "-0x1.08p+1", "-0x1p+1",
                                             "-0x1.f8p+0", "-0x1.fp+0", "-0x1.e8p+0", "-0x1.ep+0"}));
  // Across 0 in the subnormal range (quantum 2^-10, so step 2^-11 for D = 1): 0 appears once.
  const auto around_zero = grid(format("p3109_k8p4se"), 1, "-0x1p-9:0x1p-9");
  ASSERT_EQ(around_zero.size(), 9u);
  EXPECT_EQ(to_hex_float(around_zero[4]), "0x0p+0");
  EXPECT_EQ(to_hex_float(around_zero[5]), "0x1p-11");
  // bfloat16 values in [1, 2): 128 of them, ascending; binary16: 1024.
  const auto bf = values_of("bfloat16", "1:0x1.fep0");
  ASSERT_EQ(bf.size(), 128u);
  EXPECT_EQ(to_hex_float(bf[1]), "0x1.02p+0");
  EXPECT_EQ(values_of("binary16", "1:0x1.ffcp0").size(), 1024u);
  // The guard: a grid above the limit is refused with TooManyInputs.
  EXPECT_THROW(grid(p1, 16, "1:4", 65536), TooManyInputs);
}

// For every D ≤ 16 and N ≤ 12 (N = 0: P3109's "no round-away"), the exact aggregates over a whole binade
// of p3109_k8p1se (p = 1: a binade is one ulp wide, so its D-grid is exactly δ's uniform 2^-D grid) equal
// the closed forms: mean bias (§3.3), mean variance (derived),
// the pointwise bias range (§3.1, attained: min and max equal the bounds), the mean of exact SR's
// δ(1 − δ); positive inputs for D ≤ 16 and negative inputs for D ≤ 12 (one binade each). Every D ≤ 10
// input is also checked pointwise against the closed-form P(away), bias, Var and MSE.
void closed_form_matrix(Mode mode) {
  const IeeeLikeFormat p1 = format("p3109_k8p1se");
  for (bool negative : {false, true}) {
    const int max_d = negative ? 12 : 16;
    const std::string top = "1:" + to_hex_float(exact_value_of_dyadic(2 - pow2(-max_d)));
    std::vector<ExactValue> xs = grid(p1, max_d, top.c_str());
    ASSERT_EQ(xs.size(), std::size_t{1} << max_d);
    if (negative) xs = negated(xs);
    for (int n = 0; n <= 12; ++n) {
      const Rounding r = rounding(mode, n);
      PointBiasEvaluator ev(p1, r, CountMethod::Count);
      std::vector<BiasAggregator> per_d(max_d + 1);
      PointBias p;
      for (std::size_t k = 0; k < xs.size(); ++k) {
        // Input k (in order of |x|) has δ = k'·2^-max_d; it lies on the D-grid when 2^(max_d − D) | k'.
        const std::size_t i = negative ? xs.size() - 1 - k : k;
        ev.evaluate(xs[k], p);
        ASSERT_EQ(p.delta, Rational(static_cast<long>(i)) * pow2(-max_d));
        int coarsest = max_d;
        while (coarsest > 0 && (i & ((std::size_t{1} << (max_d - coarsest + 1)) - 1)) == 0) --coarsest;
        for (int d = coarsest; d <= max_d; ++d) per_d[d].add(p);
        if (coarsest <= 10) {
          ASSERT_EQ(p.p_away, closed_form_p_away(mode, n, p.delta)) << to_hex_float(xs[k]);
          ASSERT_EQ(p.bias_ulps.value, closed_form_bias(mode, n, p.delta)) << to_hex_float(xs[k]);
          ASSERT_EQ(p.variance_ulps.value, closed_form_variance(mode, n, p.delta)) << to_hex_float(xs[k]);
          ASSERT_EQ(p.mse_ulps.value, closed_form_mse(mode, n, p.delta)) << to_hex_float(xs[k]);
        }
      }
      for (int d = 0; d <= max_d; ++d) {
        const BiasAggregate& a = per_d[d].result();
        const std::string what = label(mode, n, d, negative);
        ASSERT_EQ(a.inputs, std::uint64_t{1} << d) << what;
        EXPECT_EQ(a.finite_inputs, a.inputs) << what;
        EXPECT_EQ(a.exact_inputs, 1u) << what;
        EXPECT_EQ(a.non_finite_inputs + a.saturated_inputs, 0u) << what;
        EXPECT_EQ(*a.mean_bias_ulps(), grid_mean_bias(mode, n, d)) << what;
        EXPECT_EQ(*a.mean_variance_ulps(), grid_mean_variance(mode, n, d)) << what;
        EXPECT_EQ(*a.mean_exact_sr_variance(), grid_mean_exact_sr_variance(d)) << what;
        const BiasRange range = grid_bias_range(mode, n, d);
        EXPECT_EQ(a.min_bias_ulps, range.min) << what;
        EXPECT_EQ(a.max_bias_ulps, range.max) << what;
        EXPECT_EQ(a.max_abs_bias_ulps, std::max(abs(range.min), abs(range.max))) << what;
        if (d <= n) { EXPECT_EQ(a.max_abs_bias_ulps, 0) << what << ": D ≤ N is unbiased pointwise"; }
      }
    }
  }
}

TEST(ClosedFormMatrix, Srff) { closed_form_matrix(Mode::StochasticA); }
TEST(ClosedFormMatrix, Srf) { closed_form_matrix(Mode::StochasticB); }
TEST(ClosedFormMatrix, Src) { closed_form_matrix(Mode::StochasticC); }
TEST(ClosedFormMatrix, Sro) { closed_form_matrix(Mode::StochasticOdd); }
TEST(ClosedFormMatrix, Srceil) { closed_form_matrix(Mode::StochasticCeil); }

// The §3.3 formulas written out for a few cells, as the document states them, so a wrong closed form
// cannot agree with a wrong enumeration unnoticed.
TEST(SrBiasClosedForms, DocumentedCaseTwoValues) {
  // SRFF (2^-D − 2^-N)/2, SRF +2^-(D+1), SRC = SRO = 0; D ≤ N → 0.
  EXPECT_EQ(grid_mean_bias(Mode::StochasticA, 3, 7), Q("-15/256"));
  EXPECT_EQ(grid_mean_bias(Mode::StochasticB, 3, 7), Q("1/256"));
  EXPECT_EQ(grid_mean_bias(Mode::StochasticC, 3, 7), 0);
  EXPECT_EQ(grid_mean_bias(Mode::StochasticOdd, 3, 7), 0);
  EXPECT_EQ(grid_mean_bias(Mode::StochasticCeil, 3, 7), Q("15/256"));
  for (Mode m : kFewBitModes) EXPECT_EQ(grid_mean_bias(m, 5, 5), 0) << mode_name(m);
  // Infinite precision: SRFF −2^-(N+1), SRF/SRC/SRO 0, srceil +2^-(N+1), sr 0.
  EXPECT_EQ(infinite_precision_mean_bias(Mode::StochasticA, 3), Q("-1/16"));
  EXPECT_EQ(infinite_precision_mean_bias(Mode::StochasticB, 3), 0);
  EXPECT_EQ(infinite_precision_mean_bias(Mode::StochasticC, 3), 0);
  EXPECT_EQ(infinite_precision_mean_bias(Mode::StochasticOdd, 3), 0);
  EXPECT_EQ(infinite_precision_mean_bias(Mode::StochasticCeil, 3), Q("1/16"));
  EXPECT_EQ(infinite_precision_mean_bias(Mode::StochasticExact, 0), 0);
  // §3.1 ranges for N = 3, D = 7.
  const BiasRange srf = grid_bias_range(Mode::StochasticB, 3, 7);
  EXPECT_EQ(srf.min, Q("-7/128"));  // −(2^-4 − 2^-7)
  EXPECT_EQ(srf.max, Q("1/16"));
  const BiasRange srff_inf = infinite_precision_bias_range(Mode::StochasticA, 3);
  EXPECT_EQ(srff_inf.min, Q("-1/8"));
  EXPECT_FALSE(srff_inf.min_attained);
  // Exact SR: Var δ(1 − δ), mean over the grid (1 − 4^-D)/6 → 1/6.
  EXPECT_EQ(closed_form_variance(Mode::StochasticExact, 0, Q("1/4")), Q("3/16"));
  EXPECT_EQ(grid_mean_exact_sr_variance(2), Q("5/32"));
  EXPECT_EQ(infinite_precision_mean_variance(Mode::StochasticExact, 0), Q("1/6"));
  EXPECT_THROW(grid_mean_bias(Mode::NearestTiesToEven, 3, 7), InputError);
  EXPECT_THROW(closed_form_bias(Mode::StochasticA, 3, Q("1")), InputError);
}

// Case 1 (§3.2) without integrals: every mode's bias and q(1 − q) are linear resp. constant between
// consecutive multiples of 2^-(N+1), so their mean over δ ∈ [0, 1) is exactly their mean at the
// midpoints δ = (2j + 1)/2^(N+2) (the midpoint rule is exact for linear functions). Enumerating those
// inputs gives the infinite-precision limits; every pointwise bias lies inside the open/closed range.
TEST(SrBiasClosedForms, InfinitePrecisionLimitsByMidpoints) {
  const IeeeLikeFormat p1 = format("p3109_k8p1se");
  for (Mode mode : kFewBitModes) {
    for (int n = 0; n <= 10; ++n) {
      std::vector<ExactValue> xs;
      for (long j = 0; j < (1L << (n + 1)); ++j) xs.push_back(exact_value_of_dyadic(1 + Rational(2 * j + 1) * pow2(-(n + 2))));
      const Rounding r = rounding(mode, n);
      const BiasAggregate a = aggregate(p1, r, xs, CountMethod::Count);
      const std::string what = mode_name(mode) + " N=" + std::to_string(n);
      EXPECT_EQ(*a.mean_bias_ulps(), infinite_precision_mean_bias(mode, n)) << what;
      EXPECT_EQ(*a.mean_variance_ulps(), infinite_precision_mean_variance(mode, n)) << what;
      const BiasRange range = infinite_precision_bias_range(mode, n);
      EXPECT_TRUE(range.min_attained ? a.min_bias_ulps >= range.min : a.min_bias_ulps > range.min) << what;
      EXPECT_TRUE(range.max_attained ? a.max_bias_ulps <= range.max : a.max_bias_ulps < range.max) << what;
    }
  }
}

// The per-r enumeration (2^N reference_round calls) and the C(ν) count give identical results, input by
// input — on a whole b8p4 binade (D = 6, both signs) and near the top of the range, where outcomes
// overflow to ±Inf (SatNone) or saturate (SatFinite / SatPropagate). The binade aggregates also equal
// the closed forms with the brief's example target.
TEST(SrBiasEnumeration, EnumerateEqualsCountAndB8p4BinadeMatchesClosedForms) {
  const IeeeLikeFormat b8p4 = format("p3109_k8p4se");
  std::vector<ExactValue> binade = grid(b8p4, 6, "1:0x1.fffp0");
  ASSERT_EQ(binade.size(), 8u * 64u);
  const std::vector<ExactValue> negative_binade = negated(binade);
  std::vector<ExactValue> top = grid(b8p4, 3, "200:260");
  const std::vector<ExactValue> negative_top = negated(top);
  top.insert(top.end(), negative_top.begin(), negative_top.end());
  for (Mode mode : kFewBitModes) {
    for (int n = 0; n <= 6; ++n) {
      for (Saturation sat : {Saturation::None, Saturation::Finite, Saturation::Propagate}) {
        const Rounding r = rounding(mode, n, sat);
        PointBiasEvaluator enumerate(b8p4, r, CountMethod::Enumerate), count(b8p4, r, CountMethod::Count);
        ASSERT_EQ(enumerate.resolved_method(), CountMethod::Enumerate);
        const bool with_binades = sat == Saturation::None;
        std::vector<const std::vector<ExactValue>*> sets = {&top};
        if (with_binades) sets = {&top, &binade, &negative_binade};
        for (const auto* set : sets) {
          BiasAggregator agg;
          for (const auto& x : *set) {
            const PointBias e = enumerate.evaluate(x), c = count.evaluate(x);
            EXPECT_EQ(e.how, HowComputed::Enumerated);
            EXPECT_EQ(c.how, HowComputed::Counted);
            expect_same(e, c, r.describe() + " x=" + to_hex_float(x));
            agg.add(e);
          }
          if (set == &top) continue;
          const BiasAggregate& a = agg.result();
          const std::string what = label(mode, n, 6, set == &negative_binade) + " b8p4";
          EXPECT_EQ(a.exact_inputs, 8u) << what;
          EXPECT_EQ(*a.mean_bias_ulps(), grid_mean_bias(mode, n, 6)) << what;
          EXPECT_EQ(*a.mean_variance_ulps(), grid_mean_variance(mode, n, 6)) << what;
          EXPECT_EQ(a.min_bias_ulps, grid_bias_range(mode, n, 6).min) << what;
          EXPECT_EQ(a.max_bias_ulps, grid_bias_range(mode, n, 6).max) << what;
        }
      }
    }
  }
}

// stochastic-rounding.md §3.3, the table enumerated with gfloat (HEAD and 9c31e1d agree): average / min /
// max bias in target ulps over one binade of inputs, all 2^N values of r. Decimals as printed there:
// −0.234375 = −15/64, −0.46875 = −15/32, +0.015625 = 1/64, −0.21875 = −7/32, …; −0.058594 = −15/256,
// +0.003906 = 1/256, ±0.0078 = ±1/128. "Negative inputs give the identical magnitude bias", and "SR-Odd
// gives the same numbers as SRC".
TEST(SrBiasKnownAnswers, GfloatEnumeratedTable) {
  struct Row {
    const char* target;
    const char* source;
    const char* binade;
    int n;
    const char* srff_avg;
    const char* srff_min;
    const char* srf_avg;
    const char* srf_min;
    const char* srf_max;
    const char* src_max;  // SRC avg is 0, min is −max
  };
  const std::vector<Row> rows = {
      {"ocp_e5m2", "bfloat16", "1:0x1.fep0", 1, "-15/64", "-15/32", "1/64", "-7/32", "1/4", "1/4"},
      {"ocp_e5m2", "bfloat16", "1:0x1.fep0", 2, "-7/64", "-7/32", "1/64", "-3/32", "1/8", "1/8"},
      {"ocp_e5m2", "bfloat16", "1:0x1.fep0", 3, "-3/64", "-3/32", "1/64", "-1/32", "1/16", "1/16"},
      {"ocp_e5m2", "bfloat16", "1:0x1.fep0", 4, "-1/64", "-1/32", "1/64", "0", "1/32", "1/32"},
      {"ocp_e5m2", "bfloat16", "1:0x1.fep0", 5, "0", "0", "0", "0", "0", "0"},
      {"ocp_e5m2", "bfloat16", "1:0x1.fep0", 6, "0", "0", "0", "0", "0", "0"},
      {"p3109_k8p4se", "bfloat16", "1:0x1.fep0", 3, "-1/32", "-1/16", "1/32", "0", "1/16", "1/16"},
      {"p3109_k8p4se", "binary16", "1:0x1.ffcp0", 3, "-15/256", nullptr, "1/256", nullptr, nullptr, "1/16"},
      {"p3109_k8p4se", "binary16", "1:0x1.ffcp0", 6, "-1/256", nullptr, "1/256", nullptr, nullptr, "1/128"},
  };
  for (const Row& row : rows) {
    const IeeeLikeFormat target = format(row.target);
    const std::vector<ExactValue> positive = values_of(row.source, row.binade);
    {
      for (bool negative : {false, true}) {
        const std::vector<ExactValue> inputs = negative ? negated(positive) : positive;
        const std::string what = std::string(row.target) + " from " + row.source + " N=" + std::to_string(row.n) +
                                 (negative ? " negative" : "");
        auto run = [&](Mode m) {
          const Rounding r = rounding(m, row.n);
          return aggregate(target, r, inputs, choose_count_method(r, inputs.size()));
        };
        const BiasAggregate srff = run(Mode::StochasticA), srf = run(Mode::StochasticB), src = run(Mode::StochasticC),
                            sro = run(Mode::StochasticOdd);
        EXPECT_EQ(*srff.mean_bias_ulps(), Q(row.srff_avg)) << what;
        EXPECT_EQ(srff.max_bias_ulps, 0) << what;
        if (row.srff_min) { EXPECT_EQ(srff.min_bias_ulps, Q(row.srff_min)) << what; }
        EXPECT_EQ(*srf.mean_bias_ulps(), Q(row.srf_avg)) << what;
        if (row.srf_min) { EXPECT_EQ(srf.min_bias_ulps, Q(row.srf_min)) << what; }
        if (row.srf_max) { EXPECT_EQ(srf.max_bias_ulps, Q(row.srf_max)) << what; }
        for (const BiasAggregate* c : {&src, &sro}) {
          EXPECT_EQ(*c->mean_bias_ulps(), 0) << what;
          EXPECT_EQ(c->max_bias_ulps, Q(row.src_max)) << what;
          EXPECT_EQ(c->min_bias_ulps, Rational(-Q(row.src_max))) << what;
        }
      }
    }
  }
}

// Exact SR: P(away) = δ exactly (also for decimal inputs, whose δ is not dyadic, and for δ below
// 2^-192, beyond any u the reference accepts), zero bias, Var = MSE = δ(1 − δ) ulp²; over the 16-bit
// binade grid every D-grid has mean Var (1 − 4^-D)/6 and variance ratio 1.
TEST(SrBiasEnumeration, ExactSrIsUnbiasedWithVarianceDeltaOneMinusDelta) {
  const IeeeLikeFormat b8p4 = format("p3109_k8p4se");
  const Rounding sr = rounding(Mode::StochasticExact, 0);
  struct Case {
    const char* x;
    const char* delta;
  };
  // 0.1 = 12.8·2^-7 (ulp 2^-7 in [2^-4, 2^-3)); 1.1 = 8.8·2^-3; 0x1p-11 is half the smallest subnormal.
  for (const Case& c : std::vector<Case>{{"0.1", "4/5"}, {"-1.1", "4/5"}, {"0x1.08p0", "1/4"}, {"0x1p-11", "1/2"},
                                         {"-0x1.3p-9", "3/8"}, {"200.5", "17/32"}}) {
    const PointBias p = enumerate_point_bias(b8p4, sr, parse_number(c.x));
    EXPECT_EQ(p.how, HowComputed::ExactDelta);
    EXPECT_EQ(p.delta, Q(c.delta)) << c.x;
    EXPECT_EQ(p.p_away, Q(c.delta)) << c.x;
    EXPECT_EQ(p.bias_ulps.text(), "0") << c.x;
    EXPECT_EQ(p.error.text(), "0") << c.x;
    EXPECT_EQ(p.variance_ulps.value, Q(c.delta) * (1 - Q(c.delta))) << c.x;
    EXPECT_EQ(p.mse_ulps.value, p.variance_ulps.value) << c.x;
    EXPECT_EQ(p.mean.value, p.x_exact) << c.x;
  }
  // δ = 2^-250: exact SR still rounds away with probability 2^-250, to the right neighbour.
  const PointBias tiny = enumerate_point_bias(format("bfloat16"), sr, exact_value_of_dyadic(1 + pow2(-250)));
  EXPECT_EQ(tiny.p_away, pow2(-243));  // bfloat16's ulp at 1 is 2^-7
  ASSERT_EQ(tiny.outcomes.size(), 2u);
  EXPECT_EQ(to_hex_float(tiny.outcomes[1].value), "0x1.02p+0");
  EXPECT_EQ(tiny.bias_ulps.text(), "0");

  const IeeeLikeFormat p1 = format("p3109_k8p1se");
  const std::vector<ExactValue> xs = grid(p1, 16, "1:0x1.ffffp0");
  std::vector<BiasAggregator> per_d(17);
  PointBiasEvaluator ev(p1, sr, CountMethod::Auto);
  PointBias p;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    ev.evaluate(xs[i], p);
    int coarsest = 16;
    while (coarsest > 0 && (i & ((std::size_t{1} << (16 - coarsest + 1)) - 1)) == 0) --coarsest;
    for (int d = coarsest; d <= 16; ++d) per_d[d].add(p);
  }
  for (int d = 0; d <= 16; ++d) {
    const BiasAggregate& a = per_d[d].result();
    EXPECT_EQ(a.max_abs_bias_ulps, 0) << "D=" << d;
    EXPECT_EQ(*a.mean_variance_ulps(), grid_mean_exact_sr_variance(d)) << "D=" << d;
    EXPECT_EQ(*a.mean_variance_ulps(), grid_mean_variance(Mode::StochasticExact, 0, d)) << "D=" << d;
    if (d > 0) { EXPECT_EQ(*a.variance_ratio(), 1) << "D=" << d; }
  }
}

// Overflow and specials are reported as such: ±inf / nan statistics, never a finite number; saturated
// finite outcomes give their exact (biased) statistics.
TEST(SrBiasEnumeration, OverflowSaturationAndSpecials) {
  const IeeeLikeFormat b8p4 = format("p3109_k8p4se");  // max 224, next grid point 240, +Inf exists
  // 232 = 224 + ½ ulp (ulp 16): srff N = 3 goes away with P = 1/2, to +Inf under SatNone.
  const PointBias over = enumerate_point_bias(b8p4, rounding(Mode::StochasticA, 3), parse_number("232"));
  ASSERT_EQ(over.outcomes.size(), 2u);
  EXPECT_EQ(to_hex_float(over.outcomes[0].value), "0x1.cp+7");
  EXPECT_EQ(to_hex_float(over.outcomes[1].value), "inf");
  EXPECT_TRUE(over.outcomes[1].saturated);
  EXPECT_EQ(over.p_away, Q("1/2"));
  EXPECT_EQ(over.mean.text(), "inf");
  EXPECT_EQ(over.bias_ulps.text(), "inf");
  EXPECT_EQ(over.variance_ulps.text(), "nan");
  EXPECT_EQ(over.mse_ulps.text(), "inf");
  EXPECT_TRUE(over.any_non_finite_outcome());
  const PointBias under = enumerate_point_bias(b8p4, rounding(Mode::StochasticA, 3), parse_number("-232"));
  EXPECT_EQ(under.mean.text(), "-inf");
  EXPECT_EQ(under.error.text(), "-inf");
  EXPECT_EQ(under.bias_ulps.text(), "inf");  // away from zero
  // SatFinite: both outcomes are 224 (the away one saturated): E − x = −8, bias −1/2 ulp, Var 0.
  for (Saturation sat : {Saturation::Finite, Saturation::Propagate}) {
    const PointBias clamped = enumerate_point_bias(b8p4, rounding(Mode::StochasticA, 3, sat), parse_number("232"));
    ASSERT_EQ(clamped.outcomes.size(), 2u);
    EXPECT_TRUE(clamped.outcomes[1].saturated);
    EXPECT_EQ(clamped.mean.text(), "224");
    EXPECT_EQ(clamped.error.text(), "-8");
    EXPECT_EQ(clamped.bias_ulps.text(), "-1/2");
    EXPECT_EQ(clamped.variance_ulps.text(), "0");
    EXPECT_EQ(clamped.mse_ulps.text(), "1/4");
    EXPECT_TRUE(clamped.any_saturated());
  }
  // OCP E4M3 has no Inf: its non-saturating overflow is NaN; 464 is a tie between 448 and 480.
  const PointBias e4m3 = enumerate_point_bias(format("ocp_e4m3"), rounding(Mode::StochasticC, 4), parse_number("464"));
  EXPECT_EQ(e4m3.p_away, Q("1/2"));
  EXPECT_EQ(e4m3.mean.text(), "nan");
  EXPECT_EQ(e4m3.bias_ulps.text(), "nan");
  // Infinite inputs: kept (SatNone) or clamped to max (SatFinite): E − x = ∞ − ∞ (nan) or −∞.
  const PointBias inf_kept = enumerate_point_bias(b8p4, rounding(Mode::StochasticB, 3), parse_number("inf"));
  EXPECT_EQ(inf_kept.mean.text(), "inf");
  EXPECT_EQ(inf_kept.error.text(), "nan");
  const PointBias inf_clamped =
      enumerate_point_bias(b8p4, rounding(Mode::StochasticB, 3, Saturation::Finite), parse_number("inf"));
  EXPECT_EQ(inf_clamped.mean.text(), "224");
  EXPECT_EQ(inf_clamped.error.text(), "-inf");
  // NaN into a format without NaN (OCP FP4): an outcome with no encoding, statistics undefined, no throw.
  const PointBias no_nan = enumerate_point_bias(format("ocp_e2m1"), rounding(Mode::StochasticC, 2), parse_number("nan"));
  ASSERT_EQ(no_nan.outcomes.size(), 1u);
  EXPECT_TRUE(no_nan.outcomes[0].no_encoding);
  EXPECT_EQ(no_nan.mean.text(), "nan");
  // The aggregate counts them apart and averages only the finite inputs.
  BiasAggregator agg;
  for (const char* x : {"232", "-232", "0x1.02p0", "inf", "nan"})
    agg.add(enumerate_point_bias(b8p4, rounding(Mode::StochasticA, 3), parse_number(x)));
  const BiasAggregate& a = agg.result();
  EXPECT_EQ(a.inputs, 5u);
  EXPECT_EQ(a.finite_inputs, 1u);
  EXPECT_EQ(a.non_finite_inputs, 4u);
  EXPECT_EQ(*a.mean_bias_ulps(), Q("-1/16"));  // 1 + 2^-7: δ = 1/16, srff N = 3 never goes away
  // An input that is not held exactly (a 400-bit hex literal has no exact rational here) is refused.
  const std::string long_hex = "0x1." + std::string(99, '0') + "1p0";
  EXPECT_THROW(enumerate_point_bias(b8p4, rounding(Mode::StochasticExact, 0), parse_number(long_hex)), InputError);
  // Enumerating 2^20 draws per input is refused (the count method is exact too).
  EXPECT_THROW(PointBiasEvaluator(b8p4, rounding(Mode::StochasticA, 20), CountMethod::Enumerate), InputError);
}

// A deterministic mode is its own one-outcome distribution: RNE's rounding error, in ulps.
TEST(SrBiasEnumeration, DeterministicModesGiveTheirRoundingError) {
  const IeeeLikeFormat b8p4 = format("p3109_k8p4se");
  Rounding rne;
  const PointBias p = enumerate_point_bias(b8p4, rne, parse_number("0x1.5p0"));  // 1 + 2.5/8: tie → even 1.25
  EXPECT_EQ(p.how, HowComputed::Deterministic);
  EXPECT_EQ(p.delta, Q("1/2"));
  EXPECT_EQ(p.bias_ulps.text(), "-1/2");
  EXPECT_EQ(p.variance_ulps.text(), "0");
  EXPECT_EQ(p.mse_ulps.text(), "1/4");
}

// `roundlab bias --json`: parsed, parameters and revision present, each input's P(away) equals the closed
// form at its δ, the probabilities of each input sum to 1, and the aggregate is §3.3's SRF cell.
TEST(SrBiasCli, JsonOutputParsesAndMatchesClosedForms) {
  const CliRun r = run_cli({"--format", "p3109_k8p4se", "--mode", "srf", "--random-bits", "3", "--source", "bfloat16",
                            "--range", "1:0x1.fep0", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const Json doc = JsonReader(r.out).document();
  EXPECT_EQ(doc["command"].string, "bias");
  EXPECT_FALSE(doc["revision"].string.empty());
  const Json& params = doc["parameters"];
  EXPECT_EQ(params["format"].string, "p3109_k8p4se");
  EXPECT_EQ(params["mode"].string, "srf");
  EXPECT_EQ(params["random_bits"].number, 3);
  EXPECT_EQ(params["saturation"].string, "none");
  EXPECT_EQ(params["source"].string, "bfloat16");
  EXPECT_EQ(params["range"].array.at(1).string, "0x1.fep+0");
  const Json& inputs = doc["inputs"];
  ASSERT_EQ(inputs.array.size(), 128u);
  for (const Json& in : inputs.array) {
    const Rational delta(in["delta"]["exact"].string);
    EXPECT_EQ(Rational(in["p_away"]["exact"].string), closed_form_p_away(Mode::StochasticB, 3, delta)) << in["x"].string;
    EXPECT_EQ(Rational(in["bias_ulps"]["exact"].string), closed_form_bias(Mode::StochasticB, 3, delta));
    EXPECT_NEAR(in["bias_ulps"]["approx"].number, approximate(Rational(in["bias_ulps"]["exact"].string)), 1e-15);
    Rational total;
    for (const Json& o : in["outcomes"].array) total += Rational(o["probability"]["exact"].string);
    EXPECT_EQ(total, 1) << in["x"].string;
  }
  const Json& agg = doc["aggregate"];
  EXPECT_EQ(agg["inputs"].number, 128);
  EXPECT_EQ(agg["exact_inputs"].number, 8);
  EXPECT_EQ(agg["mean_bias_ulps"]["exact"].string, "1/32");
  EXPECT_EQ(agg["mean_bias_ulps"]["approx"].number, 0.03125);
  EXPECT_EQ(agg["min_bias_ulps"]["exact"].string, "0");
  EXPECT_EQ(agg["max_bias_ulps"]["exact"].string, "1/16");
  EXPECT_FALSE(doc.has("closed_form"));  // bfloat16 source: no uniform-grid closed form claimed

  // Overflow in JSON: exact "inf"/"nan" text, null approximation; grid:D carries its closed form.
  const CliRun top = run_cli({"--format", "b8p4", "--mode", "srff", "--random-bits", "3", "--source", "grid:1",
                              "--range", "216:232", "--json"});
  ASSERT_EQ(top.rc, 0) << top.err;
  const Json t = JsonReader(top.out).document();
  const Json& last = t["inputs"].array.back();  // 232
  EXPECT_EQ(last["x"].string, "0x1.dp+7");
  EXPECT_EQ(last["mean"]["exact"].string, "inf");
  EXPECT_EQ(last["mean"]["approx"].type, Json::Type::Null);
  EXPECT_EQ(last["variance_ulps"]["exact"].string, "nan");
  EXPECT_EQ(t["aggregate"]["non_finite_inputs"].number, 1);
  EXPECT_EQ(t["closed_form"]["mean_bias_ulps"]["exact"].string, rational_text(grid_mean_bias(Mode::StochasticA, 3, 1)));
}

TEST(SrBiasCli, TableCsvAndSummary) {
  const std::vector<std::string> base = {"--format", "b8p4", "--mode", "src", "--random-bits", "2", "--source", "grid:3",
                                         "--range", "1:0x1.fcp0"};
  const CliRun table = run_cli(base);
  ASSERT_EQ(table.rc, 0) << table.err;
  EXPECT_TRUE(contains(table.out, "aggregate over 64 inputs: 64 with finite statistics, 8 exact")) << table.out;
  std::istringstream table_lines(table.out);
  std::string mean_line;
  for (std::string l; std::getline(table_lines, l);)
    if (l.rfind("  mean bias ", 0) == 0 && mean_line.empty()) mean_line = l;
  EXPECT_TRUE(mean_line.size() > 9 && mean_line.substr(mean_line.size() - 9) == "0 = 0 ulp") << mean_line;
  EXPECT_TRUE(contains(table.out, "\n0x1.04p+0 ")) << table.out;  // a per-input row
  std::vector<std::string> summary_args = base;
  summary_args.push_back("--summary");
  const CliRun summary = run_cli(summary_args);
  EXPECT_FALSE(contains(summary.out, "\n0x1.04p+0 ")) << summary.out;
  EXPECT_TRUE(contains(summary.out, "aggregate over 64 inputs")) << summary.out;
  std::vector<std::string> csv_args = base;
  csv_args.push_back("--csv");
  const CliRun csv = run_cli(csv_args);
  ASSERT_EQ(csv.rc, 0) << csv.err;
  std::istringstream lines(csv.out);
  int rows = 0;
  std::string line, mean_variance;
  while (std::getline(lines, line)) {
    if (line.rfind("0x", 0) == 0) ++rows;
    if (line.rfind("# aggregate,mean_variance_ulps,", 0) == 0) mean_variance = line;
  }
  EXPECT_EQ(rows, 64);
  // The closed form of src's mean variance over a D-bit grid (derived), exact text then its decimal.
  const std::string expected = "# aggregate,mean_variance_ulps," +
                               rational_text(grid_mean_variance(Mode::StochasticC, 2, 3)) + ",";
  EXPECT_EQ(mean_variance.rfind(expected, 0), 0u) << mean_variance;
}

TEST(SrBiasCli, FileSource) {
  const std::string path = testing::TempDir() + "/sr_bias_inputs.txt";
  {
    std::ofstream f(path);
    f << "# inputs\n0.1\n\n  0x1.08p0  \n-1.1\n300\n";
  }
  const CliRun r = run_cli({"--format", "b8p4", "--mode", "sr", "--source", "file:" + path, "--range", "-2:2", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const Json doc = JsonReader(r.out).document();
  ASSERT_EQ(doc["inputs"].array.size(), 3u);  // 300 is outside the range
  EXPECT_EQ(doc["inputs"].array[0]["x"].string, "0.1");
  EXPECT_EQ(doc["inputs"].array[0]["p_away"]["exact"].string, "4/5");
  EXPECT_EQ(doc["parameters"]["method"].string, "exact-delta");
  {
    std::ofstream f(path);
    f << "1\n2\nbogus\n";
  }
  const CliRun bad = run_cli({"--format", "b8p4", "--mode", "sr", "--source", "file:" + path});
  EXPECT_EQ(bad.rc, 2);
  EXPECT_TRUE(contains(bad.err, "line 3")) << bad.err;
  EXPECT_TRUE(contains(bad.err, "'bogus'")) << bad.err;
  EXPECT_EQ(bad.out, "");
}

// Bad input: exit status 2, nothing on stdout, a message naming the option and what was expected.
TEST(SrBiasCli, ErrorsNameTheOption) {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> needles;
  };
  const std::vector<std::string> ok = {"--format", "b8p4", "--mode", "srff", "--random-bits", "3"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = ok;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::vector<Case> cases = {
      {with({}), {"--source"}},
      {with({"--source", "grid:4"}), {"--range", "grid:4"}},
      {with({"--source", "grid:x", "--range", "1:2"}), {"--source", "grid:x", "0..256"}},
      {with({"--source", "bfloat17"}), {"--source", "bfloat17", "binary16"}},
      {with({"--source", "binary32"}), {"binary32", "at most 16 bits"}},
      {with({"--source", "bfloat16", "--range", "2:1"}), {"--range", "lower end"}},
      {with({"--source", "bfloat16", "--range", "1"}), {"--range", "a:b"}},
      {with({"--source", "grid:20", "--range", "1:4"}), {"--max-inputs", "65536"}},
      {with({"--source", "bfloat16", "--csv", "--json"}), {"--csv", "--json"}},
      {with({"--source", "bfloat16", "--method", "fastest"}), {"--method", "fastest", "enumerate"}},
      {with({"--source", "bfloat16", "--max-inputs", "lots"}), {"--max-inputs", "lots"}},
      // bfloat16's spacing at 1 is 2^-7: no value lies in [1.001, 1.002], and an empty report is refused.
      {with({"--source", "bfloat16", "--range", "1.001:1.002"}), {"--source bfloat16 over --range 1.001:1.002 holds no inputs"}},
      {{"--format", "b8p4", "--mode", "srff", "--source", "bfloat16"}, {"--random-bits"}},
      {{"--format", "nf4", "--mode", "srff", "--random-bits", "3", "--source", "bfloat16"}, {"nf4", "IEEE-like"}},
      {{"--format", "b8p4", "--mode", "sr", "--random-bits", "64", "--source", "bfloat16"}, {"sr", "srff", "N = 64"}},
      {{"--format", "b8p4", "--mode", "srff", "--random-bits", "20", "--source", "bfloat16", "--range", "1:2",
        "--method", "enumerate"},
       {"enumerate", "N ≤ 16"}},
  };
  for (const Case& c : cases) {
    const CliRun r = run_cli(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(r.rc, 2) << joined << "\n" << r.err;
    EXPECT_EQ(r.out, "") << joined;
    for (const auto& n : c.needles) EXPECT_TRUE(contains(r.err, n)) << joined << "\nmissing '" << n << "' in: " << r.err;
  }
  // --max-inputs lifts the guard: 1 + k·2^-17 for k ≤ 2^16 is one input more than the default limit.
  const std::vector<std::string> just_over = with({"--source", "grid:14", "--range", "1:1.5", "--summary"});
  EXPECT_EQ(run_cli(just_over).rc, 2);
  std::vector<std::string> lifted_args = just_over;
  lifted_args.insert(lifted_args.end(), {"--max-inputs", "65537"});
  const CliRun lifted = run_cli(lifted_args);
  EXPECT_EQ(lifted.rc, 0) << lifted.err;
  EXPECT_TRUE(contains(lifted.out, "aggregate over 65537 inputs")) << lifted.out;
}
