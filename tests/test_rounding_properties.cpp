// RapidCheck properties of RoundToPrecision + Saturate (Project) over the IEEE-like formats of the
// catalogue (IEEE 754, bfloat16, OCP FP8/FP6/FP4, E8M0, MX INT8, FNUZ, every P3109 K = 3…16 variant, sbits),
// every rounding mode, N, r and saturation, on "interesting" inputs (format values, ties, fractions of an
// ulp, subnormals, the band around max, ±0, ±Inf, NaN, raw binary32 / binary64 bit patterns).
//
// The oracle is written here, from stochastic-rounding.md §1–§2 and formats.md §2.3, in exact rational
// arithmetic (boost cpp_rational): neighbours lo ≤ |x| < hi from the format's decoded magnitudes
// (k ≤ 12) or the IEEE spacing formula (larger k), δ = (|x| − lo)/(hi − lo), and the RoundAway predicate
// of each mode evaluated on δ and r. The generators of formats, roundings and inputs are the public ones
// of roundlab::testing (testing/rapidcheck_generators.hpp): they choose where to look; the oracle here
// decides what is right.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>
#include <cstdint>
#include <ios>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/round_to_precision.hpp"
#include "testing/rapidcheck_generators.hpp"
#include "tests/support/exact_rational_testing.hpp"

using namespace roundlab;
using namespace roundlab::exact_testing;
namespace rt = roundlab::testing;

