#include "cli/experiment_output.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>

#include "reference/json_text.hpp"
#include "reference/error.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::cli {

namespace {

using namespace roundlab::analysis;

std::string num(double v) {
  if (!std::isfinite(v)) return "null";  // JSON has no ±Inf/NaN
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string sci(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

template <class T, class F>
std::string array(const std::vector<T>& v, F item) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + item(v[i]);
  return s + "]";
}

std::string numbers(const std::vector<double>& v) { return array(v, num); }

std::string stream_json(const device::RandomStream& s) {
  return "{\"seed\": " + std::to_string(s.seed) + ", \"stream\": " + std::to_string(s.stream) + "}";
}

std::string config_json(const DriftConfig& c) {
  return "\"label\": " + json_string(c.label()) + ", \"sbits\": " + std::to_string(c.sbits) +
         ", \"mode\": " + json_string(c.mode) + ", \"random_bits\": " + std::to_string(c.random_bits);
}

std::string threshold_json(const Threshold& t) {
  return "{\"tau\": " + num(t.tau) + ", \"rule\": " + json_string(t.rule) + ", \"reference_statistics\": " +
         numbers(t.reference_statistics) + ", \"pair_distances\": " + numbers(t.pair_distances) +
         ", \"pair_max\": " + num(t.pair_max) + "}";
}

std::string decision_json(const Decision& d) {
  return "{\"w\": " + num(d.w) + ", \"tau\": " + num(d.tau) + ", \"ratio\": " + num(d.ratio) +
         ", \"verdict\": " + json_string(verdict_name(d.verdict)) + ", \"member_w\": " + numbers(d.member_w) + "}";
}

std::string header_json(const char* experiment, const std::string& policy, ExponentRange range, std::uint64_t seed) {
  return "\"experiment\": " + json_string(experiment) + ", \"roundlab_version\": " + json_string(ROUNDLAB_VERSION) +
         ", \"revision\": " + json_string(git_revision()) + ", \"seed\": " + std::to_string(seed) +
         ", \"operand_policy\": " + json_string(policy) + ", \"exponent_range\": " + json_string(exponent_range_name(range)) +
         ", \"random_stream\": " +
         json_string("Philox4x32-10, key = seed, counter stream = the member's stream id; draw k of a run is "
                     "element k of device/philox.hpp's stream definition");
}

void write_file(const std::filesystem::path& path, const std::string& text, std::vector<std::filesystem::path>& written) {
  std::ofstream f(path);
  if (!f) throw InputError("--out: cannot write '" + path.string() + "'");
  f << text;
  if (!f) throw InputError("--out: error writing '" + path.string() + "'");
  written.push_back(path);
}

void make_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError("--out: cannot create directory '" + dir.string() + "': " + ec.message());
}

std::string orbit_json(const PeriodicOrbit& o) {
  return "{\"found\": " + std::string(o.found ? "true" : "false") + ", \"transient\": " + std::to_string(o.transient) +
         ", \"period\": " + std::to_string(o.period) + ", \"steps_checked\": " + std::to_string(o.steps_checked) +
         ", \"chance_repeats\": " + std::to_string(o.chance_repeats) + "}";
}

std::string lorenz_run_json(const LorenzRunSummary& s) {
  auto xyz = [](const std::array<double, 3>& a) { return "[" + num(a[0]) + ", " + num(a[1]) + ", " + num(a[2]) + "]"; };
  return "{\"label\": " + json_string(s.label) + ", \"member\": " + std::to_string(s.member) +
         ", \"stochastic\": " + (s.stochastic ? "true" : "false") + ", \"stream\": " + stream_json(s.stream) +
         ", \"random_draws\": " + std::to_string(s.random_draws) + ", \"finite\": " + (s.finite ? "true" : "false") +
         ", \"orbit\": " + orbit_json(s.orbit) + ", \"mean\": " + xyz(s.mean) + ", \"stddev\": " + xyz(s.stddev) +
         ", \"min\": " + xyz(s.min) + ", \"max\": " + xyz(s.max) + ", \"seconds\": " + num(s.seconds) + "}";
}

}  // namespace

