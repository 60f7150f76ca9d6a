// Shallow water "flow over a ridge" (../shared/reference/climate.md §4, experiment SW-ridge §8.4): the
// configuration of Klöwer's ShallowWaters.jl v0.4.1 defaults (topography "ridge", wind "channel";
// Klöwer, Düben & Palmer 2020, JAMES), written once for any number type: double for the reference runs,
// Reduced<EveryOpRounded> (inside a ReducedScope) to round every operation of step() to S sbits.
//
// Equations (vector-invariant form), h = η + H(x):
//   ∂u/∂t =  q·(hv) − ∂x(K + gη) + Fx − (c_D/h)‖u‖u − ν∇⁴u
//   ∂v/∂t = −q·(hu) − ∂y(K + gη)      − (c_D/h)‖u‖v − ν∇⁴v
//   ∂η/∂t = −∂x(hu) − ∂y(hv)
// with potential vorticity q = (f + ∂x v − ∂y u)/h and K = ½(u² + v²).
//
// Configuration (climate.md §4): 2000 km × 1000 km channel, periodic in x, no-slip walls at y = 0 and
// y = Ly; beta plane at 45°N, f = f0 + β(y − Ly/2), f0 = 2Ω sin45°, β = 2Ω cos45°/R, Ω = 2π/86400,
// R = 6.371e6 m; g = 10; ridge H(x) = H0 − H1·exp(−(x − Lx/2)²/(2σ²)), H0 = 500 m, H1 = 50 m,
// σ = 300 km; wind Fx = F0/(ρ H0)·cos²(π(y/Ly − ½)), F0 = 0.12 Pa, ρ = 1000 (v0.4.1 divides by its
// scalar water depth H = H0, not by h); quadratic drag c_D = 1e-5; biharmonic ν = νB·Δ³/30000, νB = 500
// (1.33e11 m⁴/s at Δ = 20 km); Δt = ⌊cfl·Δ/√(g·H0)⌋ (282 s at 100×50, cfl = 1).
//
// Numerics:
//   - Arakawa C-grid, 2nd-order centred differences (staggering: see ShallowWaterState).
//   - Advection and Coriolis: Sadourny's (1975) energy-conserving vector-invariant scheme, the PV flux
//     q·(hv) at a u-point is the y-average of q·(x-average of hv) at the two corners (and mirrored for
//     v), with K = ½(x-average of u² + y-average of v²) and h_u, h_v the 2-point averages of h. Without
//     forcing and dissipation this conserves Σ ½h_u u² + Σ ½h_v v² + Σ ½gη² exactly in space (the
//     PV flux does no work); the RK4 error remains. (ShallowWaters.jl uses Arakawa–Hsu, which also
//     conserves enstrophy; climate.md §8.4 accepts Sadourny instead.) In this scheme the wall-corner
//     PV multiplies v = 0, so only interior corners are computed.
//   - No-slip walls: v = 0 on the walls; for the Laplacians u's ghost row is −u (ShallowWaters' α = 2)
//     and ∇²u's ghost row is −∇²u (what a second halo row of −u gives); ∇²v vanishes on the walls.
//   - Time stepping as ShallowWaters.jl time_integration: classical RK4 for pressure gradient, Coriolis,
//     advection, continuity and wind; then, once per step, drag and biharmonic diffusion are evaluated
//     at the RK4-updated state and added with a forward-Euler step of Δt (an explicit split step;
//     ShallowWaters calls it "semi-implicit" because it uses u^(n+1) of the RK4 part). It is stable by
//     a wide margin: νΔt·64/Δ⁴ ≈ 0.015 and c_D‖u‖Δt/h ≈ 1e-5.
//
// Rounding: every arithmetic result inside step() is a Num operation (+ − × ÷, sqrt; unary minus and
// abs are exact). Constants that are not exact (g, 1/Δ, RK weights × Δt, H(x), f(y), Fx(y), drag and
// viscosity × Δt) are computed in double at construction and converted to Num once, so with Reduced the
// model must be constructed (and set_state called) inside the ReducedScope that steps it.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "analysis/reduced_number.hpp"

