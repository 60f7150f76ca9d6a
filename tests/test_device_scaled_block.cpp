// The device scaled-block kernel (device/scaled_block.hpp: NVFP4 and the P3109 amax rule, scales that
// are not powers of two) equals the exact reference (reference/block_format.cpp) on scale codes and
// element codes, bit for bit:
// - every bfloat16 value (as binary32) once per element mode and element saturation, in blocks whose
//   amax runs over the whole range (subnormal to max), plus zero blocks, every Inf/NaN code inside
//   finite blocks, all-special blocks;
// - every finite bfloat16 value as a block's amax, for the scale roundings and saturations, NVFP4's
//   tensor scales, the UE4M3 ties and clamp edges (amax = 6·midpoint and its binary32 neighbours);
// - the few-bit SR modes with every r < 2^N (and r = 2^N) for N ≤ 3, and the 64-bit SR modes at the
//   exact flip point of r, which only an exact quotient gets right;
// - the Philox stream path, the same kernel under other block formats, and the reference's errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <limits>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "device/cpu_launch.hpp"
#include "device/scaled_block_from_reference.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;

namespace {

const BlockFormat& block_format(const char* name) {
  static std::deque<BlockFormat> cache;  // push_back keeps references valid
  for (const auto& b : cache)
    if (b.name == name) return b;
  cache.push_back(std::get<BlockFormat>(find_format(name)));
  return cache.back();
}

const BlockFormat& nvfp4() { return block_format("nvfp4"); }
const BlockFormat& p3109_block() { return block_format("p3109_block_k8p4se_k8p1uf_b8"); }

std::uint32_t bf16_word(std::uint32_t code) { return code << 16; }  // bfloat16 → binary32, exact

Rounding rounding(Mode mode, int n = 0, Saturation sat = Saturation::None, TieRule tie = TieRule::Even) {
  Rounding r;
  r.mode = mode;
  r.random_bits = n;
  r.saturation = sat;
  r.tie = tie;
  return r;
}

// Every element mode the device supports; few-bit SR modes with N = 3.
std::vector<Rounding> all_modes() {
  std::vector<Rounding> out;
  for (Mode m : {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::TowardPositive,
                 Mode::TowardNegative, Mode::ToOdd, Mode::StochasticExact})
    out.push_back(rounding(m));
  for (TieRule t : {TieRule::Zero, TieRule::Lower, TieRule::Upper}) out.push_back(rounding(Mode::Nearest, 0, Saturation::None, t));
  for (Mode m : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil})
    out.push_back(rounding(m, 3));
  return out;
}

// One random word per draw: 64 bits for sr and N = 64; else mostly below 2^N, sometimes 2^N or more
// (P3109: no round-away), which the reference takes as well.
std::vector<std::uint64_t> random_words(std::size_t n, const Rounding& r, std::mt19937_64& rng) {
  std::vector<std::uint64_t> out;
  if (!r.is_stochastic()) return out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t w = rng();
    if (r.mode == Mode::StochasticExact || r.random_bits >= 64) out.push_back(w);
    else if (w % 29 == 0) out.push_back((std::uint64_t{1} << r.random_bits) + (w >> 60));
    else out.push_back(w & ((std::uint64_t{1} << r.random_bits) - 1));
  }
  return out;
}

struct Checked {
  long blocks = 0;
  long mismatches = 0;
};