std::vector<std::filesystem::path> write_lorenz_outputs(const LorenzExperimentResult& r, const std::filesystem::path& dir) {
  make_dir(dir);
  std::vector<std::filesystem::path> written;
  const LorenzExperimentSpec& s = r.spec;
  std::ostringstream j;
  j << "{" << header_json("lorenz", operand_policy_name(s.policy), s.range, s.seed) << ",\n"
    << " \"parameters\": {\"sigma\": 10, \"rho\": 28, \"beta\": \"8/3\", \"integrator\": \"RK4\", \"dt\": " << num(s.dt)
    << ", \"length\": " << num(s.length) << ", \"spinup_steps\": " << s.spinup_steps
    << ", \"sample_every\": " << s.sample_every << ", \"references\": " << s.references << ", \"members\": " << s.members
    << ", \"orbit_window\": " << s.orbit_window
    << ", \"initial_conditions\": \"(1 + 0.01(k+1), 1, 20) for reference k; member m uses reference m's\""
    << ", \"distance\": \"exact 1-D Wasserstein-1 between the samples of one variable\""
    << ", \"decision_variable\": \"z\"},\n"
    << " \"threshold\": {\"x\": " << threshold_json(r.threshold[0]) << ",\n  \"y\": " << threshold_json(r.threshold[1])
    << ",\n  \"z\": " << threshold_json(r.threshold[2]) << "},\n"
    << " \"curve_lengths\": " << numbers(r.curve_lengths) << ",\n"
    << " \"references\": " << array(r.references, lorenz_run_json) << ",\n \"configs\": [";
  for (std::size_t i = 0; i < r.configs.size(); ++i) {
    const LorenzConfigResult& c = r.configs[i];
    j << (i ? ",\n  " : "\n  ") << "{" << config_json(c.config) << ", \"verdict\": " << json_string(verdict_name(c.decision[2].verdict))
      << ", \"decision\": {\"x\": " << decision_json(c.decision[0]) << ", \"y\": " << decision_json(c.decision[1])
      << ", \"z\": " << decision_json(c.decision[2]) << "}, \"curve\": "
      << array(c.curve, [](const LorenzCurvePoint& p) { return "{\"length\": " + num(p.length) + ", \"tau\": " + num(p.tau) + ", \"w\": " + num(p.w) + "}"; })
      << ", \"members\": " << array(c.members, lorenz_run_json) << "}";
  }
  j << "],\n \"seconds\": " << num(r.seconds) << "}\n";
  write_file(dir / "lorenz.json", j.str(), written);

  std::ostringstream sum;
  sum << "label,sbits,mode,random_bits,verdict,w_z,tau_z,ratio_z,w_x,ratio_x,w_y,ratio_y,members_on_orbit,mean_period\n";
  for (const LorenzConfigResult& c : r.configs) {
    int on = 0;
    double period = 0;
    for (const auto& m : c.members)
      if (m.orbit.found) {
        ++on;
        period += static_cast<double>(m.orbit.period);
      }
    sum << c.config.label() << "," << c.config.sbits << "," << c.config.mode << "," << c.config.random_bits << ","
        << verdict_name(c.decision[2].verdict) << "," << num(c.decision[2].w) << "," << num(c.decision[2].tau) << ","
        << num(c.decision[2].ratio) << "," << num(c.decision[0].w) << "," << num(c.decision[0].ratio) << ","
        << num(c.decision[1].w) << "," << num(c.decision[1].ratio) << "," << on << "," << (on ? num(period / on) : "") << "\n";
  }
  write_file(dir / "lorenz_summary.csv", sum.str(), written);

  std::ostringstream curve;
  curve << "label,length,tau_z,w_z\n";
  for (const LorenzConfigResult& c : r.configs)
    for (const LorenzCurvePoint& p : c.curve) curve << c.config.label() << "," << num(p.length) << "," << num(p.tau) << "," << num(p.w) << "\n";
  write_file(dir / "lorenz_curve.csv", curve.str(), written);
  return written;
}

