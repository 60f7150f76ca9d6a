// Bias and variance: E[result] − x (target ulps) against the discarded fraction δ for exact SR and the
// few-bit variants at N = 1..8, E[result] − x against x, and the aggregate bias/variance over a grid
// of δ next to the closed forms. The numbers are the exact ones `roundlab bias` computed.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "reports/report_sections.hpp"
#include "reports/svg_plot.hpp"

namespace roundlab::reports {

namespace {

const char* kDeltaWriter = "roundlab bias --format F --mode M --random-bits N --source binary16 --range a:b --csv > bias/delta/M_nN.csv";
const char* kXWriter = "roundlab bias --format F --mode M --random-bits N --source bfloat16 --range a:b --csv > bias/x/M_nN.csv";
const char* kAggregateWriter = "roundlab bias --format F --mode M --random-bits N --source grid:D --range a:b --summary --json > bias/aggregate/M_nN.json";

constexpr int kExactSrColour = 6;  // black in the plot palette

struct BiasCurve {
  std::string file, format, mode, source, range;
  int n = 0;
  std::vector<double> x, delta, bias_ulps, error;
};

BiasCurve read_curve(const DataDir& d, const std::string& file, const char* writer) {
  const CsvTable t = read_csv(d, file, writer);
  BiasCurve c;
  c.file = file;
  c.format = comment_field(t.comments(), "format");
  c.mode = comment_field(t.comments(), "mode");
  c.source = comment_field(t.comments(), "source");
  if (c.mode.empty()) throw InputError("'" + t.name() + "' has no '# roundlab bias,...,mode=M' header (expected the output of `" + writer + "`)");
  const std::string bits = comment_field(t.comments(), "random_bits");
  if (bits.empty() || bits.size() > 2 || bits.find_first_not_of("0123456789") != std::string::npos)
    throw InputError("'" + t.name() + "': header field random_bits='" + bits + "' is not a count 0..64 (expected the output of `" +
                     writer + "`)");
  c.n = std::stoi(bits);
  for (std::size_t r = 0; r < t.rows().size(); ++r) {
    c.x.push_back(t.number(r, "x"));  // checked: a damaged x is refused, not read as 0
    c.delta.push_back(t.number(r, "delta_approx"));
    c.bias_ulps.push_back(t.number(r, "bias_ulps_approx"));
    c.error.push_back(t.number(r, "error_approx"));
  }
  return c;
}

// Points in order of δ (the curve as a function of δ; inputs δ-equal in several binades coincide).
std::pair<std::vector<double>, std::vector<double>> by_delta(const BiasCurve& c) {
  std::vector<std::size_t> idx(c.delta.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return c.delta[a] < c.delta[b]; });
  std::pair<std::vector<double>, std::vector<double>> out;
  for (std::size_t i : idx) {
    out.first.push_back(c.delta[i]);
    out.second.push_back(c.bias_ulps[i]);
  }
  return out;
}

std::string mode_title(const std::string& mode) {
  if (mode == "sr") return "exact SR";
  if (mode == "srff") return "SRFF (StochasticA)";
  if (mode == "srf") return "SRF (StochasticB)";
  if (mode == "src") return "SRC (StochasticC)";
  if (mode == "sro") return "SRO (StochasticOdd)";
  return mode;
}

double approx(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null() || !j[key].contains("approx") || j[key]["approx"].is_null()) return NAN;
  return j[key]["approx"].get<double>();
}
std::string exact(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "n/a";
  return json_text(j[key], "exact", "n/a");
}

}  // namespace

