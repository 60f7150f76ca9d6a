// The CLI on bad input: every error names what was wrong (the format, the mode, the text of the number,
// the option, the line), bad lines are reported while the other lines are still answered, and the exit
// status says so. Plus the happy-path output format: "<exact C99 hex float> <zero-padded hex code>".
// Expected outputs are written out by hand from the definitions (e.g. 1.125 = 0x1.2p+0; in Binary8p4se
// 1.0 is code 0x40, formats.md §2.1, so 1.125 = 1 + one ulp is 0x41).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_testing.hpp"

namespace {

using namespace roundlab::cli_testing;

CliRun run(const std::vector<std::string>& args, const std::string& input = "") { return run_cli(args, input); }

std::vector<std::string> round_args(const std::string& format, const std::string& mode,
                                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> a = {"round", "--format", format, "--mode", mode};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

TEST(CliErrors, UnknownFormatIsNamed) {
  const CliRun r = run(round_args("no_such_format_xyz", "rne"), "1\n");
  EXPECT_NE(r.rc, 0);
  EXPECT_TRUE(contains(r.err, "no_such_format_xyz")) << r.err;
  EXPECT_TRUE(contains(r.err, "unknown format")) << r.err;
  EXPECT_EQ(r.out, "");
  for (const char* cmd : {"decode", "encode"}) {
    const CliRun d = run({cmd, "--format", "e9m9", "1"});
    EXPECT_NE(d.rc, 0) << cmd;
    EXPECT_TRUE(contains(d.err, "e9m9")) << cmd << ": " << d.err;
  }
}

TEST(CliErrors, UnknownModeIsNamed) {
  const CliRun r = run(round_args("binary16", "round_sideways"), "1\n");
  EXPECT_NE(r.rc, 0);
  EXPECT_TRUE(contains(r.err, "round_sideways")) << r.err;
  EXPECT_TRUE(contains(r.err, "mode")) << r.err;
  EXPECT_EQ(r.out, "");
}

// Malformed numbers are line errors that quote the text; the good line after them is still answered.
TEST(CliErrors, MalformedNumbersAreLineErrors) {
  const CliRun r = run(round_args("binary16", "rne"), "1.2.3\n0x1.8q3\n\nabc\n1.5\n");
  EXPECT_EQ(r.rc, 1);
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 5u) << r.out;
  EXPECT_EQ(out[0].rfind("error: line 1:", 0), 0u) << out[0];
  EXPECT_TRUE(contains(out[0], "'1.2.3'")) << out[0];
  EXPECT_EQ(out[1].rfind("error: line 2:", 0), 0u) << out[1];
  EXPECT_TRUE(contains(out[1], "'0x1.8q3'")) << out[1];
  EXPECT_EQ(out[2].rfind("error: line 3:", 0), 0u) << out[2];
  EXPECT_TRUE(contains(out[2], "empty")) << out[2];
  EXPECT_EQ(out[3].rfind("error: line 4:", 0), 0u) << out[3];
  EXPECT_TRUE(contains(out[3], "'abc'")) << out[3];
  EXPECT_EQ(out[4], "0x1.8p+0 0x3e00");
  // The same messages go to stderr, with the line numbers.
  for (const char* what : {"line 1", "line 2", "line 3", "line 4", "1.2.3", "0x1.8q3", "abc"})
    EXPECT_TRUE(contains(r.err, what)) << what << " missing from: " << r.err;
  EXPECT_FALSE(contains(r.err, "line 5")) << r.err;
}

TEST(CliErrors, MalformedNumbersInEncode) {
  for (const std::string bad : {"1.2.3", "0x1.8q3", "", "abc", "1e", "0x", "+-1", "1..2", "0x1p", "inff"}) {
    const CliRun r = run({"encode", "--format", "binary16", bad});
    EXPECT_EQ(r.rc, 1) << "'" << bad << "'";
    EXPECT_TRUE(contains(r.out, "error: item 1")) << "'" << bad << "': " << r.out;
    EXPECT_TRUE(contains(r.err, "'" + bad + "'")) << r.err;
  }
  // A malformed code for decode.
  const CliRun d = run({"decode", "--format", "e5m2", "0xZZ"});
  EXPECT_EQ(d.rc, 1);
  EXPECT_TRUE(contains(d.err, "0xZZ")) << d.err;
  // A code out of range for the format.
  const CliRun o = run({"decode", "--format", "e5m2", "0x100"});
  EXPECT_EQ(o.rc, 1);
  EXPECT_TRUE(contains(o.err, "0x100")) << o.err;
}

TEST(CliErrors, RandomBitsOutOfRange) {
  for (const std::string n : {"65", "-1", "x", "", "3.5", "1e2"}) {
    const CliRun r = run(round_args("b8p4", "src", {"--random-bits", n}), "1 0\n");
    EXPECT_EQ(r.rc, 2) << "'" << n << "'";
    EXPECT_TRUE(contains(r.err, "random-bits")) << r.err;
    EXPECT_TRUE(contains(r.err, "'" + n + "'") || contains(r.err, "= " + n)) << "'" << n << "': " << r.err;
    EXPECT_EQ(r.out, "");
  }
  // The boundaries are accepted: N = 0 and N = 64.
  EXPECT_EQ(run(round_args("b8p4", "src", {"--random-bits", "0"}), "1 0\n").rc, 0);
  EXPECT_EQ(run(round_args("b8p4", "src", {"--random-bits", "64"}), "1 18446744073709551615\n").rc, 0);
}

TEST(CliErrors, MissingRandomBitsForFewBitModes) {
  for (const char* mode : {"src", "srf", "srff", "sro", "srceil"}) {
    const CliRun r = run(round_args("b8p4", mode), "1 0\n");
    EXPECT_EQ(r.rc, 2) << mode;
    EXPECT_TRUE(contains(r.err, "--random-bits")) << mode << ": " << r.err;
  }
}

// r ≥ 2^N is a line error naming the line; the other lines are still answered; the exit status is 1.
TEST(CliErrors, RandomValueTooLargeIsALineError) {
  // 1 + 1/32 in Binary8p4se: δ = 1/4, src N = 3: RNE(2) + 7 ≥ 8 → away → 1.125 (code 0x41).
  const CliRun r = run(round_args("b8p4", "src", {"--random-bits", "3"}), "1.03125 8\n1.03125 7\n1.03125 5\n");
  EXPECT_EQ(r.rc, 1);
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 3u) << r.out;
  EXPECT_EQ(out[0].rfind("error: line 1:", 0), 0u) << out[0];
  EXPECT_TRUE(contains(out[0], "8")) << out[0];
  EXPECT_EQ(out[1], "0x1.2p+0 0x41");
  EXPECT_EQ(out[2], "0x1p+0 0x40");  // RNE(2) + 5 < 8
  EXPECT_TRUE(contains(r.err, "line 1")) << r.err;
  // A line error in the middle keeps the numbering.
  const CliRun m = run(round_args("b8p4", "srff", {"--random-bits", "2"}), "1 0\n1 4\n1 3\n");
  EXPECT_EQ(m.rc, 1);
  const auto mo = lines(m.out);
  ASSERT_EQ(mo.size(), 3u);
  EXPECT_EQ(mo[0], "0x1p+0 0x40");
  EXPECT_EQ(mo[1].rfind("error: line 2:", 0), 0u) << mo[1];
  EXPECT_EQ(mo[2], "0x1p+0 0x40");
  // r missing for a stochastic mode, or not a number.
  const CliRun miss = run(round_args("b8p4", "src", {"--random-bits", "3"}), "1.5\n1.5 x\n1.5 -1\n");
  EXPECT_EQ(miss.rc, 1);
  const auto mm = lines(miss.out);
  ASSERT_EQ(mm.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(mm[i].rfind("error: line " + std::to_string(i + 1) + ":", 0), 0u) << mm[i];
}

TEST(CliErrors, DeterministicModeGivenR) {
  const CliRun r = run(round_args("binary16", "rne"), "1.0 3\n1.0\n");
  EXPECT_EQ(r.rc, 1);
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rfind("error: line 1:", 0), 0u) << out[0];
  EXPECT_TRUE(contains(out[0], "deterministic")) << out[0];
  EXPECT_EQ(out[1], "0x1p+0 0x3c00");
  // ... or given --random-bits.
  const CliRun n = run(round_args("binary16", "rtz", {"--random-bits", "3"}), "1.0\n");
  EXPECT_EQ(n.rc, 2);
  EXPECT_TRUE(contains(n.err, "deterministic")) << n.err;
  // Exact SR takes no N other than 64.
  const CliRun s = run(round_args("binary16", "sr", {"--random-bits", "5"}), "1.0 0\n");
  EXPECT_EQ(s.rc, 2);
  EXPECT_TRUE(contains(s.err, "sr")) << s.err;
}