// Device (CPU launcher, explicit random words) vs reference on every block of `in`. r: one word per
// element (stochastic element modes), sr: one per block (stochastic scale rounding). Each mismatching
// block is a failure; the first few are described.
Checked compare_with_reference(const BlockFormat& bf, const Rounding& er, const BlockOptions& opt,
                               const std::vector<std::uint32_t>& in, const std::vector<std::uint64_t>& r,
                               const std::vector<std::uint64_t>& sr) {
  const int n = bf.block_size;
  const std::size_t n_blocks = in.size() / n;
  const device::DeviceScaledBlock db = device::make_device_scaled_block(bf, opt);
  const device::DeviceRounding der = device::make_scaled_element_rounding(bf, er, opt);
  std::vector<std::uint8_t> codes(in.size()), scales(n_blocks);
  device::RandomInput ri, sri;
  ri.explicit_r = r.empty() ? nullptr : r.data();
  sri.explicit_r = sr.empty() ? nullptr : sr.data();
  device::quantize_scaled_blocks_cpu(db, der, in.data(), n_blocks, codes.data(), scales.data(), ri, sri);

  Checked c;
  std::vector<ExactValue> values(n);
  std::vector<RandomDraw> draws(er.is_stochastic() ? n : 0);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    for (int i = 0; i < n; ++i) {
      values[i] = ExactValue::from_float(std::bit_cast<float>(in[b * n + i]));
      if (er.is_stochastic()) draws[i].r = r[b * n + i];
    }
    BlockOptions o = opt;
    if (!sr.empty()) o.scale_draw.r = sr[b];
    const BlockResult ref = quantize_block(bf, er, values, draws, o);
    bool same = scales[b] == ref.scale_code;
    for (int i = 0; i < n; ++i) same = same && codes[b * n + i] == ref.elements[i].code;
    ++c.blocks;
    if (same) continue;
    if (++c.mismatches <= 5) {
      std::string what = bf.name + " " + er.describe() + " scale rule " +
                         scale_rule_name(o.scale_rule.value_or(bf.default_scale_rule)) + " scale rounding " +
                         o.scale_rounding.describe() + " block " + std::to_string(b) + "\n inputs:";
      char buf[64];
      for (int i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, " %a", static_cast<double>(std::bit_cast<float>(in[b * n + i])));
        what += buf;
      }
      std::snprintf(buf, sizeof buf, "\n scale device %#x reference %#x\n elements device/reference:", scales[b],
                    static_cast<unsigned>(ref.scale_code));
      what += buf;
      for (int i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, " %#x/%#x", codes[b * n + i], static_cast<unsigned>(ref.elements[i].code));
        what += buf;
      }
      ADD_FAILURE() << what;
    }
  }
  return c;
}

Checked compare_with_reference(const BlockFormat& bf, const Rounding& er, const BlockOptions& opt,
                               const std::vector<std::uint32_t>& in, std::mt19937_64& rng) {
  const auto r = random_words(in.size(), er, rng);
  const auto sr = random_words(in.size() / bf.block_size, opt.scale_rounding, rng);
  return compare_with_reference(bf, er, opt, in, r, sr);
}

// Every finite bfloat16 value once, in blocks of n: sorted by magnitude, cut into windows of `window`
// values (1024 ≈ 4 binades), shuffled within each window, so each block's amax and the ratios x/amax
// run over the whole range. 65280 finite values: every window size used is a multiple of 16.
std::vector<std::uint32_t> every_finite_bf16(int n, std::size_t window, std::uint64_t seed) {
  std::vector<std::uint32_t> codes;
  for (std::uint32_t mag = 0; mag < 0x7f80u; ++mag) {
    codes.push_back(mag);
    codes.push_back(mag | 0x8000u);
  }
  std::mt19937_64 rng(seed);
  for (std::size_t w = 0; w < codes.size(); w += window)
    std::shuffle(codes.begin() + w, codes.begin() + std::min(codes.size(), w + window), rng);
  std::vector<std::uint32_t> in;
  for (auto c : codes) in.push_back(bf16_word(c));
  EXPECT_EQ(in.size() % n, 0u);
  return in;
}

// Blocks of the special kinds: every bfloat16 Inf/NaN code inside a block of finite values, all-special
// blocks, zero blocks (+0, −0, mixed), all-subnormal blocks, one large value among zeros or tiny values.
// stride > 1 takes every stride-th Inf/NaN code only.
std::vector<std::uint32_t> special_blocks(int n, std::uint64_t seed, std::uint32_t stride = 1) {
  std::mt19937_64 rng(seed);
  auto finite_bf16 = [&] { return bf16_word(static_cast<std::uint32_t>(rng() % 0x7f80u) | (rng() % 2 ? 0x8000u : 0)); };
  std::vector<std::uint32_t> in;
  for (std::uint32_t code = 0x7f80u; code < 0x10000u; code = code == 0x7fffu ? 0xff80u : code + 1) {
    if ((code - 0x7f80u) % stride != 0) continue;
    for (int i = 0; i < n; ++i) in.push_back(i == static_cast<int>(code % n) ? bf16_word(code) : finite_bf16());
  }
  for (std::uint32_t special : {0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffffffffu}) {
    for (int i = 0; i < n; ++i) in.push_back(special);
    for (int i = 0; i < n; ++i) in.push_back(i % 2 ? special : 0x7f800000u);
  }
  for (int i = 0; i < n; ++i) in.push_back(0u);
  for (int i = 0; i < n; ++i) in.push_back(0x80000000u);
  for (int i = 0; i < n; ++i) in.push_back(i % 3 ? 0u : 0x80000000u);
  for (int k = 0; k < 8; ++k)  // bfloat16 subnormals only
    for (int i = 0; i < n; ++i) in.push_back(bf16_word(static_cast<std::uint32_t>(rng() % 0x80u) | (rng() % 2 ? 0x8000u : 0)));
  for (int k = 0; k < 16; ++k) {  // one large value, the rest zero or far below
    const std::uint32_t big = bf16_word(static_cast<std::uint32_t>(0x7f00u + rng() % 0x80u));
    for (int i = 0; i < n; ++i) in.push_back(i == k % n ? big : (k % 2 ? 0u : bf16_word(static_cast<std::uint32_t>(rng() % 0x400u))));
  }
  return in;
}

