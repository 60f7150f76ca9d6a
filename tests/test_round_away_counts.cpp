// Exact distribution of the few-bit SR variants: enumerate every r ∈ [0, 2^N) and count the r that round
// away, against C(δ) of stochastic-rounding.md §2.1 (formats.md §2.3 StochasticA/B/C), with δ computed
// here, independently of the library, in exact rational arithmetic (boost cpp_rational):
//   δ = (|x| − lo) / (hi − lo), lo ≤ |x| < hi adjacent magnitudes of the target,
// where lo and hi come from the sorted list of the target's decoded magnitudes (≤ 8-bit targets) or, at
// and above the largest magnitude (and below the smallest one for E8M0, which has no zero), from the
// IEEE spacing formula ulp = 2^(⌊log2|x|⌋ − p + 1) (stochastic-rounding.md §1; the rounding grid does not
// stop at max, saturation comes afterwards).
//   srff C = ⌊δ2^N⌋, srf C = ⌊δ2^N + ½⌋, src C = RNE(δ2^N) (parity of ⌊δ2^N⌋), sro C = RNO(δ2^N),
//   srceil C = ⌈δ2^N⌉ (rounding.hpp), and C = 0 for N = 0 (P3109: N = 0 never rounds away).
// For N ≥ D (δ ∈ 2^-D·ℤ) every variant gives C = δ·2^N exactly, i.e. P(away) = δ = exact SR.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <ios>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/round_away.hpp"
#include "reference/round_to_precision.hpp"
#include "tests/support/exact_rational_testing.hpp"

using namespace roundlab;
using namespace roundlab::exact_testing;

