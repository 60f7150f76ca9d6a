// The fast path (device/fast_rounding.hpp, device/fast_cpu_launch.cpp) equals the proven generic kernel
// (round_to_format, through round_array_cpu's round_element) bit for bit, codes and no-encoding flags:
//   - binary32 sources: all 2^16 bfloat16 patterns as binary32 words (low half 0 and random) plus 2^16
//     fresh structured random words per (target, mode, saturation) (random words, subnormals, NaNs with
//     payload only in the low bits, values near the target's max, ties and near-ties at every shift),
//     and 2^20 more per target for rne / sr / src N=3;
//   - every 2^16 bfloat16 and binary16 word as a source of its own; sampled binary64 words;
//   - targets: the bench list (bfloat16, binary16, p3109_k8p4se, ocp_e4m3, ocp_e5m2, ocp_e2m1) and
//     p3109_k8p1se, p3109_k8p5uf, binary32 (P = p_s), ocp_int8 and ocp_e8m0 (which must fall back);
//   - every mode (rne rna rtz rup rdn rto, the three other nearest tie rules, sr, srff srf src sro srceil
//     with N in {0, 1, 3, 23, the largest N of the narrow and of the wide few-bit kernel and the next
//     ones}), every saturation;
//   - explicit random words 0, 2^N − 1, the round-away thresholds 2^N − C and its neighbours, random,
//     out-of-range words ≥ 2^N, and Philox words; the launchers on the same Philox RandomInput
//     (unaligned first_index, counters crossing 2^32, several chunks and threads);
//   - the AVX2 and baseline variants of the launcher where the CPU allows, and the Philox fill;
//   - the lazy draw (top part first, low part only where it decides) equals the whole word.
// No timing anywhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "device/cpu_launch.hpp"
#include "device/device_format_from_reference.hpp"
#include "device/fast_cpu_launch.hpp"
#include "device/fast_rounding.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;
using device::DeviceFormat;
using device::DeviceMode;
using device::DeviceRounding;
using device::DeviceSaturation;
using device::SourceFormat;

