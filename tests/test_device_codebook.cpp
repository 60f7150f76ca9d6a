// Device codebook kernel (device/device_codebook.hpp) against the exact reference round_codebook, bit
// for bit: every codebook of codebook_catalogue(), every bfloat16 word as a binary32 input (all 2^16,
// NaNs, ±Inf, ±0 and subnormals included), the deterministic modes rne, rna, rn (the codebook's default
// tie and tie = upper), rtz, rup, rdn, rto on every input, and srff/srf/src/sro/srceil with N = 3 and
// every r in 0..7. The SR modes check every kSrStride-th bfloat16 word (see below) to keep the run
// short; the deterministic modes check all words. Inputs run in parallel (OpenMP).
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "device/device_codebook.hpp"
#include "device/device_codebook_from_reference.hpp"
#include "device/device_format_from_reference.hpp"
#include "reference/codebook_format.hpp"
#include "reference/error.hpp"
#include "reference/exact_value.hpp"
#include "reference/rounding.hpp"

using namespace roundlab;
using roundlab::device::DeviceCodebook;
using roundlab::device::DeviceResult;

namespace {

// SR modes: every kSrStride-th bfloat16 word (odd, so every exponent and every low mantissa pattern is
// still visited), all 8 draws each.
constexpr std::uint32_t kSrStride = 3;

Rounding mode(Mode m, int n = 0, TieRule tie = TieRule::Even) {
  Rounding r;
  r.mode = m;
  r.random_bits = n;
  r.tie = tie;
  return r;
}

float bf16(std::uint32_t word) { return std::bit_cast<float>(word << 16); }

struct Outcome {
  std::uint64_t code = 0;
  bool no_encoding = false;
  bool error = false;  // the reference threw something other than NoEncodingError
};

Outcome reference(const CodebookFormat& f, const Rounding& rounding, float x, std::uint64_t r) {
  Outcome o;
  try {
    RandomDraw draw;
    draw.r = r;
    o.code = round_codebook(f, rounding, ExactValue::from_float(x), draw).code;
  } catch (const NoEncodingError&) {
    o.no_encoding = true;
  } catch (...) {
    o.error = true;
  }
  return o;
}

// Checks every stride-th bfloat16 word and every r in draws; returns "" or a report of the mismatches.
std::string compare(const CodebookFormat& f, const Rounding& rounding, std::uint64_t draws, std::uint32_t stride) {
  const auto cb = device::make_device_codebook_ptr(f, rounding);
  const device::DeviceRounding rd = device::make_device_rounding(rounding);
  long mismatches = 0;
  std::string first;
#pragma omp parallel for schedule(dynamic, 256) reduction(+ : mismatches)
  for (std::int64_t w = 0; w < 65536; w += stride) {
    const float x = bf16(static_cast<std::uint32_t>(w));
    for (std::uint64_t r = 0; r < draws; ++r) {
      const DeviceResult d = device::round_codebook_device(*cb, rd, x, r);
      const Outcome e = reference(f, rounding, x, r);
      const bool same = !e.error && d.no_encoding == e.no_encoding && (e.no_encoding || d.code == e.code);
      if (same) continue;
      ++mismatches;
#pragma omp critical
      if (first.empty()) {
        std::ostringstream s;
        s.precision(9);
        s << f.name << " " << rounding.describe() << " x=" << x << " (bf16 0x" << std::hex << w << std::dec
          << ") r=" << r << ": device " << (d.no_encoding ? std::string("no_encoding") : std::to_string(d.code))
          << ", reference "
          << (e.error ? std::string("threw") : e.no_encoding ? std::string("no_encoding") : std::to_string(e.code));
        first = s.str();
      }
    }
  }
  if (mismatches == 0) return "";
  return std::to_string(mismatches) + " mismatches; first: " + first;
}

void check_all_codebooks(const Rounding& base, bool default_tie, std::uint64_t draws, std::uint32_t stride) {
  for (const CodebookFormat& f : codebook_catalogue()) {
    Rounding rounding = base;
    if (default_tie) rounding.tie = f.default_tie;
    EXPECT_EQ(compare(f, rounding, draws, stride), "") << f.name << " " << rounding.describe();
  }
}

TEST(DeviceCodebook, DeterministicModesEveryBfloat16) {
  for (Mode m : {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::TowardPositive,
                 Mode::TowardNegative, Mode::ToOdd})
    check_all_codebooks(mode(m), false, 1, 1);
}

TEST(DeviceCodebook, NearestWithDefaultAndUpperTieEveryBfloat16) {
  check_all_codebooks(mode(Mode::Nearest), true, 1, 1);
  check_all_codebooks(mode(Mode::Nearest, 0, TieRule::Upper), false, 1, 1);
}

TEST(DeviceCodebook, FewBitSrN3EveryDraw) {
  for (Mode m : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil})
    check_all_codebooks(mode(m, 3), false, 8, kSrStride);
}

