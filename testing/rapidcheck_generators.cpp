#include "testing/rapidcheck_generators.hpp"

#include <mpfr.h>

#include <bit>
#include <variant>

#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab {

void showValue(const ExactValue& value, std::ostream& os) { os << to_hex_float(value); }
void showValue(const Rounding& rounding, std::ostream& os) { os << rounding.describe(); }
void showValue(const IeeeLikeFormat& format, std::ostream& os) { os << format.name; }

}  // namespace roundlab

namespace roundlab::testing {

namespace {

// Neighbours lo ≤ m < hi of a magnitude m ≥ 0 on the format's rounding grid (which continues above max).
struct Grid {
  Mpfr lo, hi;
};

ExactValue smallest_positive(const IeeeLikeFormat& f) {
  const auto sub = f.min_subnormal();
  return sub ? *sub : f.min_normal();
}

Grid grid_around(const IeeeLikeFormat& f, const ExactValue& magnitude) {
  Grid g;
  if (magnitude.is_zero()) {
    const ExactValue smallest = smallest_positive(f);  // named: mpfr_set is a macro that outlives no temporary
    mpfr_set_zero(g.lo.get(), 1);
    mpfr_set(g.hi.get(), smallest.magnitude().get(), MPFR_RNDN);
    return g;
  }
  ExactValue m = magnitude;
  m.set_negative(false);
  const PrecisionStep step = precision_step(f, m);
  mpfr_mul_2si(g.lo.get(), step.integer_part.get(), step.quantum_exponent, MPFR_RNDN);
  mpfr_add_ui(g.hi.get(), step.integer_part.get(), 1, MPFR_RNDN);
  mpfr_mul_2si(g.hi.get(), g.hi.get(), step.quantum_exponent, MPFR_RNDN);
  return g;
}

ExactValue signed_value(bool negative, mpfr_srcptr magnitude) {
  ExactValue v = ExactValue::from_mpfr(magnitude);
  v.set_negative(negative);
  return v;
}

// lo + (hi − lo)·j·2^-k, exact (every operand is dyadic and spans far fewer than kWorkPrecision bits).
ExactValue between(bool negative, const Grid& g, std::uint64_t j, long k) {
  Mpfr m;
  mpfr_sub(m.get(), g.hi.get(), g.lo.get(), MPFR_RNDN);
  mpfr_mul_ui(m.get(), m.get(), j, MPFR_RNDN);
  mpfr_div_2si(m.get(), m.get(), k, MPFR_RNDN);
  mpfr_add(m.get(), m.get(), g.lo.get(), MPFR_RNDN);
  return signed_value(negative, m.get());
}

// A finite value of the format (random code), as a magnitude.
ExactValue random_format_magnitude(const IeeeLikeFormat& f) {
  for (;;) {
    const std::uint64_t code = f.k >= 64 ? *rc::gen::arbitrary<std::uint64_t>()
                                         : *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << f.k);
    ExactValue v = f.decode(code);
    if (v.is_finite()) {
      v.set_negative(false);
      return v;
    }
  }
}

const IeeeLikeFormat& source_ieee_format(device::SourceFormat s) {
  static const IeeeLikeFormat b32 = std::get<IeeeLikeFormat>(find_format("binary32"));
  static const IeeeLikeFormat b64 = std::get<IeeeLikeFormat>(find_format("binary64"));
  static const IeeeLikeFormat bf16 = std::get<IeeeLikeFormat>(find_format("bfloat16"));
  static const IeeeLikeFormat b16 = std::get<IeeeLikeFormat>(find_format("binary16"));
  switch (s) {
    case device::SourceFormat::Binary32: return b32;
    case device::SourceFormat::Binary64: return b64;
    case device::SourceFormat::Bfloat16: return bf16;
    case device::SourceFormat::Binary16: return b16;
  }
  return b32;
}

}  // namespace

const std::vector<std::string>& named_ieee_like_formats() {
  static const std::vector<std::string> names = {
      "binary16", "bfloat16", "binary32", "binary64", "ocp_e5m2",     "ocp_e4m3",     "ocp_e3m2",
      "ocp_e2m3", "ocp_e2m1", "ocp_e8m0", "ocp_int8", "ocp_ue4m3",    "e4m3fnuz",     "e5m2fnuz",
      "sbits10",  "sbits3_e4", "p3109_k8p4se", "p3109_k8p1se", "p3109_k8p8uf", "p3109_k3p2sf"};
  return names;
}