namespace {

// ---- exact arithmetic helpers ---------------------------------------------------------------------------

Rat abs_rat(const Rat& r) { return r < 0 ? Rat(-r) : r; }

long floor_log2(const Rat& x) {  // x > 0
  long e = static_cast<long>(boost::multiprecision::msb(numerator(x))) -
           static_cast<long>(boost::multiprecision::msb(denominator(x)));
  if (x < pow2(e)) --e;
  return e;
}

Int floor_int(const Rat& x) { return numerator(x) / denominator(x); }  // x ≥ 0

// ---- the format under test, described independently where it matters -----------------------------------

struct Info {
  IeeeLikeFormat f;
  bool listed = false;    // mags holds every magnitude (k ≤ 12); otherwise the spacing formula is used
  std::vector<Rat> mags;  // sorted distinct magnitudes of the finite values
  Rat max_pos, max_neg;   // largest magnitude with a + sign / with a − sign (0 when unsigned)
  Rat min_pos;            // smallest positive value
  bool sign_magnitude = false;
  bool overflow_nan = false;  // non-saturating overflow of a Finite format gives NaN (OFP8 E4M3, FNUZ, E8M0)
};

const std::set<std::string> kOverflowNaN = {"ocp_e4m3", "ocp_ue4m3", "e4m3fnuz", "e5m2fnuz", "ocp_e8m0"};

const Info& info(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Info>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return *it->second;
  auto in = std::make_unique<Info>();
  in->f = std::get<IeeeLikeFormat>(find_format(name));
  const IeeeLikeFormat& f = in->f;
  in->sign_magnitude = f.is_signed && !f.twos_complement;
  in->overflow_nan = kOverflowNaN.count(f.name) > 0;
  in->max_pos = to_rat(f.max_finite());
  in->max_neg = f.is_signed ? Rat(-to_rat(f.min_finite())) : Rat(0);
  if (f.k <= 12) {
    in->listed = true;
    for (std::uint64_t c = 0; c < (std::uint64_t{1} << f.k); ++c) {
      const ExactValue v = f.decode(c);
      if (v.is_finite()) in->mags.push_back(abs_rat(to_rat(v)));
    }
    std::sort(in->mags.begin(), in->mags.end());
    in->mags.erase(std::unique(in->mags.begin(), in->mags.end()), in->mags.end());
    in->min_pos = in->mags[0] == 0 ? in->mags[1] : in->mags[0];
  } else {
    in->min_pos = f.p == 1 ? pow2(1 - f.bias) : pow2(1 - f.bias - (f.p - 1));
  }
  return *cache.emplace(name, std::move(in)).first->second;
}

struct Neighbours {
  Rat lo, hi;
};

// lo ≤ mag < hi on the rounding grid of the format (which continues above max: saturation comes later).
Neighbours neighbours(const Info& in, const Rat& mag) {
  const IeeeLikeFormat& f = in.f;
  auto spacing = [&](bool clamp) {
    if (mag == 0) return Neighbours{0, in.min_pos};
    long e = floor_log2(mag);
    if (clamp) e = std::max(e, 1 - f.bias);
    const Rat ulp = pow2(e - f.p + 1);
    const Rat lo = Rat(floor_int(mag / ulp)) * ulp;
    return Neighbours{lo, lo + ulp};
  };
  if (!in.listed) return spacing(f.has_subnormals);
  if (mag < in.mags.front()) return spacing(false);  // E8M0 below 2^-127: the unclamped grid
  auto it = std::upper_bound(in.mags.begin(), in.mags.end(), mag);
  if (it == in.mags.end()) return spacing(false);  // at or above the largest magnitude
  return {*(it - 1), *it};
}

bool is_value_magnitude(const Info& in, const Rat& m, bool negative) {
  if (m > (negative ? in.max_neg : in.max_pos)) return false;
  if (in.listed) return std::binary_search(in.mags.begin(), in.mags.end(), m);
  return true;  // spacing formats: every grid point up to max is a value (subnormals present)
}

// ---- the oracle --------------------------------------------------------------------------------------

// A rounding with its random draw (roundlab::testing's generator type).
using Choice = rt::RoundingCase;

// Does the rounding step move |x| from lo to hi? (stochastic-rounding.md §2.1, formats.md §2.3)
bool oracle_away(const Info& in, const Rat& x, const Neighbours& nb, const Choice& c) {
  const Rat delta = (abs_rat(x) - nb.lo) / (nb.hi - nb.lo);
  if (delta == 0) return false;
  const bool pos = x > 0;
  const Rat half(1, 2);
  // CodeIsEven of the candidate toward zero (formats.md §2.3): IsEven(⌊S̃⌋) with ⌊S̃⌋ = lo/ulp if P > 1,
  // else ⌊S̃⌋ = 0 or IsEven(Q + B) with Q = log2(lo). (This is the parity of lo's magnitude code.)
  auto lo_code_even = [&] {
    if (nb.lo == 0) return true;
    if (in.f.p > 1) return (floor_int(nb.lo / (nb.hi - nb.lo)) & 1) == 0;
    return ((floor_log2(nb.lo) + in.f.bias) & 1) == 0;
  };
  auto tie_away = [&](TieRule t) {
    switch (t) {
      case TieRule::Even: return !lo_code_even();
      case TieRule::Away: return true;
      case TieRule::Zero: return false;
      case TieRule::Lower: return !pos;
      case TieRule::Upper: return pos;
    }
    return false;
  };
  const int n = c.rounding.random_bits;
  const std::uint64_t r = c.draw.r;
  auto count = [&]() -> Int {  // C(δ)
    const Rat y = delta * pow2(n);
    const Int f = floor_int(y);
    const Rat rem = y - Rat(f);
    const bool odd = (f & 1) != 0;
    switch (c.rounding.mode) {
      case Mode::StochasticA: return f;
      case Mode::StochasticB: return floor_int(y + half);
      case Mode::StochasticC: return rem > half || (rem == half && odd) ? Int(f + 1) : f;
      case Mode::StochasticOdd: return rem > half || (rem == half && !odd) ? Int(f + 1) : f;
      case Mode::StochasticCeil: return rem > 0 ? Int(f + 1) : f;
      default: throw std::logic_error("count");
    }
  };
  switch (c.rounding.mode) {
    case Mode::TowardZero: return false;
    case Mode::TowardPositive: return pos;
    case Mode::TowardNegative: return !pos;
    case Mode::NearestTiesToAway: return delta >= half;
    case Mode::NearestTiesToEven: return delta > half || (delta == half && tie_away(TieRule::Even));
    case Mode::Nearest: return delta > half || (delta == half && tie_away(c.rounding.tie));
    case Mode::ToOdd: return lo_code_even();
    case Mode::StochasticExact: return delta + Rat(Int(r)) * pow2(-64) >= 1;
    case Mode::StochasticCeil:
      if (n == 0) return false;
      return Int(r) < count();
    default:  // srff, srf, src, sro: C(δ) + r ≥ 2^N
      if (n == 0) return false;
      return count() + Int(r) >= (Int(1) << n);
  }
}

// ---- generators (formats, roundings and interesting inputs come from roundlab::testing) --------------------

// An input: a finite exact rational, or a special value.
struct Input {
  ExactValue v;
  Rat r;  // when v is finite
};

Input finite_input(const Rat& r) { return {exact(r), r}; }

// A finite value of the format (random code), as a non-negative rational.
Rat random_format_magnitude(const Info& in) {
  for (;;) {
    const std::uint64_t code =
        in.f.k >= 64 ? *rc::gen::arbitrary<std::uint64_t>() : *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << in.f.k);
    const ExactValue v = in.f.decode(code);
    if (v.is_finite()) return abs_rat(to_rat(v));
  }
}