// Blocks whose amax is each given magnitude (binary32 words): three more random values at most amax in
// magnitude with random signs, the rest zero, amax at a varying position.
std::vector<std::uint32_t> amax_blocks(int n, const std::vector<std::uint32_t>& amaxes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint32_t> in;
  for (std::uint32_t a : amaxes) {
    const int at = static_cast<int>(rng() % n);
    for (int i = 0; i < n; ++i) {
      std::uint32_t w = 0;
      if (i == at) w = a | (rng() % 2 ? 0x80000000u : 0);
      else if ((i - at + n) % n <= 3) w = static_cast<std::uint32_t>(rng() % (std::uint64_t{a} + 1)) | (rng() % 2 ? 0x80000000u : 0);
      in.push_back(w);
    }
  }
  return in;
}

// Every finite non-negative bfloat16 magnitude (as binary32), or a sparse subset: every 16th from
// `offset`, plus the lowest 384 (zero and subnormals up) and highest 256 magnitudes.
std::vector<std::uint32_t> bf16_amaxes(bool sparse, int offset = 0) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t mag = 0; mag < 0x7f80u; ++mag)
    if (!sparse || mag < 384 || mag >= 0x7f80u - 256 || mag % 16 == static_cast<std::uint32_t>(offset % 16))
      out.push_back(bf16_word(mag));
  return out;
}