const std::vector<std::string>& p3109_format_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& e : catalogue())
      if (const auto* f = std::get_if<IeeeLikeFormat>(&e.format); f && f->family == "p3109") out.push_back(f->name);
    return out;
  }();
  return names;
}

rc::Gen<std::string> gen_format_name() {
  return rc::gen::oneOf(rc::gen::elementOf(named_ieee_like_formats()), rc::gen::elementOf(p3109_format_names()));
}

rc::Gen<IeeeLikeFormat> gen_ieee_like_format() {
  return rc::gen::map(gen_format_name(),
                      [](const std::string& name) { return std::get<IeeeLikeFormat>(find_format(name)); });
}

const std::vector<Mode>& all_modes() {
  static const std::vector<Mode> modes = {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::Nearest,
                                          Mode::TowardZero,        Mode::TowardPositive,    Mode::TowardNegative,
                                          Mode::ToOdd,             Mode::StochasticExact,   Mode::StochasticA,
                                          Mode::StochasticB,       Mode::StochasticC,       Mode::StochasticOdd,
                                          Mode::StochasticCeil};
  return modes;
}

const std::vector<Mode>& few_bit_modes() {
  static const std::vector<Mode> modes = {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC,
                                          Mode::StochasticOdd, Mode::StochasticCeil};
  return modes;
}

const std::vector<Saturation>& all_saturations() {
  static const std::vector<Saturation> sats = {Saturation::None, Saturation::Finite, Saturation::Propagate};
  return sats;
}

std::uint64_t top_r(int n) { return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; }

rc::Gen<std::uint64_t> gen_r(int n) {
  if (n >= 64) return rc::gen::arbitrary<std::uint64_t>();
  return rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << n),
                        rc::gen::element<std::uint64_t>(0, top_r(n)));
}

std::string describe(const RoundingCase& c) {
  std::string s = c.rounding.describe();
  if (c.rounding.is_stochastic()) s += " r=" + std::to_string(c.draw.r);
  return s;
}

void showValue(const RoundingCase& c, std::ostream& os) { os << describe(c); }

rc::Gen<RoundingCase> gen_rounding_case(const std::vector<Mode>& modes, const std::vector<Saturation>& saturations) {
  return rc::gen::exec([modes, saturations] {
    RoundingCase c;
    c.rounding.mode = *rc::gen::elementOf(modes);
    c.rounding.saturation = *rc::gen::elementOf(saturations);
    c.rounding.tie = *rc::gen::element(TieRule::Even, TieRule::Away, TieRule::Zero, TieRule::Lower, TieRule::Upper);
    if (c.rounding.uses_random_bits()) {
      c.rounding.random_bits = *rc::gen::oneOf(rc::gen::inRange(0, 9), rc::gen::inRange(0, 65));
      c.draw.r = *gen_r(c.rounding.random_bits);
    } else if (c.rounding.mode == Mode::StochasticExact) {
      c.draw.r = *rc::gen::oneOf(rc::gen::arbitrary<std::uint64_t>(),
                                 rc::gen::element<std::uint64_t>(0, std::uint64_t{1} << 63, ~std::uint64_t{0}));
    }
    return c;
  });
}

rc::Gen<Rounding> gen_rounding(const std::vector<Mode>& modes, const std::vector<Saturation>& saturations) {
  return rc::gen::map(gen_rounding_case(modes, saturations), [](const RoundingCase& c) { return c.rounding; });
}

