// Philox4x32-10 known answers (Random123 tests/kat_vectors, the three "philox4x32 10" lines), the
// stream definition, and a chi-square uniformity check of the low bits.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "device/philox.hpp"

using namespace roundlab::device;

TEST(Philox, KnownAnswerVectors) {
  struct Kat {
    std::array<std::uint32_t, 4> ctr;
    std::array<std::uint32_t, 2> key;
    std::array<std::uint32_t, 4> out;
  };
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const Kat& k : kats) {
    Philox4x32 out = philox4x32_10(Philox4x32{{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}}, k.key[0], k.key[1]);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(out.v[i], k.out[i]) << "word " << i;
  }
}

TEST(Philox, StreamDefinitionPicksSlotsAndLowParts) {
  RandomStream s{0x299f31d0a4093822ull, 0x0370734413198a2eull};
  const std::uint64_t block = 0x05a308d3243f6a88ull;  // < 2^58 so 32·block does not wrap
  const Philox4x32 ref =
      philox4x32_10(Philox4x32{{0x243f6a88, 0x05a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822, 0x299f31d0);
  // N ≤ 4: element 32·block + k is the low nibble of byte k (k < 16) or the high nibble of byte k − 16,
  // byte m being bits 8(m mod 4) of word m/4; its low N bits.
  for (int k = 0; k < 32; ++k) {
    const int m = k % 16;
    const std::uint32_t byte = (ref.v[m / 4] >> (8 * (m % 4))) & 255u;
    const std::uint32_t nibble = k < 16 ? byte & 15u : byte >> 4;
    EXPECT_EQ(random_bits_for(s, block * 32 + k, 4), nibble) << k;
    EXPECT_EQ(random_bits_for(s, block * 32 + k, 3), nibble & 7u) << k;
  }
  // 4 < N ≤ 8: element 16·block + k is byte k.
  for (int k = 0; k < 16; ++k) {
    const std::uint32_t byte = (ref.v[k / 4] >> (8 * (k % 4))) & 255u;
    EXPECT_EQ(random_bits_for(s, block * 16 + k, 8), byte) << k;
    EXPECT_EQ(random_bits_for(s, block * 16 + k, 5), byte & 31u) << k;
  }
  // 8 < N ≤ 16: element 8·block + k is 16-bit word k (bytes 2k, 2k + 1); its low N bits.
  for (int k = 0; k < 8; ++k) {
    const std::uint32_t half = (ref.v[k / 2] >> (16 * (k % 2))) & 0xffffu;
    EXPECT_EQ(random_bits_for(s, block * 8 + k, 16), half) << k;
    EXPECT_EQ(random_bits_for(s, block * 8 + k, 12), half & 0xfffu) << k;
    EXPECT_EQ(random_low_part(s, block * 8 + k, 12), 0u) << k;  // no low part: the slot holds the word
  }
  // N > 16: 16-bit word on top of N − 16 low bits from counter {i lo, i hi | 2^31}.
  const std::uint64_t i = block * 8 + 5;
  const std::uint32_t top = (ref.v[2] >> 16) & 0xffffu;
  const Philox4x32 low = philox4x32_10(
      Philox4x32{{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32) | 0x80000000u, 0x13198a2e,
                  0x03707344}},
      0xa4093822, 0x299f31d0);
  const std::uint64_t low64 = (std::uint64_t{low.v[1]} << 32) | low.v[0];
  EXPECT_EQ(random_bits_for(s, i, 64), (std::uint64_t{top} << 48) | (low64 & ((std::uint64_t{1} << 48) - 1)));
  EXPECT_EQ(random_bits_for(s, i, 20), (std::uint64_t{top} << 4) | (low64 & 15u));
  EXPECT_EQ(random_top_part(s, i, 20), top);
  EXPECT_EQ(random_low_part(s, i, 20), low64 & 15u);
  const RandomWordBounds bounds = random_word_bounds(top, 20);
  EXPECT_EQ(bounds.lo, std::uint64_t{top} << 4);
  EXPECT_EQ(bounds.hi, (std::uint64_t{top} << 4) | 15u);
  EXPECT_EQ(random_bits_for(s, 5, 0), 0u);
  // Different streams and seeds give different words.
  EXPECT_NE(random_bits_for(RandomStream{1, 0}, 0, 32), random_bits_for(RandomStream{1, 1}, 0, 32));
  EXPECT_NE(random_bits_for(RandomStream{1, 0}, 0, 32), random_bits_for(RandomStream{2, 0}, 0, 32));
}

TEST(Philox, LowBitsPassChiSquare) {
  // 2^20 draws of the low 4 bits (16 cells): chi-square with 15 degrees of freedom. The 0.999
  // quantile is 37.70, so a correct generator fails this with probability 0.001 for a fixed seed;
  // the seed is fixed, so the test is deterministic.
  for (int n : {1, 4, 8, 20}) {
    const int cells = 1 << std::min(n, 8);
    std::vector<long> count(cells, 0);
    const long draws = 1 << 20;
    // N = 20: the low 8 bits, which mix the top part's low 4 bits with the low part.
    for (long i = 0; i < draws; ++i) ++count[random_bits_for(RandomStream{2024, 7}, i, n) & 255u];
    const double expected = static_cast<double>(draws) / cells;
    double chi2 = 0;
    for (long c : count) chi2 += (c - expected) * (c - expected) / expected;
    // 0.999 quantiles: df 1 → 10.83, df 15 → 37.70, df 255 → 330.5.
    const double limit = n == 1 ? 10.83 : n == 4 ? 37.70 : 330.5;  // N = 20: 256 cells as N = 8
    EXPECT_LT(chi2, limit) << "N = " << n;
  }
}
