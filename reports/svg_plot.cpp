#include "reports/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace roundlab::reports {

namespace {

// Okabe–Ito first (distinguishable with colour-vision deficiency), then Tol's muted colours.
const char* const kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                                "#000000", "#882255", "#44AA99", "#999933", "#6699CC", "#AA4499"};
constexpr int kPaletteSize = sizeof kPalette / sizeof kPalette[0];

constexpr double kWidth = 760;
constexpr double kTop = 40, kBottom = 58, kRightPad = 18;
constexpr double kCharWidth = 6.6;  // at 12 px sans-serif, an average character; sizes the margins
constexpr double kLegendRow = 17;
constexpr double kStripRow = 18;

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
std::string px(double v) { return fmt("%.1f", v); }

bool is_log(Scale s) { return s != Scale::Linear; }
double base_of(Scale s) { return s == Scale::Log2 ? 2.0 : 10.0; }
double to_axis(Scale s, double v) { return s == Scale::Linear ? v : s == Scale::Log2 ? std::log2(v) : std::log10(v); }

std::string number_text(double v, double step) {
  if (v == 0 || std::fabs(v) < step * 1e-9) return "0";
  const double a = std::fabs(v);
  if (a >= 1e6 || a < 1e-4) return fmt("%.3g", v);
  const int digits = std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 10);
  return fmt(("%." + std::to_string(digits) + "f").c_str(), v);
}

std::string axis_title(const Axis& a) { return a.unit.empty() ? a.label : a.label + " [" + a.unit + "]"; }

// "10^-3" / "2^5" as text with a superscript exponent.
std::string tick_label_svg(const std::string& text) {
  const auto caret = text.find('^');
  if (caret == std::string::npos) return xml_escape(text);
  return xml_escape(text.substr(0, caret)) + "<tspan dy=\"-5\" font-size=\"9\">" + xml_escape(text.substr(caret + 1)) +
         "</tspan>";
}

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

// The drawn domain (in axis units: log10/log2 of the value on log axes) and its ticks.
struct Domain {
  double t0 = 0, t1 = 1;
  std::vector<Tick> ticks;
};