// Hand-picked exact cases (also reached by the sweeps above): a tie against non-dyadic neighbours, an
// SR threshold that is a binary32, −0 codes, clamps, NaN.
TEST(DeviceCodebook, KnownAnswers) {
  CodebookFormat apot4, bnb_fp4;
  for (const auto& f : codebook_catalogue()) {
    if (f.name == "apot4") apot4 = f;
    if (f.name == "bnb_fp4") bnb_fp4 = f;
  }
  ASSERT_EQ(apot4.name, "apot4");
  ASSERT_EQ(bnb_fp4.name, "bnb_fp4");
  const auto run = [](const CodebookFormat& f, const Rounding& r, float x, std::uint64_t draw = 0) {
    const auto cb = device::make_device_codebook_ptr(f, r);
    return device::round_codebook_device(*cb, device::make_device_rounding(r), x, draw);
  };
  // 0.25 is the exact midpoint of apot4's 0.2 (code 9) and 0.3 (code 10).
  EXPECT_EQ(run(apot4, mode(Mode::Nearest, 0, TieRule::Lower), 0.25f).code, 9u);
  EXPECT_EQ(run(apot4, mode(Mode::Nearest, 0, TieRule::Upper), 0.25f).code, 10u);
  EXPECT_EQ(run(apot4, mode(Mode::NearestTiesToAway), 0.25f).code, 10u);
  // A value just above the midpoint rounds up in every nearest mode.
  EXPECT_EQ(run(apot4, mode(Mode::Nearest, 0, TieRule::Lower), 0.25000003f).code, 10u);
  // Clamp and NaN.
  EXPECT_EQ(run(apot4, mode(Mode::TowardPositive), 5.0f).code, 14u);
  EXPECT_EQ(run(apot4, mode(Mode::TowardPositive), -std::numeric_limits<float>::infinity()).code, 0u);
  EXPECT_TRUE(run(apot4, mode(Mode::NearestTiesToEven), std::numeric_limits<float>::quiet_NaN()).no_encoding);
  // bnb_fp4: −0.001 rounds to zero and takes the −0 code 0b1000; −0 itself is the +0 code.
  EXPECT_EQ(run(bnb_fp4, mode(Mode::Nearest, 0, TieRule::Zero), -0.001f).code, 0b1000u);
  EXPECT_EQ(run(bnb_fp4, mode(Mode::Nearest, 0, TieRule::Zero), -0.0f).code, 0b0000u);
  EXPECT_EQ(run(bnb_fp4, mode(Mode::Nearest, 0, TieRule::Zero), 0.001f).code, 0b0000u);
}

TEST(DeviceCodebook, BuilderRejectsUnsupported) {
  const CodebookFormat nf4 = codebook_catalogue().front();
  EXPECT_THROW(device::make_device_codebook_ptr(nf4, mode(Mode::StochasticExact)), InputError);
  try {
    device::make_device_codebook_ptr(nf4, mode(Mode::StochasticExact));
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not supported on device codebooks"), std::string::npos) << e.what();
  }
  EXPECT_THROW(device::make_device_codebook_ptr(nf4, mode(Mode::StochasticA, 11)), InputError);
  EXPECT_NO_THROW(device::make_device_codebook_ptr(nf4, mode(Mode::StochasticA, 10)));
  EXPECT_THROW(device::make_device_codebook_ptr(symmetric_int_codebook(9), mode(Mode::NearestTiesToEven)),
               InputError);  // 511 values
}

}  // namespace