// OCP E2M1 has no NaN: a NaN input is a line error, and the other lines are answered.
TEST(CliErrors, NaNIntoFormatWithoutNaN) {
  const CliRun r = run(round_args("ocp_e2m1", "rne"), "nan\n2.5\n-nan\n");
  EXPECT_EQ(r.rc, 1);
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 3u) << r.out;
  EXPECT_EQ(out[0].rfind("error: line 1:", 0), 0u) << out[0];
  EXPECT_TRUE(contains(out[0], "NaN")) << out[0];
  EXPECT_TRUE(contains(out[0], "ocp_e2m1")) << out[0];
  EXPECT_EQ(out[1], "0x1p+1 0x4");  // 2.5 ties to even: 2 (formats.md §3.1 "2.5→2"), code 0b0100
  EXPECT_EQ(out[2].rfind("error: line 3:", 0), 0u) << out[2];
  // Encoding NaN directly is an error too.
  const CliRun e = run({"encode", "--format", "ocp_e2m1", "nan"});
  EXPECT_EQ(e.rc, 1);
  EXPECT_TRUE(contains(e.err, "NaN") || contains(e.err, "nan")) << e.err;
}

TEST(CliErrors, UnknownOptionIsNamed) {
  const CliRun r = run(round_args("binary16", "rne", {"--bogus-option"}), "1\n");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "--bogus-option")) << r.err;
  const CliRun v = run(round_args("binary16", "rne", {"--saturate", "sometimes"}), "1\n");
  EXPECT_EQ(v.rc, 2);
  EXPECT_TRUE(contains(v.err, "sometimes")) << v.err;
  const CliRun missing = run({"round", "--mode", "rne"}, "1\n");
  EXPECT_EQ(missing.rc, 2);
  EXPECT_TRUE(contains(missing.err, "--format")) << missing.err;
  const CliRun no_value = run({"round", "--format"}, "1\n");
  EXPECT_EQ(no_value.rc, 2);
  EXPECT_TRUE(contains(no_value.err, "--format")) << no_value.err;
}