// An interesting input (format values, ties, fractions of an ulp, subnormals, the band around max, ±0,
// raw binary32 / binary64 patterns, ±Inf, NaN) from the public generator, with its exact rational.
Input pick_input(const Info& in) {
  const ExactValue v = *rt::gen_interesting_value(in.f);
  return {v, v.is_finite() ? to_rat(v) : Rat(0)};
}

std::string show(const Input& x) { return to_hex_float(x.v); }

// ---- comparisons ----------------------------------------------------------------------------------------

// The format value sign·m (−0 becomes +0 where the format has no −0).
ExactValue signed_value(const Info& in, const Rat& m, bool negative) {
  ExactValue v = exact(m);
  v.set_negative(negative && (m != 0 || in.f.has_negative_zero));
  return v;
}

Rounding mirrored(Rounding r) {
  if (r.mode == Mode::TowardPositive) r.mode = Mode::TowardNegative;
  else if (r.mode == Mode::TowardNegative) r.mode = Mode::TowardPositive;
  if (r.tie == TieRule::Lower) r.tie = TieRule::Upper;
  else if (r.tie == TieRule::Upper) r.tie = TieRule::Lower;
  return r;
}

}  // namespace

// In range (both neighbours are values of the format on x's side), the result is exactly the oracle's
// neighbour: faithful (one of lo, hi), and the right one for the mode, N, r and tie rule; not saturated;
// the code encodes it.
RC_GTEST_PROP(RoundingProperties, InRangeResultIsTheOraclesNeighbour, ()) {
  const Info& in = info(*rt::gen_format_name());
  int checked = 0;
  for (int i = 0; i < 8; ++i) {
    const Input x = pick_input(in);
    if (!x.v.is_finite()) continue;
    const bool negative = x.r < 0;
    if (negative && !in.f.is_signed) continue;
    const Neighbours nb = neighbours(in, abs_rat(x.r));
    if (!is_value_magnitude(in, nb.lo, negative) || !is_value_magnitude(in, nb.hi, negative)) continue;
    const Choice c = *rt::gen_rounding_case(rt::all_modes());
    const RoundResult res = project(in.f, c.rounding, x.v, c.draw);
    const bool away = oracle_away(in, x.r, nb, c);
    const ExactValue want = signed_value(in, away ? nb.hi : nb.lo, x.v.negative());
    RC_LOG() << in.f.name << " x=" << show(x) << " " << rt::describe(c) << " lo=" << nb.lo << " hi=" << nb.hi
             << " got " << to_hex_float(res.value) << " want " << to_hex_float(want) << "\n";
    RC_ASSERT(res.value.identical(want));
    RC_ASSERT(!res.saturated);
    RC_ASSERT(res.away == away);
    RC_ASSERT(res.code == in.f.encode(want));
    ++checked;
  }
  RC_TAG(checked >= 4 ? "4-8 in-range inputs" : checked > 0 ? "1-3 in-range inputs" : "none in range");
}