Domain make_domain(const Axis& axis, Range r, const char* which) {
  if (axis.min) r.lo = *axis.min;
  if (axis.max) r.hi = *axis.max;
  if (r.empty()) throw PlotError(std::string(which) + " axis: no finite value");
  Domain d;
  if (is_log(axis.scale)) {
    if (r.lo <= 0) throw PlotError(std::string(which) + " axis '" + axis.label + "' is logarithmic but its range starts at " + fmt("%g", r.lo));
    double t0 = to_axis(axis.scale, r.lo), t1 = to_axis(axis.scale, r.hi);
    if (t1 - t0 >= 3) {  // several decades (octaves): whole ones; fewer: a little padding, 1-2-5 ticks
      if (!axis.min) t0 = std::floor(t0 + 1e-9);
      if (!axis.max) t1 = std::ceil(t1 - 1e-9);
    } else {
      const double pad = std::max((t1 - t0) * 0.08, 0.05);
      if (!axis.min) t0 -= pad;
      if (!axis.max) t1 += pad;
    }
    d.t0 = t0;
    d.t1 = t1;
    const double b = base_of(axis.scale);
    d.ticks = log_ticks(std::pow(b, t0), std::pow(b, t1), axis.scale);
  } else {
    double lo = r.lo, hi = r.hi;
    if (hi - lo <= std::fabs(hi) * 1e-12) {
      const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    d.ticks = linear_ticks(lo, hi);
    d.t0 = axis.min ? lo : std::min(lo, d.ticks.front().value);
    d.t1 = axis.max ? hi : std::max(hi, d.ticks.back().value);
    d.ticks = linear_ticks(d.t0, d.t1);
  }
  std::erase_if(d.ticks, [&](const Tick& t) {
    const double v = to_axis(axis.scale, t.value);
    return v < d.t0 - 1e-9 * (d.t1 - d.t0) || v > d.t1 + 1e-9 * (d.t1 - d.t0);
  });
  return d;
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<Tick> linear_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) throw PlotError("linear_ticks: bad range");
  if (hi == lo) return {{lo, number_text(lo, std::max(std::fabs(lo), 1.0))}};
  const double raw = (hi - lo) / std::max(target, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<Tick> ticks;
  const double first = std::floor(lo / step + 1e-9) * step;
  for (int i = 0;; ++i) {
    double v = first + i * step;
    if (std::fabs(v) < step * 1e-9) v = 0;
    ticks.push_back({v, number_text(v, step)});
    if (v >= hi - step * 1e-9 || i > 1000) break;
  }
  return ticks;
}

std::vector<Tick> log_ticks(double lo, double hi, Scale scale) {
  if (scale == Scale::Linear) throw PlotError("log_ticks: the scale is linear");
  if (!(lo > 0) || !(hi >= lo) || !std::isfinite(hi)) throw PlotError("log_ticks: bad range (needs 0 < lo <= hi)");
  const double b = base_of(scale);
  const std::string base = scale == Scale::Log2 ? "2" : "10";
  const int k0 = static_cast<int>(std::ceil(to_axis(scale, lo) - 1e-9));
  const int k1 = static_cast<int>(std::floor(to_axis(scale, hi) + 1e-9));
  std::vector<Tick> ticks;
  const int count = k1 - k0 + 1;
  const int every = std::max(1, (count + 7) / 8);
  for (int k = k0; k <= k1; ++k)
    if ((k - k0) % every == 0) ticks.push_back({std::pow(b, k), base + "^" + std::to_string(k)});
  if (count < 3) {
    // Short ranges: plain numbers at 1-2-5 (base 10) or 1-1.5 (base 2) multiples of each power.
    ticks.clear();
    const std::vector<double> mults = scale == Scale::Log2 ? std::vector<double>{1, 1.5} : std::vector<double>{1, 2, 5};
    for (int k = k0 - 1; k <= k1; ++k)
      for (double m : mults) {
        const double v = m * std::pow(b, k);
        if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) ticks.push_back({v, fmt("%g", v)});
      }
    if (ticks.size() < 2) {
      ticks.clear();
      for (const Tick& t : linear_ticks(lo, hi, 4))
        if (t.value > 0) ticks.push_back(t);
    }
  }
  return ticks;
}

Series& Plot::add_line(std::string name, std::vector<double> x, std::vector<double> y, bool dashed) {
  Series s;
  s.kind = SeriesKind::Line;
  s.name = std::move(name);
  s.x = std::move(x);
  s.y = std::move(y);
  s.dashed = dashed;
  series_.push_back(std::move(s));
  return series_.back();
}

Series& Plot::add_scatter(std::string name, std::vector<double> x, std::vector<double> y) {
  Series& s = add_line(std::move(name), std::move(x), std::move(y));
  s.kind = SeriesKind::Scatter;
  return s;
}

Series& Plot::add_band(std::string name, std::vector<double> x, std::vector<double> low, std::vector<double> high) {
  Series& s = add_line(std::move(name), std::move(x), std::move(low));
  s.kind = SeriesKind::Band;
  s.y_high = std::move(high);
  return s;
}

Series& Plot::add_strip(std::string row, std::vector<double> values) {
  Series& s = add_line(std::move(row), std::move(values), {});
  s.kind = SeriesKind::Strip;
  s.in_legend = false;
  return s;
}