namespace {

long floor_log2(const Rat& x) {  // x > 0
  const Int n = numerator(x), d = denominator(x);
  long e = static_cast<long>(boost::multiprecision::msb(n)) - static_cast<long>(boost::multiprecision::msb(d));
  if (x < pow2(e)) --e;
  return e;
}

Int floor_int(const Rat& x) { return numerator(x) / denominator(x); }  // x ≥ 0

// ---- the target: its decoded magnitudes (independent neighbours) -------------------------------------

struct Target {
  IeeeLikeFormat f;
  std::vector<Rat> mags;  // sorted distinct magnitudes of the finite values (0 included where present)
  Rat max_pos, max_neg;   // largest magnitudes reachable with a + and a − sign (0 for unsigned negatives)
};

Target make_target(const std::string& name) {
  Target t{std::get<IeeeLikeFormat>(find_format(name)), {}, 0, 0};
  for (std::uint64_t c = 0; c < (std::uint64_t{1} << t.f.k); ++c) {
    const ExactValue v = t.f.decode(c);
    if (!v.is_finite()) continue;
    const Rat r = to_rat(v);
    t.mags.push_back(r < 0 ? Rat(-r) : r);
    if (r > t.max_pos) t.max_pos = r;
    if (-r > t.max_neg) t.max_neg = -r;
  }
  std::sort(t.mags.begin(), t.mags.end());
  t.mags.erase(std::unique(t.mags.begin(), t.mags.end()), t.mags.end());
  return t;
}

const std::vector<std::string>& target_names() {
  static const std::vector<std::string> names = {
      "ocp_e5m2",     "ocp_e4m3",     "p3109_k8p1se", "p3109_k8p2se", "p3109_k8p3se", "p3109_k8p4se",
      "p3109_k8p4sf", "p3109_k8p5ue", "p3109_k8p7sf", "p3109_k8p8uf", "p3109_k8p1uf", "e4m3fnuz",
      "e5m2fnuz",     "ocp_e8m0",     "ocp_int8",     "ocp_e2m1",     "ocp_e3m2",     "ocp_e2m3",
      "p3109_k6p3sf", "p3109_k4p2sf"};
  return names;
}

const Target& target(const std::string& name) {
  static const std::map<std::string, Target> all = [] {
    std::map<std::string, Target> m;
    for (const auto& n : target_names()) m.emplace(n, make_target(n));
    return m;
  }();
  return all.at(name);
}

struct Neighbours {
  Rat lo, hi;
};

Neighbours neighbours(const Target& t, const Rat& mag) {
  auto spacing = [&] {
    const Rat ulp = pow2(floor_log2(mag) - t.f.p + 1);
    const Rat lo = Rat(floor_int(mag / ulp)) * ulp;
    return Neighbours{lo, lo + ulp};
  };
  if (mag < t.mags.front()) return spacing();  // E8M0 below 2^-127 (no zero): the unclamped grid
  auto it = std::upper_bound(t.mags.begin(), t.mags.end(), mag);
  if (it == t.mags.end()) return spacing();  // at or above the largest magnitude
  return {*(it - 1), *it};
}

// ---- C(δ), independently ------------------------------------------------------------------------------

Int expected_count(Mode m, int n, const Rat& delta) {
  if (n == 0) return 0;
  const Rat y = delta * pow2(n);
  const Int f = floor_int(y);
  const Rat rem = y - Rat(f);
  const Rat half(1, 2);
  const bool odd = (f & 1) != 0;
  switch (m) {
    case Mode::StochasticA: return f;
    case Mode::StochasticB: return floor_int(y + half);
    case Mode::StochasticC: return rem > half || (rem == half && odd) ? Int(f + 1) : f;
    case Mode::StochasticOdd: return rem > half || (rem == half && !odd) ? Int(f + 1) : f;
    case Mode::StochasticCeil: return rem > 0 ? Int(f + 1) : f;
    default: throw std::logic_error("not a few-bit mode");
  }
}

const Mode kModes[] = {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd,
                       Mode::StochasticCeil};

Rounding rnd(Mode m, int n) {
  Rounding r;
  r.mode = m;
  r.random_bits = n;
  return r;
}

// Which candidate y is: 0 = lo, 1 = hi, -1 = neither (magnitudes compared exactly in MPFR).
int which(const ExactValue& y, const ExactValue& lo, const ExactValue& hi) {
  if (!y.is_finite()) return -1;
  if (mpfr_equal_p(y.magnitude().get(), lo.magnitude().get())) return 0;
  if (mpfr_equal_p(y.magnitude().get(), hi.magnitude().get())) return 1;
  return -1;
}

struct Limits {
  int max_n = 8;        // enumerate N = 0 … max_n
  int max_exact_n = 10;  // the N ≥ D check runs when D ≤ max_exact_n, for N = D … min(D + span, max_exact_n)
  int span = 2;
  int max_project_n = 4;  // also run the whole projection for N ≤ this (in-range inputs)
};

// Result of one check, with the first discrepancy described (empty when everything agrees).
std::string check_input(const Target& t, const Rat& x, Limits lim = {}) {
  if (x == 0) return "";
  const Rat mag = x < 0 ? Rat(-x) : x;
  const Neighbours nb = neighbours(t, mag);
  const Rat delta = (mag - nb.lo) / (nb.hi - nb.lo);
  const ExactValue xv = exact(x), lo_v = exact(nb.lo), hi_v = exact(nb.hi);
  auto where = [&] {
    return t.f.name + " x=" + to_hex_float(xv) + " lo=" + nb.lo.str() + " hi=" + nb.hi.str() + " delta=" + delta.str();
  };
  // The library's ν equals our δ.
  const PrecisionStep step = precision_step(t.f, xv);
  if (to_rat(step.nu.get()) != delta) return where() + ": precision_step ν = " + to_rat(step.nu.get()).str();
  const ExactValue delta_v = exact(delta);
  // The value can be encoded unchanged (no saturation) when both candidates lie in range on x's side.
  const bool in_range = (x > 0 ? nb.hi <= t.max_pos : nb.hi <= t.max_neg) &&
                        std::binary_search(t.mags.begin(), t.mags.end(), nb.lo) &&
                        std::binary_search(t.mags.begin(), t.mags.end(), nb.hi);
  const bool negative = x < 0;
  for (Mode m : kModes) {
    for (int n = 0; n <= lim.max_n; ++n) {
      const Int want = expected_count(m, n, delta);
      Int got = 0;
      for (std::uint64_t r = 0; r < (std::uint64_t{1} << n); ++r) {
        RandomDraw d;
        d.r = r;
        const ExactValue y = round_to_precision(t.f, rnd(m, n), xv, d);
        const int w = which(y, lo_v, hi_v);
        if (w < 0)
          return where() + " " + mode_name(m) + " N=" + std::to_string(n) + " r=" + std::to_string(r) + ": result " +
                 to_hex_float(y) + " is not a neighbour";
        if (w == 1) ++got;
        if (!y.is_zero() && y.negative() != negative)
          return where() + " " + mode_name(m) + ": sign of the result differs from the input's";
        if (in_range && n <= lim.max_project_n) {  // the whole projection leaves an in-range result alone
          RoundResult pr = project(t.f, rnd(m, n), xv, d);
          const bool ok = pr.value.is_finite() && !pr.saturated &&
                          mpfr_equal_p(pr.value.magnitude().get(), y.magnitude().get()) &&
                          (pr.value.is_zero() || pr.value.negative() == negative);
          if (!ok)
            return where() + " " + mode_name(m) + " N=" + std::to_string(n) + " r=" + std::to_string(r) +
                   ": project gives " + to_hex_float(pr.value);
        }
      }
      if (got != want)
        return where() + " " + mode_name(m) + " N=" + std::to_string(n) + ": " + got.str() +
               " of 2^N r round away, C(δ) = " + want.str();
      const unsigned __int128 lib = round_away_count(rnd(m, n), delta_v.magnitude().get());
      if (Int(static_cast<std::uint64_t>(lib)) != want || (lib >> 64) != 0)
        return where() + " " + mode_name(m) + " N=" + std::to_string(n) + ": round_away_count = " +
               std::to_string(static_cast<std::uint64_t>(lib)) + ", C(δ) = " + want.str();
      if (round_away_count(rnd(m, n), step.nu.get()) != lib)
        return where() + " " + mode_name(m) + ": round_away_count differs between ν and δ";
    }
  }
  // N ≥ D: every variant (and exact SR on the u grid 2^-N) rounds away for exactly δ·2^N of the r.
  const long D = delta == 0 ? 0 : static_cast<long>(boost::multiprecision::msb(denominator(delta)));
  if (D <= lim.max_exact_n) {
    for (long n = std::max(1L, D); n <= std::min<long>(D + lim.span, lim.max_exact_n); ++n) {
      const Rat scaled = delta * pow2(n);
      if (denominator(scaled) != 1) return where() + ": δ·2^N is not an integer (test bug)";
      const Int exact_count = numerator(scaled);
      for (Mode m : kModes) {
        Int got = 0;
        for (std::uint64_t r = 0; r < (std::uint64_t{1} << n); ++r) {
          RandomDraw d;
          d.r = r;
          if (which(round_to_precision(t.f, rnd(m, static_cast<int>(n)), xv, d), lo_v, hi_v) == 1) ++got;
        }
        if (got != exact_count)
          return where() + " " + mode_name(m) + " N=" + std::to_string(n) + " ≥ D=" + std::to_string(D) + ": " +
                 got.str() + " away, δ·2^N = " + exact_count.str();
      }
      // Exact SR with u = j·2^-N, j ∈ [0, 2^N): away iff δ + u ≥ 1, i.e. for δ·2^N values of j.
      Int got = 0;
      Rounding sr;
      sr.mode = Mode::StochasticExact;
      for (std::uint64_t j = 0; j < (std::uint64_t{1} << n); ++j) {
        RandomDraw d;
        d.u = ExactValue::from_integer_scaled(false, j, -n);
        if (which(round_to_precision(t.f, sr, xv, d), lo_v, hi_v) == 1) ++got;
      }
      if (got != exact_count) return where() + " sr on the 2^-" + std::to_string(n) + " grid: " + got.str() + " away";
    }
  }
  return "";
}

// ---- generators -----------------------------------------------------------------------------------

struct Source {
  const char* name;
  int precision;  // Q
};
const Source kSources[] = {{"bfloat16", 8}, {"binary16", 11}, {"binary32", 24}};

// A value with a source format's precision, placed at an exponent in [min exponent − 4, max exponent + 1]
// of the target (subnormal range, the whole normal range, just above max), random sign.
rc::Gen<Rat> placed_input(const Target& t) {
  const long lo_e = floor_log2(t.mags.front() == 0 ? t.mags[1] : t.mags.front()) - 4;
  const long hi_e = floor_log2(std::max(t.max_pos, t.max_neg)) + 1;
  return rc::gen::exec([=] {
    const Source s = *rc::gen::elementOf(std::vector<Source>(std::begin(kSources), std::end(kSources)));
    const long e = *rc::gen::inRange(lo_e, hi_e + 1);
    const std::uint64_t m = *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << (s.precision - 1));
    const bool neg = *rc::gen::arbitrary<bool>();
    Rat x = Rat(Int((std::uint64_t{1} << (s.precision - 1)) | m)) * pow2(e - s.precision + 1);
    return neg ? Rat(-x) : x;
  });
}