namespace {

long g_cases = 0;

// Prints how many elements were compared fast-vs-generic in this process (gtest_discover_tests runs
// each test in its own process).
class CaseCount : public ::testing::Environment {
 public:
  void TearDown() override { std::printf("fast-vs-generic element comparisons in this process: %ld\n", g_cases); }
};
[[maybe_unused]] ::testing::Environment* const g_case_count = ::testing::AddGlobalTestEnvironment(new CaseCount);

device::DeviceFormat format_of(const std::string& name) {
  return device::make_device_format(std::get<IeeeLikeFormat>(find_format(name)));
}

struct ModeCase {
  DeviceMode mode;
  int n;
};

std::vector<ModeCase> mode_cases(SourceFormat source) {
  const int max_n = 62 - device::fast_source_precision(source);         // largest N of the wide kernel
  const int max_narrow = 30 - device::fast_source_precision(source);    // largest N of the narrow one
  std::vector<ModeCase> c = {{DeviceMode::RNE, 0}, {DeviceMode::RNA, 0},         {DeviceMode::RTZ, 0},
                             {DeviceMode::RUP, 0}, {DeviceMode::RDN, 0},         {DeviceMode::RTO, 0},
                             {DeviceMode::RN_TIE_ZERO, 0}, {DeviceMode::RN_TIE_LOWER, 0},
                             {DeviceMode::RN_TIE_UPPER, 0}, {DeviceMode::SR, 64}};
  for (DeviceMode m : {DeviceMode::SRFF, DeviceMode::SRF, DeviceMode::SRC, DeviceMode::SRO, DeviceMode::SRCEIL})
    for (int n : {0, 1, 3, max_narrow, max_narrow + 1, 23, max_n, max_n + 1})
      if (n >= 0 && n <= 64) c.push_back({m, n});
  return c;
}

const char* mode_text(DeviceMode m) {
  switch (m) {
    case DeviceMode::RNE: return "rne";
    case DeviceMode::RNA: return "rna";
    case DeviceMode::RTZ: return "rtz";
    case DeviceMode::RUP: return "rup";
    case DeviceMode::RDN: return "rdn";
    case DeviceMode::RTO: return "rto";
    case DeviceMode::SR: return "sr";
    case DeviceMode::SRFF: return "srff";
    case DeviceMode::SRF: return "srf";
    case DeviceMode::SRC: return "src";
    case DeviceMode::SRO: return "sro";
    case DeviceMode::SRCEIL: return "srceil";
    case DeviceMode::RN_TIE_ZERO: return "rn-tie-zero";
    case DeviceMode::RN_TIE_LOWER: return "rn-tie-lower";
    case DeviceMode::RN_TIE_UPPER: return "rn-tie-upper";
  }
  return "?";
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

using device::source_word;

// ⌊ν·2^64⌋ of the generic kernel for one input (0 when not finite), to aim r at the thresholds.
std::uint64_t nu64(const DeviceFormat& f, SourceFormat s, std::uint64_t word) {
  std::uint16_t w16 = static_cast<std::uint16_t>(word);
  const std::uint32_t w32 = static_cast<std::uint32_t>(word);
  device::Unpacked u = s == SourceFormat::Binary32   ? device::unpack_binary32(w32)
                       : s == SourceFormat::Binary64 ? device::unpack_binary64(word)
                       : s == SourceFormat::Bfloat16 ? device::unpack_bfloat16(w16)
                                                     : device::unpack_binary16(w16);
  if (u.cls != device::ValueClass::Finite) return 0;
  std::int64_t e = u.e + device::bit_length(u.m) - 1;
  if (f.subnormals && e < 1 - f.bias) e = 1 - f.bias;
  const std::int64_t shift = e - f.p + 1 - u.e;
  if (shift <= 0) return 0;
  if (shift < 64) return (u.m & device::low_mask(static_cast<int>(shift))) << (64 - shift);
  return shift - 64 < 64 ? u.m >> (shift - 64) : 0;
}

// Explicit random words: a mix of the interesting values for the mode (chosen per element from a hash
// of (seed, element), so the generation runs in parallel).
void random_words(std::vector<std::uint64_t>& r, const DeviceFormat& f, const DeviceRounding& rd, SourceFormat s,
                  const void* in, std::size_t n, std::mt19937_64& rng) {
  r.assign(n, 0);
  if (!device::needs_random(rd)) return;
  const int bits = rd.mode == DeviceMode::SR ? 64 : rd.random_bits;
  const std::uint64_t mask = device::low_mask(bits);
  const device::RandomStream stream{rng(), rng()};
  const std::uint64_t seed = rng();
  const long long count = static_cast<long long>(n);
#pragma omp parallel for schedule(static)
  for (long long ii = 0; ii < count; ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    const std::uint64_t h = splitmix64(seed ^ (i * 0xd1b54a32d192ed03ull)), h2 = splitmix64(h);
    const std::uint64_t nu = nu64(f, s, source_word(s, in, i));
    const std::uint64_t fl = bits == 0 ? 0 : bits == 64 ? nu : nu >> (64 - bits);
    const std::uint64_t top = bits == 64 ? 0 : std::uint64_t{1} << bits;  // 2^N (0 for N = 64: wraps)
    std::uint64_t v = 0;
    switch (h % 12) {
      case 0: v = 0; break;
      case 1: v = mask; break;
      case 2: v = top - fl; break;       // exactly at the threshold (SR: 2^64 − F)
      case 3: v = top - fl - 1; break;   // just below
      case 4: v = top - fl - 2; break;   // below the threshold of C = fl + 1
      case 5: v = top - fl + 1; break;
      case 6: v = h2 | (bits < 64 ? top : 0); break;  // few-bit: out of range (no round-away)
      case 7: v = device::random_bits_for(stream, i, bits); break;
      default: v = h2; break;
    }
    r[i] = ((h >> 8) % 16 == 0 || rd.mode == DeviceMode::SR) ? v : (v & mask);
  }
}

// Runs both launchers (and, for a sample, the scalar fast entry) and compares codes and flags.
void compare_launchers(const std::string& label, const DeviceFormat& f, const DeviceRounding& rd, SourceFormat s,
                       const void* in, std::size_t n, const device::RandomInput& random, int threads = 2) {
  const int cb = device::code_bytes(f);
  static std::vector<unsigned char> got, want;  // reused: fresh pages would cost more than the kernels
  static std::vector<std::uint8_t> got_none, want_none;
  got.assign(n * cb + 1, 0xaa);
  want.assign(n * cb + 1, 0x55);
  got_none.assign(n + 1, 7);
  want_none.assign(n + 1, 9);
  static std::vector<unsigned char> got_plain;
  got_plain.assign(n * cb + 1, 0x33);
  device::round_array_cpu(f, rd, s, in, want.data(), n, random, want_none.data(), threads);
  device::round_array_cpu_fast(f, rd, s, in, got.data(), n, random, got_none.data(), threads);
  // Without flags the launcher takes other kernels (codes straight into the output, fewer selects).
  device::round_array_cpu_fast(f, rd, s, in, got_plain.data(), n, random, nullptr, threads);
  int failures = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t a = 0, b = 0, c = 0;
    std::memcpy(&a, got.data() + i * cb, cb);
    std::memcpy(&b, want.data() + i * cb, cb);
    std::memcpy(&c, got_plain.data() + i * cb, cb);
    if (c != b && ++failures <= 5)
      ADD_FAILURE() << label << " (no flags) " << mode_text(rd.mode) << " N=" << rd.random_bits << " sat="
                    << static_cast<int>(rd.saturation) << " element " << i << " input 0x" << std::hex
                    << source_word(s, in, i) << ": fast 0x" << c << " generic 0x" << b << std::dec;
    if ((a != b || got_none[i] != want_none[i]) && ++failures <= 5) {
      const std::uint64_t r = random.explicit_r ? random.explicit_r[i] : 0;
      ADD_FAILURE() << label << " " << mode_text(rd.mode) << " N=" << rd.random_bits << " sat="
                    << static_cast<int>(rd.saturation) << " element " << i << " input 0x" << std::hex
                    << source_word(s, in, i) << " r=0x" << r << ": fast 0x" << a << (got_none[i] ? " (none)" : "")
                    << " generic 0x" << b << (want_none[i] ? " (none)" : "") << std::dec;
    }
  }
  g_cases += static_cast<long>(n);
  // The scalar entry point on a sample.
  const device::FastPlan plan = device::make_fast_plan(f, rd, s);
  if (plan.kernel == device::FastKernel::None) return;
  for (std::size_t i = 0; i < n; i += 61) {
    std::uint64_t r = random.explicit_r ? random.explicit_r[i]
                                        : device::random_bits_for(random.stream, random.first_index + i,
                                                                  rd.mode == DeviceMode::SR ? 64 : rd.random_bits);
    if (!device::needs_random(rd)) r = 0;
    const auto res = device::fast_round_element(plan, source_word(s, in, i), r);
    std::uint64_t b = 0;
    std::memcpy(&b, want.data() + i * cb, cb);
    if ((res.code != b || res.no_encoding != (want_none[i] != 0)) && ++failures <= 5)
      ADD_FAILURE() << label << " scalar " << mode_text(rd.mode) << " N=" << rd.random_bits << " element " << i
                    << std::hex << " input 0x" << source_word(s, in, i) << " fast 0x" << res.code << " generic 0x"
                    << b << std::dec;
  }
}

// Structured random binary32 words (see the file comment), appended to v.
void structured_binary32(std::vector<std::uint32_t>& v, std::size_t n, std::mt19937_64& rng) {
  const std::size_t base = v.size();
  v.resize(base + n);
  const std::uint64_t seed = rng();
  const long long count = static_cast<long long>(n);
#pragma omp parallel for schedule(static)
  for (long long ii = 0; ii < count; ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    const std::uint64_t w = splitmix64(seed + i);
    const std::uint32_t sign = static_cast<std::uint32_t>(w >> 63) << 31;
    std::uint32_t exp = 0, frac = static_cast<std::uint32_t>(w) & 0x7fffff;
    switch ((w >> 56) % 8) {
      case 0: v[base + i] = static_cast<std::uint32_t>(w >> 13); continue;  // any word
      case 1: exp = 0; break;                                                 // subnormal (or zero)
      case 2: exp = 255; frac = static_cast<std::uint32_t>(w >> 40) & 0xff; break;  // ±Inf, NaN low payload
      case 3: exp = 255 - static_cast<std::uint32_t>((w >> 32) % 4); break;        // near binary32's max
      default: exp = static_cast<std::uint32_t>(127 - 40 + (w >> 32) % 60); break;  // the targets' ranges
    }
    if ((w >> 50) % 2) {  // a tie or near-tie for some shift j: kept bits all ones (or random), half below
      const int j = 1 + static_cast<int>((w >> 44) % 23);
      const std::uint32_t kept = (w >> 43) % 2 ? (0x7fffffu << j) & 0x7fffff : frac & ((0x7fffffu << j) & 0x7fffff);
      frac = kept | (1u << (j - 1));
      frac += static_cast<std::uint32_t>((w >> 41) % 3) - 1;  // −1, 0, +1 ulp
      frac &= 0x7fffff;
    }
    v[base + i] = sign | (exp << 23) | frac;
  }
}

std::vector<std::uint32_t> structured_binary32(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::uint32_t> v;
  structured_binary32(v, n, rng);
  return v;
}

void sweep_binary32_target(const std::string& target, bool expect_fast) {
  const DeviceFormat f = format_of(target);
  std::mt19937_64 rng(std::hash<std::string>{}(target));
  // All bfloat16 patterns as binary32 words, low half 0 and random.
  std::vector<std::uint32_t> exhaustive(2 * 65536);
  for (std::uint32_t c = 0; c < 65536; ++c) {
    exhaustive[2 * c] = c << 16;
    exhaustive[2 * c + 1] = (c << 16) | static_cast<std::uint32_t>(rng() & 0xffff);
  }
  bool any_fast = false;
  std::vector<std::uint32_t> in;
  std::vector<std::uint64_t> r;
  for (const ModeCase& mc : mode_cases(SourceFormat::Binary32)) {
    for (DeviceSaturation sat : {DeviceSaturation::None, DeviceSaturation::Finite, DeviceSaturation::Propagate}) {
      const DeviceRounding rd{mc.mode, mc.n, sat};
      any_fast = any_fast || device::fast_path_applies(f, rd, SourceFormat::Binary32);
      in.assign(exhaustive.begin(), exhaustive.end());
      structured_binary32(in, 1 << 16, rng);
      random_words(r, f, rd, SourceFormat::Binary32, in.data(), in.size(), rng);
      device::RandomInput random;
      random.explicit_r = r.data();
      compare_launchers("binary32->" + target, f, rd, SourceFormat::Binary32, in.data(), in.size(), random);
      if (!device::needs_random(rd)) continue;
      // Philox words: the launcher's production path (the aligned kernels take no explicit words).
      random.explicit_r = nullptr;
      random.stream = device::RandomStream{rng(), rng() % 4};
      random.first_index = rng() % 64;
      compare_launchers("binary32->" + target + " (philox)", f, rd, SourceFormat::Binary32, in.data(), in.size(),
                        random);
    }
  }
  EXPECT_EQ(any_fast, expect_fast) << target;
  // 2^20 more random words for the bench modes, explicit and Philox words.
  for (const ModeCase& mc : {ModeCase{DeviceMode::RNE, 0}, ModeCase{DeviceMode::SR, 64}, ModeCase{DeviceMode::SRC, 3}}) {
    const DeviceRounding rd{mc.mode, mc.n, static_cast<DeviceSaturation>(rng() % 3)};
    in.clear();
    structured_binary32(in, 1 << 20, rng);
    random_words(r, f, rd, SourceFormat::Binary32, in.data(), in.size(), rng);
    device::RandomInput random;
    random.explicit_r = r.data();
    compare_launchers("binary32->" + target + " (2^20)", f, rd, SourceFormat::Binary32, in.data(), in.size(), random);
    random.explicit_r = nullptr;
    random.stream = device::RandomStream{rng(), rng()};
    random.first_index = rng() % 1000;
    compare_launchers("binary32->" + target + " (2^20, philox)", f, rd, SourceFormat::Binary32, in.data(), in.size(),
                      random);
  }
}

void sweep_16bit_source(SourceFormat s, const std::string& target) {
  const DeviceFormat f = format_of(target);
  std::vector<std::uint16_t> in(65536);
  for (std::uint32_t c = 0; c < 65536; ++c) in[c] = static_cast<std::uint16_t>(c);
  std::mt19937_64 rng(std::hash<std::string>{}(target) + static_cast<int>(s));
  std::vector<std::uint64_t> r;
  for (const ModeCase& mc : mode_cases(s)) {
    for (DeviceSaturation sat : {DeviceSaturation::None, DeviceSaturation::Finite, DeviceSaturation::Propagate}) {
      const DeviceRounding rd{mc.mode, mc.n, sat};
      random_words(r, f, rd, s, in.data(), in.size(), rng);
      device::RandomInput random;
      random.explicit_r = r.data();
      const std::string label = std::string(s == SourceFormat::Bfloat16 ? "bfloat16" : "binary16") + "->" + target;
      compare_launchers(label, f, rd, s, in.data(), in.size(), random);
      if (!device::needs_random(rd)) continue;
      random.explicit_r = nullptr;
      random.stream = device::RandomStream{rng(), rng() % 4};
      random.first_index = rng() % 64;
      compare_launchers(label + " (philox)", f, rd, s, in.data(), in.size(), random);
    }
  }
}

}  // namespace

