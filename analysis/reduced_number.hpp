// Reduced<Policy>: a number type that behaves like a double rounded to a reduced-precision format
// after every arithmetic result and on every assignment, for running a model written once for any
// number type (the drift experiments) at S significand bits under RN, SR or a few-bit SR variant.
// The rounding is the SbitsRounder of the enclosing ReducedScope on this thread (device kernel code,
// exact, with that rounder's seeded random stream), so each ensemble member owns its stream.
//
// Operand policies (../shared/reference/climate.md §1.1, §8.1):
//   EveryOpRounded — every +, −, ×, ÷ and intrinsic is rounded; a plain double operand is first
//                    rounded to the format (write model constants as Num(c) to round them once).
//   RpeCompatible  — rpe's rules: an operation between two Reduced (or a Reduced and an integer)
//                    is rounded; an operation involving a plain double yields a plain double (not
//                    rounded) until it is assigned to a Reduced.
// Negation and abs are exact and not rounded (rounding them would change nothing but the stream).
#pragma once
#include <cmath>
#include <concepts>
#include <stdexcept>

#include "analysis/sbits_rounder.hpp"

namespace roundlab::analysis {

struct EveryOpRounded {};
struct RpeCompatible {};

namespace reduced_detail {
inline SbitsRounder*& current() {
  thread_local SbitsRounder* rounder = nullptr;
  return rounder;
}
inline double round_now(double x) {
  SbitsRounder* r = current();
  if (r == nullptr) throw std::logic_error("Reduced number used outside a ReducedScope (no rounder on this thread)");
  return r->round(x);
}
}  // namespace reduced_detail

// Makes `rounder` the one Reduced numbers on this thread use, until the scope ends.
class ReducedScope {
 public:
  explicit ReducedScope(SbitsRounder& rounder) : previous_(reduced_detail::current()) {
    reduced_detail::current() = &rounder;
  }
  ~ReducedScope() { reduced_detail::current() = previous_; }
  ReducedScope(const ReducedScope&) = delete;
  ReducedScope& operator=(const ReducedScope&) = delete;

 private:
  SbitsRounder* previous_;
};

template <class Policy>
class Reduced {
 public:
  static constexpr bool kRpe = std::is_same_v<Policy, RpeCompatible>;

  Reduced() = default;  // +0
  Reduced(double x) : v_(reduced_detail::round_now(x)) {}  // NOLINT: assignment from double rounds
  template <std::integral I>
  Reduced(I i) : Reduced(static_cast<double>(i)) {}  // NOLINT

  double value() const { return v_; }
  explicit operator double() const { return v_; }

  // The value as it is, already a member of the format (no rounding, no random draw).
  static Reduced from_rounded(double v) {
    Reduced r;
    r.v_ = v;
    return r;
  }

  Reduced operator-() const { return from_rounded(-v_); }
  Reduced& operator+=(Reduced b) { return *this = *this + b; }
  Reduced& operator-=(Reduced b) { return *this = *this - b; }
  Reduced& operator*=(Reduced b) { return *this = *this * b; }
  Reduced& operator/=(Reduced b) { return *this = *this / b; }

  friend Reduced operator+(Reduced a, Reduced b) { return from_rounded(reduced_detail::round_now(a.v_ + b.v_)); }
  friend Reduced operator-(Reduced a, Reduced b) { return from_rounded(reduced_detail::round_now(a.v_ - b.v_)); }
  friend Reduced operator*(Reduced a, Reduced b) { return from_rounded(reduced_detail::round_now(a.v_ * b.v_)); }
  friend Reduced operator/(Reduced a, Reduced b) { return from_rounded(reduced_detail::round_now(a.v_ / b.v_)); }

  // Integer operands are exact (rpe: precision 0) and the operation is rounded under both policies.
  template <std::integral I> friend Reduced operator+(Reduced a, I b) { return a + Reduced(b); }
  template <std::integral I> friend Reduced operator+(I a, Reduced b) { return Reduced(a) + b; }
  template <std::integral I> friend Reduced operator-(Reduced a, I b) { return a - Reduced(b); }
  template <std::integral I> friend Reduced operator-(I a, Reduced b) { return Reduced(a) - b; }
  template <std::integral I> friend Reduced operator*(Reduced a, I b) { return a * Reduced(b); }
  template <std::integral I> friend Reduced operator*(I a, Reduced b) { return Reduced(a) * b; }
  template <std::integral I> friend Reduced operator/(Reduced a, I b) { return a / Reduced(b); }
  template <std::integral I> friend Reduced operator/(I a, Reduced b) { return Reduced(a) / b; }

  // Plain double operands: rounded first (EveryOpRounded), or the result stays a double (RpeCompatible).
  using Mixed = std::conditional_t<kRpe, double, Reduced>;
  friend Mixed operator+(Reduced a, double b) { if constexpr (kRpe) return a.v_ + b; else return a + Reduced(b); }
  friend Mixed operator+(double a, Reduced b) { if constexpr (kRpe) return a + b.v_; else return Reduced(a) + b; }
  friend Mixed operator-(Reduced a, double b) { if constexpr (kRpe) return a.v_ - b; else return a - Reduced(b); }
  friend Mixed operator-(double a, Reduced b) { if constexpr (kRpe) return a - b.v_; else return Reduced(a) - b; }
  friend Mixed operator*(Reduced a, double b) { if constexpr (kRpe) return a.v_ * b; else return a * Reduced(b); }
  friend Mixed operator*(double a, Reduced b) { if constexpr (kRpe) return a * b.v_; else return Reduced(a) * b; }
  friend Mixed operator/(Reduced a, double b) { if constexpr (kRpe) return a.v_ / b; else return a / Reduced(b); }
  friend Mixed operator/(double a, Reduced b) { if constexpr (kRpe) return a / b.v_; else return Reduced(a) / b; }

  friend bool operator==(Reduced a, Reduced b) { return a.v_ == b.v_; }
  friend auto operator<=>(Reduced a, Reduced b) { return a.v_ <=> b.v_; }
  // Comparisons with a double do not round it (no random draw).
  friend bool operator==(Reduced a, double b) { return a.v_ == b; }
  friend auto operator<=>(Reduced a, double b) { return a.v_ <=> b; }

  // Intrinsics: the double result (correctly rounded for sqrt; libm's for exp) rounded to the format.
  friend Reduced sqrt(Reduced a) { return from_rounded(reduced_detail::round_now(std::sqrt(a.v_))); }
  friend Reduced exp(Reduced a) { return from_rounded(reduced_detail::round_now(std::exp(a.v_))); }
  friend Reduced abs(Reduced a) { return from_rounded(std::fabs(a.v_)); }

 private:
  double v_ = 0.0;
};

// The type of a model variable that the original program keeps in plain double precision (rpe's
// REAL(8) variables, such as Lorenz's dt): double under RpeCompatible, so operations with it follow
// rpe's rules; Num otherwise, so it is rounded once and every operation with it is rounded.
template <class Num>
struct PlainRealOf {
  using type = Num;
};
template <>
struct PlainRealOf<Reduced<RpeCompatible>> {
  using type = double;
};
template <class Num>
using PlainReal = typename PlainRealOf<Num>::type;

// The double value of a model variable, whatever its number type.
inline double to_double(double x) { return x; }
template <class P>
double to_double(Reduced<P> x) {
  return x.value();
}

}  // namespace roundlab::analysis