// Values of the format are fixed points in every mode, for every N, r and saturation (±Inf too, except
// that SatFinite clamps them to ±max).
RC_GTEST_PROP(RoundingProperties, RepresentableInputsAreFixedPoints, ()) {
  const Info& in = info(*rt::gen_format_name());
  const std::uint64_t code =
      in.f.k >= 64 ? *rc::gen::arbitrary<std::uint64_t>() : *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << in.f.k);
  const ExactValue v = in.f.decode(code);
  RC_PRE(!v.is_nan());
  const Choice c = *rt::gen_rounding_case(rt::all_modes());
  const RoundResult res = project(in.f, c.rounding, v, c.draw);
  RC_LOG() << in.f.name << " code " << code << " = " << to_hex_float(v) << " " << rt::describe(c) << " got "
           << to_hex_float(res.value) << "\n";
  if (v.is_infinite() && c.rounding.saturation == Saturation::Finite) {
    RC_ASSERT(res.value.identical(v.negative() ? in.f.min_finite() : in.f.max_finite()));
  } else {
    RC_ASSERT(res.value.identical(v));
    RC_ASSERT(res.code == code);
    RC_ASSERT(!res.away);
  }
}

// Odd symmetry for sign-magnitude signed formats: R(−x) = −R(x), with TowardPositive ↔ TowardNegative
// and the Lower ↔ Upper tie rules swapped; −0 only where the format has it; NaN ↔ NaN.
RC_GTEST_PROP(RoundingProperties, OddSymmetry, ()) {
  const Info& in = info(*rt::gen_format_name());
  RC_PRE(in.sign_magnitude);
  const Input x = pick_input(in);
  RC_PRE(!x.v.is_nan());
  const Choice c = *rt::gen_rounding_case(rt::all_modes());
  const RoundResult a = project(in.f, c.rounding, x.v, c.draw);
  const RoundResult b = project(in.f, mirrored(c.rounding), x.v.negated(), c.draw);
  ExactValue want = a.value.negated();
  if (want.is_zero() && !in.f.has_negative_zero) want.set_negative(false);
  RC_LOG() << in.f.name << " x=" << show(x) << " " << rt::describe(c) << ": R(x)=" << to_hex_float(a.value)
           << " R(-x)=" << to_hex_float(b.value) << "\n";
  if (a.value.is_nan()) {
    RC_ASSERT(b.value.is_nan());
  } else {
    RC_ASSERT(b.value.identical(want));
  }
  RC_ASSERT(a.away == b.away);
}

// MX INT8 (two's complement) is asymmetric only at the ends: −2 exists, +2 does not.
TEST(RoundingPropertiesFixed, Int8AsymmetricEnds) {
  const auto f = std::get<IeeeLikeFormat>(find_format("ocp_int8"));
  Rounding rne;
  const RoundResult neg = project(f, rne, ExactValue::from_double(-2.0));
  const RoundResult pos = project(f, rne, ExactValue::from_double(2.0));
  EXPECT_TRUE(neg.value.identical(ExactValue::from_double(-2.0)));
  EXPECT_EQ(neg.code, 0x80u);
  EXPECT_FALSE(neg.saturated);
  EXPECT_TRUE(pos.value.identical(ExactValue::from_double(127.0 / 64)));  // Finite, clamps to max
  EXPECT_TRUE(pos.saturated);
  // −x rounds like x inside (−2, 2): −(1 + 1/128) ties to even 1 (I = 64) → −1.
  EXPECT_TRUE(project(f, rne, ExactValue::from_double(-(1 + 1.0 / 128))).value.identical(ExactValue::from_double(-1.0)));
  // No −0: a negative value that rounds to zero gives +0 (code 0x00).
  const RoundResult z = project(f, rne, ExactValue::from_double(-1.0 / 256));
  EXPECT_TRUE(z.value.is_zero());
  EXPECT_FALSE(z.value.negative());
  EXPECT_EQ(z.code, 0x00u);
}

