#include "analysis/extended_rational.hpp"

#include <limits>

namespace roundlab::analysis {

ExtendedRational ExtendedRational::negated() const {
  switch (kind) {
    case Kind::Finite: return finite(Rational(-value));
    case Kind::PositiveInfinity: return infinity(true);
    case Kind::NegativeInfinity: return infinity(false);
    case Kind::NaN: return nan();
  }
  return nan();
}

std::string ExtendedRational::text() const {
  switch (kind) {
    case Kind::Finite: return rational_text(value);
    case Kind::PositiveInfinity: return "inf";
    case Kind::NegativeInfinity: return "-inf";
    case Kind::NaN: return "nan";
  }
  return "nan";
}

double ExtendedRational::approximate() const {
  switch (kind) {
    case Kind::Finite: return analysis::approximate(value);
    case Kind::PositiveInfinity: return std::numeric_limits<double>::infinity();
    case Kind::NegativeInfinity: return -std::numeric_limits<double>::infinity();
    case Kind::NaN: return std::numeric_limits<double>::quiet_NaN();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace roundlab::analysis
