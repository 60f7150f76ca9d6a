// Tiled array rounding: the schedule of the CUDA array kernel, written as two host/device stages so the
// CPU build runs it too (round_array_tiled_serial) and tests can compare it with round_array_cpu.
//
// A tile is kTileElems consecutive elements handled by one CUDA block of kTileThreads threads:
//   stage 1 (tile_fill): the tile's Philox blocks (device/philox.hpp's slots: 8, 16 or 32 elements per
//     block) are computed once each, thread `lane` taking blocks lane, lane + threads, ..., into shared
//     memory — instead of every element recomputing its whole block;
//   stage 2 (tile_round): thread `lane` rounds elements lane, lane + threads, ... (a warp reads and
//     writes consecutive words). Without flags and explicit words, where the plan has an aligned kernel
//     (device/fast_rounding.hpp's cheapest form; its selects read at run time), that kernel with the
//     slot (exact SR: the 16-bit top part, the rare ties finished with the whole word, as the CPU
//     launcher does); otherwise the fast element function where a plan exists (else the generic
//     round_to_format) with round_element's lazy draw: the word's top part first, its low part only
//     when the two ends of the word's range round differently.
// Codes and no-encoding flags are round_element's for the same random words (tested bit for bit in
// tests/test_tiled_rounding.cpp; the CUDA test compares the GPU with the CPU launcher).
#pragma once
#include <cstddef>
#include <cstdint>

#include "device/array_rounding.hpp"
#include "device/fast_rounding.hpp"
#include "device/philox.hpp"