TEST(FastRounding, PlanAppliesWhereExpected) {
  const DeviceRounding rne{DeviceMode::RNE, 0, DeviceSaturation::None};
  for (const char* t : {"bfloat16", "binary16", "p3109_k8p4se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1", "p3109_k8p1se",
                        "p3109_k8p5uf", "binary32"})
    EXPECT_TRUE(device::fast_path_applies(format_of(t), rne, SourceFormat::Binary32)) << t;
  EXPECT_FALSE(device::fast_path_applies(format_of("ocp_int8"), rne, SourceFormat::Binary32));  // two's complement
  EXPECT_FALSE(device::fast_path_applies(format_of("ocp_e8m0"), rne, SourceFormat::Binary32));  // no subnormals
  EXPECT_FALSE(device::fast_path_applies(format_of("binary64"), rne, SourceFormat::Binary32));  // P > 24
  EXPECT_FALSE(device::fast_path_applies(format_of("bfloat16"), rne, SourceFormat::Binary16));  // bias 127 > 15
  EXPECT_TRUE(device::fast_path_applies(format_of("binary32"), rne, SourceFormat::Binary64));
  EXPECT_TRUE(device::fast_path_applies(format_of("ocp_e4m3"), DeviceRounding{DeviceMode::SRC, 38, DeviceSaturation::None},
                                        SourceFormat::Binary32));
  EXPECT_FALSE(device::fast_path_applies(format_of("ocp_e4m3"),
                                         DeviceRounding{DeviceMode::SRC, 39, DeviceSaturation::None},
                                         SourceFormat::Binary32));
}

