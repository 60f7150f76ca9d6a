// roundlab report: the smoke report (generated once per ctest run by the ReportSmokeGenerate fixture,
// `roundlab report --smoke`) has every section, every figure has data marks, every linked data file
// exists; --from redraws it from its data; bad input is refused with errors naming the input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <regex>
#include <set>
#include <string>

#include "support/cli_testing.hpp"

namespace {

namespace fs = std::filesystem;
using roundlab::cli_testing::contains;
using roundlab::cli_testing::run_cli;
using roundlab::cli_testing::slurp;

const fs::path kSmoke = ROUNDLAB_REPORT_SMOKE_DIR;

std::vector<std::string> svgs(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1))
    out.push_back(html.substr(p, html.find("</svg>", p) - p));
  return out;
}

// The text of one <section id="...">.
std::string section(const std::string& html, const std::string& id) {
  const std::size_t a = html.find("<section id=\"" + id + "\">");
  if (a == std::string::npos) return "";
  return html.substr(a, html.find("</section>", a) - a);
}

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("roundlab_test_report_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

class SmokeReport : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::is_regular_file(kSmoke / "index.html"))
        << "the ReportSmokeGenerate fixture did not write " << (kSmoke / "index.html");
    html = slurp(kSmoke / "index.html");
  }
  std::string html;
};

TEST_F(SmokeReport, HasEverySectionWithItsFigures) {
  // Section id, and the least number of figures each must hold.
  const std::pair<const char*, int> expected[] = {
      {"formats", 3}, {"bias", 7}, {"verification", 1}, {"drift", 6}, {"training", 3}, {"provenance", 0}};
  for (const auto& [id, figures] : expected) {
    const std::string s = section(html, id);
    ASSERT_FALSE(s.empty()) << "no section '" << id << "'";
    EXPECT_GE(static_cast<int>(svgs(s).size()), figures) << "section " << id;
  }
  EXPECT_TRUE(contains(section(html, "formats"), "p3109_k8p4se"));
  EXPECT_TRUE(contains(section(html, "verification"), "bias-closed-forms"));
  EXPECT_TRUE(contains(html, "<title>roundlab report"));
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "src=\""));  // self-contained: nothing loaded
  EXPECT_FALSE(contains(html, "http://") && !contains(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

TEST_F(SmokeReport, EveryFigureHasDataMarks) {
  const auto figures = svgs(html);
  ASSERT_GE(figures.size(), 19u);
  const std::regex points("data-points=\"([0-9]+)\"");
  for (const auto& svg : figures) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(svg, m, points)) << svg.substr(0, 200);
    EXPECT_GT(std::stoul(m[1]), 0u) << svg.substr(0, 300);
    EXPECT_TRUE(contains(svg, "class=\"mark ")) << svg.substr(0, 300);
  }
}

TEST_F(SmokeReport, BiasFiguresShowEveryNAndExactSr) {
  const std::string bias = section(html, "bias");
  for (const char* mode : {"SRFF (StochasticA)", "SRF (StochasticB)", "SRC (StochasticC)", "SRO (StochasticOdd)"}) {
    const std::size_t at = bias.find(std::string(mode) + ": bias against");
    ASSERT_NE(at, std::string::npos) << mode;
    const std::string svg = bias.substr(at, bias.find("</svg>", at) - at);
    for (int n = 1; n <= 8; ++n) EXPECT_TRUE(contains(svg, "data-series=\"N = " + std::to_string(n) + "\"")) << mode << " N=" << n;
    EXPECT_TRUE(contains(svg, "data-series=\"exact SR\"")) << mode;
  }
  // The aggregate table compares every run with its closed form and finds them equal.
  EXPECT_TRUE(contains(bias, ">ok</td>"));
  EXPECT_FALSE(contains(bias, ">mismatch</td>"));
}

TEST_F(SmokeReport, EveryLinkedDataFileExists) {
  const std::regex href("href=\"(data/[^\"]+)\"");
  std::set<std::string> links;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator(); ++it)
    links.insert((*it)[1]);
  EXPECT_GE(links.size(), 50u);
  for (const auto& l : links) EXPECT_TRUE(fs::is_regular_file(kSmoke / l)) << l;
  const std::string run = slurp(kSmoke / "data" / "run.json");
  EXPECT_TRUE(contains(run, "\"seeds\": \"experiments and sampled compare: seed 1"));
  EXPECT_TRUE(contains(run, "\"size\": \"smoke\""));
  EXPECT_TRUE(contains(html, "seed 1"));
}

TEST_F(SmokeReport, FromRedrawsTheSameReportFromItsData) {
  const fs::path out = temp_dir("from");
  const auto r = run_cli({"report", "--out", out.string(), "--from", kSmoke.string(), "--no-progress"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "6 sections"));
  const std::string again = slurp(out / "index.html");
  EXPECT_EQ(svgs(again).size(), svgs(html).size());
  EXPECT_TRUE(fs::is_regular_file(out / "data" / "drift" / "lorenz_summary.csv"));  // the data travels with the page
  fs::remove_all(out);
}