void print_lorenz_table(const LorenzExperimentResult& r, std::ostream& out) {
  const LorenzExperimentSpec& s = r.spec;
  out << "Lorenz '63 drift: RK4 dt=" << s.dt << ", length " << s.length << " time units after " << s.spinup_steps
      << " spin-up steps, z sampled every " << s.sample_every << " steps; " << s.references << " double references, "
      << s.members << " member(s) per configuration; seed " << s.seed << ", policy " << operand_policy_name(s.policy)
      << ", exponent range " << exponent_range_name(s.range) << "\n"
      << "threshold tau(z) = " << fixed(r.threshold[2].tau, 4) << " (" << r.threshold[2].rule << "; pair max "
      << fixed(r.threshold[2].pair_max, 4) << ")\n\n"
      << std::left << std::setw(12) << "config" << std::right << std::setw(10) << "W(z)" << std::setw(8) << "W/tau"
      << std::setw(9) << "verdict" << std::setw(10) << "W(x)/tau" << std::setw(10) << "W(y)/tau" << "  orbit (transient+period)\n";
  for (const LorenzConfigResult& c : r.configs) {
    std::string orbit;
    for (const auto& m : c.members) {
      if (!orbit.empty()) orbit += ", ";
      orbit += !m.finite ? "not finite" : m.orbit.found ? std::to_string(m.orbit.transient) + "+" + std::to_string(m.orbit.period) : "none";
    }
    out << std::left << std::setw(12) << c.config.label() << std::right << std::setw(10) << fixed(c.decision[2].w, 4)
        << std::setw(8) << fixed(c.decision[2].ratio, 2) << std::setw(9) << verdict_name(c.decision[2].verdict)
        << std::setw(10) << fixed(c.decision[0].ratio, 2) << std::setw(10) << fixed(c.decision[1].ratio, 2) << "  " << orbit << "\n";
  }
  out << "\n" << fixed(r.seconds, 1) << " s\n";
}