// The aligned kernels are taken where their conditions hold (so the sweeps above test them), with the
// kernel of the same codes as fallback, and not elsewhere.
TEST(FastRounding, AlignedKernelsWhereExpected) {
  auto plan = [](const char* t, DeviceMode m, int n, DeviceSaturation sat = DeviceSaturation::None,
                 SourceFormat s = SourceFormat::Binary32) {
    return device::make_fast_plan(format_of(t), DeviceRounding{m, n, sat}, s);
  };
  using device::FastKernel;
  for (const char* t : {"bfloat16", "binary16", "p3109_k8p4se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1"}) {
    for (DeviceSaturation sat : {DeviceSaturation::None, DeviceSaturation::Finite, DeviceSaturation::Propagate}) {
      const auto src = plan(t, DeviceMode::SRC, 3, sat);
      EXPECT_EQ(src.kernel, FastKernel::SrcAligned) << t << " sat " << static_cast<int>(sat);
      EXPECT_EQ(src.fallback, FastKernel::FewBitNarrow) << t;
      const auto sr = plan(t, DeviceMode::SR, 64, sat);
      EXPECT_EQ(sr.kernel, FastKernel::ExactSRAligned) << t << " sat " << static_cast<int>(sat);
      EXPECT_EQ(sr.fallback, FastKernel::ExactSR) << t;
    }
    EXPECT_EQ(plan(t, DeviceMode::SRFF, 1).kernel, FastKernel::SrffAligned) << t;
    EXPECT_EQ(plan(t, DeviceMode::SRF, 6).kernel, FastKernel::SrfAligned) << t;
    EXPECT_EQ(plan(t, DeviceMode::SRO, 2).kernel, FastKernel::SroAligned) << t;
    EXPECT_EQ(plan(t, DeviceMode::SRCEIL, 4).kernel, FastKernel::SrceilAligned) << t;
    EXPECT_EQ(plan(t, DeviceMode::SRC, 7).kernel, FastKernel::FewBitWide) << t;  // N > 30 − 24
    EXPECT_EQ(plan(t, DeviceMode::SR, 64, DeviceSaturation::None, SourceFormat::Binary64).kernel, FastKernel::ExactSR);
  }
  EXPECT_EQ(plan("ocp_e4m3", DeviceMode::SRC, 3, DeviceSaturation::None, SourceFormat::Bfloat16).kernel,
            FastKernel::SrcAligned);
  // binary16 → E5M2: p_s − P = 11 − 3 = 8 bits discarded in the normal range, so N ≤ 8.
  EXPECT_EQ(plan("ocp_e5m2", DeviceMode::SRC, 8, DeviceSaturation::None, SourceFormat::Binary16).kernel,
            FastKernel::SrcAligned);
  EXPECT_EQ(plan("ocp_e5m2", DeviceMode::SRC, 9, DeviceSaturation::None, SourceFormat::Binary16).kernel,
            FastKernel::FewBitNarrow);
  for (const char* t : {"bfloat16", "binary16", "p3109_k8p4se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1"}) {
    EXPECT_EQ(plan(t, DeviceMode::RNE, 0).kernel, FastKernel::NearestEvenAligned) << t;
    EXPECT_EQ(plan(t, DeviceMode::RNE, 0).fallback, FastKernel::NearestEven) << t;
    EXPECT_EQ(plan(t, DeviceMode::RNE, 0, DeviceSaturation::None, SourceFormat::Binary64).kernel,
              FastKernel::NearestEven) << t;
  }
  EXPECT_EQ(plan("p3109_k8p4se", DeviceMode::RNE, 0, DeviceSaturation::None, SourceFormat::Bfloat16).kernel,
            FastKernel::NearestEvenAligned);
  EXPECT_EQ(plan("binary32", DeviceMode::SR, 64).kernel, FastKernel::ExactSR);  // P = p_s: nothing discarded
  EXPECT_EQ(plan("p3109_k8p5uf", DeviceMode::SRC, 3).kernel, FastKernel::FewBitNarrow);  // unsigned
  // Exact SR with one shift for every input (sel bit 6) exactly where the target's exponent range starts at
  // the source's (same bias): binary32 → bfloat16, binary16 → E5M2; not b8p4 or binary16 from binary32.
  auto one_shift = [&](const char* t, SourceFormat s) {
    const auto p = plan(t, DeviceMode::SR, 64, DeviceSaturation::None, s);
    return p.kernel == FastKernel::ExactSRAligned && (p.sel & 64) != 0;
  };
  EXPECT_TRUE(one_shift("bfloat16", SourceFormat::Binary32));
  EXPECT_TRUE(one_shift("ocp_e5m2", SourceFormat::Binary16));
  EXPECT_FALSE(one_shift("binary16", SourceFormat::Binary32));
  EXPECT_FALSE(one_shift("p3109_k8p4se", SourceFormat::Binary32));
  EXPECT_FALSE(one_shift("ocp_e4m3", SourceFormat::Binary16));
  EXPECT_EQ(plan("bfloat16", DeviceMode::SRC, 3).sel & 64, 0) << "bit 6 is exact SR's only";
}