TEST(CliErrors, UnknownCommandIsNamed) {
  const CliRun r = run({"frobnicate", "--format", "binary16"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "frobnicate")) << r.err;
  EXPECT_TRUE(contains(r.err, "usage")) << r.err;
  const CliRun none = run({});
  EXPECT_EQ(none.rc, 2);
  EXPECT_TRUE(contains(none.err, "usage")) << none.err;
}

// Output format: exact C99 hex float, then the code zero-padded to ⌈k/4⌉ hex digits.
TEST(CliOutput, HappyPathFormat) {
  const CliRun b = run(round_args("b8p4", "rne"), "1.125\n1.1\n-0.0068359375\n");
  EXPECT_EQ(b.rc, 0) << b.err;
  // 1.1 → 1.125 (1.1 is nearer to 1.125 than to 1); −7·2^-10 is the subnormal code 0x87.
  EXPECT_EQ(b.out, "0x1.2p+0 0x41\n0x1.2p+0 0x41\n-0x1.cp-8 0x87\n");
  const CliRun h = run(round_args("binary16", "rne"), "-0\n0\nnan\ninf\n-inf\n0x1p-24\n65504\n1e9\n");
  EXPECT_EQ(h.rc, 0) << h.err;
  EXPECT_EQ(h.out,
            "-0x0p+0 0x8000\n"
            "0x0p+0 0x0000\n"
            "nan 0x7e00\n"
            "inf 0x7c00\n"
            "-inf 0xfc00\n"
            "0x1p-24 0x0001\n"
            "0x1.ffcp+15 0x7bff\n"
            "inf 0x7c00\n");
  // 4-bit and 6-bit formats: one and two hex digits.
  EXPECT_EQ(run(round_args("ocp_e2m1", "rne"), "0.5\n-6\n").out, "0x1p-1 0x1\n-0x1.8p+2 0xf\n");
  EXPECT_EQ(run(round_args("ocp_e3m2", "rne"), "28\n").out, "0x1.cp+4 0x1f\n");
  // −0 in a format without −0 (P3109) is +0, code 0x00.
  EXPECT_EQ(run(round_args("b8p4", "rne"), "-0\n").out, "0x0p+0 0x00\n");
  // Stochastic: §9 K8P4 near 1.0, x = 1 + 5/128, N = 3, SRC: RNE(2.5) = 2 → r ≥ 6 rounds up.
  EXPECT_EQ(run(round_args("b8p4", "src", {"--random-bits", "3"}), "1.0390625 5\n1.0390625 6\n").out,
            "0x1p+0 0x40\n0x1.2p+0 0x41\n");
  // Saturation option: 61440 in E5M2 overflows to +Inf (0x7c) without, to 57344 (0x7b) with.
  EXPECT_EQ(run(round_args("e5m2", "rne"), "61440\n").out, "inf 0x7c\n");
  EXPECT_EQ(run(round_args("e5m2", "rne", {"--saturate", "finite"}), "61440\n").out, "0x1.cp+15 0x7b\n");
  // decode prints "<code> <value>".
  const CliRun d = run({"decode", "--format", "e5m2", "0x7c", "0x80", "0x01", "0x7f"});
  EXPECT_EQ(d.rc, 0);
  EXPECT_EQ(d.out, "0x7c inf\n0x80 -0x0p+0\n0x01 0x1p-16\n0x7f nan\n");
  const CliRun e = run({"encode", "--format", "binary16", "1", "-0", "0x1.ffcp+15"});
  EXPECT_EQ(e.rc, 0);
  EXPECT_EQ(e.out, "0x3c00\n0x8000\n0x7bff\n");
}

