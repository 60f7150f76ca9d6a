// Non-template parts of the shallow-water model (shallow_water.hpp): configuration, diagnostics, noise.
#include "analysis/shallow_water.hpp"

#include "reference/error.hpp"

#include <random>
#include <string>

namespace roundlab::analysis {

double ShallowWaterConfig::dt() const { return std::floor(cfl * delta() / std::sqrt(g * H0)); }

double ShallowWaterConfig::viscosity() const {
  const double d = delta();
  return nu_B * d * d * d / 30000.0;
}

double ShallowWaterConfig::f0() const {
  return 2.0 * Omega * std::sin(latitude_deg * 3.14159265358979323846 / 180.0);
}

double ShallowWaterConfig::beta() const {
  return 2.0 * Omega * std::cos(latitude_deg * 3.14159265358979323846 / 180.0) / R_earth;
}

int ShallowWaterConfig::steps_for_days(double days) const {
  return static_cast<int>(std::lround(days * 86400.0 / dt()));
}

void ShallowWaterConfig::validate() const {
  if (nx < 3 || ny < 2) throw InputError("ShallowWaterConfig: need nx >= 3 and ny >= 2");
  if (std::fabs(ny * delta() - Ly) > 1e-9 * Ly)
    throw InputError("ShallowWaterConfig: cells must be square (Lx/nx == Ly/ny), got nx=" +
                                std::to_string(nx) + " ny=" + std::to_string(ny));
  if (!(dt() >= 1.0)) throw InputError("ShallowWaterConfig: time step below 1 s (cfl too small?)");
}

ShallowWaterState<double> rest_state(const ShallowWaterConfig& config) {
  config.validate();
  ShallowWaterState<double> s;
  s.nx = config.nx;
  s.ny = config.ny;
  const std::size_t nT = static_cast<std::size_t>(s.nx) * s.ny;
  s.u.assign(nT, 0.0);
  s.eta.assign(nT, 0.0);
  s.v.assign(nT + s.nx, 0.0);
  return s;
}

double domain_mean_kinetic_energy(const ShallowWaterState<double>& s) {
  double sum = 0;
  for (int j = 0; j < s.ny; ++j)
    for (int i = 0; i < s.nx; ++i) {
      const double uw = s.u[j * s.nx + i], ue = s.u[j * s.nx + (i + 1) % s.nx];
      const double vs = s.v[j * s.nx + i], vn = s.v[(j + 1) * s.nx + i];
      sum += 0.25 * (uw * uw + ue * ue + vs * vs + vn * vn);
    }
  return sum / (static_cast<double>(s.nx) * s.ny);
}

std::vector<double> zonal_mean_u(const ShallowWaterState<double>& s) {
  std::vector<double> mean(s.ny, 0.0);
  for (int j = 0; j < s.ny; ++j) {
    for (int i = 0; i < s.nx; ++i) mean[j] += s.u[j * s.nx + i];
    mean[j] /= s.nx;
  }
  return mean;
}

double domain_mean_u(const ShallowWaterState<double>& s) {
  double sum = 0;
  for (double x : s.u) sum += x;
  return sum / static_cast<double>(s.u.size());
}

void perturb_eta(ShallowWaterState<double>& s, double amplitude, std::uint64_t seed) {
  std::mt19937_64 mt(seed);
  for (double& e : s.eta) {
    const double r = static_cast<double>(mt() >> 11) * 0x1p-53;
    e += amplitude * (2.0 * r - 1.0);
  }
}

ShallowWaterState<double> spin_up(const ShallowWaterConfig& config, double days) {
  ShallowWaterModel<double> model(config);
  model.set_state(rest_state(config));
  model.run(config.steps_for_days(days));
  return model.state();
}

}  // namespace roundlab::analysis
