// Lorenz '63 with classical RK4, written once for any number type (double for the reference runs,
// Reduced<Policy> for reduced precision). dx/dt = σ(y − x), dy/dt = x(ρ − z) − y, dz/dt = xy − βz.
// The step is written in the operation order of rpe's integration test (aopp-pred/rpe
// test/integration/lorenz63; ../shared/reference/climate.md §1.1): with Reduced<RpeCompatible>, the
// time step dt a plain double, and dt = (double)0.01f it reproduces rpe's 10-sbit golden output bit
// for bit. With Reduced<EveryOpRounded> every operation of the same code is rounded.
#pragma once
#include <array>

#include "analysis/reduced_number.hpp"

namespace roundlab::analysis {

template <class Num>
using Lorenz63State = std::array<Num, 3>;

template <class Num>
class Lorenz63 {
 public:
  // Parameters are stored as Num (rounded once); dt is a plain real of rpe's test (PlainReal).
  explicit Lorenz63(double dt, double sigma = 10.0, double rho = 28.0, double beta = 8.0 / 3.0)
      : dt_(dt), dt_op_(dt), sigma_(sigma), rho_(rho), beta_(beta), half_(0.5), six_(6.0) {}

  Lorenz63State<Num> tendency(const Lorenz63State<Num>& x) const {
    return {sigma_ * (x[1] - x[0]), x[0] * (rho_ - x[2]) - x[1], x[0] * x[1] - beta_ * x[2]};
  }

  // One RK4 step in place.
  void step(Lorenz63State<Num>& x) const {
    const Lorenz63State<Num> k1 = tendency(x);
    Lorenz63State<Num> x2, x3, x4;
    for (int i = 0; i < 3; ++i) x2[i] = x[i] + half_ * dt_op_ * k1[i];
    const Lorenz63State<Num> k2 = tendency(x2);
    for (int i = 0; i < 3; ++i) x3[i] = x[i] + half_ * dt_op_ * k2[i];
    const Lorenz63State<Num> k3 = tendency(x3);
    for (int i = 0; i < 3; ++i) x4[i] = x[i] + dt_op_ * k3[i];
    const Lorenz63State<Num> k4 = tendency(x4);
    for (int i = 0; i < 3; ++i) x[i] = x[i] + dt_op_ * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i]) / six_;
  }

  double dt() const { return dt_; }

 private:
  double dt_;
  PlainReal<Num> dt_op_;
  Num sigma_, rho_, beta_, half_, six_;
};

}  // namespace roundlab::analysis