namespace roundlab::analysis {

// Parameters (SI units). Δ = Lx/nx must equal Ly/ny (square cells); validate() checks.
struct ShallowWaterConfig {
  int nx = 100;
  int ny = 50;
  double cfl = 1.0;
  double Lx = 2000e3;
  double Ly = 1000e3;
  double g = 10.0;
  double H0 = 500.0;              // water depth away from the ridge
  double H1 = 50.0;               // ridge height
  double ridge_sigma = 300e3;     // H(x) = H0 − H1·exp(−(x − Lx/2)²/(2σ²))
  double latitude_deg = 45.0;     // centre of the beta plane
  double Omega = 2.0 * 3.14159265358979323846 / 86400.0;
  double R_earth = 6.371e6;
  double F0 = 0.12;               // wind stress amplitude, Pa
  double rho = 1000.0;
  double c_D = 1e-5;              // quadratic bottom drag
  double nu_B = 500.0;            // ν = nu_B·Δ³/30000

  double delta() const { return Lx / nx; }
  double dt() const;                         // ⌊cfl·Δ/√(g·H0)⌋ seconds
  double viscosity() const;                  // ν, m⁴/s
  double f0() const;
  double beta() const;
  int steps_for_days(double days) const;     // round(days·86400/Δt)
  void validate() const;                     // throws InputError naming the bad parameter
};

// Prognostic fields on the C-grid, row-major by y (index j*nx + i), cell (i, j) centred at
// ((i+½)Δ, (j+½)Δ):
//   eta: nx·ny      at cell centres ((i+½)Δ, (j+½)Δ), metres;
//   u:   nx·ny      at west faces (iΔ, (j+½)Δ), m/s (periodic: face 0 is also face nx);
//   v:   nx·(ny+1)  at south faces ((i+½)Δ, jΔ), m/s; rows 0 and ny are the walls and stay 0.
template <class T>
struct ShallowWaterState {
  int nx = 0;
  int ny = 0;
  std::vector<T> u, v, eta;
};

// The fluid at rest (u = v = η = 0) on config's grid.
ShallowWaterState<double> rest_state(const ShallowWaterConfig& config);

// Domain mean of K = ½(x-average of u² + y-average of v²) over the cells, m²/s².
double domain_mean_kinetic_energy(const ShallowWaterState<double>& s);
// Zonal mean of u for each row j = 0..ny−1 (south to north).
std::vector<double> zonal_mean_u(const ShallowWaterState<double>& s);
// Mean of u over the whole grid.
double domain_mean_u(const ShallowWaterState<double>& s);

// Adds amplitude·(2r − 1) to every η, r = (mt() >> 11)·2^-53 uniform in [0, 1), with mt a
// std::mt19937_64 seeded with `seed`, drawn in index order (the same numbers on every platform).
void perturb_eta(ShallowWaterState<double>& s, double amplitude, std::uint64_t seed);

// Spins up from rest in double for config.steps_for_days(days) steps and returns the state.
ShallowWaterState<double> spin_up(const ShallowWaterConfig& config, double days);

template <class Num>
class ShallowWaterModel {
 public:
  explicit ShallowWaterModel(const ShallowWaterConfig& config);

  // Rounds the given state into Num (throws std::invalid_argument on a size mismatch or nonzero wall v).
  void set_state(const ShallowWaterState<double>& s);
  ShallowWaterState<double> state() const;  // exact double values of the Num state

  void step();                 // one time step of Δt
  void run(long steps) {
    for (long n = 0; n < steps; ++n) step();
  }

  const ShallowWaterConfig& config() const { return config_; }
  // Σ η·Δ² (m³; the mass anomaly over ρ), in double from the state. Constant in exact arithmetic.
  double total_mass() const;
  // Σ ½h_u u² Δ² + Σ ½h_v v² Δ² + Σ ½gη² Δ² (m⁵/s², energy over ρ), in double from the state; the
  // energy that the advection scheme conserves without forcing and dissipation.
  double total_energy() const;

 private:
  using Field = std::vector<Num>;
  int at(int i, int j) const { return j * nx_ + i; }

  // Tendencies of the RK4 part (everything but drag and diffusion) at (u, v, eta).
  void rhs(const Field& u, const Field& v, const Field& eta);
  // Forward-Euler drag + biharmonic step of Δt on (u, v) at thickness from eta.
  void dissipate(Field& u, Field& v, const Field& eta);

