// proofs/ claims and `roundlab prove`: every claim's quick domain passes and its certificate says what
// was checked; each claim fails, with a counterexample, when its expectation is perturbed (so a claim
// can fail); shards partition a claim's work; bad options are refused with a message naming them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"
#include "proofs/claim.hpp"
#include "reference/error.hpp"

using namespace roundlab;

namespace {

int run_cli(std::vector<std::string> args, std::string& out, std::string& err) {
  std::istringstream in;
  std::ostringstream o, e;
  args.insert(args.begin(), "prove");
  const int rc = cli::run_main(args, in, o, e);
  out = o.str();
  err = e.str();
  return rc;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST(Prove, QuickRunPassesAndWritesCertificates) {
  const auto dir = std::filesystem::temp_directory_path() / "roundlab_test_prove";
  std::filesystem::remove_all(dir);
  std::string out, err;
  ASSERT_EQ(run_cli({"--quick", "--out", dir.string()}, out, err), 0) << out << err;
  for (const auto& c : proofs::all_claims()) {
    const std::string json = slurp(dir / (c.name + ".quick.json"));
    EXPECT_NE(json.find("\"status\": \"passed\""), std::string::npos) << c.name << json;
    EXPECT_NE(json.find("\"failures\": 0"), std::string::npos) << c.name;
    EXPECT_EQ(json.find("\"cases_checked\": 0,"), std::string::npos) << c.name;
    EXPECT_NE(json.find("\"revision\": "), std::string::npos) << c.name;
    EXPECT_NE(json.find("\"statement\": "), std::string::npos) << c.name;
  }
  std::filesystem::remove_all(dir);
}

TEST(Prove, EveryClaimCanFail) {
  for (const auto& c : proofs::all_claims()) {
    proofs::ClaimRun run;
    run.inject_fault = true;
    run.shard_index = 0;
    run.shard_count = c.name == "device-equals-reference" ? 7 : 20;  // one unit or a few: quick
    const proofs::Certificate cert = proofs::run_claim(c, run, "test");
    EXPECT_FALSE(cert.passed()) << c.name;
    EXPECT_GT(cert.failures, 0u) << c.name;
    EXPECT_FALSE(cert.counterexample.empty()) << c.name;
    EXPECT_GT(cert.cases_checked, 0u) << c.name;
  }
}

TEST(Prove, ShardsPartitionTheWork) {
  const proofs::Claim* claim = nullptr;
  for (const auto& c : proofs::all_claims())
    if (c.name == "bias-closed-forms") claim = &c;
  ASSERT_NE(claim, nullptr);
  proofs::ClaimRun whole;
  const proofs::Certificate all = proofs::run_claim(*claim, whole, "test");
  std::uint64_t units = 0, cases = 0;
  for (std::uint64_t i = 0; i < 3; ++i) {
    proofs::ClaimRun part;
    part.shard_index = i;
    part.shard_count = 3;
    const proofs::Certificate c = proofs::run_claim(*claim, part, "test");
    EXPECT_TRUE(c.passed());
    EXPECT_EQ(c.work_units, all.work_units);
    units += c.units_checked;
    cases += c.cases_checked;
  }
  EXPECT_EQ(units, all.work_units);
  EXPECT_EQ(cases, all.cases_checked);
}

TEST(Prove, BadOptionsAreRefused) {
  std::string out, err;
  EXPECT_EQ(run_cli({"--shard", "3/2"}, out, err), 2);
  EXPECT_NE(err.find("--shard"), std::string::npos);
  EXPECT_EQ(run_cli({"--claim", "nope"}, out, err), 2);
  EXPECT_NE(err.find("bias-closed-forms"), std::string::npos);  // lists the claims
  EXPECT_EQ(run_cli({"--quick", "--full"}, out, err), 2);
  EXPECT_EQ(run_cli({"--list"}, out, err), 0);
  EXPECT_NE(out.find("device-equals-reference"), std::string::npos);
}

TEST(Prove, ShardCertificatesMergeIntoTheWholeRun) {
  const auto dir = std::filesystem::temp_directory_path() / "roundlab_test_merge";
  std::filesystem::remove_all(dir);
  std::string out, err;
  std::vector<std::string> files;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(run_cli({"--claim", "bias-closed-forms", "--shard", std::to_string(i) + "/3", "--out", dir.string()}, out, err), 0)
        << out << err;
    files.push_back((dir / ("bias-closed-forms.quick.shard-" + std::to_string(i) + "-of-3.json")).string());
  }
  // Round trip of one certificate through the parser.
  const proofs::Certificate one = proofs::parse_certificate(slurp(files[1]));
  EXPECT_EQ(one.claim, "bias-closed-forms");
  EXPECT_EQ(one.shard_index, 1u);
  EXPECT_EQ(one.shard_count, 3u);
  EXPECT_GT(one.cases_checked, 0u);
  // The same certificate on one line (as jq -c writes it) reads the same; damage is refused by field.
  std::string flat = slurp(files[1]);
  for (auto& ch : flat)
    if (ch == '\n') ch = ' ';
  const proofs::Certificate again = proofs::parse_certificate(flat);
  EXPECT_EQ(again.cases_checked, one.cases_checked);
  EXPECT_EQ(again.seconds, one.seconds);
  EXPECT_EQ(again.counterexample, one.counterexample);
  auto refused = [&](const std::string& from, const std::string& to, const std::string& message) {
    std::string bad = slurp(files[1]);
    const auto at = bad.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bad.replace(at, from.size(), to);
    try {
      (void)proofs::parse_certificate(bad);
      ADD_FAILURE() << "accepted: " << to;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  refused("\"shard\": \"1/3\"", "\"shard\": \"x/3\"", "certificate shard 'x/3' is not i/n");
  refused("\"failures\": 0", "\"failures\": -1", "\"failures\" is not a count");
  refused("\"seconds\": ", "\"seconds\": \"fast\", \"x\": ", "\"seconds\" is not a number");
  refused("{", "[", "certificate is not JSON");
  // Two of three shards: refused, naming the missing one.
  std::vector<std::string> args = {"--merge", "--out", (dir / "merged").string(), files[0], files[2]};
  EXPECT_EQ(run_cli(args, out, err), 2);
  EXPECT_NE(err.find("shard 1/3"), std::string::npos) << err;
  args.push_back(files[1]);
  ASSERT_EQ(run_cli(args, out, err), 0) << out << err;
  const proofs::Certificate merged = proofs::parse_certificate(slurp(dir / "merged" / "bias-closed-forms.quick.json"));
  proofs::ClaimRun whole;
  const proofs::Claim* claim = nullptr;
  for (const auto& c : proofs::all_claims())
    if (c.name == "bias-closed-forms") claim = &c;
  const proofs::Certificate all = proofs::run_claim(*claim, whole, "test");
  EXPECT_EQ(merged.cases_checked, all.cases_checked);
  EXPECT_EQ(merged.units_checked, all.work_units);
  EXPECT_EQ(merged.shard_count, 1u);
  EXPECT_TRUE(merged.passed());
  std::filesystem::remove_all(dir);
}
