// Exact rationals for tests, written independently of the library's own conversions (Boost cpp_int /
// cpp_rational rather than analysis/'s GMP mpq), so a test's expectation does not reuse the code it
// checks. Every function is exact or throws std::logic_error.
#pragma once
#include <gmp.h>
#include <mpfr.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "reference/exact_value.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"

namespace roundlab::exact_testing {

using Int = boost::multiprecision::cpp_int;
using Rat = boost::multiprecision::cpp_rational;
using boost::multiprecision::denominator;
using boost::multiprecision::numerator;

inline Rat pow2(long e) {
  if (e >= 0) return Rat(Int(1) << static_cast<unsigned>(e));
  return Rat(Int(1), Int(1) << static_cast<unsigned>(-e));
}

// The exact rational of a finite ExactValue (which must be exact: its MPFR magnitude is the value).
inline Rat to_rat(const ExactValue& v) {
  if (!v.is_finite()) throw std::logic_error("to_rat of " + to_hex_float(v));
  if (v.is_zero()) return Rat(0);
  mpz_t m;
  mpz_init(m);
  const long e = static_cast<long>(mpfr_get_z_2exp(m, v.magnitude().get()));
  std::vector<char> buf(mpz_sizeinbase(m, 16) + 3);
  mpz_get_str(buf.data(), 16, m);
  mpz_clear(m);
  const Rat r = Rat(Int(std::string("0x") + buf.data())) * pow2(e);
  return v.negative() ? Rat(-r) : r;
}

inline Rat to_rat(mpfr_srcptr x) {
  Mpfr copy(mpfr_get_prec(x));
  mpfr_set(copy.get(), x, MPFR_RNDN);
  return to_rat(ExactValue::from_mpfr(copy.get()));
}

// Dyadic rational → ExactValue, exact (throws when not dyadic or wider than kWorkPrecision bits).
inline ExactValue exact(const Rat& r) {
  if (r == 0) return ExactValue::zero(false);
  Int num = numerator(r);
  const Int den = denominator(r);
  const bool negative = num < 0;
  if (negative) num = -num;
  const unsigned d = den == 1 ? 0u : static_cast<unsigned>(boost::multiprecision::msb(den));
  if (den != (Int(1) << d)) throw std::logic_error("not dyadic");
  mpz_t z;
  mpz_init_set_str(z, num.str(0, std::ios_base::hex).c_str(), 16);
  Mpfr m(kWorkPrecision);
  const int inexact = mpfr_set_z_2exp(m.get(), z, -static_cast<long>(d), MPFR_RNDN);
  mpz_clear(z);
  if (inexact != 0) throw std::logic_error("more than kWorkPrecision bits");
  ExactValue v = ExactValue::from_mpfr(m.get());
  v.set_negative(negative);
  return v;
}

inline IeeeLikeFormat fmt(const std::string& name) { return std::get<IeeeLikeFormat>(find_format(name)); }

}  // namespace roundlab::exact_testing