// Monotone in x for a fixed mode, N, r and saturation (NaN results are not ordered and are skipped).
RC_GTEST_PROP(RoundingProperties, MonotoneInX, ()) {
  const Info& in = info(*rt::gen_format_name());
  Input x1 = pick_input(in);
  Input x2 = x1;
  bool close = x1.v.is_finite() && *rc::gen::arbitrary<bool>();
  if (close) {
    // A close second input: x1 plus a random fraction of an ulp at x1 (when that stays within the
    // 320-bit working precision; a raw binary64 far below the format's grid may not).
    const Neighbours nb = neighbours(in, abs_rat(x1.r));
    const int k = *rc::gen::inRange(0, 12);
    const Rat step = (nb.hi - nb.lo) * Rat(Int(*rc::gen::inRange<std::uint64_t>(0, 4096))) * pow2(-k);
    try {
      x2 = finite_input(x1.r + (*rc::gen::arbitrary<bool>() ? step : Rat(-step)));
    } catch (const std::logic_error&) {
      close = false;
    }
  }
  if (!close) x2 = pick_input(in);
  RC_PRE(!x1.v.is_nan() && !x2.v.is_nan());
  if (x2.v < x1.v) std::swap(x1, x2);
  const Choice c = *rt::gen_rounding_case(rt::all_modes());
  const RoundResult a = project(in.f, c.rounding, x1.v, c.draw);
  const RoundResult b = project(in.f, c.rounding, x2.v, c.draw);
  RC_LOG() << in.f.name << " " << rt::describe(c) << ": x1=" << show(x1) << " → " << to_hex_float(a.value)
           << ", x2=" << show(x2) << " → " << to_hex_float(b.value) << "\n";
  if (a.value.is_nan() || b.value.is_nan()) return;
  RC_ASSERT(!(b.value < a.value));
}

// Monotone in r for a fixed x: for srff/srf/src/sro and sr a larger r never rounds toward zero when a
// smaller r rounded away (away iff C(δ) + r ≥ 2^N). srceil is the opposite convention (away iff
// r < ⌈δ2^N⌉, rounding.hpp), so there a larger r never rounds away when a smaller r did not.
RC_GTEST_PROP(RoundingProperties, MonotoneInR, ()) {
  const Info& in = info(*rt::gen_format_name());
  const Input x = pick_input(in);
  RC_PRE(x.v.is_finite());
  std::vector<Mode> modes = rt::few_bit_modes();
  modes.push_back(Mode::StochasticExact);
  Choice c = *rt::gen_rounding_case(modes);
  const int n = c.rounding.mode == Mode::StochasticExact ? 64 : c.rounding.random_bits;
  std::uint64_t r1 = *rt::gen_r(n), r2 = *rt::gen_r(n);
  if (r2 < r1) std::swap(r1, r2);
  RandomDraw d1, d2;
  d1.r = r1;
  d2.r = r2;
  bool away1 = false, away2 = false;
  const ExactValue y1 = round_to_precision(in.f, c.rounding, x.v, d1, &away1);
  const ExactValue y2 = round_to_precision(in.f, c.rounding, x.v, d2, &away2);
  RC_LOG() << in.f.name << " x=" << show(x) << " " << c.rounding.describe() << " r1=" << r1 << " away=" << away1
           << " r2=" << r2 << " away=" << away2 << "\n";
  if (c.rounding.mode == Mode::StochasticCeil) {
    RC_ASSERT(!(away2 && !away1));
    RC_ASSERT(mpfr_cmp(y2.magnitude().get(), y1.magnitude().get()) <= 0);
  } else {
    RC_ASSERT(!(away1 && !away2));
    RC_ASSERT(mpfr_cmp(y1.magnitude().get(), y2.magnitude().get()) <= 0);
  }
}

// N ≥ D (δ ∈ 2^-D·ℤ): every few-bit variant equals exact SR r by r: srff/srf/src/sro with r equal sr with
// u = r·2^-N; srceil with r equals sr with u = (2^N − 1 − r)·2^-N (its away set is r < δ2^N).
RC_GTEST_PROP(RoundingProperties, EnoughBitsEqualExactSR, ()) {
  const Info& in = info(*rt::gen_format_name());
  const Rat lo = random_format_magnitude(in);
  const Rat hi = neighbours(in, lo).hi;
  const int D = *rc::gen::inRange(1, 61);
  const std::uint64_t j = *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << (D - 1));
  const Rat delta = Rat(Int(2 * j + 1)) * pow2(-D);  // exactly D significant bits
  const bool neg = in.f.is_signed && *rc::gen::arbitrary<bool>();
  const Rat xr = (lo + (hi - lo) * delta) * (neg ? -1 : 1);
  const ExactValue x = exact(xr);
  const int n = *rc::gen::inRange(D, std::min(D + 4, 64) + 1);
  const std::uint64_t r = *rt::gen_r(n);
  const Saturation sat = *rc::gen::element(Saturation::None, Saturation::Finite, Saturation::Propagate);
  Rounding sr;
  sr.mode = Mode::StochasticExact;
  sr.saturation = sat;
  for (Mode m : rt::few_bit_modes()) {
    Rounding few;
    few.mode = m;
    few.random_bits = n;
    few.saturation = sat;
    RandomDraw d;
    d.r = r;
    RandomDraw u;
    const std::uint64_t j_u = m == Mode::StochasticCeil ? rt::top_r(n) - r : r;
    u.u = exact(Rat(Int(j_u)) * pow2(-n));
    const RoundResult a = project(in.f, few, x, d);
    const RoundResult b = project(in.f, sr, x, u);
    RC_LOG() << in.f.name << " x=" << to_hex_float(x) << " D=" << D << " " << few.describe() << " r=" << r
             << ": " << to_hex_float(a.value) << " vs exact SR " << to_hex_float(b.value) << "\n";
    RC_ASSERT(a.value.identical(b.value) || (a.value.is_nan() && b.value.is_nan()));
    RC_ASSERT(a.away == b.away);
  }
}