// A raw bfloat16 / binary16 bit pattern (finite, non-zero), decoded exactly.
rc::Gen<Rat> raw_input() {
  return rc::gen::exec([] {
    const bool bf = *rc::gen::arbitrary<bool>();
    const auto f = std::get<IeeeLikeFormat>(find_format(bf ? "bfloat16" : "binary16"));
    const std::uint64_t c = *rc::gen::suchThat(rc::gen::inRange<std::uint64_t>(0, 65536), [f](std::uint64_t code) {
      const ExactValue v = f.decode(code);
      return v.is_finite() && !v.is_zero();
    });
    return to_rat(f.decode(c));
  });
}

// A dyadic point between two adjacent magnitudes: a midpoint (tie) or j/2^k of the way, k ≤ 10.
rc::Gen<Rat> between_input(const Target& t) {
  return rc::gen::exec([&t] {
    const std::size_t i = *rc::gen::inRange<std::size_t>(0, t.mags.size() - 1);
    const int k = *rc::gen::inRange(1, 11);
    const std::uint64_t j = *rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << k);
    const bool neg = *rc::gen::arbitrary<bool>();
    const Rat x = t.mags[i] + (t.mags[i + 1] - t.mags[i]) * Rat(Int(j)) * pow2(-k);
    return neg ? Rat(-x) : x;
  });
}

}  // namespace