std::vector<std::uint32_t> concat(std::vector<std::uint32_t> a, const std::vector<std::uint32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The blocks of a quarter (q = 0..3) of every_finite_bf16: blocks b with b % 4 == q.
std::vector<std::uint32_t> quarter(const std::vector<std::uint32_t>& in, int n, int q) {
  std::vector<std::uint32_t> out;
  for (std::size_t b = q; b * n < in.size(); b += 4) out.insert(out.end(), in.begin() + b * n, in.begin() + (b + 1) * n);
  return out;
}

void expect_all_equal(const Checked& c, long expected_blocks) {
  EXPECT_EQ(c.mismatches, 0);
  EXPECT_EQ(c.blocks, expected_blocks);
}

// Every element mode × every element saturation on all bfloat16 values (and the special blocks). The
// saturation reaches the kernel as the reference takes it: NVFP4's default (unset: SatFinite) or the
// block option; for the amax rule the element rounding's own, or (odd modes) the block option
// overriding a different one.
void every_bf16_every_mode(const BlockFormat& bf, std::size_t window, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int n = bf.block_size;
  const auto all = concat(every_finite_bf16(n, window, seed), special_blocks(n, seed + 1));
  const bool amax_rule = bf.default_scale_rule == ScaleRule::AmaxItself;
  long blocks = 0, mismatches = 0, expected = 0;
  int index = 0;
  for (const Rounding& mode : all_modes()) {
    for (Saturation sat : {Saturation::None, Saturation::Finite, Saturation::Propagate}) {
      Rounding er = mode;
      BlockOptions opt;
      if (!amax_rule) {
        if (sat != Saturation::Finite) opt.element_saturation = sat;
      } else if (index % 2 == 0) {
        er.saturation = sat;
      } else {
        er.saturation = sat == Saturation::None ? Saturation::Finite : Saturation::None;
        opt.element_saturation = sat;
      }
      const Checked c = compare_with_reference(bf, er, opt, all, rng);
      blocks += c.blocks;
      mismatches += c.mismatches;
      expected += static_cast<long>(all.size() / n);
    }
    ++index;
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(blocks, expected);
  EXPECT_EQ(expected, 15L * 3 * static_cast<long>(all.size() / n));
  EXPECT_GT(all.size(), 65280u);
}

}  // namespace

TEST(DeviceScaledBlock, NvFp4EveryBfloat16EveryModeAndSaturation) { every_bf16_every_mode(nvfp4(), 1024, 101); }

TEST(DeviceScaledBlock, P3109BlockEveryBfloat16EveryModeAndSaturation) {
  every_bf16_every_mode(p3109_block(), 2560, 202);  // windows of 10 binades: k8p4 spans ~10 below 1
}

// The scale of every amax: NVFP4's UE4M3 q_b (RNE per the spec, and the other scale roundings the
// reference allows, stochastic ones with a random draw per block) and the P3109 scale Project(amax)
// under every scale rounding and saturation.
TEST(DeviceScaledBlock, NvFp4ScaleOfEveryAmax) {
  std::mt19937_64 rng(303);
  const auto& bf = nvfp4();
  const Rounding er = rounding(Mode::NearestTiesToEven);
  {
    const auto in = amax_blocks(bf.block_size, bf16_amaxes(false), 1);
    expect_all_equal(compare_with_reference(bf, er, BlockOptions{}, in, rng), 0x7f80);
  }
  int offset = 0;
  for (const Rounding& sr : {rounding(Mode::TowardZero), rounding(Mode::TowardPositive), rounding(Mode::NearestTiesToAway),
                             rounding(Mode::ToOdd), rounding(Mode::StochasticC, 2), rounding(Mode::StochasticCeil, 3),
                             rounding(Mode::StochasticExact), rounding(Mode::TowardZero, 0, Saturation::Finite)}) {
    BlockOptions opt;
    opt.scale_rounding = sr;
    const auto amaxes = bf16_amaxes(true, offset++);
    const auto in = amax_blocks(bf.block_size, amaxes, offset);
    expect_all_equal(compare_with_reference(bf, rounding(Mode::StochasticC, 3), opt, in, rng),
                     static_cast<long>(amaxes.size()));
  }
}

TEST(DeviceScaledBlock, P3109ScaleOfEveryAmax) {
  std::mt19937_64 rng(404);
  const auto& bf = p3109_block();
  {
    const auto in = amax_blocks(bf.block_size, bf16_amaxes(false), 2);
    expect_all_equal(compare_with_reference(bf, rounding(Mode::NearestTiesToEven), BlockOptions{}, in, rng), 0x7f80);
  }
  int offset = 0;
  for (Saturation sat : {Saturation::None, Saturation::Finite, Saturation::Propagate}) {
    for (const Rounding& base : {rounding(Mode::TowardZero), rounding(Mode::TowardPositive), rounding(Mode::ToOdd),
                                 rounding(Mode::NearestTiesToAway), rounding(Mode::StochasticA, 1),
                                 rounding(Mode::StochasticExact)}) {
      BlockOptions opt;
      opt.scale_rounding = base;
      opt.scale_rounding.saturation = sat;
      const auto amaxes = bf16_amaxes(true, offset++);
      const auto in = amax_blocks(bf.block_size, amaxes, offset);
      expect_all_equal(compare_with_reference(bf, rounding(Mode::StochasticB, 2, sat), opt, in, rng),
                       static_cast<long>(amaxes.size()));
    }
  }
}

// NVFP4 with a tensor scale s_t: the divisions amax / (6·s_t) and x / (s_t·q_b) have 24-bit odd
// divisors, subnormal and huge s_t included.
TEST(DeviceScaledBlock, NvFp4TensorScales) {
  std::mt19937_64 rng(505);
  const auto& bf = nvfp4();
  const auto every = every_finite_bf16(bf.block_size, 1024, 55);
  int k = 0;
  for (float st : {0.3f, 1.0f / 3.0f, 1.2345678f, 6.0f, 1e-40f, 3e-39f, 1e30f, 448.0f, 0x1.fffffep+127f, 0x1p-149f}) {
    BlockOptions opt;
    opt.tensor_scale = ExactValue::from_float(st);
    for (const Rounding& er : {rounding(Mode::NearestTiesToEven), rounding(Mode::StochasticC, 3), rounding(Mode::StochasticExact)}) {
      ++k;
      const auto in = concat(quarter(every, bf.block_size, k % 4), amax_blocks(bf.block_size, bf16_amaxes(true, k), k));
      expect_all_equal(compare_with_reference(bf, er, opt, in, rng), static_cast<long>(in.size() / bf.block_size));
    }
  }
}

// UE4M3 ties and the clamp edges: amax = 6·v and 6·(midpoint of neighbours) for every UE4M3 value v,
// with their binary32 neighbours, under every deterministic scale rounding.
TEST(DeviceScaledBlock, NvFp4ScaleTiesAndClampEdges) {
  std::mt19937_64 rng(606);
  const auto& bf = nvfp4();
  std::vector<std::uint32_t> amaxes;
  double prev = 0;
  for (std::uint64_t c = 0; c < 0x7f; ++c) {
    const ExactValue v = bf.scale.decode(c);
    const double d = mpfr_get_d(v.magnitude().get(), MPFR_RNDN);
    for (double target : {d, (d + prev) / 2, 2 * d}) {
      const float a = static_cast<float>(6.0 * target);  // exact: ≤ 6 significant bits
      if (a == 0.0f) continue;
      for (float x : {std::nextafter(a, 0.0f), a, std::nextafter(a, 1e38f)}) amaxes.push_back(std::bit_cast<std::uint32_t>(x));
    }
    prev = d;
  }
  long expected = 0;
  Checked total;
  for (const Rounding& sr : {rounding(Mode::NearestTiesToEven), rounding(Mode::NearestTiesToAway), rounding(Mode::TowardZero),
                             rounding(Mode::TowardPositive), rounding(Mode::ToOdd), rounding(Mode::Nearest, 0, Saturation::None, TieRule::Zero),
                             rounding(Mode::Nearest, 0, Saturation::None, TieRule::Upper)}) {
    BlockOptions opt;
    opt.scale_rounding = sr;
    const auto in = amax_blocks(bf.block_size, amaxes, expected);
    const Checked c = compare_with_reference(bf, rounding(Mode::NearestTiesToEven), opt, in, rng);
    total.blocks += c.blocks;
    total.mismatches += c.mismatches;
    expected += static_cast<long>(amaxes.size());
  }
  expect_all_equal(total, expected);
  EXPECT_GT(amaxes.size(), 300u);
}

// Few-bit SR with every r < 2^N and r = 2^N (no round-away), N = 0..3, for every element of sampled
// blocks (all elements of a block get the same r); the NVFP4 scale too under a few-bit SR scale rounding.
TEST(DeviceScaledBlock, FewBitSrEveryR) {
  long blocks = 0, expected = 0, mismatches = 0;
  for (const BlockFormat* bf : {&nvfp4(), &p3109_block()}) {
    const int n = bf->block_size;
    const auto every = every_finite_bf16(n, 1024, 77);
    std::vector<std::uint32_t> in;  // 48 blocks spread over the range, and 4 special blocks
    const std::size_t n_blocks = every.size() / n;
    for (std::size_t b = 0; b < n_blocks; b += n_blocks / 48)
      in.insert(in.end(), every.begin() + b * n, every.begin() + (b + 1) * n);
    in = concat(in, amax_blocks(n, {0x3dc00000u, 0x45280000u, 0x00000001u, 0x7f7fffffu}, 7));  // 0.09375, 2688
    for (Mode m : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil}) {
      for (int N = 0; N <= 3; ++N) {
        const Rounding er = rounding(m, N);
        for (std::uint64_t r = 0; r <= (std::uint64_t{1} << N); ++r) {
          BlockOptions opt;
          if (bf == &nvfp4()) opt.scale_rounding = er;  // q_b by the same few-bit SR, same r
          const std::vector<std::uint64_t> rs(in.size(), r), srs(in.size() / n, r);
          const Checked c = compare_with_reference(*bf, er, opt, in, rs, bf == &nvfp4() ? srs : std::vector<std::uint64_t>{});
          blocks += c.blocks;
          mismatches += c.mismatches;
          expected += static_cast<long>(in.size() / n);
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(blocks, expected);
}

// 64-bit SR (sr, and the few-bit modes at N = 64): the device's decision flips at one r per element;
// found by bisection on the device, the reference must agree at r = 0, the flip r − 1, the flip r and
// 2^64 − 1. A quotient off by one unit in its 64th fraction bit moves the flip and fails here. The
// NVFP4 scale's flip under sr scale rounding is checked the same way.
TEST(DeviceScaledBlock, SixtyFourBitSrAtTheFlip) {
  long checked = 0, flips = 0;
  for (const BlockFormat* bf : {&nvfp4(), &p3109_block()}) {
    const int n = bf->block_size;
    const auto every = every_finite_bf16(n, 1024, 88);
    std::vector<std::uint32_t> in;
    const std::size_t n_all = every.size() / n;
    for (std::size_t b = 0; b < n_all; b += n_all / 40) in.insert(in.end(), every.begin() + b * n, every.begin() + (b + 1) * n);
    const std::size_t n_blocks = in.size() / n;
    for (const Rounding& er : {rounding(Mode::StochasticExact), rounding(Mode::StochasticA, 64), rounding(Mode::StochasticC, 64),
                               rounding(Mode::StochasticOdd, 64), rounding(Mode::StochasticCeil, 64)}) {
      BlockOptions opt;
      const bool scale_sr = bf == &nvfp4() && er.mode == Mode::StochasticExact;
      if (scale_sr) opt.scale_rounding = er;
      const auto db = device::make_device_scaled_block(*bf, opt);
      const auto der = device::make_scaled_element_rounding(*bf, er, opt);
      // Device codes (elements and scales) for the words rs / srs.
      auto run = [&](const std::vector<std::uint64_t>& rs, const std::vector<std::uint64_t>& srs, std::vector<std::uint8_t>& codes,
                     std::vector<std::uint8_t>& scales) {
        device::RandomInput ri, sri;
        ri.explicit_r = rs.data();
        sri.explicit_r = srs.data();
        codes.assign(in.size(), 0);
        scales.assign(n_blocks, 0);
        // One thread: 64 small launches per bisection, where OpenMP's barriers would dominate on a busy machine.
        device::quantize_scaled_blocks_cpu(db, der, in.data(), n_blocks, codes.data(), scales.data(), ri, sri, 1);
      };
      const std::uint64_t top = ~std::uint64_t{0};
      std::vector<std::uint8_t> c_lo, s_lo, c_hi, s_hi, c, s;
      // The scale first (its flip changes every element): bisection on the block's scale word with
      // element words 0, then the elements' flips under the scale word 0.
      std::vector<std::uint64_t> zeros(in.size(), 0), szeros(n_blocks, 0), sones(n_blocks, top);
      std::vector<std::uint64_t> s_flip(n_blocks, 0);
      if (scale_sr) {
        run(zeros, szeros, c_lo, s_lo);
        run(zeros, sones, c_hi, s_hi);
        std::vector<std::uint64_t> lo(n_blocks, 0), hi(n_blocks, top);  // code(lo) = code(0), code(hi) = code(top)
        for (int it = 0; it < 64; ++it) {
          std::vector<std::uint64_t> mid(n_blocks);
          for (std::size_t b = 0; b < n_blocks; ++b) mid[b] = lo[b] + (hi[b] - lo[b]) / 2;
          run(zeros, mid, c, s);
          for (std::size_t b = 0; b < n_blocks; ++b) (s[b] == s_lo[b] ? lo[b] : hi[b]) = mid[b];
        }
        s_flip = hi;
      }
      run(zeros, szeros, c_lo, s_lo);
      std::vector<std::uint64_t> tops(in.size(), top);
      run(tops, szeros, c_hi, s_hi);
      std::vector<std::uint64_t> lo(in.size(), 0), hi(in.size(), top);
      for (int it = 0; it < 64; ++it) {
        std::vector<std::uint64_t> mid(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) mid[i] = lo[i] + (hi[i] - lo[i]) / 2;
        run(mid, szeros, c, s);
        for (std::size_t i = 0; i < in.size(); ++i) (c[i] == c_lo[i] ? lo[i] : hi[i]) = mid[i];
      }
      // Reference at the four points; the flip points only where the device flips.
      std::vector<std::uint64_t> before(in.size()), after = hi, s_before(n_blocks);
      for (std::size_t i = 0; i < in.size(); ++i) {
        before[i] = c_lo[i] == c_hi[i] ? 0 : hi[i] - 1;
        if (c_lo[i] != c_hi[i]) ++flips;
      }
      for (std::size_t b = 0; b < n_blocks; ++b) s_before[b] = s_flip[b] == 0 ? 0 : s_flip[b] - 1;
      const std::vector<std::uint64_t> no_scale_words;
      for (const auto* rs : {&zeros, &before, &after, &tops}) {
        const Checked ck = compare_with_reference(*bf, er, opt, in, *rs, scale_sr ? szeros : no_scale_words);
        EXPECT_EQ(ck.mismatches, 0) << bf->name << " " << er.describe();
        checked += ck.blocks;
      }
      if (scale_sr) {
        for (const auto* srs : {&s_before, &s_flip, &sones}) {
          const Checked ck = compare_with_reference(*bf, er, opt, in, zeros, *srs);
          EXPECT_EQ(ck.mismatches, 0) << bf->name << " scale " << er.describe();
          checked += ck.blocks;
        }
      }
    }
  }
  EXPECT_GT(flips, 1000);  // most elements are inexact, so most have a flip
  EXPECT_GT(checked, 1000);
}

// The Philox path: element words from the stream at element index first_index + b·n + i, the scale's
// at first_index + b, equal the reference fed those same words.
TEST(DeviceScaledBlock, PhiloxStreamEqualsReference) {
  const auto& bf = nvfp4();
  const int n = bf.block_size;
  const auto every = every_finite_bf16(n, 1024, 99);
  const std::vector<std::uint32_t> in(every.begin(), every.begin() + 512 * n);
  const Rounding er = rounding(Mode::StochasticC, 5);
  BlockOptions opt;
  opt.scale_rounding = rounding(Mode::StochasticExact);
  device::RandomInput ri, sri;
  ri.stream = device::RandomStream{2026, 7};
  ri.first_index = 1000;
  sri.stream = device::RandomStream{99, 3};
  sri.first_index = 5;
  std::vector<std::uint8_t> codes(in.size()), scales(in.size() / n), codes2(in.size()), scales2(in.size() / n);
  const auto db = device::make_device_scaled_block(bf, opt);
  const auto der = device::make_scaled_element_rounding(bf, er, opt);
  device::quantize_scaled_blocks_cpu(db, der, in.data(), in.size() / n, codes.data(), scales.data(), ri, sri);
  std::vector<std::uint64_t> rs(in.size()), srs(in.size() / n);
  for (std::size_t i = 0; i < rs.size(); ++i) rs[i] = device::random_bits_for(ri.stream, 1000 + i, 5);
  for (std::size_t b = 0; b < srs.size(); ++b) srs[b] = device::random_bits_for(sri.stream, 5 + b, 64);
  expect_all_equal(compare_with_reference(bf, er, opt, in, rs, srs), static_cast<long>(srs.size()));
  device::RandomInput eri, esri;  // the same words given explicitly: the same codes
  eri.explicit_r = rs.data();
  esri.explicit_r = srs.data();
  device::quantize_scaled_blocks_cpu(db, der, in.data(), in.size() / n, codes2.data(), scales2.data(), eri, esri, 1);
  EXPECT_EQ(codes, codes2);
  EXPECT_EQ(scales, scales2);
}

// The kernel is not tied to the two catalogue blocks: the nvfp4 and amax rules applied to the MX
// formats (E8M0 scale without zero, INT8/E5M2/E4M3 elements) equal the reference as well.
TEST(DeviceScaledBlock, OtherBlockFormatsUnderBothRules) {
  std::mt19937_64 rng(707);
  long blocks = 0;
  for (const char* name : {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8"}) {
    const auto& bf = block_format(name);
    const auto every = every_finite_bf16(bf.block_size, 2048, rng());
    const auto in = concat(quarter(quarter(every, bf.block_size, 1), bf.block_size, 2), special_blocks(bf.block_size, 8, 16));
    for (ScaleRule rule : {ScaleRule::NvFp4, ScaleRule::AmaxItself}) {
      if (rule == ScaleRule::AmaxItself && !bf.element.has_nan()) continue;  // the device needs a NaN element
      for (const Rounding& er : {rounding(Mode::NearestTiesToEven), rounding(Mode::StochasticB, 4), rounding(Mode::TowardPositive)}) {
        BlockOptions opt;
        opt.scale_rule = rule;
        const Checked c = compare_with_reference(bf, er, opt, in, rng);
        expect_all_equal(c, static_cast<long>(in.size() / bf.block_size));
        blocks += c.blocks;
      }
    }
  }
  EXPECT_GT(blocks, 0);
}

// Block formats outside the catalogue, through both rules: P3109 scales that are not powers of two
// (k8p3: x / s inexact under the amax rule too), an Extended scale (k8p1ue: amax beyond its range
// gives an infinite scale, elements sgn(x)), a 6-bit element; with every scale saturation.
TEST(DeviceScaledBlock, CustomBlocksWithOtherScaleAndElementFormats) {
  std::mt19937_64 rng(808);
  struct Custom {
    IeeeLikeFormat element, scale;
    int block_size;
  };
  const Custom customs[] = {{p3109_format(8, 4, true, true), p3109_format(8, 3, false, false), 8},
                            {p3109_format(8, 4, true, true), p3109_format(8, 1, false, true), 8},
                            {p3109_format(6, 3, true, false), p3109_format(8, 3, false, true), 16},
                            {p3109_format(8, 3, true, true), p3109_format(7, 4, false, false), 4}};
  long blocks = 0, expected = 0, mismatches = 0;
  int k = 0;
  for (const Custom& c : customs) {
    BlockFormat bf;
    bf.name = "custom_" + c.element.name + "_" + c.scale.name;
    bf.block_size = c.block_size;
    bf.element = c.element;
    bf.scale = c.scale;
    bf.default_scale_rule = ScaleRule::AmaxItself;
    const int n = bf.block_size;
    const auto in = concat(concat(quarter(quarter(every_finite_bf16(n, 2048, rng()), n, k % 4), n, 1),
                                  special_blocks(n, rng(), 8)),
                           amax_blocks(n, bf16_amaxes(true, k), rng()));
    for (ScaleRule rule : {ScaleRule::AmaxItself, ScaleRule::NvFp4}) {
      for (Saturation sat : {Saturation::None, Saturation::Finite, Saturation::Propagate}) {
        for (const Rounding& er : {rounding(Mode::NearestTiesToEven, 0, sat), rounding(Mode::StochasticC, 3, sat),
                                   rounding(Mode::StochasticExact, 0, sat), rounding(Mode::TowardPositive, 0, sat)}) {
          BlockOptions opt;
          opt.scale_rule = rule;
          opt.scale_rounding = er;  // the scale by the same mode and saturation
          const Checked ch = compare_with_reference(bf, er, opt, in, rng);
          blocks += ch.blocks;
          mismatches += ch.mismatches;
          expected += static_cast<long>(in.size() / n);
        }
      }
    }
    ++k;
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(blocks, expected);
}

// What the reference rejects, the device builder rejects; and the MX rules belong to the MX kernel.
TEST(DeviceScaledBlock, RejectsWhatTheReferenceRejects) {
  const auto& bf = nvfp4();
  const std::vector<ExactValue> zeros(bf.block_size);
  auto both_reject = [&](const BlockFormat& f, const BlockOptions& o) {
    const std::vector<ExactValue> z(f.block_size);
    EXPECT_THROW(quantize_block(f, rounding(Mode::NearestTiesToEven), z, {}, o), InputError);
    EXPECT_THROW(device::make_device_scaled_block(f, o), InputError);
  };
  BlockOptions bad;
  bad.tensor_scale = ExactValue::from_float(-2.0f);
  both_reject(bf, bad);
  bad.tensor_scale = ExactValue::from_double(0.1);  // not a binary32 value
  both_reject(bf, bad);
  bad.tensor_scale = ExactValue::from_float(0.0f);
  both_reject(bf, bad);
  bad.tensor_scale = ExactValue::infinity(false);
  both_reject(bf, bad);
  BlockOptions amax_with_tensor;
  amax_with_tensor.tensor_scale = ExactValue::from_float(2.0f);
  both_reject(p3109_block(), amax_with_tensor);
  BlockOptions mx_rule;
  mx_rule.scale_rule = ScaleRule::MxFloor;
  EXPECT_THROW(device::make_device_scaled_block(bf, mx_rule), InputError);
  EXPECT_THROW(device::make_device_scaled_block(block_format("mxfp8_e4m3"), BlockOptions{}), InputError);
  BlockOptions good;
  good.tensor_scale = ExactValue::from_float(0.75f);
  EXPECT_NO_THROW(quantize_block(bf, rounding(Mode::NearestTiesToEven), zeros, {}, good));
  const auto db = device::make_device_scaled_block(bf, good);
  EXPECT_EQ(db.tensor_m, 3u);
  EXPECT_EQ(db.tensor_e, -2);
}