// Saturation near max (formats.md §2.3, stochastic-rounding.md §2.4): x in (max, max + ulp) under SR.
//   SatNone: Extended → max or ±Inf (±Inf exactly when the rounding step goes away); Finite → max
//   (P3109 v4.0, MX, INT8) or NaN (E4M3, FNUZ, E8M0) when it goes away. SatFinite / SatPropagate: ±max.
RC_GTEST_PROP(RoundingProperties, StochasticSaturationAboveMax, ()) {
  const Info& in = info(*rt::gen_format_name());
  const bool neg = in.f.is_signed && *rc::gen::arbitrary<bool>();
  const Rat max = neg ? in.max_neg : in.max_pos;
  const Rat ulp = neighbours(in, max).hi - max;
  const int k = *rc::gen::inRange(1, 21);
  const std::uint64_t j = *rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << k);
  const Rat mag = max + ulp * Rat(Int(j)) * pow2(-k);
  const Rat xr = neg ? Rat(-mag) : mag;
  std::vector<Mode> modes = rt::few_bit_modes();
  modes.push_back(Mode::StochasticExact);
  const Choice c = *rt::gen_rounding_case(modes);
  const bool away = oracle_away(in, xr, Neighbours{max, max + ulp}, c);
  const RoundResult res = project(in.f, c.rounding, exact(xr), c.draw);
  const ExactValue max_v = neg ? in.f.min_finite() : in.f.max_finite();
  RC_LOG() << in.f.name << " x=" << to_hex_float(exact(xr)) << " " << rt::describe(c) << " away=" << away << " got "
           << to_hex_float(res.value) << "\n";
  RC_ASSERT(res.away == away);
  if (c.rounding.saturation != Saturation::None || !away) {
    RC_ASSERT(res.value.identical(max_v));
    RC_ASSERT(res.saturated == away);
  } else if (in.f.domain == Domain::Extended) {
    RC_ASSERT(res.value.is_infinite());
    RC_ASSERT(res.value.negative() == neg);
  } else if (in.overflow_nan) {
    RC_ASSERT(res.value.is_nan());
  } else {
    RC_ASSERT(res.value.identical(max_v));
  }
}

// SatFinite never gives ±Inf and never leaves [M_lo, M_hi]; NaN only from NaN.
RC_GTEST_PROP(RoundingProperties, SatFiniteStaysFinite, ()) {
  const Info& in = info(*rt::gen_format_name());
  const Input x = pick_input(in);
  const Choice c = *rt::gen_rounding_case(rt::all_modes(), {Saturation::Finite});
  if (x.v.is_nan()) {
    if (in.f.has_nan()) RC_ASSERT(project(in.f, c.rounding, x.v, c.draw).value.is_nan());
    return;
  }
  const RoundResult res = project(in.f, c.rounding, x.v, c.draw);
  RC_LOG() << in.f.name << " x=" << show(x) << " " << rt::describe(c) << " got " << to_hex_float(res.value) << "\n";
  RC_ASSERT(res.value.is_finite());
  RC_ASSERT(!(res.value < in.f.min_finite()));
  RC_ASSERT(!(in.f.max_finite() < res.value));
}