Section bias_section(const DataDir& d) {
  Section s{"bias", "Bias and variance", {}};
  // δ sweep: one figure per few-bit mode with N = 1..8 and exact SR for comparison.
  std::vector<BiasCurve> curves;
  for (const auto& f : list_files(d, "bias/delta", ".csv", kDeltaWriter)) curves.push_back(read_curve(d, f, kDeltaWriter));
  const BiasCurve* exact_sr = nullptr;
  std::map<std::string, std::vector<const BiasCurve*>> by_mode;
  std::vector<std::string> modes;
  for (const auto& c : curves) {
    if (c.mode == "sr") {
      exact_sr = &c;
      continue;
    }
    if (!by_mode.count(c.mode)) modes.push_back(c.mode);
    by_mode[c.mode].push_back(&c);
  }
  const BiasCurve& first = curves.front();
  s.paragraph("Exact expectations of the rounded result, E[result] − x, in ulps of the target format " + first.format +
              ", for inputs from " + first.source + " (every input of one target ulp, so the discarded fraction δ runs over "
              "its whole grid). Positive inputs: a negative bias is a bias toward zero. Exact SR is unbiased; SRFF is biased "
              "toward zero by about 2^-(N+1) ulp; SRF keeps a bias of half an input ulp, whatever N; SRC and SRO are "
              "unbiased on average, with a pointwise bias that shrinks as N grows.");
  const std::vector<std::string> preferred = {"srff", "srf", "src", "sro"};
  std::stable_sort(modes.begin(), modes.end(), [&](const std::string& a, const std::string& b) {
    return std::find(preferred.begin(), preferred.end(), a) < std::find(preferred.begin(), preferred.end(), b);
  });
  for (const auto& mode : modes) {
    auto& list = by_mode[mode];
    std::sort(list.begin(), list.end(), [](const BiasCurve* a, const BiasCurve* b) { return a->n < b->n; });
    Plot p(mode_title(mode) + ": bias against δ, " + first.format + " from " + list.front()->source);
    p.x_axis = {"discarded fraction δ", "target ulps"};
    p.y_axis = {"E[result] − x", "target ulps"};
    Figure fig;
    for (const BiasCurve* c : list) {
      auto [x, y] = by_delta(*c);
      p.add_line("N = " + std::to_string(c->n), x, y).colour = c->n - 1 < kExactSrColour ? c->n - 1 : c->n;
      fig.data_files.push_back(d.link(c->file));
    }
    if (exact_sr) {
      auto [x, y] = by_delta(*exact_sr);
      Series& e = p.add_line("exact SR", x, y, true);
      e.colour = kExactSrColour;
      fig.data_files.push_back(d.link(exact_sr->file));
    }
    p.add_reference_line(0, "unbiased");
    fig.svg = p.svg();
    fig.caption = mode_title(mode) + " with N random bits: the exact bias of every input against its discarded fraction δ.";
    s.figure(std::move(fig));
  }
  // Every mode at one N.
  {
    int n_pick = 0;
    for (const auto& c : curves)
      if (c.n == 3) n_pick = 3;
    if (!n_pick && !curves.empty()) n_pick = curves.back().n;
    Plot p("Every mode at N = " + std::to_string(n_pick) + ": bias against δ");
    p.x_axis = {"discarded fraction δ", "target ulps"};
    p.y_axis = {"E[result] − x", "target ulps"};
    Figure fig;
    for (const auto& c : curves) {
      if (c.mode != "sr" && c.n != n_pick) continue;
      auto [x, y] = by_delta(c);
      p.add_line(c.mode == "sr" ? "exact SR" : mode_title(c.mode), x, y, c.mode == "sr");
      fig.data_files.push_back(d.link(c.file));
    }
    p.add_reference_line(0, "unbiased");
    fig.svg = p.svg();
    fig.caption = "The modes side by side at N = " + std::to_string(n_pick) +
                  ": SRFF's bias toward zero (below the line) and SRF's small constant half-input-ulp offset (above it).";
    s.figure(std::move(fig));
  }

  // Against x.
  {
    std::vector<BiasCurve> xs;
    for (const auto& f : list_files(d, "bias/x", ".csv", kXWriter)) xs.push_back(read_curve(d, f, kXWriter));
    Plot p("E[result] − x against x, " + xs.front().format + " from " + xs.front().source);
    p.x_axis = {"x", "log2 scale", Scale::Log2};
    p.y_axis = {"E[result] − x", "absolute"};
    Figure fig;
    for (const auto& c : xs) {
      if (c.mode == "sr") p.add_line("exact SR", c.x, c.error, true).colour = kExactSrColour;
      else p.add_scatter(mode_title(c.mode) + " N=" + std::to_string(c.n), c.x, c.error);
      fig.data_files.push_back(d.link(c.file));
    }
    p.add_reference_line(0, "unbiased");
    fig.svg = p.svg();
    fig.caption = "The bias in absolute units over several binades: it scales with the target ulp, doubling per binade.";
    s.figure(std::move(fig));
  }

  // Aggregates against the closed forms.
  Table t;
  t.caption = "Aggregate bias and variance over the grid, against the closed forms (exact rationals; ≈ decimal)";
  t.header = {"mode", "N", "source", "mean bias [ulp]", "closed form", "mean Var [ulp²]", "closed form", "Var / exact-SR Var",
              "max |bias| [ulp]", "agree"};
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> mean_bias_by_mode, closed_by_mode;
  std::vector<std::string> agg_modes;
  std::string grid_source;
  for (const auto& f : list_files(d, "bias/aggregate", ".json", kAggregateWriter)) {
    const nlohmann::json j = read_json(d, f, kAggregateWriter);
    if (!j.contains("aggregate") || !j.contains("parameters"))
      throw InputError("'" + d.path(f).string() + "' has no aggregate (expected the output of `" + kAggregateWriter + "`)");
    const auto& par = j["parameters"];
    const auto& a = j["aggregate"];
    const std::string mode = json_text(par, "mode");
    const int n = par.value("random_bits", 0);
    grid_source = json_text(par, "source");
    const bool has_closed = j.contains("closed_form");
    const nlohmann::json cf = has_closed ? j["closed_form"] : nlohmann::json::object();
    const std::string mb = exact(a, "mean_bias_ulps"), mv = exact(a, "mean_variance_ulps");
    const std::string cb = has_closed ? exact(cf, "mean_bias_ulps") : "n/a", cv = has_closed ? exact(cf, "mean_variance_ulps") : "n/a";
    auto both = [](const std::string& e, double v) { return e + (e.find('/') != std::string::npos ? " ≈ " + general_text(v) : ""); };
    t.rows.push_back({mode, std::to_string(n), grid_source, both(mb, approx(a, "mean_bias_ulps")),
                      has_closed ? both(cb, approx(cf, "mean_bias_ulps")) : "n/a", both(mv, approx(a, "mean_variance_ulps")),
                      has_closed ? both(cv, approx(cf, "mean_variance_ulps")) : "n/a", general_text(approx(a, "variance_ratio")),
                      general_text(approx(a, "max_abs_bias_ulps")),
                      has_closed ? (mb == cb && mv == cv ? "ok" : "mismatch") : "-"});
    t.data_files.push_back(d.link(f));
    if (mode == "sr") continue;
    if (!mean_bias_by_mode.count(mode)) agg_modes.push_back(mode);
    mean_bias_by_mode[mode].first.push_back(n);
    mean_bias_by_mode[mode].second.push_back(approx(a, "mean_bias_ulps"));
    closed_by_mode[mode].first.push_back(n);
    closed_by_mode[mode].second.push_back(has_closed ? approx(cf, "mean_bias_ulps") : NAN);
  }
  std::sort(t.rows.begin(), t.rows.end(), [](const auto& a, const auto& b) {
    return a[0] != b[0] ? a[0] < b[0] : std::atoi(a[1].c_str()) < std::atoi(b[1].c_str());
  });
  {
    // |mean bias| on a log axis: SRFF's 2^-(N+1) and SRF's constant half input ulp (2^-(D+1)) side by
    // side; modes whose mean bias is exactly 0 (SRC, SRO) have no point on it (the table has them).
    Plot p("|Mean bias| against N over " + grid_source);
    p.x_axis = {"random bits N", ""};
    p.y_axis = {"|mean E[result] − x|", "target ulps, log2 scale", Scale::Log2};
    int colour = 0;
    for (const auto& mode : agg_modes) {
      auto [n, b] = mean_bias_by_mode[mode];
      std::vector<std::size_t> idx(n.size());
      std::iota(idx.begin(), idx.end(), 0);
      std::sort(idx.begin(), idx.end(), [&](auto i, auto j) { return n[i] < n[j]; });
      std::vector<double> xs, ys, cxs, cs;
      std::string sign;
      for (auto i : idx) {
        if (b[i] != 0 && std::isfinite(b[i])) {
          xs.push_back(n[i]);
          ys.push_back(std::fabs(b[i]));
          sign = b[i] < 0 ? "toward zero" : "away from zero";
        }
        const double c = closed_by_mode[mode].second[i];
        if (c != 0 && std::isfinite(c)) {
          cxs.push_back(n[i]);
          cs.push_back(std::fabs(c));
        }
      }
      if (!xs.empty()) p.add_line(mode_title(mode) + " (" + sign + ")", xs, ys).colour = colour;
      if (!cs.empty()) p.add_scatter(mode_title(mode) + ", closed form", cxs, cs).colour = colour;
      ++colour;
    }
    if (!p.series().empty())
      s.figure({p.svg(), "Size of the mean bias over the δ grid as N grows (lines: exact aggregate; dots: closed form). SRFF's "
                         "bias toward zero halves with every random bit; SRF's half-input-ulp bias stays, whatever N; SRC and SRO "
                         "are unbiased on average (not drawn: 0 has no place on a log axis).",
                t.data_files});
  }
  s.table(std::move(t));
  return s;
}

}  // namespace roundlab::reports