TEST(FastRounding, PhiloxFillMatchesStreamDefinition) {
  const device::RandomStream s{0x299f31d0a4093822ull, 0x0370734413198a2eull};
  for (const char* isa : {"avx512", "avx2", "baseline"}) {
    const std::string before = device::fast_path_isa();
    if (!device::set_fast_path_isa(isa)) continue;
    // Block counts that use every path of the fills: 6×8- / 4×4-block groups, single vectors, scalar tail.
    for (std::size_t blocks : {std::size_t{96}, std::size_t{61}, std::size_t{7}, std::size_t{1}}) {
      for (std::uint64_t block0 : {std::uint64_t{0}, std::uint64_t{0xffffffe0}, std::uint64_t{0x123456789abcull}}) {
        std::vector<std::uint32_t> w(4 * blocks);
        device::philox_fill_blocks(s, block0, blocks, w.data());
        // Byte k of block j is the 8-bit word of element 16(block0 + j) + k, for N = 4 its low nibble is the word
        // of element 32(block0 + j) + k, its high nibble that of element 32(block0 + j) + 16 + k.
        for (std::size_t j = 0; j < blocks; ++j)
          for (int k = 0; k < 16; ++k)
            ASSERT_EQ((w[4 * j + k / 4] >> (8 * (k % 4))) & 255u, device::random_bits_for(s, 16 * (block0 + j) + k, 8))
                << isa << " block " << j;
        for (std::size_t j = 0; j < blocks; ++j)
          for (int k = 0; k < 32; ++k)
            ASSERT_EQ(((w[4 * j + (k % 16) / 4] >> (8 * (k % 4))) >> (k < 16 ? 0 : 4)) & 15u,
                      device::random_bits_for(s, 32 * (block0 + j) + k, 4))
                << isa << " block " << j;
      }
    }
    ASSERT_TRUE(device::set_fast_path_isa(before.c_str()));
  }
}