// ±Inf inputs, every mode (formats.md §2.3 saturation table; P3109 v4.0 for SatNone on Finite formats).
RC_GTEST_PROP(RoundingProperties, InfinityInputs, ()) {
  const Info& in = info(*rt::gen_format_name());
  const bool neg = *rc::gen::arbitrary<bool>();
  const Choice c = *rt::gen_rounding_case(rt::all_modes());
  const IeeeLikeFormat& f = in.f;
  const bool extended = f.domain == Domain::Extended;
  RC_LOG() << f.name << (neg ? " -inf " : " +inf ") << rt::describe(c) << "\n";
  const ExactValue inf = ExactValue::infinity(neg);
  // What the table says (nullopt: NaN).
  std::optional<ExactValue> want;
  const ExactValue m_hi = f.max_finite(), m_lo = f.min_finite();
  switch (c.rounding.saturation) {
    case Saturation::Finite: want = neg ? m_lo : m_hi; break;
    case Saturation::Propagate:  // ±∞ kept where the format has it, else clamped
      if (extended && (!neg || f.is_signed)) want = inf;
      else want = neg ? m_lo : m_hi;
      break;
    case Saturation::None:
      if (!neg) {
        if (extended) want = inf;
        else if (!in.overflow_nan) want = m_hi;  // v4.0: +∞ → M_hi in a Finite format
      } else {
        if (f.is_signed && extended) want = inf;
        else if (!f.is_signed) want = std::nullopt;  // "−∞ → NaN if Unsigned"
        else if (!in.overflow_nan) want = m_lo;
      }
      break;
  }
  if (!want && !f.has_nan()) {
    RC_ASSERT_THROWS_AS(project(f, c.rounding, inf, c.draw), NoEncodingError);
    return;
  }
  const RoundResult res = project(f, c.rounding, inf, c.draw);
  RC_LOG() << " got " << to_hex_float(res.value) << "\n";
  if (!want) {
    RC_ASSERT(res.value.is_nan());
  } else {
    RC_ASSERT(res.value.identical(*want));
  }
}

// N = 0 never rounds away (P3109: "n = 0 … no round-away"): the rounding step is TowardZero's.
RC_GTEST_PROP(RoundingProperties, ZeroRandomBitsNeverRoundAway, ()) {
  const Info& in = info(*rt::gen_format_name());
  const Input x = pick_input(in);
  RC_PRE(!x.v.is_nan());
  Choice c = *rt::gen_rounding_case(rt::few_bit_modes());
  c.rounding.random_bits = 0;
  c.draw.r = 0;
  Rounding rtz;
  rtz.mode = Mode::TowardZero;
  bool away = true;
  const ExactValue y = round_to_precision(in.f, c.rounding, x.v, c.draw, &away);
  const ExactValue z = round_to_precision(in.f, rtz, x.v, {});
  RC_LOG() << in.f.name << " x=" << show(x) << " " << rt::describe(c) << " got " << to_hex_float(y) << "\n";
  RC_ASSERT(!away);
  RC_ASSERT(y.identical(z));
  // And inside the range the whole projection agrees with TowardZero.
  if (x.v.is_finite() && (!x.v.negative() || in.f.is_signed) &&
      is_value_magnitude(in, neighbours(in, abs_rat(x.r)).lo, x.v.negative()) &&
      (in.f.has_zero() || abs_rat(x.r) >= in.min_pos)) {
    rtz.saturation = c.rounding.saturation;
    RC_ASSERT(project(in.f, c.rounding, x.v, c.draw).value.identical(project(in.f, rtz, x.v).value));
  }
}

