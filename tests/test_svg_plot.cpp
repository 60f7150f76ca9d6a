// The report's plot module: ticks on linear and log axes, escaping, every series drawn with its points
// inside the plot box, legends, and errors for data it cannot draw.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "reports/csv_table.hpp"
#include "reports/html_report.hpp"
#include "reports/svg_plot.hpp"

namespace {

using namespace roundlab::reports;

std::vector<double> values(const std::vector<Tick>& ticks) {
  std::vector<double> v;
  for (const auto& t : ticks) v.push_back(t.value);
  return v;
}

int count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (std::size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

// The plot box: <rect x= y= width= height= fill="#fff"...>.
struct Box {
  double x, y, w, h;
};
Box plot_box(const std::string& svg) {
  std::smatch m;
  const std::regex re("<rect x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"([0-9.]+)\" height=\"([0-9.]+)\" fill=\"#fff\"");
  EXPECT_TRUE(std::regex_search(svg, m, re));
  return {std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])};
}

// The points of the polyline of series `name`.
std::vector<std::pair<double, double>> polyline(const std::string& svg, const std::string& name) {
  std::smatch m;
  const std::regex re("<polyline class=\"mark line\" data-series=\"" + name + "\" points=\"([^\"]*)\"");
  std::vector<std::pair<double, double>> pts;
  if (!std::regex_search(svg, m, re)) return pts;
  const std::string text = m[1];
  const std::regex pt("([0-9.-]+),([0-9.-]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), pt); it != std::sregex_iterator(); ++it)
    pts.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
  return pts;
}

TEST(SvgPlot, LinearTicksAreNiceAndCoverTheRange) {
  const auto t = linear_ticks(0.13, 0.97, 5);
  ASSERT_GE(t.size(), 4u);
  EXPECT_LE(t.front().value, 0.13);
  EXPECT_GE(t.back().value, 0.97 - 1e-12);
  const double step = t[1].value - t[0].value;
  EXPECT_NEAR(step, 0.2, 1e-12);  // 1-2-5 steps
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_NEAR(t[i].value - t[i - 1].value, step, 1e-12);
  EXPECT_EQ(t[0].text, "0");
  EXPECT_EQ(t[1].text, "0.2");
  const auto big = linear_ticks(-30, 70, 5);
  EXPECT_EQ(values(big), (std::vector<double>{-40, -20, 0, 20, 40, 60, 80}));
  EXPECT_EQ(big[2].text, "0");  // never "-0"
}

TEST(SvgPlot, LogTicksArePowersAndThinned) {
  const auto t = log_ticks(1e-3, 1e2, Scale::Log10);
  EXPECT_EQ(values(t), (std::vector<double>{1e-3, 1e-2, 1e-1, 1, 10, 100}));
  EXPECT_EQ(t.front().text, "10^-3");
  const auto two = log_ticks(std::ldexp(1.0, -16), std::ldexp(1.0, 15), Scale::Log2);
  EXPECT_LE(two.size(), 9u);  // 32 powers thinned
  EXPECT_EQ(two.front().text, "2^-16");
  for (const auto& k : two) EXPECT_EQ(std::log2(k.value), std::round(std::log2(k.value)));
  // Less than a decade: 1-2-5 multiples as plain numbers.
  const auto short_range = log_ticks(0.3, 4.5, Scale::Log10);
  EXPECT_EQ(values(short_range), (std::vector<double>{0.5, 1, 2}));
  EXPECT_THROW(log_ticks(0, 10, Scale::Log10), PlotError);
  EXPECT_THROW(log_ticks(-1, 10, Scale::Log10), PlotError);
}

TEST(SvgPlot, EscapesTextInTitlesLabelsAndLegends) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  Plot p("E[x] < 1 & \"q\"");
  p.x_axis = {"δ <x>", "ulp & more"};
  p.add_line("N<3>", {0, 1}, {0, 1});
  const std::string svg = p.svg();
  EXPECT_NE(svg.find("E[x] &lt; 1 &amp; &quot;q&quot;"), std::string::npos);
  EXPECT_NE(svg.find("δ &lt;x&gt; [ulp &amp; more]"), std::string::npos);
  EXPECT_NE(svg.find(">N&lt;3&gt;</text>"), std::string::npos);
  EXPECT_EQ(svg.find("N<3>"), std::string::npos);
}

