// A small plot model that renders to standalone SVG text: line, scatter, band and strip series on
// linear or logarithmic axes with nice ticks, axis labels with units, a legend and reference lines.
// The SVG has a viewBox and no fixed size, so it scales in a browser and prints sharply. Every data
// mark carries class "mark" (tests and the report's checks count them).
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roundlab::reports {

// Data a plot cannot draw (no series, mismatched lengths, a non-positive value on a log axis...).
class PlotError : public std::invalid_argument {
 public:
  explicit PlotError(const std::string& what) : std::invalid_argument(what) {}
};

enum class Scale { Linear, Log10, Log2 };

struct Axis {
  Axis(std::string label_ = "", std::string unit_ = "", Scale scale_ = Scale::Linear)
      : label(std::move(label_)), unit(std::move(unit_)), scale(scale_) {}
  std::string label;  // "discarded fraction δ"
  std::string unit;   // "target ulps"; shown as "label [unit]" when not empty
  Scale scale = Scale::Linear;
  std::optional<double> min, max;  // fixed limits; otherwise the data's range, padded to nice ticks
  bool reversed = false;           // depth axes grow downwards
};

enum class SeriesKind { Line, Scatter, Band, Strip };

struct Series {
  SeriesKind kind = SeriesKind::Line;
  std::string name;                // legend text (strips: the row label)
  std::vector<double> x, y;        // Band: y is the lower edge
  std::vector<double> y_high;      // Band only: the upper edge
  int colour = -1;                 // palette index; -1 = next free
  bool dashed = false;
  bool in_legend = true;
};

struct ReferenceLine {
  double y = 0;
  std::string label;
};

// The plot's ticks: values and their text.
struct Tick {
  double value = 0;
  std::string text;
};

// Nice linear ticks (steps 1, 2 or 5 × 10^k) covering [lo, hi], about `target` of them.
std::vector<Tick> linear_ticks(double lo, double hi, int target = 6);
// Powers of the base within [lo, hi] (lo > 0), thinned to at most ~8; for log10 ranges under two
// decades the 2× and 5× multiples are added.
std::vector<Tick> log_ticks(double lo, double hi, Scale scale);
// Text for XML content and attribute values.
std::string xml_escape(std::string_view text);

class Plot {
 public:
  explicit Plot(std::string title) : title_(std::move(title)) {}
  Axis x_axis, y_axis;

  Series& add_line(std::string name, std::vector<double> x, std::vector<double> y, bool dashed = false);
  Series& add_scatter(std::string name, std::vector<double> x, std::vector<double> y);
  // A shaded region between two curves over the same x (a seed band: min..max over seeds).
  Series& add_band(std::string name, std::vector<double> x, std::vector<double> low, std::vector<double> high);
  // One row of a strip plot: a tick at every value on the x axis; the y axis lists the rows.
  Series& add_strip(std::string row, std::vector<double> values);
  void add_reference_line(double y, std::string label) { refs_.push_back({y, std::move(label)}); }

  const std::vector<Series>& series() const { return series_; }
  const std::string& title() const { return title_; }

  // The SVG element. Non-finite points are skipped (lines break there). Throws PlotError when there is
  // nothing to draw, lengths differ, a log axis meets a value ≤ 0, or strips are mixed with x–y series.
  std::string svg() const;

 private:
  std::string title_;
  std::vector<Series> series_;
  std::vector<ReferenceLine> refs_;
};

}  // namespace roundlab::reports