// Random inputs of bfloat16 / binary16 / binary32 precision, mapped onto many ≤ 8-bit targets; every
// variant, every N ≤ 8, every r.
RC_GTEST_PROP(RoundAwayCounts, EnumerationEqualsClosedForm, ()) {
  const Target& t = target(*rc::gen::elementOf(target_names()));
  const int kind = *rc::gen::inRange(0, 3);
  const Rat x = kind == 0 ? *placed_input(t) : kind == 1 ? *raw_input() : *between_input(t);
  const std::string why = check_input(t, x);
  RC_LOG() << why;
  RC_ASSERT(why.empty());
}

// Exhaustive over the finite bfloat16 values into Binary8p4se and OCP E5M2, N = 3 (the paper's setting,
// stochastic-rounding.md §3.3), and N = 4, 5, and the exact-SR cross-check for N ≥ D.
TEST(RoundAwayCounts, ExhaustiveBfloat16IntoB8p4AndE5m2) {
  const auto bf16 = std::get<IeeeLikeFormat>(find_format("bfloat16"));
  for (const char* name : {"p3109_k8p4se", "ocp_e5m2"}) {
    const Target& t = target(name);
    int failures = 0;
    for (std::uint64_t c = 0; c < 65536 && failures < 5; ++c) {
      const ExactValue v = bf16.decode(c);
      if (!v.is_finite() || v.is_zero()) continue;
      // Inputs from 2^-6 below the smallest subnormal to 2 binades above max (outside, every input is
      // a multiple of the ulp or below half the smallest subnormal: nothing new to count).
      const Rat x = to_rat(v);
      const Rat mag = x < 0 ? Rat(-x) : x;
      if (mag < t.mags[1] * pow2(-6) || mag >= t.max_pos * 4) continue;
      const std::string why = check_input(t, x, c % 5 == 0 ? Limits{5, 6, 1, 3} : Limits{3, 6, 0, 3});
      if (!why.empty()) {
        ++failures;
        ADD_FAILURE() << why;
      }
    }
  }
}

