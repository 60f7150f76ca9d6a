// The CUDA array kernel's tiled schedule (device/tiled_rounding.hpp: Philox blocks staged once per tile,
// fast element function, lazy low parts) run serially on the host equals round_array_cpu bit for bit,
// codes and no-encoding flags: every 16-bit word of bfloat16 and binary16 sources, structured random
// binary32 and binary64 words; targets with and without a fast plan; every mode family with N in the
// nibble, byte, 16-bit and lazy (N > 16) slot widths; every saturation; stream offsets that are not a
// multiple of a block's slots and lengths that are not a multiple of a tile; Philox and explicit words;
// with no-encoding flags (general kernels) and without (the aligned kernels, selects read at run time).
// What this cannot show is that the GPU runs it the same way: tests/cuda/test_cuda_kernels.cu does that.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "analysis/kernel_sweep.hpp"
#include "device/cpu_launch.hpp"
#include "device/device_format_from_reference.hpp"
#include "device/tiled_rounding.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;
using device::DeviceMode;
using device::SourceFormat;

namespace {

device::DeviceFormat format_of(const std::string& name) {
  return device::make_device_format(std::get<IeeeLikeFormat>(find_format(name)));
}

std::vector<unsigned char> inputs_for(SourceFormat s, std::size_t sampled, std::uint64_t seed) {
  const int sb = device::source_bytes(s);
  std::vector<std::uint64_t> words;
  if (sb == 2) {
    for (std::uint64_t w = 0; w < 65536; ++w) words.push_back(w);
  } else {
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < sampled; ++i) words.push_back(analysis::sample_source_word(rng, s));
    // NaNs with payload only in the lowest bit, ±Inf, ±0.
    const std::uint64_t inf = sb == 4 ? 0x7f800000u : 0x7ff0000000000000ull, sign = std::uint64_t{1} << (8 * sb - 1);
    for (std::uint64_t w : {inf | 1, inf, std::uint64_t{0}}) {
      words.push_back(w);
      words.push_back(w | sign);
    }
  }
  std::vector<unsigned char> bytes(words.size() * sb);
  for (std::size_t i = 0; i < words.size(); ++i) std::memcpy(bytes.data() + i * sb, &words[i], sb);
  return bytes;
}

struct Counter {
  long elements = 0;
  int with_fast_plan = 0, without = 0, aligned = 0;
};

// Tiled vs round_array_cpu on the same inputs and random input; returns the number of differing elements.
std::size_t compare(const device::DeviceFormat& f, const device::DeviceRounding& rd, SourceFormat s,
                    const std::vector<unsigned char>& in, const device::RandomInput& rnd, Counter& count) {
  const std::size_t n = in.size() / device::source_bytes(s);
  const int cb = device::code_bytes(f);
  std::vector<unsigned char> want(n * cb), got(n * cb, 0xAB), got_unflagged(n * cb, 0xCD);
  std::vector<std::uint8_t> want_none(n), got_none(n, 7);
  device::round_array_cpu(f, rd, s, in.data(), want.data(), n, rnd, want_none.data());
  const device::TiledRounding t = device::make_tiled_rounding(f, rd, s, rnd, true);
  EXPECT_FALSE(t.aligned);
  (t.plan.kernel == device::FastKernel::None ? count.without : count.with_fast_plan) += 1;
  device::round_array_tiled_serial(t, in.data(), got.data(), n, got_none.data());
  const device::TiledRounding u = device::make_tiled_rounding(f, rd, s, rnd, false);
  count.aligned += u.aligned ? 1 : 0;
  device::round_array_tiled_serial(u, in.data(), got_unflagged.data(), n);
  count.elements += 2 * static_cast<long>(n);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i)
    bad += std::memcmp(want.data() + i * cb, got.data() + i * cb, cb) != 0 || want_none[i] != got_none[i] ||
           std::memcmp(want.data() + i * cb, got_unflagged.data() + i * cb, cb) != 0;
  return bad;
}

}  // namespace

TEST(TiledRounding, EqualsCpuLauncherOnPhiloxWords) {
  const std::vector<std::pair<DeviceMode, int>> modes = {
      {DeviceMode::RNE, 0},  {DeviceMode::RTZ, 0},  {DeviceMode::RNA, 0},   {DeviceMode::RTO, 0},
      {DeviceMode::SR, 64},  {DeviceMode::SRFF, 3}, {DeviceMode::SRF, 3},   {DeviceMode::SRC, 3},
      {DeviceMode::SRO, 3},  {DeviceMode::SRCEIL, 3}, {DeviceMode::SRC, 7}, {DeviceMode::SRC, 13},
      {DeviceMode::SRF, 23}, {DeviceMode::SRC, 0}};
  // b8p4 … e2m1 have fast plans from every source; binary64 has none (8-byte codes): the generic kernel.
  const char* targets[] = {"bfloat16", "binary16", "p3109_k8p4se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1",
                           "p3109_k8p4uf", "binary64"};
  Counter count;
  for (SourceFormat s : {SourceFormat::Binary32, SourceFormat::Bfloat16, SourceFormat::Binary16, SourceFormat::Binary64}) {
    const auto in = inputs_for(s, 20000, 17);
    for (const char* target : targets) {
      const auto f = format_of(target);
      for (auto [mode, n] : modes)
        for (auto sat : {device::DeviceSaturation::None, device::DeviceSaturation::Finite,
                         device::DeviceSaturation::Propagate}) {
          if (sat != device::DeviceSaturation::None && mode != DeviceMode::RNE && mode != DeviceMode::SR &&
              mode != DeviceMode::SRC)
            continue;
          const device::DeviceRounding rd{mode, n, sat};
          device::RandomInput rnd;
          rnd.stream = device::RandomStream{0x1234567890abcdefull, 5};
          rnd.first_index = (std::uint64_t{1} << 32) - 12345;  // unaligned; crosses a 2^32 counter
          EXPECT_EQ(compare(f, rd, s, in, rnd, count), 0u)
              << target << " mode " << static_cast<int>(mode) << " N=" << n << " sat " << static_cast<int>(sat)
              << " source bytes " << device::source_bytes(s);
        }
    }
  }
  EXPECT_GT(count.with_fast_plan, 0);
  EXPECT_GT(count.without, 0);
  EXPECT_GT(count.aligned, 100);
  std::printf("tiled-vs-launcher elements compared: %ld (%d calls with a fast plan, %d of them aligned without flags, "
              "%d without a plan)\n",
              count.elements, count.with_fast_plan, count.aligned, count.without);
}