std::vector<std::filesystem::path> write_heat_outputs(const HeatExperimentResult& r, const std::filesystem::path& dir) {
  make_dir(dir);
  std::vector<std::filesystem::path> written;
  const HeatExperimentSpec& s = r.spec;
  auto run_json = [](const HeatRun& h) {
    return "{\"label\": " + json_string(h.label) + ", \"member\": " + std::to_string(h.member) + ", \"stream\": " +
           stream_json(h.stream) + ", \"random_draws\": " + std::to_string(h.random_draws) +
           ", \"final_profile\": " + numbers(h.final_profile) + ", \"seconds\": " + num(h.seconds) + "}";
  };
  std::ostringstream j;
  j << "{" << header_json("heat", operand_policy_name(s.policy), s.range, s.seed) << ",\n"
    << " \"parameters\": {\"cells\": " << s.model.cells << ", \"dz\": " << num(s.model.dz) << ", \"diffusivity\": "
    << num(s.model.diffusivity) << ", \"dt\": " << num(s.model.dt) << ", \"surface\": " << num(s.model.surface)
    << ", \"initial\": " << num(s.model.initial) << ", \"years\": " << num(s.model.years) << ", \"steps\": " << s.model.steps()
    << ", \"xi\": " << num(s.model.xi()) << ", \"members\": " << s.members << ", \"stagnation_tolerance\": "
    << num(s.stagnation_tolerance) << ", \"scheme\": \"forward Euler, centred second difference, fixed surface, zero-flux bottom\"},\n"
    << " \"reference\": " << run_json(r.reference) << ",\n \"configs\": [";
  for (std::size_t i = 0; i < r.configs.size(); ++i) {
    const HeatConfigResult& c = r.configs[i];
    j << (i ? ",\n  " : "\n  ") << "{" << config_json(c.config) << ", \"mean_profile\": " << numbers(c.mean_profile)
      << ", \"max_abs_error\": " << num(c.max_abs_error) << ", \"max_member_error\": " << num(c.max_member_error)
      << ", \"stagnant_cells\": " << c.stagnant_cells << ", \"stagnation_depth\": " << num(c.stagnation_depth)
      << ", \"members\": " << array(c.members, run_json) << "}";
  }
  j << "],\n \"seconds\": " << num(r.seconds) << "}\n";
  write_file(dir / "heat.json", j.str(), written);

  std::ostringstream prof;
  prof << "depth_m,double";
  for (const HeatConfigResult& c : r.configs) prof << "," << c.config.label();
  prof << "\n";
  for (std::size_t i = 0; i < r.reference.final_profile.size(); ++i) {
    prof << num(static_cast<double>(i + 1) * s.model.dz) << "," << num(r.reference.final_profile[i]);
    for (const HeatConfigResult& c : r.configs) prof << "," << num(c.mean_profile[i]);
    prof << "\n";
  }
  write_file(dir / "heat_profiles.csv", prof.str(), written);

  std::ostringstream yearly;
  yearly << "label,member,year,depth_m,temperature_K\n";
  auto rows = [&](const HeatRun& h) {
    for (std::size_t y = 0; y < h.yearly_profile.size(); ++y)
      for (std::size_t i = 0; i < h.yearly_profile[y].size(); ++i)
        yearly << h.label << "," << h.member << "," << y + 1 << "," << num(static_cast<double>(i + 1) * s.model.dz) << ","
               << num(h.yearly_profile[y][i]) << "\n";
  };
  rows(r.reference);
  for (const HeatConfigResult& c : r.configs)
    for (const HeatRun& h : c.members) rows(h);
  write_file(dir / "heat_yearly.csv", yearly.str(), written);
  return written;
}

void print_heat_table(const HeatExperimentResult& r, std::ostream& out) {
  const HeatExperimentSpec& s = r.spec;
  out << "Soil-column heat diffusion: " << s.model.cells << " cells of " << s.model.dz << " m, dt " << s.model.dt
      << " s, " << s.model.years << " years (" << s.model.steps() << " steps), xi = " << s.model.xi() << "; seed "
      << s.seed << ", policy " << operand_policy_name(s.policy) << ", exponent range " << exponent_range_name(s.range) << "\n\n";
  const std::vector<std::size_t> depths = [&] {
    std::vector<std::size_t> d;
    for (double m : {1.0, 5.0, 10.0, 20.0, 40.0, 60.0}) {
      const auto i = static_cast<std::size_t>(std::lround(m / s.model.dz)) - 1;
      if (i < r.reference.final_profile.size()) d.push_back(i);
    }
    return d;
  }();
  out << std::left << std::setw(12) << "config" << std::right;
  for (std::size_t i : depths) out << std::setw(10) << ("T(" + fixed(static_cast<double>(i + 1) * s.model.dz, 0) + "m)");
  out << std::setw(11) << "max|err|" << "  stagnant below\n";
  auto row = [&](const std::string& label, const std::vector<double>& p, double err, int stagnant, double depth) {
    out << std::left << std::setw(12) << label << std::right;
    for (std::size_t i : depths) out << std::setw(10) << fixed(p[i], 4);
    out << std::setw(11) << (err < 0 ? std::string("-") : fixed(err, 4)) << "  "
        << (stagnant > 0 ? fixed(depth, 0) + " m (" + std::to_string(stagnant) + " cells)" : std::string(err < 0 ? "" : "none")) << "\n";
  };
  row("double", r.reference.final_profile, -1, 0, 0);
  for (const HeatConfigResult& c : r.configs) row(c.config.label(), c.mean_profile, c.max_abs_error, c.stagnant_cells, c.stagnation_depth);
  out << "\n" << fixed(r.seconds, 1) << " s\n";
}