TEST(FastRounding, Binary32ToBfloat16) { sweep_binary32_target("bfloat16", true); }
TEST(FastRounding, Binary32ToBinary16) { sweep_binary32_target("binary16", true); }
TEST(FastRounding, Binary32ToB8p4) { sweep_binary32_target("p3109_k8p4se", true); }
TEST(FastRounding, Binary32ToOcpE4m3) { sweep_binary32_target("ocp_e4m3", true); }
TEST(FastRounding, Binary32ToOcpE5m2) { sweep_binary32_target("ocp_e5m2", true); }
TEST(FastRounding, Binary32ToOcpE2m1) { sweep_binary32_target("ocp_e2m1", true); }
TEST(FastRounding, Binary32ToK8p1se) { sweep_binary32_target("p3109_k8p1se", true); }
TEST(FastRounding, Binary32ToK8p5uf) { sweep_binary32_target("p3109_k8p5uf", true); }
TEST(FastRounding, Binary32ToBinary32) { sweep_binary32_target("binary32", true); }
TEST(FastRounding, Binary32ToOcpInt8FallsBack) { sweep_binary32_target("ocp_int8", false); }

TEST(FastRounding, EveryBfloat16AndBinary16Word) {
  for (const char* t : {"p3109_k8p4se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1", "p3109_k8p1se", "p3109_k8p5uf", "binary16"})
    sweep_16bit_source(SourceFormat::Bfloat16, t);
  for (const char* t : {"p3109_k8p4se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1", "p3109_k8p5uf"})
    sweep_16bit_source(SourceFormat::Binary16, t);
}

TEST(FastRounding, SampledBinary64) {
  std::mt19937_64 rng(64);
  for (const char* t : {"binary32", "bfloat16", "binary16", "p3109_k8p4se", "ocp_e4m3"}) {
    const DeviceFormat f = format_of(t);
    for (const ModeCase& mc : mode_cases(SourceFormat::Binary64)) {
      const DeviceRounding rd{mc.mode, mc.n, static_cast<DeviceSaturation>(rng() % 3)};
      // binary32-structured values widened, with random extra bits, plus raw random words.
      const auto b32 = structured_binary32(1 << 14, rng);
      std::vector<std::uint64_t> in(b32.size());
      for (std::size_t i = 0; i < in.size(); ++i) {
        float x;
        std::memcpy(&x, &b32[i], 4);
        double d = x;
        std::memcpy(&in[i], &d, 8);
        switch (rng() % 4) {
          case 0: in[i] = rng(); break;
          case 1: in[i] |= rng() & ((std::uint64_t{1} << 29) - 1); break;
          case 2: in[i] ^= std::uint64_t{1} << (rng() % 29); break;
          default: break;
        }
      }
      std::vector<std::uint64_t> r;
      random_words(r, f, rd, SourceFormat::Binary64, in.data(), in.size(), rng);
      device::RandomInput random;
      random.explicit_r = r.data();
      compare_launchers(std::string("binary64->") + t, f, rd, SourceFormat::Binary64, in.data(), in.size(), random);
    }
  }
}