TEST(ReportErrors, MissingOutUnknownOptionsAndConflicts) {
  auto r = run_cli({"report", "--quick"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "--out DIR is required")) << r.err;
  r = run_cli({"report", "--out", "x", "--colour", "red"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "colour")) << r.err;
  r = run_cli({"report", "--out", "x", "--quick", "--smoke"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "choose one")) << r.err;
  r = run_cli({"report", "--out", "x", "--from", "y", "--quick"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "--from reads results")) << r.err;
  r = run_cli({"report", "--out", "x", "stray"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "'stray'")) << r.err;
}

TEST(ReportErrors, MissingTrainingTextIsNamedBeforeAnythingRuns) {
  const fs::path out = temp_dir("text");
  const auto r = run_cli({"report", "--out", out.string(), "--smoke", "--data", "/nonexistent/text.txt"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "/nonexistent/text.txt")) << r.err;
  EXPECT_FALSE(fs::exists(out / "index.html"));
  fs::remove_all(out);
}

TEST(ReportErrors, FromWithoutTheExpectedFilesNamesWhatIsMissing) {
  const fs::path out = temp_dir("missing");
  auto r = run_cli({"report", "--out", (out / "o").string(), "--from", (out / "nowhere").string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "nowhere")) << r.err;
  EXPECT_TRUE(contains(r.err, "not a directory")) << r.err;

  fs::create_directories(out / "empty");
  r = run_cli({"report", "--out", (out / "o").string(), "--from", (out / "empty").string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "formats/")) << r.err;

  // A copy of the smoke data without one file: the error names the file and the command that writes it.
  fs::copy(kSmoke / "data", out / "partial", fs::copy_options::recursive);
  fs::remove(out / "partial" / "drift" / "heat.json");
  r = run_cli({"report", "--out", (out / "o").string(), "--from", (out / "partial").string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "drift/heat.json")) << r.err;
  EXPECT_TRUE(contains(r.err, "roundlab experiment heat")) << r.err;

  // A malformed file: named too.
  fs::copy(kSmoke / "data", out / "bad", fs::copy_options::recursive);
  { std::ofstream(out / "bad" / "training" / "summary.csv") << "label,seed\nfp32,1,extra\n"; }
  r = run_cli({"report", "--out", (out / "o").string(), "--from", (out / "bad").string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "summary.csv")) << r.err;

  // A damaged input value in a bias curve is refused, naming the file, row and column (it was read as 0
  // and failed later inside the log-axis plot, exit 1).
  fs::copy(kSmoke / "data", out / "bad_x", fs::copy_options::recursive);
  {
    const fs::path csv = out / "bad_x" / "bias" / "x" / "sr.csv";
    std::stringstream text;
    text << std::ifstream(csv).rdbuf();
    std::string body = text.str();
    const auto row = body.find("\n0x", body.find("\nx,"));  // the first data row starts with a hex float
    ASSERT_NE(row, std::string::npos);
    body.replace(row + 1, 2, "zz");
    std::ofstream(csv) << body;
  }
  r = run_cli({"report", "--out", (out / "o").string(), "--from", (out / "bad_x").string()});
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "bias/x/sr.csv' row 1, column 'x'")) << r.err;

  // A damaged header field of a bias curve: named, not read as 0 random bits.
  fs::copy(kSmoke / "data", out / "bad_n", fs::copy_options::recursive);
  {
    const fs::path csv = out / "bad_n" / "bias" / "x" / "sr.csv";
    std::stringstream text;
    text << std::ifstream(csv).rdbuf();
    std::string body = text.str();
    const auto at = body.find("random_bits=0,");
    ASSERT_NE(at, std::string::npos);
    body.replace(at, 14, "random_bits=z,");
    std::ofstream(csv) << body;
  }
  r = run_cli({"report", "--out", (out / "o").string(), "--from", (out / "bad_n").string()});
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "header field random_bits='z' is not a count")) << r.err;

  // The same for a codebook's p/q value in formats/values.csv (bnb_fp4's 1/192 damaged to 1/x).
  fs::copy(kSmoke / "data", out / "bad_pq", fs::copy_options::recursive);
  {
    const fs::path csv = out / "bad_pq" / "formats" / "values.csv";
    std::stringstream text;
    text << std::ifstream(csv).rdbuf();
    std::string body = text.str();
    const auto at = body.find(",1/192");
    ASSERT_NE(at, std::string::npos);
    body.replace(at, 6, ",1/x92");
    std::ofstream(csv) << body;
  }
  r = run_cli({"report", "--out", (out / "o").string(), "--from", (out / "bad_pq").string()});
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "'1/x92' is neither a number nor p/q")) << r.err;
  fs::remove_all(out);
}

}  // namespace