  ShallowWaterConfig config_;
  int nx_, ny_;
  std::vector<int> ip_, im_;       // periodic neighbours i+1, i−1
  std::vector<double> H_double_;   // H(x) per column, for the diagnostics

  // Constants, rounded once.
  Num half_, quarter_, four_, g_, inv_dx_;
  std::array<Num, 4> rk_a_;        // Δt/6, Δt/3, Δt/3, Δt/6
  std::array<Num, 3> rk_b_;        // Δt/2, Δt/2, Δt
  Num drag_dt_;                    // −c_D·Δt
  Num visc_dt_;                    // −ν·Δt/Δ⁴ (the Laplacians below are Δ²∇², unscaled)
  std::vector<Num> H_;             // H(x) per column (cell centres)
  std::vector<Num> fq_;            // f(y) per corner row j = 0..ny
  std::vector<Num> Fx_;            // wind acceleration per u row

  // State and work arrays.
  Field u_, v_, eta_;
  Field u0_, v0_, eta0_, u1_, v1_, eta1_;
  Field du_, dv_, deta_;
  Field h_, U_, V_, u2_, v2_, p_, qV_, qU_;      // rhs work
  Field speed_, Lu_, Lv_;                        // dissipation work
};

// ---------------------------------------------------------------------------------------------------

template <class Num>
ShallowWaterModel<Num>::ShallowWaterModel(const ShallowWaterConfig& config)
    : config_(config), nx_(config.nx), ny_(config.ny) {
  config_.validate();
  const double d = config_.delta(), dt = config_.dt(), pi = 3.14159265358979323846;
  ip_.resize(nx_);
  im_.resize(nx_);
  for (int i = 0; i < nx_; ++i) {
    ip_[i] = (i + 1) % nx_;
    im_[i] = (i + nx_ - 1) % nx_;
  }
  half_ = Num(0.5);
  quarter_ = Num(0.25);
  four_ = Num(4.0);
  g_ = Num(config_.g);
  inv_dx_ = Num(1.0 / d);
  rk_a_ = {Num(dt / 6), Num(dt / 3), Num(dt / 3), Num(dt / 6)};
  rk_b_ = {Num(dt / 2), Num(dt / 2), Num(dt)};
  drag_dt_ = Num(-config_.c_D * dt);
  visc_dt_ = Num(-config_.viscosity() * dt / (d * d * d * d));
  for (int i = 0; i < nx_; ++i) {
    const double x = (i + 0.5) * d - config_.Lx / 2;
    H_double_.push_back(config_.H0 - config_.H1 * std::exp(-x * x / (2 * config_.ridge_sigma * config_.ridge_sigma)));
    H_.push_back(Num(H_double_.back()));
  }
  for (int j = 0; j <= ny_; ++j) fq_.push_back(Num(config_.f0() + config_.beta() * (j * d - config_.Ly / 2)));
  for (int j = 0; j < ny_; ++j) {
    const double c = std::cos(pi * ((j + 0.5) * d / config_.Ly - 0.5));
    Fx_.push_back(Num(config_.F0 / (config_.rho * config_.H0) * c * c));
  }
  const std::size_t nT = static_cast<std::size_t>(nx_) * ny_, nV = static_cast<std::size_t>(nx_) * (ny_ + 1);
  for (Field* f : {&u_, &eta_, &u0_, &eta0_, &u1_, &eta1_, &du_, &deta_, &h_, &U_, &u2_, &p_, &speed_, &Lu_})
    f->assign(nT, Num());
  for (Field* f : {&v_, &v0_, &v1_, &dv_, &V_, &v2_, &qV_, &qU_, &Lv_}) f->assign(nV, Num());
}

template <class Num>
void ShallowWaterModel<Num>::set_state(const ShallowWaterState<double>& s) {
  const std::size_t nT = static_cast<std::size_t>(nx_) * ny_, nV = static_cast<std::size_t>(nx_) * (ny_ + 1);
  if (s.nx != nx_ || s.ny != ny_ || s.u.size() != nT || s.eta.size() != nT || s.v.size() != nV)
    throw std::invalid_argument("ShallowWaterModel::set_state: state size does not match the grid");
  for (int i = 0; i < nx_; ++i)
    if (s.v[at(i, 0)] != 0.0 || s.v[at(i, ny_)] != 0.0)
      throw std::invalid_argument("ShallowWaterModel::set_state: v on a wall row is not 0");
  for (std::size_t k = 0; k < nT; ++k) {
    u_[k] = Num(s.u[k]);
    eta_[k] = Num(s.eta[k]);
  }
  for (std::size_t k = 0; k < nV; ++k) v_[k] = Num(s.v[k]);
}

template <class Num>
ShallowWaterState<double> ShallowWaterModel<Num>::state() const {
  ShallowWaterState<double> s;
  s.nx = nx_;
  s.ny = ny_;
  for (const Num& x : u_) s.u.push_back(to_double(x));
  for (const Num& x : v_) s.v.push_back(to_double(x));
  for (const Num& x : eta_) s.eta.push_back(to_double(x));
  return s;
}

template <class Num>
void ShallowWaterModel<Num>::rhs(const Field& u, const Field& v, const Field& eta) {
  // Thickness, mass fluxes U = h_u·u and V = h_v·v (V = 0 on the walls), squared velocities.
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) h_[at(i, j)] = eta[at(i, j)] + H_[i];
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      U_[k] = u[k] * (half_ * (h_[at(im_[i], j)] + h_[k]));
      u2_[k] = u[k] * u[k];
    }
  for (int j = 1; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      V_[k] = v[k] * (half_ * (h_[at(i, j - 1)] + h_[k]));
      v2_[k] = v[k] * v[k];
    }

  // Bernoulli potential p = ½(x-avg u² + y-avg v²) + gη at cell centres.
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      p_[k] = quarter_ * ((u2_[k] + u2_[at(ip_[i], j)]) + (v2_[k] + v2_[at(i, j + 1)])) + g_ * eta[k];
    }

  // PV at interior corners (iΔ, jΔ), times the x-average of V and the y-average of U there.
  for (int j = 1; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j), w = at(im_[i], j), s = at(i, j - 1), sw = at(im_[i], j - 1);
      const Num zeta = inv_dx_ * ((v[k] - v[w]) - (u[k] - u[s]));
      const Num h_q = quarter_ * ((h_[sw] + h_[s]) + (h_[w] + h_[k]));
      const Num q = (fq_[j] + zeta) / h_q;
      qV_[k] = q * (half_ * (V_[w] + V_[k]));
      qU_[k] = q * (half_ * (U_[s] + U_[k]));
    }

  // u: PV flux from the corners south (j) and north (j+1), minus ∂x p, plus wind.
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      du_[k] = (half_ * (qV_[k] + qV_[at(i, j + 1)]) - inv_dx_ * (p_[k] - p_[at(im_[i], j)])) + Fx_[j];
    }
  // v (interior rows): minus the PV flux from the corners west (i) and east (i+1), minus ∂y p.
  for (int j = 1; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      dv_[k] = -(half_ * (qU_[k] + qU_[at(ip_[i], j)])) - inv_dx_ * (p_[k] - p_[at(i, j - 1)]);
    }
  // η: minus the divergence of the mass flux.
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      deta_[k] = -(inv_dx_ * ((U_[at(ip_[i], j)] - U_[k]) + (V_[at(i, j + 1)] - V_[k])));
    }
}