// The built binary: the same output, and the exit status reaches the shell.
TEST(CliOutput, BinaryExitStatus) {
  auto sh = [](const std::string& cmd, std::string& out) {
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return -1;
    char buf[256];
    out.clear();
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    const int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  const std::string bin = ROUNDLAB_CLI_PATH;
  std::string out;
  EXPECT_EQ(sh("printf '1.5\\n' | '" + bin + "' round --format binary16 --mode rne 2>/dev/null", out), 0);
  EXPECT_EQ(out, "0x1.8p+0 0x3e00\n");
  EXPECT_EQ(sh("printf '1.5\\nabc\\n' | '" + bin + "' round --format binary16 --mode rne 2>/dev/null", out), 1);
  EXPECT_EQ(out.rfind("0x1.8p+0 0x3e00\nerror: line 2:", 0), 0u) << out;
  EXPECT_EQ(sh("'" + bin + "' round --format nope --mode rne </dev/null 2>&1", out), 2);
  EXPECT_TRUE(contains(out, "nope")) << out;
  EXPECT_EQ(sh("'" + bin + "' frobnicate 2>&1", out), 2);
  EXPECT_TRUE(contains(out, "frobnicate")) << out;
}

// A command that takes options only refuses a stray argument instead of ignoring it (round would then
// sit waiting on stdin for the value the user meant to give as 1.5).
TEST(CliErrors, StrayArgumentsAreRefused) {
  CliRun r = run(round_args("b8p4", "rne", {"1.5"}));
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "unexpected argument '1.5'")) << r.err;
  EXPECT_TRUE(contains(r.err, "echo 1.5 | roundlab round")) << r.err;
  EXPECT_EQ(r.out, "");
  for (const std::vector<std::string>& a : std::vector<std::vector<std::string>>{
           {"formats", "b8p4"}, {"modes", "rne"}, {"version", "x"}, {"bench", "100"},
           {"compare", "--format", "b8p4", "--mode", "rne", "in.bin"},
           {"bias", "--format", "b8p4", "--mode", "sr", "--source", "bfloat16", "x"},
           {"stattest", "--format", "b8p4", "--mode", "sr", "x"},
           {"quantize-block", "--format", "mxfp4", "--mode", "rne", "1"}}) {
    r = run(a);
    EXPECT_EQ(r.rc, 2) << a[0];
    EXPECT_TRUE(contains(r.err, "unexpected argument '" + a.back() + "'")) << a[0] << ": " << r.err;
  }
}

