// Drift experiments: W/τ against sbits for RN, SR and few-bit SR (Lorenz '63, shallow water), the
// heat model's error against sbits and its stagnation profile, and Lorenz's W against run length.
#include <algorithm>
#include <cmath>
#include <map>

#include "reports/report_sections.hpp"
#include "reports/svg_plot.hpp"

namespace roundlab::reports {

namespace {

const char* kLorenzWriter = "roundlab experiment lorenz --out drift";
const char* kHeatWriter = "roundlab experiment heat --out drift";
const char* kShallowWriter = "roundlab experiment shallow-water --out drift";

// "rn", "sr", "srff2": a rounding family, the series a configuration belongs to across sbits.
std::string family(const std::string& mode, int random_bits) {
  const std::string m = mode == "rne" ? "rn" : mode;
  return random_bits > 0 ? m + std::to_string(random_bits) : m;
}

// (sbits, value) points per rounding family, the families in order of first appearance.
struct FamilySeries {
  struct Points {
    std::vector<double> sbits, value;
  };
  std::vector<std::string> order;
  std::map<std::string, Points> points;
  void add(const std::string& f, double sbits, double value) {
    const auto [it, added] = points.try_emplace(f);
    if (added) order.push_back(f);
    it->second.sbits.push_back(sbits);
    it->second.value.push_back(value);
  }
};

// A summary CSV's `column` against sbits, per family of its (mode, random_bits) rows.
FamilySeries family_series(const CsvTable& t, const std::string& column) {
  FamilySeries fs;
  for (std::size_t r = 0; r < t.rows().size(); ++r)
    fs.add(family(t.cell(r, "mode"), static_cast<int>(t.number(r, "random_bits"))), t.number(r, "sbits"), t.number(r, column));
  return fs;
}

// Series per rounding family, in order of first appearance, with points in order of sbits.
// `style`: 0 solid line, 1 dashed line, 2 dots; a family keeps its colour across styles.
void add_family_lines(Plot& p, const FamilySeries& fs, const std::string& suffix = "", int style = 0) {
  int colour = 0;
  for (const auto& f : fs.order) {
    const FamilySeries::Points& fp = fs.points.at(f);
    std::vector<std::size_t> idx(fp.sbits.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return fp.sbits[a] < fp.sbits[b]; });
    std::vector<double> x, y;
    for (auto i : idx)
      if (fp.value[i] > 0) {  // log axis: a distance of exactly 0 has no place on it
        x.push_back(fp.sbits[i]);
        y.push_back(fp.value[i]);
      }
    if (!x.empty()) {
      Series& s = x.size() == 1 || style == 2 ? p.add_scatter(f + suffix, x, y) : p.add_line(f + suffix, x, y, style == 1);
      s.colour = colour;
    }
    ++colour;
  }
}

Table summary_table(const CsvTable& t, const std::vector<std::string>& columns, const std::string& caption,
                    const std::string& link) {
  Table out;
  out.caption = caption;
  out.header = columns;
  for (std::size_t r = 0; r < t.rows().size(); ++r) {
    std::vector<std::string> row;
    for (const auto& c : columns) {
      const std::string& v = t.cell(r, c);
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      const bool numeric = !v.empty() && *end == '\0' && v.find('.') != std::string::npos;
      row.push_back(numeric ? general_text(x) : v);
    }
    out.rows.push_back(std::move(row));
  }
  out.data_files = {link};
  return out;
}

}  // namespace

