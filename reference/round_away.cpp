#include "reference/round_away.hpp"

#include <gmp.h>

#include "reference/error.hpp"

namespace roundlab {
namespace {

// ⌊ν·2^m⌋ (exact) and the comparison of the remaining fraction with ½.
struct Scaled {
  mpz_t floor_value;
  int frac_vs_half;  // <0, 0, >0
  bool frac_zero;
  Scaled(mpfr_srcptr nu, unsigned m) {
    mpz_init(floor_value);
    Mpfr t(mpfr_get_prec(nu) + 2);
    mpfr_mul_2ui(t.get(), nu, m, MPFR_RNDN);  // exact: power-of-two scaling
    mpfr_get_z(floor_value, t.get(), MPFR_RNDD);
    Mpfr f(mpfr_get_prec(nu) + 2);
    mpfr_frac(f.get(), t.get(), MPFR_RNDN);  // exact: fewer bits than t
    frac_vs_half = mpfr_cmp_ui_2exp(f.get(), 1, -1);
    frac_zero = mpfr_zero_p(f.get()) != 0;
  }
  ~Scaled() { mpz_clear(floor_value); }
  Scaled(const Scaled&) = delete;
  Scaled& operator=(const Scaled&) = delete;
};

// a + r ≥ 2^m, all exact.
bool reaches(const mpz_t a, std::uint64_t r, unsigned m) {
  mpz_t s, limit;
  mpz_init(s);
  mpz_init(limit);
  mpz_set_ui(s, r);
  mpz_add(s, s, a);
  mpz_setbit(limit, m);
  bool out = mpz_cmp(s, limit) >= 0;
  mpz_clear(s);
  mpz_clear(limit);
  return out;
}

bool tie_goes_away(TieRule tie, bool x_positive, bool code_is_even) {
  switch (tie) {
    case TieRule::Even: return !code_is_even;
    case TieRule::Away: return true;
    case TieRule::Zero: return false;
    case TieRule::Lower: return !x_positive;  // toward −∞ is away from zero for negative X
    case TieRule::Upper: return x_positive;
  }
  return false;
}

// The rule R that each few-bit mode applies to ν·2^N before adding r (stochastic-rounding.md §2.1).
void rounded_scaled_fraction(Mode mode, mpfr_srcptr nu, unsigned n, mpz_t out) {
  Scaled s(nu, n);
  mpz_set(out, s.floor_value);
  bool odd = mpz_odd_p(s.floor_value);
  switch (mode) {
    case Mode::StochasticA: break;                                                   // ⌊·⌋
    case Mode::StochasticB: if (s.frac_vs_half >= 0) mpz_add_ui(out, out, 1); break;  // ⌊· + ½⌋
    case Mode::StochasticC:                                                          // RNITE
      if (s.frac_vs_half > 0 || (s.frac_vs_half == 0 && odd)) mpz_add_ui(out, out, 1);
      break;
    case Mode::StochasticOdd:                                                        // RNITO
      if (s.frac_vs_half > 0 || (s.frac_vs_half == 0 && !odd)) mpz_add_ui(out, out, 1);
      break;
    case Mode::StochasticCeil: if (!s.frac_zero) mpz_add_ui(out, out, 1); break;     // ⌈·⌉
    default: throw InputError("round_away_count: mode " + mode_name(mode) + " is not a few-bit SR mode");
  }
}

}  // namespace

bool round_away(const Rounding& rounding, const RandomDraw& draw, mpfr_srcptr nu, bool x_positive,
                bool code_is_even) {
  const bool nu_positive = mpfr_sgn(nu) > 0;
  const int nu_vs_half = mpfr_cmp_ui_2exp(nu, 1, -1);
  const unsigned n = static_cast<unsigned>(rounding.random_bits);
  // P3109: "n = 0 or R ≥ 2^n" gives no round-away for every stochastic mode.
  const bool r_in_range = n >= 64 || draw.r < (std::uint64_t{1} << n);
  switch (rounding.mode) {
    case Mode::TowardZero: return false;
    case Mode::TowardPositive: return nu_positive && x_positive;
    case Mode::TowardNegative: return nu_positive && !x_positive;
    case Mode::NearestTiesToAway: return nu_vs_half >= 0;
    case Mode::NearestTiesToEven: return nu_vs_half > 0 || (nu_vs_half == 0 && !code_is_even);
    case Mode::Nearest:
      return nu_vs_half > 0 || (nu_vs_half == 0 && tie_goes_away(rounding.tie, x_positive, code_is_even));
    case Mode::ToOdd: return nu_positive && code_is_even;
    case Mode::StochasticA: {  // ⌊ν·2^N⌋ + R ≥ 2^N
      if (n == 0 || !r_in_range) return false;
      Scaled s(nu, n);
      return reaches(s.floor_value, draw.r, n);
    }
    case Mode::StochasticB: {  // ⌊ν·2^(N+1)⌋ + (2R + 1) ≥ 2^(N+1)
      if (n == 0 || !r_in_range) return false;
      Scaled s(nu, n + 1);
      mpz_t two_r_plus_one;
      mpz_init_set_ui(two_r_plus_one, draw.r);
      mpz_mul_2exp(two_r_plus_one, two_r_plus_one, 1);
      mpz_add_ui(two_r_plus_one, two_r_plus_one, 1);
      mpz_add(two_r_plus_one, two_r_plus_one, s.floor_value);
      bool out = reaches(two_r_plus_one, 0, n + 1);
      mpz_clear(two_r_plus_one);
      return out;
    }
    case Mode::StochasticC:      // RNITE(ν·2^N) + R ≥ 2^N
    case Mode::StochasticOdd:    // RNITO(ν·2^N) + R ≥ 2^N
    case Mode::StochasticCeil: {  // R < ⌈ν·2^N⌉, i.e. ⌈ν·2^N⌉ + (2^N − 1 − R) ≥ 2^N
      if (n == 0 || !r_in_range) return false;
      mpz_t c;
      mpz_init(c);
      rounded_scaled_fraction(rounding.mode, nu, n, c);
      bool out = false;
      if (rounding.mode == Mode::StochasticCeil) {
        out = mpz_cmp_ui(c, 0) > 0 && (mpz_sizeinbase(c, 2) > 64 || draw.r < mpz_get_ui(c));
      } else {
        out = reaches(c, draw.r, n);
      }
      mpz_clear(c);
      return out;
    }
    case Mode::StochasticExact: {  // ν + u ≥ 1, u = given real or r·2^-64
      if (!nu_positive) return false;
      Mpfr one_minus_u(kWorkPrecision + 8);
      if (draw.u) {
        draw.u->to_mpfr(one_minus_u.get());
      } else {
        mpfr_set_uj_2exp(one_minus_u.get(), draw.r, -64, MPFR_RNDN);
      }
      mpfr_ui_sub(one_minus_u.get(), 1, one_minus_u.get(), MPFR_RNDN);  // exact for u on a 2^-192 grid
      return mpfr_cmp(nu, one_minus_u.get()) >= 0;
    }
  }
  return false;
}

void validate_random_draw(const Rounding& rounding, const RandomDraw& draw) {
  if (!draw.u) return;
  if (rounding.mode != Mode::StochasticExact)
    throw InputError("a real u is only taken by mode sr; mode " + mode_name(rounding.mode) + " takes an integer r");
  const ExactValue& u = *draw.u;
  if (!u.is_finite() || u.inexact() || (u.negative() && !u.is_zero()) ||
      mpfr_cmp_ui(u.magnitude().get(), 1) >= 0)
    throw InputError("u must be an exact dyadic in [0, 1) (e.g. 0.375 or 0x1.8p-2)");
  if (u.is_zero()) return;
  Mpfr scaled(kWorkPrecision);
  mpfr_mul_2ui(scaled.get(), u.magnitude().get(), 192, MPFR_RNDN);
  if (!mpfr_integer_p(scaled.get()))
    throw InputError("u must be a multiple of 2^-192 so that the comparison with ν stays exact");
}

unsigned __int128 round_away_count(const Rounding& rounding, mpfr_srcptr nu) {
  const unsigned n = static_cast<unsigned>(rounding.random_bits);
  if (n == 0) return 0;
  mpz_t c;
  mpz_init(c);
  rounded_scaled_fraction(rounding.mode, nu, n, c);
  // StochasticB: ⌊ν·2^(N+1)⌋ + 2R + 1 ≥ 2^(N+1) ⇔ R ≥ 2^N − ⌈⌊ν·2^(N+1)⌋/2⌉, so C = ⌊ν2^N + ½⌋.
  unsigned __int128 out = 0;
  size_t words = 0;
  std::uint64_t parts[3] = {0, 0, 0};
  mpz_export(parts, &words, -1, sizeof(std::uint64_t), 0, 0, c);
  out = (static_cast<unsigned __int128>(parts[1]) << 64) | parts[0];
  mpz_clear(c);
  return out;
}

}  // namespace roundlab