// Hand-checked δ values (independent of any neighbour search): ties at N, N+1 and the binade carry.
TEST(RoundAwayCounts, HandCheckedTies) {
  const Target& t = target("p3109_k8p4se");
  // In [1, 2) the ulp is 1/8. x = 1 + (2j+1)/16·(1/8) puts δ·2^3 at j + ½: a tie for every variant with N = 3.
  for (int j = 0; j < 8; ++j) {
    const Rat x = 1 + Rat(2 * j + 1, 16) * Rat(1, 8);
    EXPECT_EQ(check_input(t, x), "") << j;
    EXPECT_EQ(check_input(t, -x), "") << j;
  }
  // 2 − 2^-20: δ just below 1 (carry into the next binade for every r ≥ 1 under srff with N ≥ 1).
  EXPECT_EQ(check_input(t, 2 - pow2(-20)), "");
  // Below the smallest subnormal (lo = 0, hi = 2^-10) and at half of it.
  EXPECT_EQ(check_input(t, pow2(-11)), "");
  EXPECT_EQ(check_input(t, Rat(3) * pow2(-14), Limits{8, 12, 2, 4}), "");
  // Above max: 230 (the §2.4 example, δ = 3/8) and just below 256.
  EXPECT_EQ(check_input(t, Rat(230)), "");
  EXPECT_EQ(check_input(t, Rat(255)), "");
  // E8M0 below its smallest value 2^-127 (unclamped grid) and between powers of two.
  EXPECT_EQ(check_input(target("ocp_e8m0"), Rat(3) * pow2(-131)), "");
  EXPECT_EQ(check_input(target("ocp_e8m0"), Rat(5) * pow2(-3)), "");
  // MX INT8 near −2 (magnitude grid 2^-6 all the way) and between 127/64 and 2.
  EXPECT_EQ(check_input(target("ocp_int8"), Rat(-255, 128)), "");
  EXPECT_EQ(check_input(target("ocp_int8"), Rat(255, 128)), "");
}

// N = 64, where C(δ) can reach 2^64 (the 128-bit path of round_away_count): the closed form against
// round_away_count, and round_away at the r just below and at the threshold 2^N − C (srceil: r < C).
TEST(RoundAwayCounts, SixtyFourRandomBits) {
  const int n = 64;
  const Int two64 = Int(1) << 64;
  const Rat deltas[] = {1 - pow2(-100), pow2(-100), Rat(1, 2) + pow2(-65), Rat(1, 2), 1 - pow2(-64),
                        Rat(3, 4) + pow2(-66) + pow2(-200), pow2(-64) + pow2(-65)};
  // Hand-computed C(δ) for the first rows (δ·2^64 = 2^64 − 2^-36; 2^-36; 2^63 + ½; 2^63; 2^64 − 1).
  const Int hand[5][5] = {
      // srff, srf, src, sro, srceil
      {two64 - 1, two64, two64, two64, two64},
      {0, 0, 0, 0, 1},
      {Int(1) << 63, (Int(1) << 63) + 1, Int(1) << 63, (Int(1) << 63) + 1, (Int(1) << 63) + 1},
      {Int(1) << 63, Int(1) << 63, Int(1) << 63, Int(1) << 63, Int(1) << 63},
      {two64 - 1, two64 - 1, two64 - 1, two64 - 1, two64 - 1},
  };
  for (std::size_t i = 0; i < std::size(deltas); ++i) {
    const ExactValue nu = exact(deltas[i]);
    for (std::size_t mi = 0; mi < std::size(kModes); ++mi) {
      const Mode m = kModes[mi];
      const Int want = expected_count(m, n, deltas[i]);
      if (i < 5) {
        EXPECT_EQ(want, hand[i][mi]) << "test's closed form, row " << i << " " << mode_name(m);
      }
      const unsigned __int128 lib = round_away_count(rnd(m, n), nu.magnitude().get());
      const Int got = (Int(static_cast<std::uint64_t>(lib >> 64)) << 64) + Int(static_cast<std::uint64_t>(lib));
      EXPECT_EQ(got, want) << "row " << i << " " << mode_name(m);
      // round_away at the threshold: away iff r ≥ 2^64 − C (srceil: iff r < C).
      std::vector<Int> rs = {0, 1, two64 - 1, two64 - 2};
      for (const Int& t : std::vector<Int>{Int(two64 - want), Int(two64 - want - 1), want, Int(want - 1)})
        if (t >= 0 && t < two64) rs.push_back(t);
      for (const Int& r : rs) {
        RandomDraw d;
        d.r = static_cast<std::uint64_t>(r);
        const bool expect = m == Mode::StochasticCeil ? r < want : r + want >= two64;
        EXPECT_EQ(round_away(rnd(m, n), d, nu.magnitude().get(), true, true), expect)
            << "row " << i << " " << mode_name(m) << " r=" << r;
      }
    }
  }
}