Section drift_section(const DataDir& d) {
  Section s{"drift", "Drift experiments", {}};
  s.paragraph("Long simulations with every operation rounded to S significand bits (sbits) under round-to-nearest (rn), exact "
              "stochastic rounding (sr) and few-bit SR (srffN, srcN: N random bits), against an ensemble of double-precision "
              "runs. W is the Wasserstein-1 distance of a run's climate to the references, τ the spread among the references "
              "themselves: W/τ ≤ 1 passes, up to 3 is a minor difference, beyond fails.");

  // Lorenz.
  const nlohmann::json lj = read_json(d, "drift/lorenz.json", kLorenzWriter);
  const CsvTable ls = read_csv(d, "drift/lorenz_summary.csv", kLorenzWriter);
  {
    Plot p("Lorenz '63: W/τ of z against sbits");
    p.x_axis = {"significand bits (sbits)", ""};
    p.y_axis = {"W/τ (z)", "log10 scale", Scale::Log10};
    add_family_lines(p, family_series(ls, "ratio_z"));
    p.add_reference_line(1, "PASS ≤ 1");
    p.add_reference_line(3, "MINOR ≤ 3");
    s.figure({p.svg(),
              "Lorenz '63 (seed " + json_text(lj, "seed") + ", " + json_text(lj["parameters"], "references") +
                  " double references): median over members of W(z)/τ(z).",
              {d.link("drift/lorenz_summary.csv"), d.link("drift/lorenz.json")}});
  }
  {
    const CsvTable lc = read_csv(d, "drift/lorenz_curve.csv", kLorenzWriter);
    std::vector<std::string> order;
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> curves;
    std::vector<double> tau_x, tau_y;
    for (std::size_t r = 0; r < lc.rows().size(); ++r) {
      const std::string& label = lc.cell(r, "label");
      if (!curves.count(label)) order.push_back(label);
      const double w = lc.number(r, "w_z");
      if (w > 0) {
        curves[label].first.push_back(lc.number(r, "length"));
        curves[label].second.push_back(w);
      }
      if (label == lc.cell(0, "label") && lc.number(r, "tau_z") > 0) {
        tau_x.push_back(lc.number(r, "length"));
        tau_y.push_back(lc.number(r, "tau_z"));
      }
    }
    Plot p("Lorenz '63: W of z against run length");
    p.x_axis = {"run length", "time units, log10 scale", Scale::Log10};
    p.y_axis = {"W (z)", "log10 scale", Scale::Log10};
    for (const auto& l : order)
      if (!curves[l].first.empty()) p.add_line(l, curves[l].first, curves[l].second);
    if (!tau_x.empty()) p.add_line("τ(z)", tau_x, tau_y, true).colour = 6;
    s.figure({p.svg(), "How the distance to the reference climate falls with the length of the run; a configuration "
                       "whose W stays above τ has a different climate, not just sampling noise.",
              {d.link("drift/lorenz_curve.csv")}});
  }
  s.table(summary_table(ls, {"label", "verdict", "w_z", "tau_z", "ratio_z", "ratio_x", "ratio_y", "members_on_orbit", "mean_period"},
                        "Lorenz '63 summary (seed " + json_text(lj, "seed") + ", revision " + json_text(lj, "revision") + ")",
                        d.link("drift/lorenz_summary.csv")));

  // Shallow water.
  const nlohmann::json sj = read_json(d, "drift/shallow_water.json", kShallowWriter);
  const CsvTable ss = read_csv(d, "drift/shallow_water_summary.csv", kShallowWriter);
  {
    Plot p("Shallow water: W/τ against sbits");
    p.x_axis = {"significand bits (sbits)", ""};
    p.y_axis = {"W/τ", "log10 scale", Scale::Log10};
    const std::pair<const char*, const char*> vars[] = {{"ratio_u", " · u"}, {"ratio_v", " · v"}, {"ratio_eta", " · η"}};
    int offset = 0;
    for (const auto& [column, suffix] : vars) {
      add_family_lines(p, family_series(ss, column), suffix, offset);
      ++offset;
    }
    p.add_reference_line(1, "PASS ≤ 1");
    p.add_reference_line(3, "MINOR ≤ 3");
    s.figure({p.svg(),
              "Shallow water over a ridge (seed " + json_text(sj, "seed") + "): W/τ of the velocities u (solid), v (dashed) "
              "and the surface height η (dots), one colour per rounding.",
              {d.link("drift/shallow_water_summary.csv"), d.link("drift/shallow_water.json")}});
  }
  s.table(summary_table(ss, {"label", "verdict", "ratio_u", "ratio_v", "ratio_eta", "mean_kinetic_energy", "mass_drift_m3"},
                        "Shallow-water summary (seed " + json_text(sj, "seed") + ", revision " + json_text(sj, "revision") + ")",
                        d.link("drift/shallow_water_summary.csv")));

  // Heat.
  const nlohmann::json hj = read_json(d, "drift/heat.json", kHeatWriter);
  if (!hj.contains("configs") || !hj["configs"].is_array())
    throw InputError("'" + d.path("drift/heat.json").string() + "' has no configs (expected the output of `" + kHeatWriter + "`)");
  Table ht;
  ht.caption = "Heat diffusion: error and stagnation (seed " + json_text(hj, "seed") + ", revision " + json_text(hj, "revision") + ")";
  ht.header = {"label", "sbits", "mode", "N", "max |error| [K]", "stagnant cells", "stagnant below [m]"};
  ht.data_files = {d.link("drift/heat.json")};
  {
    FamilySeries errors;
    for (const auto& c : hj["configs"]) {
      const int n = c.value("random_bits", 0);
      const double err = c.contains("max_abs_error") && c["max_abs_error"].is_number() ? c["max_abs_error"].get<double>() : NAN;
      errors.add(family(json_text(c, "mode"), n), c.value("sbits", 0), err);
      const int stagnant = c.value("stagnant_cells", 0);
      ht.rows.push_back({json_text(c, "label"), json_text(c, "sbits"), json_text(c, "mode"), std::to_string(n), general_text(err),
                         std::to_string(stagnant),
                         stagnant > 0 && c["stagnation_depth"].is_number() ? general_text(c["stagnation_depth"].get<double>()) : "none"});
    }
    Plot p("Heat diffusion: largest error against sbits");
    p.x_axis = {"significand bits (sbits)", ""};
    p.y_axis = {"max |T − T_double|", "K, log10 scale", Scale::Log10};
    add_family_lines(p, errors);
    s.figure({p.svg(), "Soil-column heat diffusion: the largest temperature error of the final profile per rounding.",
              {d.link("drift/heat.json")}});
  }
  {
    const CsvTable hp = read_csv(d, "drift/heat_profiles.csv", kHeatWriter);
    const std::vector<double> depth = hp.numbers("depth_m");
    Plot p("Heat diffusion: final temperature profile (stagnation)");
    p.x_axis = {"temperature", "K"};
    p.y_axis = {"depth", "m"};
    p.y_axis.reversed = true;
    for (std::size_t c = 1; c < hp.header().size(); ++c) {
      const std::string& label = hp.header()[c];
      Series& line = p.add_line(label, hp.numbers(label), depth, label == "double");
      if (label == "double") line.colour = 6;
    }
    s.figure({p.svg(), "Temperature against depth at the end of the run: under round-to-nearest the small per-step "
                       "increments are lost below some depth, so the deep soil never warms or cools (stagnation); SR keeps them on average.",
              {d.link("drift/heat_profiles.csv")}});
  }
  {
    // The same stagnation in time: the temperature at one depth, year by year (member 0 of each configuration).
    const CsvTable hy = read_csv(d, "drift/heat_yearly.csv", kHeatWriter);
    const std::vector<double> depths = hy.numbers("depth_m");
    double target = 10;
    if (!depths.empty() && *std::max_element(depths.begin(), depths.end()) < target)
      target = *std::max_element(depths.begin(), depths.end());
    double depth = NAN;
    for (double z : depths)
      if (std::isnan(depth) || std::fabs(z - target) < std::fabs(depth - target)) depth = z;
    // At the largest sbits of the run (the study's float32-like case), so that the figure stays readable.
    int top_sbits = 0;
    std::map<std::string, int> sbits_of;
    for (const auto& c : hj["configs"]) {
      sbits_of[json_text(c, "label")] = c.value("sbits", 0);
      top_sbits = std::max(top_sbits, c.value("sbits", 0));
    }
    std::vector<std::string> order;
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> series;
    for (std::size_t r = 0; r < hy.rows().size(); ++r) {
      if (depths[r] != depth || hy.cell(r, "member") != "0") continue;
      const std::string& label = hy.cell(r, "label");
      if (label != "double" && sbits_of[label] != top_sbits) continue;
      if (!series.count(label)) order.push_back(label);
      series[label].first.push_back(hy.number(r, "year"));
      series[label].second.push_back(hy.number(r, "temperature_K"));
    }
    Plot p("Heat diffusion: temperature at " + general_text(depth) + " m, year by year, " + std::to_string(top_sbits) + " sbits");
    p.x_axis = {"year", ""};
    p.y_axis = {"temperature", "K"};
    for (const auto& l : order) {
      Series& line = p.add_line(l, series[l].first, series[l].second, l == "double");
      if (l == "double") line.colour = 6;
    }
    if (!order.empty())
      s.figure({p.svg(), "The temperature at " + general_text(depth) + " m at the end of each year (first member of each "
                         "configuration): a run that stagnates stops following the double run.",
                {d.link("drift/heat_yearly.csv")}});
  }
  s.table(std::move(ht));
  return s;
}

}  // namespace roundlab::reports