template <class Num>
void ShallowWaterModel<Num>::dissipate(Field& u, Field& v, const Field& eta) {
  using std::sqrt;
  // Speed ‖u‖ at cell centres: √(x-avg u² + y-avg v²).
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      const Num ue = u[at(ip_[i], j)], vn = v[at(i, j + 1)];
      speed_[k] = sqrt(half_ * ((u[k] * u[k] + ue * ue) + (v[k] * v[k] + vn * vn)));
      h_[k] = eta[k] + H_[i];
    }

  // Δ²∇²u with the no-slip ghost rows −u; Δ²∇²v on the interior rows (0 on the walls).
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      const Num us = j > 0 ? u[at(i, j - 1)] : -u[k];
      const Num un = j < ny_ - 1 ? u[at(i, j + 1)] : -u[k];
      Lu_[k] = ((u[at(ip_[i], j)] + u[at(im_[i], j)]) + (un + us)) - four_ * u[k];
    }
  for (int j = 1; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j);
      Lv_[k] = ((v[at(ip_[i], j)] + v[at(im_[i], j)]) + (v[at(i, j + 1)] + v[at(i, j - 1)])) - four_ * v[k];
    }

  // u += Δt·(−c_D‖u‖u/h_u) − νΔt/Δ⁴·Δ²∇²(Δ²∇²u), ghost rows of ∇²u are −∇²u. Every new u only reads
  // old u through speed_ and Lu_, so updating in place is safe.
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j), w = at(im_[i], j);
      const Num Ls = j > 0 ? Lu_[at(i, j - 1)] : -Lu_[k];
      const Num Ln = j < ny_ - 1 ? Lu_[at(i, j + 1)] : -Lu_[k];
      const Num LLu = ((Lu_[at(ip_[i], j)] + Lu_[w]) + (Ln + Ls)) - four_ * Lu_[k];
      const Num drag = drag_dt_ * (half_ * (speed_[w] + speed_[k])) * u[k] / (half_ * (h_[w] + h_[k]));
      u[k] = u[k] + (drag + visc_dt_ * LLu);
    }
  for (int j = 1; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const int k = at(i, j), s = at(i, j - 1);
      const Num LLv = ((Lv_[at(ip_[i], j)] + Lv_[at(im_[i], j)]) + (Lv_[at(i, j + 1)] + Lv_[s])) - four_ * Lv_[k];
      const Num drag = drag_dt_ * (half_ * (speed_[s] + speed_[k])) * v[k] / (half_ * (h_[s] + h_[k]));
      v[k] = v[k] + (drag + visc_dt_ * LLv);
    }
}

