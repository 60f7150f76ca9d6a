// Exact rationals for the analysis room: the type, powers of two, and the exact conversions between
// the reference's ExactValue / MPFR numbers and rationals. GMP's mpq (through Boost.Multiprecision),
// the same type ExactValue already uses for the exact magnitude of decimal literals.
#pragma once
#include <cstdint>
#include <string>

#include <boost/multiprecision/gmp.hpp>

#include "reference/exact_value.hpp"

namespace roundlab::analysis {

using Rational = boost::multiprecision::mpq_rational;
using Integer = boost::multiprecision::mpz_int;

// 2^e, exact, for any e (negative included).
Rational pow2(long e);

// q·2^e, exact (a shift of numerator or denominator: cheaper than a general product).
Rational times_pow2(const Rational& q, long e);

// The exact rational of a finite ExactValue: its dyadic magnitude, or the exact rational that an
// inexact value carries (decimal literals, non-dyadic codebook values). Throws InputError, naming the
// value, when the value is not finite or is inexact without its rational: no exact answer exists then.
Rational rational_of(const ExactValue& value);

// The exact rational of a finite MPFR number (always dyadic). Exact.
Rational rational_of(mpfr_srcptr value);

// The ExactValue of a dyadic rational, exact; throws std::logic_error when the rational is not
// dyadic or needs more than kWorkPrecision bits (callers only pass grid values, which fit).
ExactValue exact_value_of_dyadic(const Rational& value);

// ⌊q⌋ as an integer, exact (toward −∞).
Integer floor_of(const Rational& q);

// "p/q" or "p" (exact text, reduced); the form every machine-readable output uses.
std::string rational_text(const Rational& q);

// The nearest double (round to nearest even), for display next to the exact text: NOT exact.
double approximate(const Rational& q);

}  // namespace roundlab::analysis