TEST(TiledRounding, EqualsCpuLauncherOnExplicitWordsAndShortArrays) {
  Counter count;
  const auto f = format_of("p3109_k8p4se");
  std::mt19937_64 rng(5);
  for (std::size_t n : {std::size_t{1}, std::size_t{31}, std::size_t{2048}, std::size_t{2049}, std::size_t{7000}}) {
    std::vector<unsigned char> in(n * 4);
    for (auto& b : in) b = static_cast<unsigned char>(rng());
    std::vector<std::uint64_t> r(n);
    for (auto& w : r) w = rng();
    for (auto [mode, bits] : {std::pair{DeviceMode::SR, 64}, std::pair{DeviceMode::SRC, 3}, std::pair{DeviceMode::SRF, 20}}) {
      const device::DeviceRounding rd{mode, bits, device::DeviceSaturation::None};
      device::RandomInput explicit_words;
      explicit_words.explicit_r = r.data();
      EXPECT_EQ(compare(f, rd, SourceFormat::Binary32, in, explicit_words, count), 0u) << "explicit, n=" << n;
      device::RandomInput philox;
      philox.stream = device::RandomStream{99, 0};
      philox.first_index = 7;
      EXPECT_EQ(compare(f, rd, SourceFormat::Binary32, in, philox, count), 0u) << "philox, n=" << n;
    }
  }
}

// The staged blocks are the stream's: a tile's words equal philox_at at the tile's blocks.
TEST(TiledRounding, StagedBlocksAreTheStreamsBlocks) {
  device::RandomInput rnd;
  rnd.stream = device::RandomStream{42, 3};
  rnd.first_index = 1000003;
  const auto t = device::make_tiled_rounding(format_of("bfloat16"), {DeviceMode::SR, 64, device::DeviceSaturation::None},
                                             SourceFormat::Binary32, rnd, false);
  ASSERT_TRUE(t.draws);
  ASSERT_TRUE(t.aligned);
  ASSERT_EQ(t.slots_per_block, 8);
  const std::size_t tile_lo = 3 * device::kTileElems, len = device::kTileElems;
  const int blocks = device::tile_block_count(t, tile_lo, len);
  EXPECT_EQ(blocks, device::kTileMaxBlocks);  // 1000003 + 6144 is not a multiple of 8: the tile straddles
  std::vector<std::uint32_t> words(4 * device::kTileMaxBlocks, 0);
  for (int lane = 0; lane < device::kTileThreads; ++lane)
    device::tile_fill(t, tile_lo, len, lane, device::kTileThreads, words.data());
  const std::uint64_t block0 = (rnd.first_index + tile_lo) / 8;
  for (int b = 0; b < blocks; ++b) {
    const auto v = device::philox_at(rnd.stream, static_cast<std::uint32_t>(block0 + b), 0);
    for (int w = 0; w < 4; ++w) ASSERT_EQ(words[4 * b + w], v.v[w]) << "block " << b << " word " << w;
  }
}

// Exact SR ties of the 16-bit top part, made on purpose: element i's discarded bits are chosen from its
// own Philox top part so that ⌊ν·2^16⌋ + top = 2^16 − 1, which only the word's low part can settle (the
// aligned kernel marks them; stage 2 finishes them with the whole word).
TEST(TiledRounding, ExactSrTiesOfTheTopPartAreFinishedWithTheWholeWord) {
  const auto f = format_of("p3109_k8p4se");
  const device::DeviceRounding rd{DeviceMode::SR, 64, device::DeviceSaturation::None};
  device::RandomInput rnd;
  rnd.stream = device::RandomStream{314159, 2};
  rnd.first_index = 77;
  const std::size_t n = 5000;
  std::vector<unsigned char> in(n * 4);
  std::mt19937 rng(3);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t top = device::random_top_part(rnd.stream, rnd.first_index + i, 64);
    // b8p4 keeps 3 of binary32's 23 fraction bits in its normal range: 20 discarded bits, the top 16 of
    // which are set to 2^16 − 1 − top; the exponent is in b8p4's normal range (2^-6 .. 2^7).
    const std::uint32_t discarded = ((0xffffu - top) << 4) | (rng() & 15u);
    const std::uint32_t word = ((rng() & 1u) << 31) | ((121u + rng() % 13u) << 23) | ((rng() & 7u) << 20) | discarded;
    std::memcpy(in.data() + 4 * i, &word, 4);
  }
  const auto t = device::make_tiled_rounding(f, rd, SourceFormat::Binary32, rnd, false);
  ASSERT_TRUE(t.aligned);
  std::size_t ties = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t tie = 0;
    device::tiled_round_aligned(t, in.data(), i, device::random_top_part(rnd.stream, rnd.first_index + i, 64), tie);
    ties += tie;
  }
  EXPECT_EQ(ties, n);  // every element is a tie of the top part
  Counter count;
  EXPECT_EQ(compare(f, rd, SourceFormat::Binary32, in, rnd, count), 0u);
}