// binary64 → binary32 under RNE runs as the language's conversion (FastKernel::Binary64ToBinary32):
// every saturation, on the values where a conversion could differ from the model: halfway points at
// every binade (normal and subnormal results), the overflow threshold and its neighbours, NaNs whose
// payload lies only in the discarded bits, ±Inf, ±0, binary64 subnormals, and random words.
TEST(FastRounding, Binary64ToBinary32Conversion) {
  std::mt19937_64 rng(6432);
  std::vector<std::uint64_t> in;
  auto push_double = [&](double d) {
    std::uint64_t w;
    std::memcpy(&w, &d, 8);
    for (std::uint64_t sign : {std::uint64_t{0}, std::uint64_t{1} << 63})
      for (int delta = -2; delta <= 2; ++delta) in.push_back((w ^ sign) + static_cast<std::uint64_t>(delta));
  };
  for (int e = -160; e <= 129; ++e) {
    push_double(std::ldexp(1.0, e));                        // powers of two: binade boundaries
    push_double(std::ldexp(1.0 + std::ldexp(1.0, -24), e));  // halfway above a power of two
    push_double(std::ldexp(1.5 + std::ldexp(1.0, -24), e));  // halfway, odd neighbour below
    push_double(std::ldexp(1.0 + std::ldexp(1.0, -25), e));  // quarter ulp
  }
  push_double(3.4028234663852886e38);                       // binary32's largest finite
  push_double(3.4028235677973366e38);                       // its halfway point to 2^128
  for (std::uint64_t w : {0x7ff0000000000000ull, 0x7ff0000000000001ull, 0x7ff000001fffffffull, 0x7ff8000000000000ull,
                          0x0000000000000001ull, 0x000fffffffffffffull, 0ull})
    for (std::uint64_t sign : {std::uint64_t{0}, std::uint64_t{1} << 63}) in.push_back(w | sign);
  for (int i = 0; i < (1 << 16); ++i) in.push_back(rng());
  const DeviceFormat f = format_of("binary32");
  for (DeviceSaturation sat : {DeviceSaturation::None, DeviceSaturation::Finite, DeviceSaturation::Propagate}) {
    const DeviceRounding rd{DeviceMode::RNE, 0, sat};
    EXPECT_EQ(device::make_fast_plan(f, rd, SourceFormat::Binary64).kernel, device::FastKernel::Binary64ToBinary32)
        << "saturation " << static_cast<int>(sat);
    compare_launchers("binary64->binary32 conversion", f, rd, SourceFormat::Binary64, in.data(), in.size(),
                      device::RandomInput{});
  }
}

TEST(FastRounding, PhiloxLaunchesMatchGeneric) {
  // Same RandomInput (seed, stream, first_index) for both launchers: unaligned starts, counters whose
  // block index crosses 2^32, lengths that are not multiples of the chunk, 1..3 threads.
  std::mt19937_64 rng(99);
  const auto in = structured_binary32(10007, rng);
  for (const char* t : {"bfloat16", "p3109_k8p4se", "ocp_e2m1", "p3109_k8p5uf"}) {
    const DeviceFormat f = format_of(t);
    for (const ModeCase& mc : mode_cases(SourceFormat::Binary32)) {
      if (!device::needs_random(DeviceRounding{mc.mode, mc.n, DeviceSaturation::None})) continue;
      for (std::uint64_t first : {std::uint64_t{0}, std::uint64_t{3}, std::uint64_t{0x3fffffffeull},
                                  std::uint64_t{0x1fffffff7ull}}) {
        const DeviceRounding rd{mc.mode, mc.n, static_cast<DeviceSaturation>(rng() % 3)};
        device::RandomInput random;
        random.stream = device::RandomStream{rng(), rng() % 4};
        random.first_index = first;
        compare_launchers(std::string("philox binary32->") + t, f, rd, SourceFormat::Binary32, in.data(), in.size(),
                          random, 1 + static_cast<int>(rng() % 3));
      }
    }
  }
}

TEST(FastRounding, LowerInstructionSetsMatchGeneric) {
  const std::string before = device::fast_path_isa();
  std::mt19937_64 rng(7);
  const auto in = structured_binary32(1 << 14, rng);
  for (const char* isa : {"avx2", "baseline"}) {
    if (!device::set_fast_path_isa(isa)) continue;
    for (const char* t : {"bfloat16", "p3109_k8p4se", "ocp_e4m3", "p3109_k8p5uf"}) {
      const DeviceFormat f = format_of(t);
      for (const ModeCase& mc : mode_cases(SourceFormat::Binary32)) {
        const DeviceRounding rd{mc.mode, mc.n, static_cast<DeviceSaturation>(rng() % 3)};
        std::vector<std::uint64_t> r;
        random_words(r, f, rd, SourceFormat::Binary32, in.data(), in.size(), rng);
        device::RandomInput random;
        random.explicit_r = r.data();
        compare_launchers(std::string(isa) + " binary32->" + t, f, rd, SourceFormat::Binary32, in.data(), in.size(),
                          random);
        random.explicit_r = nullptr;
        random.stream = device::RandomStream{rng(), 1};
        random.first_index = 5;
        compare_launchers(std::string(isa) + " philox binary32->" + t, f, rd, SourceFormat::Binary32, in.data(),
                          in.size(), random);
      }
    }
    // Other sources through this ISA's kernels.
    std::vector<std::uint16_t> w16(65536);
    for (std::uint32_t c = 0; c < 65536; ++c) w16[c] = static_cast<std::uint16_t>(c);
    for (const ModeCase& mc : mode_cases(SourceFormat::Binary16)) {
      const DeviceRounding rd{mc.mode, mc.n, DeviceSaturation::None};
      device::RandomInput random;
      random.stream = device::RandomStream{rng(), 2};
      compare_launchers(std::string(isa) + " binary16->ocp_e5m2", format_of("ocp_e5m2"), rd, SourceFormat::Binary16,
                        w16.data(), w16.size(), random);
      compare_launchers(std::string(isa) + " bfloat16->ocp_e4m3", format_of("ocp_e4m3"), rd, SourceFormat::Bfloat16,
                        w16.data(), w16.size(), random);
    }
  }
  ASSERT_TRUE(device::set_fast_path_isa(before.c_str()));
}