// `roundlab CMD --help` (or -h) prints that command's usage and exits 0 without reading stdin; it used to
// be "unknown option --help".
TEST(CliOutput, CommandHelpPrintsItsUsage) {
  CliRun r = run(round_args("b8p4", "rne", {"--help"}), "1.5\n");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("usage: roundlab round --format F --mode M", 0), 0u) << r.out;
  EXPECT_TRUE(contains(r.out, "Inputs: decimal")) << r.out;
  EXPECT_FALSE(contains(r.out, "0x1.8p+0")) << "read stdin: " << r.out;
  r = run({"prove", "-h"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "usage: roundlab prove [--quick|--full]")) << r.out;
  EXPECT_TRUE(contains(r.out, "usage: roundlab prove --merge FILE...")) << r.out;
  EXPECT_FALSE(contains(r.out, "Inputs:")) << r.out;
  EXPECT_FALSE(contains(r.out, "bench")) << r.out;
  r = run({"compare", "--help"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "--inputs FILE --outputs FILE")) << r.out;
  EXPECT_FALSE(contains(r.out, "bias --format")) << r.out;
}

// Parametric names with a parameter beyond int are refused as out of range (std::stoi used to escape as
// "error: stoi", exit 1), and the unknown-format message says how parametric names are spelled.
TEST(CliErrors, ParametricFormatNamesOutOfRange) {
  for (const std::string f : {"binary99999999999p3se", "binary8p99999999999se", "sbits99999999999", "sbits10_e99999"}) {
    const CliRun r = run({"encode", "--format", f, "1"});
    EXPECT_EQ(r.rc, 2) << f;
    EXPECT_TRUE(contains(r.err, "format '" + f + "': ")) << r.err;
    EXPECT_TRUE(contains(r.err, "is out of range")) << r.err;
  }
  const CliRun r = run({"encode", "--format", "binary8p4xe", "1"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "Binary{K}p{P}{s|u}{e|f}")) << r.err;
}

// formats --family: an unknown family is refused with the known ones listed (not an empty table).
TEST(CliErrors, UnknownFormatFamilyIsNamed) {
  const CliRun r = run({"formats", "--family", "ocpp"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "--family 'ocpp' is not a format family")) << r.err;
  EXPECT_TRUE(contains(r.err, "p3109")) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(run({"formats", "--family", "ocp"}).rc, 0);
}

// encode of a value no code holds: the reason is the true one, and the value's exact text is short.
// 10^400 is an integer (dyadic) but has ~929 significant bits; 0.1 is not dyadic at all.
TEST(CliErrors, EncodeOfAnInexactValueSaysWhy) {
  const CliRun r = run({"encode", "--format", "b8p4", "1e400", "0.1"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.err, "value 1e+400 is not in format")) << r.err;
  EXPECT_TRUE(contains(r.err, "not a dyadic rational of at most 320 significant bits")) << r.err;
  EXPECT_TRUE(contains(r.err, "value 0.1 is not in format")) << r.err;
  EXPECT_LT(r.err.size(), 1000u) << r.err;
}

// Numeric options share one parser (cli/options): every malformed or negative value is refused with
// the option named, before any work starts.
TEST(CliErrors, NumericOptionsNameTheOption) {
  const std::vector<std::vector<std::string>> cases = {
      {"compare", "--format", "b8p4", "--mode", "rne", "--source", "bfloat16", "--samples", "-5"},
      {"compare", "--format", "b8p4", "--mode", "rne", "--source", "bfloat16", "--seed", "0x1g"},
      {"compare", "--format", "b8p4", "--mode", "rne", "--source", "bfloat16", "--shard", "2/2"},
      {"bench", "--elements", "lots"},
      {"stattest", "--format", "b8p4", "--mode", "src", "--random-bits", "3", "--alpha", "small"},
      {"stattest", "--format", "b8p4", "--mode", "src", "--random-bits", "3", "--samples", "1e3"},
      {"prove", "--shard", "1/0"},
  };
  const std::vector<std::string> named = {"--samples", "--seed", "--shard", "--elements", "--alpha", "--samples", "--shard"};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const CliRun r = run(cases[i]);
    EXPECT_EQ(r.rc, 2) << cases[i][0] << " " << named[i];
    EXPECT_TRUE(contains(r.err, named[i])) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // 0x-hex and decimal are both accepted.
  EXPECT_EQ(run({"stattest", "--format", "b8p4", "--mode", "src", "--random-bits", "3", "--inputs", "4", "--samples", "64",
                 "--seed", "0x2a"}).rc,
            0);
}

