// `roundlab compare`: our kernel passes its sweeps (against MPFR, and the fast launcher against the generic
// kernel); a user's arrays are checked bit for bit, and a
// deliberately wrong kernel (NaN → +Inf, or SRFF presented as SRC) is caught with its first mismatch.
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "cli/commands.hpp"
#include "device/cpu_launch.hpp"
#include "device/device_format_from_reference.hpp"
#include "device/fast_cpu_launch.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;

namespace {

int run(const std::vector<std::string>& args, std::string& out, std::string& err) {
  std::istringstream in;
  std::ostringstream o, e;
  int rc = cli::run_main(args, in, o, e);
  out = o.str();
  err = e.str();
  return rc;
}

template <typename T>
std::string write_file(const std::string& name, const std::vector<T>& v) {
  std::string path = testing::TempDir() + "/" + name;
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
  return path;
}

// Inputs with NaNs whose payload lies only in the low bits, values near max, subnormals, ties.
std::vector<std::uint32_t> interesting_binary32(std::size_t n) {
  std::mt19937 rng(99);
  std::vector<std::uint32_t> v;
  v.push_back(0x7f800001u);  // NaN with payload only in the discarded bits
  v.push_back(0xff800001u);
  v.push_back(0x7f800000u);
  v.push_back(0x43600000u);  // 224
  v.push_back(0x43680000u);  // 232: tie between 224 and 240
  v.push_back(0x00000001u);
  while (v.size() < n) v.push_back(rng());
  return v;
}

}  // namespace

TEST(CompareCli, OwnKernelExhaustiveAndSampledPass) {
  std::string out, err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "src", "--random-bits", "3", "--source", "bfloat16",
                 "--exhaustive"},
                out, err),
            0)
      << out << err;
  EXPECT_NE(out.find("65536 inputs, 524288 cases, 0 mismatches"), std::string::npos) << out;
  EXPECT_EQ(run({"compare", "--format", "bfloat16", "--mode", "sr", "--source", "binary32", "--samples", "5000",
                 "--seed", "3", "--shard", "1/4", "--json"},
                out, err),
            0)
      << out << err;
  EXPECT_NE(out.find("\"inputs\": 1250"), std::string::npos) << out;
  EXPECT_NE(out.find("\"source\": \"binary32\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"ok\": true"), std::string::npos) << out;
  // The record says which seed and shard it ran (reproducible from the JSON alone).
  EXPECT_NE(out.find("\"seed\": 3, \"shard\": \"1/4\""), std::string::npos) << out;
}

// --reference kernel: the fast CPU launcher against the generic CPU kernel on Philox words; the element
// counts say which inputs were swept (a shard of all 2^32 binary32 words, every bfloat16 word twice).
TEST(CompareCli, FastLauncherAgreesWithGenericKernel) {
  std::string out, err;
  EXPECT_EQ(run({"compare", "--format", "bfloat16", "--mode", "sr", "--source", "binary32", "--exhaustive",
                 "--reference", "kernel", "--shard", "700/1024", "--seed", "11"},
                out, err),
            0)
      << out << err;
  // Every instruction-set variant of the launcher this CPU has is a run of its own.
  const auto isas = device::fast_path_isas();
  std::string isa_list;
  for (const auto& isa : isas) isa_list += (isa_list.empty() ? "" : ", ") + isa;
  EXPECT_NE(out.find("4194304 inputs, " + std::to_string(4194304 * isas.size()) + " cases, 0 mismatches"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("fast cpu launcher (" + isa_list +
                     ") vs generic cpu kernel, exhaustive, philox seed 11, shard 700/1024"),
            std::string::npos)
      << out;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "src", "--random-bits", "3", "--source", "bfloat16",
                 "--exhaustive", "--reference", "kernel", "--repeats", "2", "--saturate", "finite"},
                out, err),
            0)
      << out << err;
  EXPECT_NE(out.find("131072 inputs, " + std::to_string(131072 * isas.size()) + " cases, 0 mismatches"),
            std::string::npos)
      << out;
  // A format without NaN (E2M1): the flagged launch's no-encoding flags are compared too.
  EXPECT_EQ(run({"compare", "--format", "ocp_e2m1", "--mode", "sro", "--random-bits", "2", "--source", "binary64",
                 "--samples", "300000", "--reference", "kernel", "--json"},
                out, err),
            0)
      << out << err;
  EXPECT_NE(out.find("\"inputs\": 300000"), std::string::npos) << out;
  EXPECT_NE(out.find("\"ok\": true"), std::string::npos) << out;
}

TEST(CompareCli, UserArraysCorrectKernelPasses) {
  const auto f = std::get<IeeeLikeFormat>(find_format("b8p4"));
  const auto df = device::make_device_format(f);
  Rounding r;
  r.mode = Mode::StochasticC;
  r.random_bits = 3;
  const auto dr = device::make_device_rounding(r);
  auto in = interesting_binary32(4096);
  std::vector<std::uint32_t> rand(in.size());
  std::mt19937 rng(5);
  for (auto& x : rand) x = rng() & 7;
  std::vector<std::uint64_t> rand64(rand.begin(), rand.end());
  std::vector<std::uint8_t> codes(in.size());
  device::RandomInput ri;
  ri.explicit_r = rand64.data();
  device::round_array_cpu(df, dr, device::SourceFormat::Binary32, in.data(), codes.data(), in.size(), ri);
  std::string out, err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "src", "--random-bits", "3", "--source", "binary32",
                 "--inputs", write_file("in.bin", in), "--outputs", write_file("out.bin", codes), "--random",
                 write_file("r.bin", rand)},
                out, err),
            0)
      << out << err;
  EXPECT_NE(out.find("4096 cases, 0 mismatches"), std::string::npos) << out;
  // A random word of more than N bits has no defined result: refused with its element named (it used to be
  // compared against the device kernels' "never away" convention). And a deterministic mode takes none.
  rand[17] = 8;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "src", "--random-bits", "3", "--source", "binary32",
                 "--inputs", write_file("in.bin", in), "--outputs", write_file("out.bin", codes), "--random",
                 write_file("r.bin", rand)},
                out, err),
            2);
  EXPECT_NE(err.find("--random element 17: r = 8 needs more than N = 3 bits"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--source", "binary32", "--inputs",
                 write_file("in.bin", in), "--outputs", write_file("out.bin", codes), "--random", write_file("r.bin", rand)},
                out, err),
            2);
  EXPECT_NE(err.find("mode rne is deterministic: --random does not apply"), std::string::npos) << err;
}

