// Heat diffusion in a soil column (Dawson et al. 2018, Clim. Dyn. 51:2657; the "interlude" of Paxton
// et al. 2022; ../shared/reference/climate.md §5), written once for any number type:
//   dT/dt = D ∂²T/∂z², D = 7e-7 m² s⁻¹, depth 60 m in cells of Δz = 1 m below a surface held at
//   280 K, insulated bottom (zero flux), T(z, 0) = 273.15 K, forward Euler with Δt = 1800 s,
//   centred second difference: T_i ← T_i + ξ·((T_{i−1} − T_i) + (T_{i+1} − T_i)), ξ = DΔt/Δz² = 1.26e-3.
// The increment ξ·(…) of a deep cell is far below half an ulp of T ≈ 273 K at 23 sbits, so RN leaves it
// unchanged (stagnation) while SR adds it in expectation.
#pragma once
#include <cstdint>
#include <vector>

namespace roundlab::analysis {

struct HeatDiffusionConfig {
  int cells = 60;               // cells below the surface, Δz apart
  double dz = 1.0;              // m
  double diffusivity = 7e-7;    // D, m² s⁻¹
  double dt = 1800.0;           // s
  double surface = 280.0;       // K, fixed
  double initial = 273.15;      // K, every cell
  double years = 60.0;          // run length (365.25-day years)
  std::int64_t steps() const { return static_cast<std::int64_t>(years * 365.25 * 86400.0 / dt + 0.5); }
  double xi() const { return diffusivity * dt / (dz * dz); }
};

template <class Num>
class HeatDiffusion {
 public:
  // Num constants are rounded once here: construct inside the ReducedScope of the run.
  explicit HeatDiffusion(const HeatDiffusionConfig& c)
      : xi_(c.xi()), surface_(c.surface), t_(static_cast<std::size_t>(c.cells), Num(c.initial)),
        next_(t_.size()) {}

  // One forward-Euler step of every cell; the bottom cell's lower neighbour is itself (zero flux).
  void step() {
    const std::size_t n = t_.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Num above = i == 0 ? surface_ : t_[i - 1];
      const Num below = i + 1 == n ? t_[i] : t_[i + 1];
      next_[i] = t_[i] + xi_ * ((above - t_[i]) + (below - t_[i]));
    }
    t_.swap(next_);
  }

  // Temperature of cell i (depth (i + 1)·Δz).
  const std::vector<Num>& temperatures() const { return t_; }

 private:
  Num xi_, surface_;
  std::vector<Num> t_, next_;
};

}  // namespace roundlab::analysis