std::string Plot::svg() const {
  const std::string where = "plot '" + title_ + "': ";
  if (series_.empty()) throw PlotError(where + "no data series");
  const bool strips = series_.front().kind == SeriesKind::Strip;
  Range xr, yr;
  std::size_t points = 0;
  for (const Series& s : series_) {
    if ((s.kind == SeriesKind::Strip) != strips)
      throw PlotError(where + "strip rows cannot be mixed with line, scatter or band series");
    if (!strips && s.x.size() != s.y.size())
      throw PlotError(where + "series '" + s.name + "' has " + std::to_string(s.x.size()) + " x values but " +
                      std::to_string(s.y.size()) + " y values");
    if (s.kind == SeriesKind::Band && s.y_high.size() != s.x.size())
      throw PlotError(where + "band '" + s.name + "' has edges of different lengths");
    std::size_t finite = 0;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const bool ok = std::isfinite(s.x[i]) && (strips || std::isfinite(s.y[i])) &&
                      (s.kind != SeriesKind::Band || std::isfinite(s.y_high[i]));
      if (!ok) continue;
      ++finite;
      if (is_log(x_axis.scale) && s.x[i] <= 0)
        throw PlotError(where + "series '" + s.name + "' has x = " + fmt("%g", s.x[i]) + " on the logarithmic axis '" +
                        x_axis.label + "' (needs x > 0)");
      xr.add(s.x[i]);
      if (strips) continue;
      for (double v : {s.y[i], s.kind == SeriesKind::Band ? s.y_high[i] : s.y[i]}) {
        if (is_log(y_axis.scale) && v <= 0)
          throw PlotError(where + "series '" + s.name + "' has y = " + fmt("%g", v) + " on the logarithmic axis '" +
                          y_axis.label + "' (needs y > 0)");
        yr.add(v);
      }
    }
    if (finite == 0) throw PlotError(where + "series '" + s.name + "' has no finite point");
    points += finite;
  }
  for (const ReferenceLine& r : refs_)
    if (!is_log(y_axis.scale) || r.y > 0) yr.add(r.y);

  const Domain xd = make_domain(x_axis, xr, "x");
  Domain yd;
  if (!strips) yd = make_domain(y_axis, yr, "y");

  // Margins from the text they hold.
  std::size_t label_chars = 0, legend_chars = 0, legend_rows = 0;
  for (const Series& s : series_) {
    if (strips) label_chars = std::max(label_chars, s.name.size());
    if (s.in_legend && !strips) {
      legend_chars = std::max(legend_chars, s.name.size());
      ++legend_rows;
    }
  }
  for (const Tick& t : yd.ticks) label_chars = std::max(label_chars, t.text.size());
  const double left = std::max(64.0, 34 + kCharWidth * static_cast<double>(label_chars));
  const double right = legend_rows ? std::min(280.0, 56 + 7.2 * static_cast<double>(legend_chars)) : kRightPad;
  const double plot_h = strips ? kStripRow * static_cast<double>(series_.size()) : 300.0;
  const double height = kTop + std::max(plot_h, kLegendRow * static_cast<double>(legend_rows) + 8) + kBottom;
  const double pw = kWidth - left - right, ph = plot_h;

  auto map_x = [&](double v) {
    double f = (to_axis(x_axis.scale, v) - xd.t0) / (xd.t1 - xd.t0);
    if (x_axis.reversed) f = 1 - f;
    return left + f * pw;
  };
  auto map_y = [&](double v) {
    double f = (to_axis(y_axis.scale, v) - yd.t0) / (yd.t1 - yd.t0);
    if (y_axis.reversed) f = 1 - f;
    return kTop + ph - f * ph;
  };

  std::string id = "p";
  {
    std::uint64_t h = fnv1a(title_);
    for (const Series& s : series_) h = fnv1a(s.name, h);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    id += buf;
  }

  std::string o;
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" role=\"img\" viewBox=\"0 0 " + px(kWidth) + " " +
       px(height) + "\" data-points=\"" + std::to_string(points) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o += "<title>" + xml_escape(title_) + "</title>\n";
  o += "<defs><clipPath id=\"" + id + "\"><rect x=\"" + px(left) + "\" y=\"" + px(kTop) + "\" width=\"" + px(pw) +
       "\" height=\"" + px(ph) + "\"/></clipPath></defs>\n";
  o += "<text x=\"" + px(left + pw / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" +
       xml_escape(title_) + "</text>\n";
  o += "<rect x=\"" + px(left) + "\" y=\"" + px(kTop) + "\" width=\"" + px(pw) + "\" height=\"" + px(ph) +
       "\" fill=\"#fff\" stroke=\"#444\"/>\n";

  // Grid and tick labels.
  for (const Tick& t : xd.ticks) {
    const double x = map_x(t.value);
    o += "<line x1=\"" + px(x) + "\" y1=\"" + px(kTop) + "\" x2=\"" + px(x) + "\" y2=\"" + px(kTop + ph) +
         "\" stroke=\"#ddd\"/><text x=\"" + px(x) + "\" y=\"" + px(kTop + ph + 16) + "\" text-anchor=\"middle\">" +
         tick_label_svg(t.text) + "</text>\n";
  }
  if (strips) {
    for (std::size_t i = 0; i < series_.size(); ++i)
      o += "<text x=\"" + px(left - 6) + "\" y=\"" + px(kTop + (static_cast<double>(i) + 0.5) * kStripRow + 4) +
           "\" text-anchor=\"end\">" + xml_escape(series_[i].name) + "</text>\n";
  } else {
    for (const Tick& t : yd.ticks) {
      const double y = map_y(t.value);
      o += "<line x1=\"" + px(left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(left + pw) + "\" y2=\"" + px(y) +
           "\" stroke=\"#ddd\"/><text x=\"" + px(left - 6) + "\" y=\"" + px(y + 4) + "\" text-anchor=\"end\">" +
           tick_label_svg(t.text) + "</text>\n";
    }
    o += "<text transform=\"translate(14," + px(kTop + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         xml_escape(axis_title(y_axis)) + "</text>\n";
  }
  o += "<text x=\"" + px(left + pw / 2) + "\" y=\"" + px(kTop + ph + 40) + "\" text-anchor=\"middle\">" +
       xml_escape(axis_title(x_axis)) + "</text>\n";

  // Data, clipped to the plot box.
  o += "<g clip-path=\"url(#" + id + ")\">\n";
  int next_colour = 0;
  std::vector<int> colours;
  for (const Series& s : series_) colours.push_back(s.colour >= 0 ? s.colour % kPaletteSize : next_colour++ % kPaletteSize);
  // Bands first, so that no band covers a line.
  std::vector<std::size_t> draw_order;
  for (std::size_t k = 0; k < series_.size(); ++k)
    if (series_[k].kind == SeriesKind::Band) draw_order.push_back(k);
  for (std::size_t k = 0; k < series_.size(); ++k)
    if (series_[k].kind != SeriesKind::Band) draw_order.push_back(k);
  for (std::size_t k : draw_order) {
    const Series& s = series_[k];
    const std::string colour = kPalette[colours[k]];
    const std::string name = xml_escape(s.name);
    if (s.kind == SeriesKind::Strip) {
      const double yc = kTop + (static_cast<double>(k) + 0.5) * kStripRow;
      std::string d;
      for (double v : s.x)
        if (std::isfinite(v)) d += "M" + px(map_x(v)) + " " + px(yc - 6) + "v12";
      o += "<path class=\"mark strip\" data-series=\"" + name + "\" d=\"" + d + "\" stroke=\"" + colour +
           "\" stroke-width=\"1\" fill=\"none\"/>\n";
      continue;
    }
    if (s.kind == SeriesKind::Scatter) {
      o += "<g class=\"mark scatter\" data-series=\"" + name + "\" fill=\"" + colour + "\">";
      for (std::size_t i = 0; i < s.x.size(); ++i)
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
          o += "<circle cx=\"" + px(map_x(s.x[i])) + "\" cy=\"" + px(map_y(s.y[i])) + "\" r=\"2.5\"/>";
      o += "</g>\n";
      continue;
    }
    // Lines and bands: one element per run of finite points.
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    for (std::size_t i = 0; i < s.x.size();) {
      auto ok = [&](std::size_t j) {
        return std::isfinite(s.x[j]) && std::isfinite(s.y[j]) && (s.kind != SeriesKind::Band || std::isfinite(s.y_high[j]));
      };
      while (i < s.x.size() && !ok(i)) ++i;
      const std::size_t start = i;
      while (i < s.x.size() && ok(i)) ++i;
      if (i > start) runs.emplace_back(start, i);
    }
    for (const auto& [a, b] : runs) {
      std::string pts;
      if (s.kind == SeriesKind::Band) {
        for (std::size_t i = a; i < b; ++i) pts += px(map_x(s.x[i])) + "," + px(map_y(s.y[i])) + " ";
        for (std::size_t i = b; i-- > a;) pts += px(map_x(s.x[i])) + "," + px(map_y(s.y_high[i])) + " ";
        o += "<polygon class=\"mark band\" data-series=\"" + name + "\" points=\"" + pts + "\" fill=\"" + colour +
             "\" fill-opacity=\"0.2\" stroke=\"none\"/>\n";
      } else {
        for (std::size_t i = a; i < b; ++i) pts += px(map_x(s.x[i])) + "," + px(map_y(s.y[i])) + " ";
        o += "<polyline class=\"mark line\" data-series=\"" + name + "\" points=\"" + pts + "\" fill=\"none\" stroke=\"" +
             colour + "\" stroke-width=\"1.6\"" + (s.dashed ? " stroke-dasharray=\"6 3\"" : "") + "/>\n";
      }
    }
  }
  for (const ReferenceLine& r : refs_) {
    if (is_log(y_axis.scale) && r.y <= 0) continue;
    const double y = map_y(r.y);
    o += "<line class=\"reference\" x1=\"" + px(left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(left + pw) + "\" y2=\"" +
         px(y) + "\" stroke=\"#777\" stroke-dasharray=\"2 3\"/><text x=\"" + px(left + pw - 4) + "\" y=\"" + px(y - 4) +
         "\" text-anchor=\"end\" fill=\"#555\" font-size=\"11\">" + xml_escape(r.label) + "</text>\n";
  }
  o += "</g>\n";

  // Legend, right of the plot box.
  if (legend_rows) {
    const double lx = left + pw + 12;
    double ly = kTop + 10;
    o += "<g class=\"legend\">\n";
    for (std::size_t k = 0; k < series_.size(); ++k) {
      const Series& s = series_[k];
      if (!s.in_legend) continue;
      const std::string colour = kPalette[colours[k]];
      if (s.kind == SeriesKind::Band)
        o += "<rect x=\"" + px(lx) + "\" y=\"" + px(ly - 6) + "\" width=\"22\" height=\"10\" fill=\"" + colour +
             "\" fill-opacity=\"0.25\"/>";
      else if (s.kind == SeriesKind::Scatter)
        o += "<circle cx=\"" + px(lx + 11) + "\" cy=\"" + px(ly - 1) + "\" r=\"3\" fill=\"" + colour + "\"/>";
      else
        o += "<line x1=\"" + px(lx) + "\" y1=\"" + px(ly - 1) + "\" x2=\"" + px(lx + 22) + "\" y2=\"" + px(ly - 1) +
             "\" stroke=\"" + colour + "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"6 3\"" : "") + "/>";
      o += "<text x=\"" + px(lx + 28) + "\" y=\"" + px(ly + 3) + "\">" + xml_escape(s.name) + "</text>\n";
      ly += kLegendRow;
    }
    o += "</g>\n";
  }
  o += "</svg>\n";
  return o;
}

}  // namespace roundlab::reports
