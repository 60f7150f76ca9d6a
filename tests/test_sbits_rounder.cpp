// The reduced-precision emulator (analysis/sbits_rounder, analysis/reduced_number): RN against rpe's
// own bit algorithm written here independently, IEEE special values and ranges, the SR stream
// definition, SR / few-bit SR probabilities against their exact values, and the two operand policies.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "analysis/reduced_number.hpp"
#include "analysis/sbits_rounder.hpp"
#include "device/device_format_from_reference.hpp"
#include "device/round_to_format.hpp"
#include "device/sbits_rounding.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;
using namespace roundlab::analysis;

namespace {

// rpe's truncate_significand (climate.md §1.1): RN ties-to-even on the float64 bits.
double rpe_round(double x, int sbits) {
  if (sbits >= 52 || !std::isfinite(x)) return x;
  std::uint64_t u = std::bit_cast<std::uint64_t>(x);
  const int lmtb = 52 - sbits - 1;
  const std::uint64_t half = std::uint64_t{1} << lmtb;
  const std::uint64_t below = u & ((half << 1) - 1);
  if ((u & half) != 0) {
    const bool tie = below == half;
    if (!tie || ((u >> (lmtb + 1)) & 1) != 0) u += half << 1;
  }
  u &= ~((half << 1) - 1);
  return std::bit_cast<double>(u);
}

double random_double(std::mt19937_64& g) {
  // Every exponent (subnormals and near-overflow included) and random significand bits.
  const std::uint64_t sign = g() & (std::uint64_t{1} << 63);
  const std::uint64_t e = g() % 2047;  // not the Inf/NaN field
  return std::bit_cast<double>(sign | (e << 52) | (g() & ((std::uint64_t{1} << 52) - 1)));
}

}  // namespace

TEST(SbitsRounder, NearestEvenMatchesRpeBitAlgorithm) {
  std::mt19937_64 g(20261123);
  for (int s = 1; s <= 52; ++s) {
    SbitsRounder r(SbitsRounding{.sbits = s, .mode = "rne"});
    for (int i = 0; i < 20000; ++i) {
      double x = random_double(g);
      if (i % 4 == 1) {  // exact ties and near-ties at this precision
        const std::uint64_t u = std::bit_cast<std::uint64_t>(x);
        const int lmtb = 52 - s - 1;
        if (lmtb >= 0) x = std::bit_cast<double>((u & ~((std::uint64_t{2} << lmtb) - 1)) | (std::uint64_t{1} << lmtb) | (i % 8 == 1 ? 0 : 1));
      }
      ASSERT_EQ(std::bit_cast<std::uint64_t>(r.round(x)), std::bit_cast<std::uint64_t>(rpe_round(x, s)))
          << "sbits " << s << " x " << std::hexfloat << x;
    }
  }
}