template <class Num>
void ShallowWaterModel<Num>::step() {
  // RK4 as ShallowWaters.jl: stage states x1 = x + b·k, the new state accumulated as x0 += a·k.
  u0_ = u_;
  v0_ = v_;
  eta0_ = eta_;
  u1_ = u_;
  v1_ = v_;
  eta1_ = eta_;
  const std::size_t nT = u_.size();
  for (int stage = 0; stage < 4; ++stage) {
    rhs(u1_, v1_, eta1_);
    const Num a = rk_a_[stage];
    for (std::size_t k = 0; k < nT; ++k) {
      u0_[k] = u0_[k] + a * du_[k];
      eta0_[k] = eta0_[k] + a * deta_[k];
    }
    for (std::size_t k = nx_; k < nT; ++k) v0_[k] = v0_[k] + a * dv_[k];  // rows 1..ny−1
    if (stage < 3) {
      const Num b = rk_b_[stage];
      for (std::size_t k = 0; k < nT; ++k) {
        u1_[k] = u_[k] + b * du_[k];
        eta1_[k] = eta_[k] + b * deta_[k];
      }
      for (std::size_t k = nx_; k < nT; ++k) v1_[k] = v_[k] + b * dv_[k];
    }
  }
  dissipate(u0_, v0_, eta0_);
  u_.swap(u0_);
  v_.swap(v0_);
  eta_.swap(eta0_);
}

template <class Num>
double ShallowWaterModel<Num>::total_mass() const {
  const double d = config_.delta();
  double sum = 0;
  for (const Num& x : eta_) sum += to_double(x);
  return sum * d * d;
}

template <class Num>
double ShallowWaterModel<Num>::total_energy() const {
  const double d = config_.delta();
  auto h = [&](int i, int j) { return to_double(eta_[at(i, j)]) + H_double_[i]; };
  double e = 0;
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const double u = to_double(u_[at(i, j)]), eta = to_double(eta_[at(i, j)]);
      e += 0.25 * (h(im_[i], j) + h(i, j)) * u * u + 0.5 * config_.g * eta * eta;
      if (j > 0) {
        const double v = to_double(v_[at(i, j)]);
        e += 0.25 * (h(i, j - 1) + h(i, j)) * v * v;
      }
    }
  return e * d * d;
}

}  // namespace roundlab::analysis
