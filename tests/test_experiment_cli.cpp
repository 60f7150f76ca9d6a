// roundlab experiment: the three models end to end through the CLI at small sizes (the files the
// report reads, their seeds and streams), and bad input named in the error message.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_testing.hpp"

namespace {

using namespace roundlab::cli_testing;

CliRun run(std::vector<std::string> args) { return run_quiet("experiment", std::move(args)); }

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("roundlab_experiment_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace

TEST(ExperimentCli, LorenzWritesJsonAndCsvWithSeedsAndStreams) {
  const auto dir = fresh_dir("lorenz");
  const CliRun r = run({"lorenz", "--sbits", "8,23", "--rounding", "rn,sr,src", "--random-bits", "3", "--length", "500",
                        "--references", "3", "--members", "2", "--seed", "42", "--out", dir.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "threshold tau(z)")) << r.out;
  for (const char* label : {"rn8", "sr8", "src3@8", "rn23", "sr23", "src3@23"}) EXPECT_TRUE(contains(r.out, label)) << label;
  const std::string json = slurp(dir / "lorenz.json");
  EXPECT_TRUE(contains(json, "\"seed\": 42"));
  EXPECT_TRUE(contains(json, "\"label\": \"src3@8\""));
  EXPECT_TRUE(contains(json, "\"stream\": {\"seed\": 42, \"stream\": "));
  EXPECT_TRUE(contains(json, "\"verdict\": "));
  EXPECT_FALSE(contains(json, "nan")) << "JSON has no NaN";
  const std::vector<std::string> summary = lines(slurp(dir / "lorenz_summary.csv"));
  ASSERT_EQ(summary.size(), 7u);  // header + 6 configurations
  EXPECT_EQ(summary[0].substr(0, 25), "label,sbits,mode,random_b");
  EXPECT_EQ(lines(slurp(dir / "lorenz_curve.csv")).size(), 1u + 6u * 5u);
  // Same seed, same results: the table is reproducible (timings aside).
  const CliRun again = run({"lorenz", "--sbits", "8,23", "--rounding", "rn,sr,src", "--random-bits", "3", "--length", "500",
                            "--references", "3", "--members", "2", "--seed", "42"});
  auto table = [](const std::string& out) { return out.substr(0, out.rfind("\n\n")); };
  EXPECT_EQ(table(again.out), table(r.out));
  std::filesystem::remove_all(dir);
}

TEST(ExperimentCli, HeatWritesProfilesAndYearlyTable) {
  const auto dir = fresh_dir("heat");
  const CliRun r = run({"heat", "--sbits", "12", "--rounding", "rn,srff", "--random-bits", "2", "--length", "3", "--out",
                        dir.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "rn12"));
  EXPECT_TRUE(contains(r.out, "srff2@12"));
  const std::vector<std::string> profiles = lines(slurp(dir / "heat_profiles.csv"));
  ASSERT_EQ(profiles.size(), 61u);
  EXPECT_EQ(profiles[0], "depth_m,double,rn12,srff2@12");
  // 3 years × 60 cells for the reference, rn12, and 2 srff members, plus the header.
  EXPECT_EQ(lines(slurp(dir / "heat_yearly.csv")).size(), 1u + 4u * 3u * 60u);
  EXPECT_TRUE(contains(slurp(dir / "heat.json"), "\"stagnant_cells\": "));
  std::filesystem::remove_all(dir);
}

TEST(ExperimentCli, ShallowWaterQuickPresetRuns) {
  const auto dir = fresh_dir("sw");
  const CliRun r = run({"shallow-water", "--quick", "--sbits", "23", "--length", "6", "--out", dir.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "32x16 cells"));
  const std::vector<std::string> summary = lines(slurp(dir / "shallow_water_summary.csv"));
  ASSERT_EQ(summary.size(), 3u);  // rn23, sr23
  // At 23 sbits a member is within the spread of the double references (its own IC's reference is
  // excluded from its distances, exactly as for the references' own statistics).
  EXPECT_TRUE(contains(summary[1], "rn23,23,rne,0,PASS")) << summary[1];
  EXPECT_TRUE(contains(summary[2], "sr23,23,sr,0,PASS")) << summary[2];
  EXPECT_EQ(lines(slurp(dir / "shallow_water_zonal_u.csv")).size(), 17u);
  std::filesystem::remove_all(dir);
}

TEST(ExperimentCli, BadInputIsNamed) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"lorenz", "--sbits", "0"}, "--sbits: 0 is out of range 1..52"},
      {{"lorenz", "--sbits", "8,x"}, "--sbits: 'x' is not an integer"},
      {{"lorenz", "--sbits", "9..7"}, "range '9..7' is empty"},
      {{"lorenz", "--rounding", "nearestish"}, "nearestish"},
      {{"lorenz", "--rounding", "src", "--random-bits", ""}, "needs --random-bits"},
      {{"lorenz", "--members", "7", "--references", "6"}, "--members must be in 1..references"},
      {{"lorenz", "--length", "-1"}, "--length"},
      // Lengths past the step limit are refused before a step count overflows (1e300: it used to read as
      // "fewer than 2 samples"), memory runs out (1e9: std::bad_alloc) or a run takes days (heat, water).
      {{"lorenz", "--length", "1e300"}, "--length gives more than 1000000000 steps"},
      {{"lorenz", "--length", "1e9"}, "--length gives more than 1000000000 steps"},
      {{"lorenz", "--spinup", "2000000000"}, "--spinup 2000000000 is more than 1000000000 steps"},
      {{"heat", "--length", "1e12"}, "--length gives more than 1000000000 steps"},
      {{"shallow-water", "--length", "1e12"}, "--length gives more than 1000000000 steps"},
      {{"shallow-water", "--spinup", "1e12"}, "--spinup gives more than 1000000000 steps"},
      {{"lorenz", "--policy", "lazy"}, "operand policy 'lazy'"},
      {{"lorenz", "--range", "quad"}, "exponent range 'quad'"},
      {{"heat", "--quick", "--paper"}, "choose one preset"},
      {{"shallow-water", "--grid", "33x16"}, "square"},
      {{"shallow-water", "--grid", "big"}, "--grid: 'big' is not NXxNY"},
      {{"weather"}, "unknown model 'weather'"},
      {{}, "expected one model"},
  };
  for (const Case& c : cases) {
    const CliRun r = run(c.args);
    EXPECT_NE(r.rc, 0) << c.message;
    EXPECT_TRUE(contains(r.err, c.message)) << "expected '" << c.message << "' in: " << r.err;
  }
}