// The word-level kernel (float64's exponent range) equals the general round_to_format bit for bit:
// every mode, N in 1..64, S in 1..52, random doubles (subnormals, near overflow, ties, ±0, ±Inf, NaN
// with a payload only in the discarded bits) and random words, short ones included.
TEST(SbitsRounder, WordLevelKernelEqualsRoundToFormat) {
  std::mt19937_64 g(31337);
  const char* modes[] = {"rne", "rna", "rtz", "rup", "rdn", "rto", "sr", "srff", "srf", "src", "sro", "srceil"};
  std::uint64_t compared = 0;
  for (int s = 1; s <= 52; ++s) {
    const device::DeviceFormat f = device::make_device_format(sbits_format(s));
    for (const char* m : modes) {
      Rounding rd;
      rd.mode = parse_mode(m);
      for (int rep = 0; rep < (rd.uses_random_bits() ? 4 : 1); ++rep) {
        rd.random_bits = rd.mode == Mode::StochasticExact ? 64 : rd.uses_random_bits() ? 1 + static_cast<int>(g() % 64) : 0;
        const device::DeviceRounding drd = device::make_device_rounding(rd);
        for (int i = 0; i < 1000; ++i) {
          std::uint64_t bits = std::bit_cast<std::uint64_t>(random_double(g));
          if (i % 7 == 0) bits = (bits & ~((std::uint64_t{1} << (52 - s)) - 1)) | (std::uint64_t{1} << (51 - s));  // tie
          if (i % 97 == 0) bits = (bits & 0x8000000000000000ull) | 0x7FF0000000000000ull | (i % 2 ? 0 : 1);  // Inf, NaN
          if (i % 101 == 0) bits &= 0x8000000000000000ull;                                                  // ±0
          if (i % 103 == 0) bits = 0x7FEFFFFFFFFFFFFFull | (bits & 0x8000000000000000ull);                  // max double
          std::uint64_t r = g();
          if (rd.random_bits < 64) r &= rd.random_bits == 0 ? 0 : device::low_mask(rd.random_bits);
          const device::DeviceResult want = device::round_to_format(f, drd, device::unpack_binary64(bits), r);
          const std::uint64_t got = device::round_binary64_to_sbits(bits, 52 - s, drd, r);
          ASSERT_FALSE(want.no_encoding);
          ASSERT_EQ(got, want.code << (52 - s)) << m << " N=" << rd.random_bits << " S=" << s << " bits " << std::hex << bits << " r " << r;
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 1000000u);
}

TEST(SbitsRounder, SpecialValuesCarriesAndRanges) {
  SbitsRounder r10(SbitsRounding{.sbits = 10, .mode = "rne"});
  EXPECT_TRUE(std::signbit(r10.round(-0.0)));
  EXPECT_EQ(r10.round(0.0), 0.0);
  EXPECT_TRUE(std::isnan(r10.round(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(r10.round(-std::numeric_limits<double>::infinity()), -std::numeric_limits<double>::infinity());
  // A carry out of the significand moves into the exponent: 2 − 2^-12 rounds to 2 at 10 sbits.
  EXPECT_EQ(r10.round(2.0 - std::ldexp(1.0, -12)), 2.0);
  // Ties to even: 1 + 2^-11 (halfway between 1 and 1 + 2^-10) goes to 1; 1 + 3·2^-11 to 1 + 2^-9.
  EXPECT_EQ(r10.round(1.0 + std::ldexp(1.0, -11)), 1.0);
  EXPECT_EQ(r10.round(1.0 + 3 * std::ldexp(1.0, -11)), 1.0 + std::ldexp(1.0, -9));
  // float64's range: the largest double rounds up to +Inf at 10 sbits (it is above the format's max + ½ ulp).
  EXPECT_EQ(r10.round(std::numeric_limits<double>::max()), std::numeric_limits<double>::infinity());
  // IEEE half range at 10 sbits is binary16 itself: 65504 max, overflow to Inf, subnormals 2^-24 apart.
  SbitsRounder half(SbitsRounding{.sbits = 10, .mode = "rne", .range = ExponentRange::Half});
  EXPECT_EQ(half.round(65504.0), 65504.0);
  EXPECT_EQ(half.round(65519.0), 65504.0);
  EXPECT_EQ(half.round(65520.0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(half.round(3.1 * std::ldexp(1.0, -24)), 3 * std::ldexp(1.0, -24));
  EXPECT_EQ(half.round(std::ldexp(1.0, -26)), 0.0);
  SbitsRounder bf(SbitsRounding{.sbits = 7, .mode = "rne", .range = ExponentRange::Bfloat16});
  EXPECT_EQ(bf.round(1e39), std::numeric_limits<double>::infinity());
  EXPECT_EQ(bf.round(1.0 + 1.0 / 256.0 + 1e-9), 1.0 + 1.0 / 128.0);
}

TEST(SbitsRounder, BadSpecsNameTheField) {
  auto message = [](const SbitsRounding& s) {
    try {
      SbitsRounder r(s);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(SbitsRounding{.sbits = 0}).find("sbits 0"), std::string::npos);
  EXPECT_NE(message(SbitsRounding{.sbits = 53}).find("1..52"), std::string::npos);
  EXPECT_NE(message(SbitsRounding{.sbits = 10, .mode = "nearestish"}).find("nearestish"), std::string::npos);
  EXPECT_NE(message(SbitsRounding{.sbits = 10, .mode = "src", .random_bits = 0}).find("N"), std::string::npos);
  EXPECT_THROW(parse_exponent_range("quad"), InputError);
}

// The k-th stochastic rounding of a rounder uses element k of its (seed, stream): the whole-word
// rounding with random_bits_for's word, for exact SR and few-bit modes with and without a low part.
TEST(SbitsRounder, StochasticRoundingsFollowTheStreamDefinition) {
  struct Case {
    const char* mode;
    int n;
  };
  for (const Case c : {Case{"sr", 64}, Case{"src", 3}, Case{"srff", 6}, Case{"srf", 12}, Case{"sro", 20}}) {
    const device::RandomStream stream{0x1234567890abcdefull, 77};
    SbitsRounding spec{.sbits = 8, .mode = c.mode, .random_bits = c.n, .stream = stream};
    SbitsRounder r(spec);
    const device::DeviceFormat f = device::make_device_format(sbits_format(8));
    Rounding rd;
    rd.mode = parse_mode(c.mode);
    rd.random_bits = c.n;
    const device::DeviceRounding drd = device::make_device_rounding(rd);
    std::mt19937_64 g(5);
    for (std::uint64_t k = 0; k < 3000; ++k) {
      // Values with a long discarded part, so the top slot often ties at small N too.
      const double x = std::ldexp(static_cast<double>(g() | 1), -60) * ((k & 1) ? -1 : 1);
      const std::uint64_t word = device::random_bits_for(stream, k, c.n);
      const std::uint64_t code = device::round_to_format(f, drd, device::unpack_binary64(std::bit_cast<std::uint64_t>(x)), word).code;
      const double want = std::bit_cast<double>(code << (52 - 8));
      ASSERT_EQ(std::bit_cast<std::uint64_t>(r.round(x)), std::bit_cast<std::uint64_t>(want)) << c.mode << " draw " << k;
    }
    EXPECT_EQ(r.draws(), 3000u);
  }
}

// Empirical P(round away) over many draws against the exact probability, within 5 standard errors:
// SR: δ; SRFF: ⌊δ2^N⌋/2^N; SRC: RNE(δ2^N)/2^N.
TEST(SbitsRounder, RoundAwayFrequenciesMatchExactProbabilities) {
  const double ulp = std::ldexp(1.0, -10);  // 10 sbits, x in [1, 2)
  const double delta = 0.3;                 // discarded fraction of an ulp
  const double x = 1.0 + 37 * ulp + delta * ulp;
  struct Case {
    const char* mode;
    int n;
    double p;
  };
  for (const Case c : {Case{"sr", 64, delta}, Case{"srff", 2, 1.0 / 4}, Case{"src", 2, 1.0 / 4}, Case{"srff", 4, 4.0 / 16},
                       Case{"src", 4, 5.0 / 16}, Case{"srf", 1, 0.5}}) {
    SbitsRounder r(SbitsRounding{.sbits = 10, .mode = c.mode, .random_bits = c.n, .stream = {99, 1}});
    const int draws = 200000;
    int away = 0;
    for (int i = 0; i < draws; ++i) {
      const double y = r.round(x);
      ASSERT_TRUE(y == 1.0 + 37 * ulp || y == 1.0 + 38 * ulp) << c.mode;
      away += y > x ? 1 : 0;
    }
    const double se = std::sqrt(c.p * (1 - c.p) / draws);
    EXPECT_NEAR(static_cast<double>(away) / draws, c.p, 5 * se) << c.mode << " N=" << c.n;
  }
}

TEST(ReducedNumber, EveryOpRoundedRoundsConstantsAndResults) {
  SbitsRounder r(SbitsRounding{.sbits = 4, .mode = "rne"});
  ReducedScope scope(r);
  using N = Reduced<EveryOpRounded>;
  const N a = 1.0;
  const N third = N(1.0) / N(3.0);
  EXPECT_EQ(third.value(), r.round(1.0 / 3.0));
  // A double operand is rounded first: 1 + 0.1 = 1 + round(0.1) rounded.
  const N s = a + 0.1;
  EXPECT_EQ(s.value(), r.round(1.0 + r.round(0.1)));
  // Integers are exact operands; the result is rounded (33 needs 6 significant bits, 4 sbits keep 5:
  // a tie between 32 and 34, to even 32).
  const N p = N(16.0) * 2 + 1;
  EXPECT_EQ(p.value(), 32.0);
  EXPECT_EQ(to_double(-a), -1.0);
}

TEST(ReducedNumber, RpeCompatibleLeavesMixedOperationsUnrounded) {
  SbitsRounder r(SbitsRounding{.sbits = 4, .mode = "rne"});
  ReducedScope scope(r);
  using N = Reduced<RpeCompatible>;
  const N a = 1.0 / 3.0;  // rounded on assignment
  EXPECT_EQ(a.value(), r.round(1.0 / 3.0));
  const double mixed = a * 0.1;  // a plain double, not rounded
  EXPECT_EQ(mixed, a.value() * 0.1);
  const N stored = a * 0.1;  // rounded once, on assignment
  EXPECT_EQ(stored.value(), r.round(a.value() * 0.1));
  const N twice = 2 * (a + a);  // integer and Reduced operands: every operation rounded
  EXPECT_EQ(twice.value(), r.round(2 * r.round(a.value() + a.value())));
  static_assert(std::is_same_v<PlainReal<N>, double>);
  static_assert(std::is_same_v<PlainReal<Reduced<EveryOpRounded>>, Reduced<EveryOpRounded>>);
}

TEST(ReducedNumber, UseOutsideAScopeIsAnError) { EXPECT_THROW(Reduced<EveryOpRounded>(1.0), std::logic_error); }