// Negative inputs to unsigned formats (P3109 unsigned and UE4M3): M_lo = 0. A negative value whose rounded
// magnitude is non-zero is below M_lo: SatNone → NaN, except TowardZero / TowardPositive → 0 (M_lo);
// SatFinite / SatPropagate → 0. A negative value that rounds to zero gives +0. Never a negative result.
RC_GTEST_PROP(RoundingProperties, NegativeIntoUnsigned, ()) {
  std::vector<std::string> unsigned_names = {"ocp_ue4m3"};
  for (const auto& n : rt::p3109_format_names())
    if (n[n.size() - 2] == 'u') unsigned_names.push_back(n);
  const Info& in = info(*rc::gen::elementOf(unsigned_names));
  const Input x = pick_input(in);
  RC_PRE(x.v.is_finite() && x.r < 0);
  const Choice c = *rt::gen_rounding_case(rt::all_modes());
  const RoundResult res = project(in.f, c.rounding, x.v, c.draw);
  const Neighbours nb = neighbours(in, abs_rat(x.r));
  const bool away = oracle_away(in, x.r, nb, c);
  const Rat rounded = away ? nb.hi : nb.lo;
  RC_LOG() << in.f.name << " x=" << show(x) << " " << rt::describe(c) << " rounded magnitude " << rounded << " got "
           << to_hex_float(res.value) << "\n";
  const bool to_zero = rounded == 0 || c.rounding.saturation != Saturation::None ||
                       c.rounding.mode == Mode::TowardZero || c.rounding.mode == Mode::TowardPositive;
  if (to_zero) {
    RC_ASSERT(res.value.is_zero());
    RC_ASSERT(!res.value.negative());
    RC_ASSERT(res.code == 0u);
  } else {
    RC_ASSERT(res.value.is_nan());
    RC_ASSERT(res.code == in.f.code_of_nan());
  }
}

// Decimal literals (usually not dyadic: the library holds their round-to-odd image, exact_value.hpp) round
// exactly as their true rational value does; exact dyadic literals are held exactly.
RC_GTEST_PROP(RoundingProperties, DecimalInputsRoundAsTheirExactValue, ()) {
  const Info& in = info(*rt::gen_format_name());
  const long t_lo = std::max<long>(floor_log2(in.min_pos) - 3, -1100);
  const long t_hi = std::min<long>(floor_log2(std::max(in.max_pos, in.max_neg)) + 2, 1100);
  RC_PRE(t_lo <= t_hi);
  const long t = *rc::gen::inRange(t_lo, t_hi + 1);
  const int digits = *rc::gen::inRange(1, 21);
  Int low = 1;
  for (int i = 1; i < digits; ++i) low *= 10;
  const Int mant = low + Int(*rc::gen::arbitrary<std::uint64_t>()) % (low * 9);
  // 10^E ≈ 2^t / 10^(digits−1): E = round(t·log10 2) − (digits − 1).
  const long e10 = static_cast<long>(std::lround(static_cast<double>(t) * 0.30102999566398120)) - (digits - 1);
  const bool neg = in.f.is_signed && *rc::gen::arbitrary<bool>();
  const std::string text = (neg ? "-" : "") + mant.str() + "e" + std::to_string(e10);
  Rat x = Rat(mant);
  Int p10 = 1;
  for (long i = 0; i < (e10 < 0 ? -e10 : e10); ++i) p10 *= 10;
  x = e10 >= 0 ? x * Rat(p10) : x / Rat(p10);
  if (neg) x = -x;
  const ExactValue xv = parse_number(text);
  // Exact iff the value is dyadic with at most kWorkPrecision significant bits.
  const Int den = denominator(x);
  bool dyadic = (den & (den - 1)) == 0;
  if (dyadic) {
    Int odd = abs_rat(x) == 0 ? Int(0) : numerator(abs_rat(x));
    while (odd != 0 && (odd & 1) == 0) odd >>= 1;
    dyadic = odd == 0 || boost::multiprecision::msb(odd) + 1 <= static_cast<unsigned>(kWorkPrecision);
  }
  RC_LOG() << in.f.name << " x=" << text << " → " << to_hex_float(xv) << "\n";
  RC_ASSERT(xv.inexact() == !dyadic);
  if (dyadic) RC_ASSERT(to_rat(xv) == x);
  const Neighbours nb = neighbours(in, abs_rat(x));
  RC_PRE(is_value_magnitude(in, nb.lo, neg) && is_value_magnitude(in, nb.hi, neg));
  const Choice c = *rt::gen_rounding_case(rt::all_modes());
  const bool away = oracle_away(in, x, nb, c);
  const ExactValue want = signed_value(in, away ? nb.hi : nb.lo, neg);
  const RoundResult res = project(in.f, c.rounding, xv, c.draw);
  RC_LOG() << rt::describe(c) << " lo=" << nb.lo << " hi=" << nb.hi << " got " << to_hex_float(res.value) << " want "
           << to_hex_float(want) << "\n";
  RC_ASSERT(res.value.identical(want));
}
