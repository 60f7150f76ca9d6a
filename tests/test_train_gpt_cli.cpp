// roundlab train-gpt end to end on a small text written by the test: one run per weight policy, the
// Figure-3 sweep's seven variants, the files the report reads, and bad input named in the error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_testing.hpp"

namespace {

using namespace roundlab::cli_testing;

CliRun run(std::vector<std::string> args) { return run_quiet("train-gpt", std::move(args)); }

struct Scratch {
  std::filesystem::path dir, data;
  Scratch() {
    dir = std::filesystem::temp_directory_path() / ("roundlab_train_gpt_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    data = dir / "text.txt";
    std::ofstream f(data);
    for (int i = 0; i < 400; ++i) f << "the quick brown fox jumps over the lazy dog " << (i % 7) << "\n";
  }
  ~Scratch() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST(TrainGptCli, OneRunWritesCurvesEvaluationsAndTensorStats) {
  Scratch s;
  const auto out = s.dir / "run";
  const CliRun r = run({"--preset", "tiny", "--iters", "40", "--data", s.data.string(), "--weights", "round-each-step", "--format",
                        "b8p4", "--mode", "srff", "--random-bits", "3", "--seed", "5", "--out", out.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "round-each-step b8p4 srff N=3")) << r.out;
  const std::vector<std::string> summary = lines(slurp(out / "summary.csv"));
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_TRUE(contains(summary[1], ",5,40,")) << summary[1];  // seed 5, last evaluation at iteration 40
  const std::string stem = summary[1].substr(0, summary[1].find(','));
  EXPECT_EQ(lines(slurp(out / (stem + "_seed5_iters.csv"))).size(), 1u + 41u);  // iterations 0..40
  const std::vector<std::string> tensors = lines(slurp(out / (stem + "_seed5_tensors.csv")));
  ASSERT_GT(tensors.size(), 1u);
  // Every 2-D tensor at iteration 40 holds b8p4 values: at most 2^8 − 2 distinct (no NaN), zero included.
  int checked = 0;
  for (const std::string& l : tensors) {
    if (l.rfind("40,", 0) != 0) continue;
    const std::size_t last = l.rfind(',');
    EXPECT_LE(std::stoul(l.substr(last + 1)), 254u) << l;
    ++checked;
  }
  EXPECT_GT(checked, 3);
  EXPECT_TRUE(contains(slurp(out / (stem + "_seed5.json")), "\"seed\": 5"));
}

TEST(TrainGptCli, Figure3SweepRunsSevenVariants) {
  Scratch s;
  const auto out = s.dir / "sweep";
  const CliRun r = run({"--preset", "tiny", "--iters", "3", "--data", s.data.string(), "--sweep", "figure3", "--out", out.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::vector<std::string> summary = lines(slurp(out / "summary.csv"));
  ASSERT_EQ(summary.size(), 8u);
  for (const char* label : {"fp16-rne", "b8p4-rne", "b8p4-src3", "b8p4-srf3", "b8p4-srff3", "fp32", "bf16-sr"})
    EXPECT_TRUE(contains(slurp(out / "summary.csv"), std::string("\n") + label + ",")) << label;
}

// Two seeds: bands.csv holds, per variant and evaluation, the mean, sd, min and max over the seeds; at the
// last evaluation they must be those of the two runs' final val losses in summary.csv.
TEST(TrainGptCli, SweepOverSeedsWritesSeedBands) {
  Scratch s;
  const auto out = s.dir / "bands";
  const CliRun r = run({"--preset", "tiny", "--iters", "3", "--data", s.data.string(), "--sweep", "figure3", "--seeds", "2",
                        "--out", out.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "over the seeds")) << r.out;
  auto fields = [](const std::string& line) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    return f;
  };
  std::vector<double> vals;  // b8p4-src3's final val losses, from summary.csv (label,weights,seed,iter,train,val,ms)
  for (const std::string& line : lines(slurp(out / "summary.csv")))
    if (line.rfind("b8p4-src3,", 0) == 0) vals.push_back(std::stod(fields(line)[5]));
  ASSERT_EQ(vals.size(), 2u);
  bool found = false;
  for (const std::string& line : lines(slurp(out / "bands.csv"))) {
    const auto f = fields(line);
    if (f.size() != 10 || f[0] != "b8p4-src3" || f[1] != "3") continue;
    found = true;
    EXPECT_EQ(f[2], "2");
    EXPECT_NEAR(std::stod(f[6]), (vals[0] + vals[1]) / 2, 1e-6);
    EXPECT_NEAR(std::stod(f[7]), std::fabs(vals[0] - vals[1]) / std::sqrt(2.0), 1e-6);
    EXPECT_NEAR(std::stod(f[8]), std::min(vals[0], vals[1]), 1e-6);
    EXPECT_NEAR(std::stod(f[9]), std::max(vals[0], vals[1]), 1e-6);
  }
  EXPECT_TRUE(found) << slurp(out / "bands.csv");
}

TEST(TrainGptCli, BadInputIsNamed) {
  Scratch s;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"--preset", "huge", "--data", s.data.string()}, "unknown GPT preset 'huge'"},
      {{"--preset", "tiny", "--data", (s.dir / "missing.txt").string()}, "missing.txt"},
      {{"--preset", "tiny", "--data", s.data.string(), "--format", "b8p4"}, "--format applies to --weights round-each-step only"},
      {{"--preset", "tiny", "--data", s.data.string(), "--weights", "round-each-step", "--mode", "src"}, "--format"},
      {{"--preset", "tiny", "--data", s.data.string(), "--weights", "fp8"}, "fp8"},
      {{"--preset", "tiny", "--data", s.data.string(), "--sweep", "figure4"}, "--sweep 'figure4'"},
      {{"--data", s.data.string()}, "--preset"},
      {{"--preset", "tiny", "--data", s.data.string(), "--backend", "tpu"}, "--backend 'tpu': expected cpu or cuda"},
  };
  for (const Case& c : cases) {
    const CliRun r = run(c.args);
    EXPECT_NE(r.rc, 0) << c.message;
    EXPECT_TRUE(contains(r.err, c.message)) << "expected '" << c.message << "' in: " << r.err;
  }
  // Checked before the data is read and before any training: the preset even when the data is missing,
  // an --out that cannot be a directory (below a regular file) before a run is wasted.
  CliRun r = run({"--preset", "huge", "--data", (s.dir / "missing.txt").string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "unknown GPT preset 'huge'")) << r.err;
  r = run({"--preset", "tiny", "--iters", "5", "--data", s.data.string(), "--out", (s.data / "run").string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "--out: cannot create directory")) << r.err;
  EXPECT_FALSE(contains(r.out, "fp32")) << "trained before refusing --out: " << r.out;
}

// Without a visible GPU (or without nvcc at configure time) the CUDA backend is refused with a message
// that says why; with a GPU it trains and records the device in the run's JSON.
TEST(TrainGptCli, CudaBackendRunsOrSaysWhyNot) {
  Scratch s;
  const CliRun r = run({"--preset", "tiny", "--data", s.data.string(), "--iters", "3", "--backend", "cuda", "--out",
                        (s.dir / "out").string()});
  if (r.rc != 0) {
    EXPECT_TRUE(contains(r.err, "--backend cuda: ")) << r.err;
    EXPECT_TRUE(contains(r.err, "no CUDA device is visible") || contains(r.err, "built without CUDA")) << r.err;
  } else {
    EXPECT_TRUE(contains(slurp(s.dir / "out" / "fp32_seed1.json"), "\"backend\": \"cuda, ")) << r.out;
  }
}