rc::Gen<ExactValue> gen_interesting_value(const IeeeLikeFormat& f) {
  return rc::gen::exec([f] {
    const int kind = *rc::gen::inRange(0, 10);
    const bool neg = *rc::gen::arbitrary<bool>();
    switch (kind) {
      case 0: return signed_value(neg, random_format_magnitude(f).magnitude().get());  // a value of the format
      case 1: return between(neg, grid_around(f, random_format_magnitude(f)), 1, 1);   // a tie
      case 2: {  // j/2^k of the way from a value to the next
        const int k = *rc::gen::inRange(1, 61);
        const std::uint64_t j = *rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << k);
        return between(neg, grid_around(f, random_format_magnitude(f)), j, k);
      }
      case 3: {  // the subnormal range (and below the smallest subnormal)
        const int k = *rc::gen::inRange(1, 41);
        const std::uint64_t j = *rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << k);
        const ExactValue min_normal = f.min_normal();  // named: MPFR's macros may outlive no temporary
        Mpfr m;
        mpfr_mul_ui(m.get(), min_normal.magnitude().get(), j, MPFR_RNDN);
        mpfr_div_2si(m.get(), m.get(), k, MPFR_RNDN);
        return signed_value(neg, m.get());
      }
      case 4: {  // the band around max: max − ulp/2 … max + 1000 ulp
        ExactValue max = neg && f.is_signed ? f.min_finite() : f.max_finite();
        max.set_negative(false);
        Grid g = grid_around(f, max);
        mpfr_set(g.lo.get(), max.magnitude().get(), MPFR_RNDN);  // lo = max, hi = max + ulp
        const int k = *rc::gen::inRange(1, 21);
        const std::uint64_t j = *rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << k);
        switch (*rc::gen::inRange(0, 6)) {
          case 0: {  // max − ulp/2, max − ulp/4
            Mpfr m;
            mpfr_sub(m.get(), g.hi.get(), g.lo.get(), MPFR_RNDN);
            mpfr_div_2si(m.get(), m.get(), *rc::gen::inRange(1, 3), MPFR_RNDN);
            mpfr_sub(m.get(), g.lo.get(), m.get(), MPFR_RNDN);
            return signed_value(neg, m.get());
          }
          case 1: return between(neg, g, *rc::gen::element<std::uint64_t>(1, 2, 3, 4, 6, 8, 4000), 2);
          default: return between(neg, g, j, k);
        }
      }
      case 5: return ExactValue::zero(neg);
      case 6: return ExactValue::from_float(std::bit_cast<float>(*rc::gen::arbitrary<std::uint32_t>()));
      case 7: return ExactValue::from_double(std::bit_cast<double>(*rc::gen::arbitrary<std::uint64_t>()));
      case 8: return *rc::gen::element(ExactValue::infinity(false), ExactValue::infinity(true), ExactValue::nan());
      default: {  // a tie or quarter point near the smallest values / near 1 / near the smallest normal
        const ExactValue base =
            *rc::gen::element(smallest_positive(f), ExactValue::from_double(1.0), f.min_normal());
        Grid g = grid_around(f, base);
        Grid lo_grid = grid_around(f, ExactValue::from_mpfr(g.lo.get()));
        return between(neg, lo_grid, *rc::gen::element<std::uint64_t>(1, 2, 3), 2);
      }
    }
  });
}

rc::Gen<std::uint64_t> gen_interesting_source_word(device::SourceFormat source, const IeeeLikeFormat& target) {
  return rc::gen::exec([source, target] {
    const IeeeLikeFormat& sf = source_ieee_format(source);
    const int bits = sf.k;
    const std::uint64_t mask = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    const std::uint64_t sign = std::uint64_t{1} << (bits - 1);
    const int t = sf.p - 1;  // trailing significand bits
    const std::uint64_t exp_mask = sign - (std::uint64_t{1} << t);
    switch (*rc::gen::inRange(0, 8)) {
      case 0: {  // NaN with a random non-zero payload and sign
        std::uint64_t payload = *rc::gen::arbitrary<std::uint64_t>() & ((std::uint64_t{1} << t) - 1);
        if (payload == 0) payload = 1;
        return (*rc::gen::arbitrary<bool>() ? sign : 0) | exp_mask | payload;
      }
      case 1: {  // a source subnormal
        return (*rc::gen::arbitrary<bool>() ? sign : 0) |
               (*rc::gen::arbitrary<std::uint64_t>() & ((std::uint64_t{1} << t) - 1));
      }
      case 2: return *rc::gen::arbitrary<std::uint64_t>() & mask;
      default: {  // an interesting value for the target, on the source grid
        Rounding rne;
        const ExactValue v = *gen_interesting_value(target);
        return project(sf, rne, v).code;
      }
    }
  });
}

}  // namespace roundlab::testing