namespace {

// Launches with the Philox stream draw the low part of a word only where the top part leaves the
// result open; the result must be the one of the whole word (random_bits_for), which this passes
// explicitly. Both launchers, codes and flags; and the inputs must reach such ties.
// Returns how many elements the top part left open.
long check_lazy_draw(const char* target, DeviceMode mode, int n, std::uint64_t first, std::mt19937_64& rng) {
  const DeviceFormat f = format_of(target);
  const DeviceRounding rd{mode, n, static_cast<DeviceSaturation>(rng() % 3)};
  // Ties of the 16-bit top part come once in 2^16 draws (where the input has bits below 2^-16 ulp).
  const auto in = structured_binary32(1 << 20, rng);
  device::RandomInput philox;
  philox.stream = device::RandomStream{rng(), rng() % 4};
  philox.first_index = first;
  std::vector<std::uint64_t> words(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) words[i] = device::random_bits_for(philox.stream, first + i, n);
  device::RandomInput whole;
  whole.explicit_r = words.data();
  const int cb = device::code_bytes(f);
  std::vector<unsigned char> a(in.size() * cb), b(in.size() * cb), c(in.size() * cb);
  std::vector<std::uint8_t> na(in.size()), nb(in.size()), nc(in.size());
  device::round_array_cpu(f, rd, SourceFormat::Binary32, in.data(), a.data(), in.size(), whole, na.data(), 2);
  device::round_array_cpu(f, rd, SourceFormat::Binary32, in.data(), b.data(), in.size(), philox, nb.data(), 2);
  device::round_array_cpu_fast(f, rd, SourceFormat::Binary32, in.data(), c.data(), in.size(), philox, nc.data(), 2);
  std::vector<unsigned char> d(in.size() * cb);  // without flags: the aligned kernels where they apply
  device::round_array_cpu_fast(f, rd, SourceFormat::Binary32, in.data(), d.data(), in.size(), philox, nullptr, 2);
  EXPECT_EQ(a, d) << target << " fast lazy (no flags) vs whole word, N=" << n;
  EXPECT_EQ(a, b) << target << " generic lazy vs whole word, N=" << n;
  EXPECT_EQ(na, nb) << target;
  EXPECT_EQ(a, c) << target << " fast lazy vs whole word, N=" << n;
  EXPECT_EQ(na, nc) << target;
  // Elements whose result the top part alone does not decide.
  const device::FastPlan plan = device::make_fast_plan(f, rd, SourceFormat::Binary32);
  long open = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto bounds =
        device::random_word_bounds(device::random_top_part(philox.stream, first + i, n), n);
    if (device::fast_round_element(plan, in[i], bounds.lo).code != device::fast_round_element(plan, in[i], bounds.hi).code)
      ++open;
  }
  return open;
}

}  // namespace

TEST(FastRounding, LazyDrawEqualsWholeWord) {
  std::mt19937_64 rng(4242);
  long open = 0;
  for (const char* t : {"bfloat16", "binary16", "p3109_k8p4se", "ocp_e5m2"}) {
    open += check_lazy_draw(t, DeviceMode::SR, 64, 0, rng);
    open += check_lazy_draw(t, DeviceMode::SRFF, 20, 7, rng);
    open += check_lazy_draw(t, DeviceMode::SRC, 21, 0x1fffffff7ull, rng);
    open += check_lazy_draw(t, DeviceMode::SRO, 23, 1, rng);
    open += check_lazy_draw(t, DeviceMode::SRF, 38, 3, rng);
    open += check_lazy_draw(t, DeviceMode::SRCEIL, 17, 0, rng);
    open += check_lazy_draw(t, DeviceMode::SRC, 12, 5, rng);  // 8 < N ≤ 16: the slot holds the whole word
  }
  // The equalities above must have covered the low-part draw: enough elements were left open.
  EXPECT_GT(open, 50) << "too few undecided tops to test the low-part draw";
  std::cout << "  lazy draw: " << open << " elements decided by the low part\n";
}