std::vector<std::filesystem::path> write_shallow_water_outputs(const ShallowWaterExperimentResult& r,
                                                               const std::filesystem::path& dir) {
  make_dir(dir);
  std::vector<std::filesystem::path> written;
  const ShallowWaterExperimentSpec& s = r.spec;
  auto run_json = [](const ShallowWaterRunSummary& h) {
    return "{\"label\": " + json_string(h.label) + ", \"member\": " + std::to_string(h.member) + ", \"stochastic\": " +
           (h.stochastic ? "true" : "false") + ", \"stream\": " + stream_json(h.stream) + ", \"random_draws\": " +
           std::to_string(h.random_draws) + ", \"finite\": " + (h.finite ? "true" : "false") + ", \"mass_drift_m3\": " +
           num(h.mass_drift) + ", \"mean_kinetic_energy\": " + num(h.mean_kinetic_energy) + ", \"mean_u\": " +
           num(h.mean_u) + ", \"zonal_mean_u\": " + numbers(h.zonal_mean_u) + ", \"seconds\": " + num(h.seconds) + "}";
  };
  std::ostringstream j;
  j << "{" << header_json("shallow-water", operand_policy_name(s.policy), s.range, s.seed) << ",\n"
    << " \"parameters\": {\"nx\": " << s.model.nx << ", \"ny\": " << s.model.ny << ", \"delta_m\": " << num(s.model.delta())
    << ", \"dt_s\": " << num(s.model.dt()) << ", \"spinup_days\": " << num(s.spinup_days) << ", \"days\": " << num(s.days)
    << ", \"sample_every_days\": " << num(s.sample_every_days) << ", \"samples\": " << s.samples()
    << ", \"ic_spacing_days\": " << num(s.ic_spacing_days) << ", \"perturbation_m\": " << num(s.perturbation) << ", \"references\": " << s.references << ", \"members\": " << s.members
    << ", \"distance\": \"per-grid-point exact Wasserstein-1 of the sampled time series, averaged over the grid\"},\n"
    << " \"spinup_mean_u\": " << num(r.spinup_mean_u) << ",\n"
    << " \"threshold\": {\"u\": " << threshold_json(r.threshold[0]) << ",\n  \"v\": " << threshold_json(r.threshold[1])
    << ",\n  \"eta\": " << threshold_json(r.threshold[2]) << "},\n"
    << " \"references\": " << array(r.references, run_json) << ",\n \"configs\": [";
  for (std::size_t i = 0; i < r.configs.size(); ++i) {
    const ShallowWaterConfigResult& c = r.configs[i];
    j << (i ? ",\n  " : "\n  ") << "{" << config_json(c.config) << ", \"verdict\": " << json_string(verdict_name(c.verdict))
      << ", \"decision\": {\"u\": " << decision_json(c.decision[0]) << ", \"v\": " << decision_json(c.decision[1])
      << ", \"eta\": " << decision_json(c.decision[2]) << "}, \"members\": " << array(c.members, run_json) << "}";
  }
  j << "],\n \"seconds\": " << num(r.seconds) << "}\n";
  write_file(dir / "shallow_water.json", j.str(), written);

  std::ostringstream sum;
  sum << "label,sbits,mode,random_bits,verdict,w_u,ratio_u,w_v,ratio_v,w_eta,ratio_eta,mean_kinetic_energy,mass_drift_m3\n";
  for (const ShallowWaterConfigResult& c : r.configs) {
    double ke = 0, mass = 0;
    for (const auto& m : c.members) {
      ke += m.mean_kinetic_energy / static_cast<double>(c.members.size());
      mass += m.mass_drift / static_cast<double>(c.members.size());
    }
    sum << c.config.label() << "," << c.config.sbits << "," << c.config.mode << "," << c.config.random_bits << ","
        << verdict_name(c.verdict);
    for (const Decision& d : c.decision) sum << "," << num(d.w) << "," << num(d.ratio);
    sum << "," << num(ke) << "," << num(mass) << "\n";
  }
  write_file(dir / "shallow_water_summary.csv", sum.str(), written);

  std::ostringstream zon;
  zon << "y_km,double_mean";
  for (const ShallowWaterConfigResult& c : r.configs) zon << "," << c.config.label();
  zon << "\n";
  for (int row = 0; row < s.model.ny; ++row) {
    const auto jr = static_cast<std::size_t>(row);
    double ref = 0;
    for (const auto& h : r.references) ref += h.zonal_mean_u[jr] / static_cast<double>(r.references.size());
    zon << num((row + 0.5) * s.model.delta() / 1000.0) << "," << num(ref);
    for (const ShallowWaterConfigResult& c : r.configs) {
      double v = 0;
      for (const auto& m : c.members) v += m.zonal_mean_u.empty() ? NAN : m.zonal_mean_u[jr] / static_cast<double>(c.members.size());
      zon << "," << num(v);
    }
    zon << "\n";
  }
  write_file(dir / "shallow_water_zonal_u.csv", zon.str(), written);
  return written;
}