// bench --elements beyond the host's memory is refused up front (2^31 elements need ~52 GiB on the CPU
// backend), not left for the kernel to kill; the message names the option and both sizes.
TEST(CliErrors, BenchRefusesMoreElementsThanMemory) {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (static_cast<double>(pages) * static_cast<double>(page) * 0.9 >= 26.0 * 2147483648.0)
    GTEST_SKIP() << "this machine holds 2^31 elements; nothing to refuse";
  const CliRun r = run({"bench", "--elements", "2147483648", "--repeat", "1"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "--elements 2147483648 needs about 52.0 GiB of host memory; this machine has")) << r.err;
  EXPECT_EQ(r.out, "");
}

// bench --backend: an unknown backend is refused; cuda either runs (a GPU is visible) or says why not.
TEST(CliErrors, BenchBackendIsChecked) {
  CliRun r = run({"bench", "--backend", "gpu", "--elements", "64"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "unknown --backend 'gpu': expected cpu or cuda")) << r.err;
  r = run({"bench", "--backend", "cuda", "--generic"});
  EXPECT_EQ(r.rc, 2);
  // Without CUDA in the build the backend itself is refused first; with it, the flag.
  EXPECT_TRUE(contains(r.err, "--generic applies to --backend cpu only") || contains(r.err, "built without CUDA"))
      << r.err;
  r = run({"bench", "--backend", "cuda", "--elements", "4096", "--repeat", "1", "--filter", "bfloat16 rne"});
  if (r.rc == 0) {
    EXPECT_TRUE(contains(r.out, "roundlab bench --backend cuda: 4096 elements on ")) << r.out;
  } else {
    EXPECT_EQ(r.rc, 2);
    EXPECT_TRUE(contains(r.err, "--backend cuda: ")) << r.err;
  }
}

// `CMD --help` names every option the command accepts. Both lists come from the program: the accepted
// options from the unknown-option error, the help from `CMD --help`. (bench --philox-seed, compare
// --max-report and others were accepted but missing from the help.)
TEST(CliOutput, CommandHelpNamesEveryOptionItTakes) {
  const std::string marker = "(this command takes:";
  for (const char* cmd : {"formats", "modes", "round", "decode", "encode", "compare", "bias", "quantize-block",
                          "stattest", "prove", "experiment", "train-gpt", "report", "bench", "version"}) {
    const CliRun bad = run({cmd, "--zz-not-an-option"});
    EXPECT_EQ(bad.rc, 2) << cmd;
    const std::size_t at = bad.err.find(marker);
    if (std::string(cmd) == "version") {
      EXPECT_TRUE(contains(bad.err, "(this command takes no options)")) << bad.err;
      continue;
    }
    ASSERT_NE(at, std::string::npos) << cmd << ": " << bad.err;
    const std::size_t close = bad.err.find(')', at);
    ASSERT_NE(close, std::string::npos) << bad.err;
    std::istringstream names(bad.err.substr(at + marker.size(), close - at - marker.size()));
    const CliRun help = run({cmd, "--help"});
    EXPECT_EQ(help.rc, 0) << cmd;
    int checked = 0;
    for (std::string opt; names >> opt;) {
      if (opt == "--help") continue;
      ++checked;
      // As a word of its own: "--seed" inside "--input-seed" or "--random" inside "--random-bits" do not count.
      bool found = false;
      for (std::size_t p = help.out.find(opt); p != std::string::npos && !found; p = help.out.find(opt, p + 1)) {
        const char before = p == 0 ? ' ' : help.out[p - 1];
        const char after = p + opt.size() < help.out.size() ? help.out[p + opt.size()] : ' ';
        found = before != '-' && (std::isalnum(static_cast<unsigned char>(before)) == 0) && after != '-' &&
                (std::isalnum(static_cast<unsigned char>(after)) == 0);
      }
      EXPECT_TRUE(found) << "roundlab " << cmd << " --help does not name " << opt << ":\n" << help.out;
    }
    EXPECT_GT(checked, 0) << cmd << ": no option parsed from: " << bad.err;
  }
}