TEST(CompareCli, UserKernelThatTurnsNanIntoInfIsCaught) {
  auto in = interesting_binary32(64);
  std::vector<std::uint16_t> codes(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    // A naive bfloat16 RNE: add the rounding bias and truncate. It turns NaN 0x7f800001 into +Inf.
    const std::uint32_t x = in[i];
    codes[i] = static_cast<std::uint16_t>((x + 0x7fffu + ((x >> 16) & 1)) >> 16);
  }
  std::string out, err;
  EXPECT_EQ(run({"compare", "--format", "bfloat16", "--mode", "rne", "--source", "binary32", "--inputs",
                 write_file("in2.bin", in), "--outputs", write_file("out2.bin", codes)},
                out, err),
            1)
      << out;
  EXPECT_NE(out.find("mismatch: input 0x7f800001 r=0 expected 0x7fc0 got 0x7f80"), std::string::npos) << out;
}

TEST(CompareCli, SrffPresentedAsSrcIsCaught) {
  // Outputs computed with SRFF but checked as SRC: differ wherever RNE(δ·8) ≠ ⌊δ·8⌋.
  const auto f = std::get<IeeeLikeFormat>(find_format("b8p4"));
  const auto df = device::make_device_format(f);
  Rounding srff;
  srff.mode = Mode::StochasticA;
  srff.random_bits = 3;
  auto in = interesting_binary32(2048);
  std::vector<std::uint64_t> rand(in.size());
  for (std::size_t i = 0; i < rand.size(); ++i) rand[i] = i % 8;
  std::vector<std::uint8_t> codes(in.size());
  device::RandomInput ri;
  ri.explicit_r = rand.data();
  device::round_array_cpu(df, device::make_device_rounding(srff), device::SourceFormat::Binary32, in.data(),
                          codes.data(), in.size(), ri);
  std::string out, err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "src", "--random-bits", "3", "--source", "binary32",
                 "--inputs", write_file("in3.bin", in), "--outputs", write_file("out3.bin", codes), "--random",
                 write_file("r3.bin", rand), "--random-bytes", "8"},
                out, err),
            1);
  EXPECT_NE(out.find("mismatch: input"), std::string::npos) << out;
}

TEST(CompareCli, BadInputsAreNamed) {
  std::string out, err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--source", "binary8"}, out, err), 2);
  EXPECT_NE(err.find("--source: unknown source format 'binary8'"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--source", "binary64", "--exhaustive"}, out, err),
            2);
  EXPECT_NE(err.find("not possible for binary64"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--shard", "4/4"}, out, err), 2);
  EXPECT_NE(err.find("--shard '4/4'"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--inputs", "/nonexistent/x", "--outputs", "y"},
                out, err),
            2);
  EXPECT_NE(err.find("cannot be opened"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--samples", "10", "--reference", "gpu"}, out, err), 2);
  EXPECT_NE(err.find("unknown --reference 'gpu'"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "sr", "--source", "binary32", "--samples", "10",
                 "--reference", "kernel", "--repeats", "4"},
                out, err),
            2);
  EXPECT_NE(err.find("--repeats (stream words per input) applies to --exhaustive sweeps of 16-bit sources"),
            std::string::npos)
      << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--inputs", "a", "--outputs", "b", "--reference",
                 "kernel"},
                out, err),
            2);
  EXPECT_NE(err.find("--reference kernel does not apply"), std::string::npos) << err;
  // Conflicting sweep options are refused, not silently resolved (--exhaustive over binary32 used to win
  // over --samples 10 and start a 2^32 sweep).
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--source", "binary32", "--samples", "10",
                 "--exhaustive"},
                out, err),
            2);
  EXPECT_NE(err.find("--exhaustive and --samples exclude each other"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--inputs", "a", "--outputs", "b", "--samples", "10"},
                out, err),
            2);
  EXPECT_NE(err.find("--samples applies to sweeps; --inputs checks your arrays whole"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "--format", "b8p4", "--mode", "rne", "--inputs", "a", "--outputs", "b", "--exhaustive"},
                out, err),
            2);
  EXPECT_NE(err.find("--exhaustive applies to sweeps"), std::string::npos) << err;
  // Without CUDA (or without a GPU) the cuda backend refuses with a message rather than pretending.
  int rc = run({"compare", "--format", "b8p4", "--mode", "rne", "--source", "bfloat16", "--samples", "10",
                "--backend", "cuda"},
               out, err);
  if (rc != 0) {  // said before any work, naming the backend (not a CUDA allocation error)
    EXPECT_EQ(rc, 2);
    EXPECT_NE(err.find("backend cuda: "), std::string::npos) << err;
  }
  rc = run({"compare", "--format", "b8p4", "--mode", "rne", "--source", "bfloat16", "--exhaustive", "--reference",
            "kernel", "--backend", "cuda"},
           out, err);
  if (rc != 0) {
    EXPECT_EQ(rc, 2);
    EXPECT_NE(err.find("backend cuda: "), std::string::npos) << err;
  }
}