void print_shallow_water_table(const ShallowWaterExperimentResult& r, std::ostream& out) {
  const ShallowWaterExperimentSpec& s = r.spec;
  out << "Shallow water over a ridge: " << s.model.nx << "x" << s.model.ny << " cells (" << s.model.delta() / 1000
      << " km), dt " << s.model.dt() << " s; spin-up " << s.spinup_days << " days in double, then " << s.days
      << " days sampled every " << s.sample_every_days << " day(s); " << s.references << " double references, "
      << s.members << " member(s); seed " << s.seed << ", policy " << operand_policy_name(s.policy) << "\n"
      << "thresholds tau: u " << sci(r.threshold[0].tau) << ", v " << sci(r.threshold[1].tau) << ", eta "
      << sci(r.threshold[2].tau) << " (" << r.threshold[2].rule << ")\n\n"
      << std::left << std::setw(12) << "config" << std::right << std::setw(9) << "verdict" << std::setw(11) << "W(u)/tau"
      << std::setw(11) << "W(v)/tau" << std::setw(11) << "W(eta)/tau" << std::setw(12) << "mean KE" << std::setw(13)
      << "mass drift" << "\n";
  double ref_ke = 0;
  for (const auto& h : r.references) ref_ke += h.mean_kinetic_energy / static_cast<double>(r.references.size());
  out << std::left << std::setw(12) << "double" << std::right << std::setw(9) << "" << std::setw(11) << "" << std::setw(11)
      << "" << std::setw(11) << "" << std::setw(12) << fixed(ref_ke, 5) << "\n";
  for (const ShallowWaterConfigResult& c : r.configs) {
    double ke = 0, mass = 0;
    for (const auto& m : c.members) {
      ke += m.mean_kinetic_energy / static_cast<double>(c.members.size());
      mass += m.mass_drift / static_cast<double>(c.members.size());
    }
    out << std::left << std::setw(12) << c.config.label() << std::right << std::setw(9) << verdict_name(c.verdict)
        << std::setw(11) << fixed(c.decision[0].ratio, 2) << std::setw(11) << fixed(c.decision[1].ratio, 2) << std::setw(11)
        << fixed(c.decision[2].ratio, 2) << std::setw(12) << fixed(ke, 5) << std::setw(13) << sci(mass) << "\n";
  }
  out << "\n" << fixed(r.seconds, 1) << " s\n";
}

}  // namespace roundlab::cli
