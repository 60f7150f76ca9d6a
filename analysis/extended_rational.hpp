// ExtendedRational: an exact rational, or ±∞, or NaN ("undefined"). The statistics of a rounding whose
// outcomes include ±Inf or NaN with non-zero probability are not rationals; this type says so instead
// of producing a wrong finite number.
#pragma once
#include <string>
#include <utility>

#include "analysis/exact_rational.hpp"

namespace roundlab::analysis {

struct ExtendedRational {
  enum class Kind { Finite, PositiveInfinity, NegativeInfinity, NaN };
  Kind kind = Kind::Finite;
  Rational value;  // meaningful when kind == Finite

  static ExtendedRational finite(Rational q) { return {Kind::Finite, std::move(q)}; }
  static ExtendedRational infinity(bool negative) {
    return {negative ? Kind::NegativeInfinity : Kind::PositiveInfinity, Rational(0)};
  }
  static ExtendedRational nan() { return {Kind::NaN, Rational(0)}; }

  bool is_finite() const { return kind == Kind::Finite; }
  ExtendedRational negated() const;
  // Exact text: "p/q", "inf", "-inf" or "nan".
  std::string text() const;
  // Nearest double, ±infinity or quiet NaN: for display only, NOT exact.
  double approximate() const;
};

}  // namespace roundlab::analysis