namespace roundlab::device {

constexpr int kTileThreads = 256;
constexpr int kTileElemsPerThread = 8;
constexpr int kTileElems = kTileThreads * kTileElemsPerThread;
// Philox blocks a tile can touch: kTileElems / 8 (16-bit slots) plus one where the tile straddles blocks.
constexpr int kTileMaxBlocks = kTileElems / 8 + 1;

// Kernel-wide constants (plain data, passed by value to the CUDA kernel).
struct TiledRounding {
  DeviceFormat f;
  DeviceRounding rd;
  SourceFormat source = SourceFormat::Binary32;
  FastPlan plan;             // kernel None: the generic round_to_format
  RandomInput random;        // explicit words (device pointer on the GPU) or the Philox stream
  bool draws = false;        // Philox words are staged (stochastic mode, no explicit words)
  int slots_per_block = 32;  // of the stream for rd.random_bits
  bool aligned = false;      // stage 2 takes plan.kernel, an aligned kernel (no flags, no explicit words)
};

// flags: whether the launch writes no-encoding flags (the aligned kernels do not compute them).
inline TiledRounding make_tiled_rounding(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source,
                                         const RandomInput& random, bool flags) {
  TiledRounding t;
  t.f = f;
  t.rd = rd;
  t.source = source;
  t.plan = make_fast_plan(f, rd, source);
  t.random = random;
  t.draws = needs_random(rd) && random.explicit_r == nullptr;
  t.slots_per_block = random_slots_per_block(rd.random_bits);
  // binary64 sources have one aligned kernel (the conversion to binary32); the CPU launcher, too, takes
  // the fallback for the others.
  t.aligned = is_aligned_kernel(t.plan.kernel) && !flags && random.explicit_r == nullptr &&
              (source != SourceFormat::Binary64 || t.plan.kernel == FastKernel::Binary64ToBinary32);
  return t;
}

// First Philox block of the tile starting at element tile_lo, and how many blocks its len elements use.
RL_HD std::uint64_t tile_first_block(const TiledRounding& t, std::size_t tile_lo) {
  return (t.random.first_index + tile_lo) / static_cast<std::uint64_t>(t.slots_per_block);
}
RL_HD int tile_block_count(const TiledRounding& t, std::size_t tile_lo, std::size_t len) {
  const std::uint64_t last = (t.random.first_index + tile_lo + len - 1) / static_cast<std::uint64_t>(t.slots_per_block);
  return static_cast<int>(last - tile_first_block(t, tile_lo) + 1);
}

// Stage 1: words[4b + w] = word w of the tile's b-th Philox block, for b = lane, lane + threads, ...
RL_HD void tile_fill(const TiledRounding& t, std::size_t tile_lo, std::size_t len, int lane, int threads,
                     std::uint32_t* words) {
  const std::uint64_t block0 = tile_first_block(t, tile_lo);
  const int blocks = tile_block_count(t, tile_lo, len);
  for (int b = lane; b < blocks; b += threads) {
    const std::uint64_t j = block0 + static_cast<std::uint64_t>(b);
    const Philox4x32 v = philox_at(t.random.stream, static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(j >> 32));
    for (int w = 0; w < 4; ++w) words[4 * b + w] = v.v[w];
  }
}

// One element with random word r: the fast kernel's code where the plan has one, else the generic one.
RL_HD DeviceResult tiled_round_word(const TiledRounding& t, const void* in, std::size_t i, std::uint64_t r) {
  if (t.plan.kernel == FastKernel::None) return round_to_format(t.f, t.rd, unpack_source(t.source, in, i), r);
  return fast_round_element(t.plan, source_word(t.source, in, i), r);
}

// The top part of stream element `index` from the tile's staged blocks (block0: the tile's first).
RL_HD std::uint32_t tile_top_part(const TiledRounding& t, const std::uint32_t* words, std::uint64_t block0,
                                  std::uint64_t index) {
  const std::uint64_t per = static_cast<std::uint64_t>(t.slots_per_block);
  const std::uint32_t* w = words + 4 * (index / per - block0);
  return random_slot_of(Philox4x32{{w[0], w[1], w[2], w[3]}}, static_cast<int>(index % per), t.rd.random_bits);
}

// The aligned kernel of the plan on element i with slot r (the N-bit word; exact SR: its 16-bit top part);
// tie = 1 where exact SR needs the whole word.
template <class S>
RL_HD std::uint32_t tiled_aligned(const FastPlan& P, typename S::Word x, std::uint32_t r, std::uint8_t& tie) {
  tie = 0;
  switch (P.kernel) {
    case FastKernel::SrffAligned: return fast_round_aligned<S, FastKernel::SrffAligned, kRuntimeSel>(P, x, r, tie);
    case FastKernel::SrfAligned: return fast_round_aligned<S, FastKernel::SrfAligned, kRuntimeSel>(P, x, r, tie);
    case FastKernel::SrcAligned: return fast_round_aligned<S, FastKernel::SrcAligned, kRuntimeSel>(P, x, r, tie);
    case FastKernel::SroAligned: return fast_round_aligned<S, FastKernel::SroAligned, kRuntimeSel>(P, x, r, tie);
    case FastKernel::SrceilAligned: return fast_round_aligned<S, FastKernel::SrceilAligned, kRuntimeSel>(P, x, r, tie);
    case FastKernel::ExactSRAligned: return fast_round_aligned<S, FastKernel::ExactSRAligned, kRuntimeSel>(P, x, r, tie);
    case FastKernel::NearestEvenAligned:
      return fast_round_aligned<S, FastKernel::NearestEvenAligned, kRuntimeSel>(P, x, r, tie);
    default: return 0;  // not reached: t.aligned holds only for the kernels above and the conversion
  }
}

RL_HD std::uint32_t tiled_round_aligned(const TiledRounding& t, const void* in, std::size_t i, std::uint32_t r,
                                        std::uint8_t& tie) {
  tie = 0;
  switch (t.source) {
    case SourceFormat::Binary32:
      return tiled_aligned<FastSourceBinary32>(t.plan, static_cast<const std::uint32_t*>(in)[i], r, tie);
    case SourceFormat::Bfloat16:  // the binary32 word of the same value
      return tiled_aligned<FastSourceBinary32>(t.plan, std::uint32_t{static_cast<const std::uint16_t*>(in)[i]} << 16, r, tie);
    case SourceFormat::Binary16:
      return tiled_aligned<FastSourceBinary16>(t.plan, static_cast<const std::uint16_t*>(in)[i], r, tie);
    case SourceFormat::Binary64:
      return fast_convert_to_binary32<kRuntimeSel>(t.plan, static_cast<const std::uint64_t*>(in)[i]);
  }
  return 0;
}

// Stage 2: elements tile_lo + lane, tile_lo + lane + threads, ... (below tile_lo + len), with the words of
// stage 1.
RL_HD void tile_round(const TiledRounding& t, const void* in, void* out, std::uint8_t* no_encoding,
                      std::size_t tile_lo, std::size_t len, int lane, int threads, const std::uint32_t* words) {
  const std::uint64_t block0 = tile_first_block(t, tile_lo);
  const int n = t.rd.random_bits;
  for (std::size_t e = static_cast<std::size_t>(lane); e < len; e += static_cast<std::size_t>(threads)) {
    const std::size_t i = tile_lo + e;
    DeviceResult res;
    const std::uint64_t index = t.random.first_index + i;
    if (t.aligned) {
      const std::uint32_t r = t.draws ? tile_top_part(t, words, block0, index) : 0;
      std::uint8_t tie = 0;
      res.code = tiled_round_aligned(t, in, i, r, tie);
      if (tie)  // exact SR only (about one element in 2^16): the whole 64-bit word decides
        res = tiled_round_word(t, in, i, random_word_bounds(r, n).lo | random_low_part(t.random.stream, index, n));
    } else if (!needs_random(t.rd)) {
      res = tiled_round_word(t, in, i, 0);
    } else if (!t.draws) {
      res = tiled_round_word(t, in, i, t.random.explicit_r[i]);
    } else {
      res = round_with_top_part(
          random_word_bounds(tile_top_part(t, words, block0, index), n),
          [&](std::uint64_t r) { return tiled_round_word(t, in, i, r); },
          [&] { return random_low_part(t.random.stream, index, n); });
    }
    store_code(t.f, out, i, res.code);
    if (no_encoding) no_encoding[i] = res.no_encoding ? 1 : 0;
  }
}

// The CUDA kernel's schedule run serially: every tile, stage 1 by every lane, then stage 2 by every lane.
inline void round_array_tiled_serial(const TiledRounding& t, const void* in, void* out, std::size_t n,
                                     std::uint8_t* no_encoding = nullptr) {
  std::uint32_t words[4 * kTileMaxBlocks];
  for (std::size_t tile_lo = 0; tile_lo < n; tile_lo += kTileElems) {
    const std::size_t len = n - tile_lo < static_cast<std::size_t>(kTileElems) ? n - tile_lo : kTileElems;
    if (t.draws)
      for (int lane = 0; lane < kTileThreads; ++lane) tile_fill(t, tile_lo, len, lane, kTileThreads, words);
    for (int lane = 0; lane < kTileThreads; ++lane)
      tile_round(t, in, out, no_encoding, tile_lo, len, lane, kTileThreads, words);
  }
}

}  // namespace roundlab::device