TEST(SvgPlot, EverySeriesIsDrawnInsideThePlotBoxWithALegendEntry) {
  Plot p("two lines");
  p.x_axis = {"x", "s"};
  p.y_axis = {"y", "m"};
  p.add_line("rising", {0, 1, 2, 3}, {0, 1, 2, 3});
  p.add_line("falling", {0, 1, 2, 3}, {3, 2, 1, 0}, true);
  p.add_scatter("dots", {0.5, 2.5}, {1, 2});
  const std::string svg = p.svg();
  const Box box = plot_box(svg);
  for (const char* name : {"rising", "falling"}) {
    const auto pts = polyline(svg, name);
    ASSERT_EQ(pts.size(), 4u) << name;
    for (const auto& [x, y] : pts) {
      EXPECT_GE(x, box.x - 0.05);
      EXPECT_LE(x, box.x + box.w + 0.05);
      EXPECT_GE(y, box.y - 0.05);
      EXPECT_LE(y, box.y + box.h + 0.05);
    }
    EXPECT_NE(svg.find(">" + std::string(name) + "</text>"), std::string::npos) << "legend entry for " << name;
  }
  // Increasing data goes up the page (SVG y grows downwards), x to the right.
  const auto rising = polyline(svg, "rising");
  EXPECT_LT(rising.front().first, rising.back().first);
  EXPECT_GT(rising.front().second, rising.back().second);
  EXPECT_NE(svg.find("stroke-dasharray=\"6 3\""), std::string::npos);
  EXPECT_EQ(count(svg, "<circle cx="), 2 + 1);  // two points and the legend swatch
  EXPECT_NE(svg.find("data-points=\"10\""), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 "), std::string::npos);
  EXPECT_NE(svg.find("x [s]"), std::string::npos);
  EXPECT_NE(svg.find("y [m]"), std::string::npos);
}

TEST(SvgPlot, LogAxisMapsDecadesEvenlyAndReversedAxesFlip) {
  Plot p("log");
  p.x_axis = {"n", "", Scale::Log10};
  p.add_line("pow", {1, 10, 100}, {0, 1, 2});
  const auto pts = polyline(p.svg(), "pow");
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_NEAR(pts[1].first - pts[0].first, pts[2].first - pts[1].first, 0.15);

  Plot q("depth");
  q.y_axis = {"depth", "m"};
  q.y_axis.reversed = true;
  q.add_line("T", {10, 11}, {1, 2});
  const auto d = polyline(q.svg(), "T");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_LT(d[0].second, d[1].second);  // deeper is lower on the page
}

TEST(SvgPlot, NonFinitePointsBreakTheLine) {
  Plot p("gap");
  p.add_line("g", {0, 1, 2, 3, 4}, {0, 1, NAN, 3, 4});
  const std::string svg = p.svg();
  EXPECT_EQ(count(svg, "data-series=\"g\""), 2);
  EXPECT_NE(svg.find("data-points=\"4\""), std::string::npos);
}

TEST(SvgPlot, BandsAndStrips) {
  Plot p("band");
  Series& b = p.add_band("seeds", {0, 1, 2}, {0, 1, 2}, {1, 2, 3});
  b.in_legend = false;
  p.add_line("mean", {0, 1, 2}, {0.5, 1.5, 2.5});
  const std::string svg = p.svg();
  EXPECT_EQ(count(svg, "class=\"mark band\""), 1);
  EXPECT_EQ(svg.find(">seeds</text>"), std::string::npos);  // kept out of the legend
  EXPECT_NE(svg.find(">mean</text>"), std::string::npos);

  Plot s("values");
  s.x_axis = {"value", "", Scale::Log2};
  s.add_strip("fmt_a", {0.5, 1, 2, 4});
  s.add_strip("fmt_b", {1, 1.5});
  const std::string strips = s.svg();
  EXPECT_EQ(count(strips, "class=\"mark strip\""), 2);
  EXPECT_EQ(count(strips, "v12"), 6);  // one tick per value
  EXPECT_NE(strips.find(">fmt_b</text>"), std::string::npos);
}

TEST(SvgPlot, RejectsDataItCannotDraw) {
  EXPECT_THROW(Plot("empty").svg(), PlotError);
  Plot lengths("lengths");
  lengths.add_line("bad", {0, 1, 2}, {0, 1});
  EXPECT_THROW(lengths.svg(), PlotError);
  Plot logy("log y");
  logy.y_axis = {"W", "", Scale::Log10};
  logy.add_line("w", {1, 2}, {1, 0});
  try {
    logy.svg();
    FAIL() << "a zero on a log axis must be refused";
  } catch (const PlotError& e) {
    EXPECT_NE(std::string(e.what()).find("'w'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("logarithmic"), std::string::npos) << e.what();
  }
  Plot nan("nan");
  nan.add_line("n", {0, 1}, {NAN, NAN});
  EXPECT_THROW(nan.svg(), PlotError);
  Plot mixed("mixed");
  mixed.add_strip("a", {1});
  mixed.add_line("b", {1}, {1});
  EXPECT_THROW(mixed.svg(), PlotError);
}

TEST(CsvTable, ReadsQuotedFieldsCommentsAndNumbers) {
  const CsvTable t = CsvTable::parse("# roundlab bias,mode=srff\nlabel,weights,v\nfp32,\"a, \"\"b\"\"\",0x1.8p+1\nx,y,null\n", "t.csv");
  ASSERT_EQ(t.rows().size(), 2u);
  EXPECT_EQ(t.cell(0, "weights"), "a, \"b\"");
  EXPECT_EQ(t.number(0, "v"), 3.0);
  EXPECT_TRUE(std::isnan(t.number(1, "v")));
  ASSERT_EQ(t.comments().size(), 1u);
  EXPECT_THROW(t.column("missing"), std::invalid_argument);
  EXPECT_THROW(t.number(1, "label"), std::invalid_argument);
  EXPECT_THROW(CsvTable::parse("a,b\n1,2,3\n", "bad.csv"), std::invalid_argument);
  EXPECT_THROW(CsvTable::parse("# only a comment\n", "empty.csv"), std::invalid_argument);
}

TEST(HtmlReport, SectionsFiguresTablesAndEscapes) {
  HtmlReport r;
  r.title = "T & <t>";
  r.provenance.emplace_back("revision", "abc");
  Section s{"one", "First", {}};
  s.paragraph("a < b");
  Plot p("p");
  p.add_line("l", {0, 1}, {0, 1});
  s.figure({p.svg(), "cap", {"data/x.csv"}});
  s.table({"tab", {"h1", "h2"}, {{"passed", "1.5"}}, false, {}});
  r.sections.push_back(std::move(s));
  const std::string html = r.html();
  EXPECT_NE(html.find("<title>T &amp; &lt;t&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"one\">"), std::string::npos);
  EXPECT_NE(html.find("<p>a &lt; b</p>"), std::string::npos);
  EXPECT_NE(html.find("Figure 1. cap"), std::string::npos);
  EXPECT_NE(html.find("href=\"data/x.csv\""), std::string::npos);
  EXPECT_NE(html.find("class=\"status-passed\">passed"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

}  // namespace
