// One chunk of the fast CPU launcher (device/fast_cpu_launch.cpp), written once: the Philox block fill,
// the element loop over a chunk's source words and random slots, and the table of one instruction set's
// compiled variants (IsaKernels). device/fast_cpu_isa_baseline.cpp, fast_cpu_isa_avx2.cpp and
// fast_cpu_isa_avx512.cpp each compile it for one instruction set — separate files, so that a parallel
// build compiles the ~1,700 kernel instantiations side by side. Internal to the launcher.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "device/array_rounding.hpp"
#include "device/fast_rounding.hpp"

#if defined(__x86_64__) || defined(__i386__)
// GCC 12 warns "'__Y' may be used uninitialized" inside its own AVX-512 shift intrinsics (GCC bug
// 105593, the header's _mm512_undefined_epi32 pass-through); the diagnostic is located in the header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#define RL_FAST_X86 1
#define RL_TARGET_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt,fma")))
#define RL_TARGET_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,bmi,bmi2,popcnt,fma,prefer-vector-width=512")))
#endif

namespace roundlab::device::fast_cpu {

using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

// Elements per chunk: the chunk's random words (and, with flags, its codes) stay in L1 between passes.
constexpr std::size_t kChunk = 2048;
static_assert(kChunk % 64 == 0, "the tie scan reads whole 64-flag blocks");
// Philox words buffer: up to ⌈(1 + kChunk)/2⌉ blocks of 4 words (pairs), or kChunk explicit 64-bit words.
constexpr std::size_t kMaxBlocks = ((kChunk + 3) / 2 + 1 + 31) / 32 * 32;
// Random words are read as (low, high) 32-bit halves of little-endian 64-bit words.
static_assert(std::endian::native == std::endian::little, "the fast launcher assumes a little-endian host");

// ---------------------------------------------------------------------------------------------------
// Philox4x32-10 over consecutive blocks (the counters of device/philox.hpp's stream definition).

struct PhiloxKeys {
  u32 k0[10], k1[10];
  u32 st0, st1;
};

// The chunk's source bytes, fetched into L1 while its Philox blocks are computed: the fill is arithmetic
// only, so without this the memory would idle through it (the hardware prefetcher follows demand loads).
// The vectorized fills ask for L lines per round, so the requests spread over the fill (a chunk's 2,048
// binary32 words are 128 lines; its exact-SR fill is ~50 rounds of 6 × 8 blocks with AVX-512).
struct SourcePrefetch {
  const char* next = nullptr;
  const char* end = nullptr;
};

template <int L>
RL_FAST_INLINE void prefetch_lines(SourcePrefetch& pf) {
  if (pf.next < pf.end) {
    for (int l = 0; l < L; ++l) __builtin_prefetch(pf.next + 64 * l);
    pf.next += 64 * L;
  }
}

inline PhiloxKeys keys_for(const RandomStream& s) {
  PhiloxKeys k{};
  u32 a = static_cast<u32>(s.seed), b = static_cast<u32>(s.seed >> 32);
  for (int r = 0; r < 10; ++r) {
    k.k0[r] = a;
    k.k1[r] = b;
    a += 0x9E3779B9u;
    b += 0xBB67AE85u;
  }
  k.st0 = static_cast<u32>(s.stream);
  k.st1 = static_cast<u32>(s.stream >> 32);
  return k;
}

// The ten rounds on one counter (c0..c3 in, the block out); plain code, so loops over blocks vectorize.
RL_FAST_INLINE void philox_rounds(const PhiloxKeys& K, u32& c0, u32& c1, u32& c2, u32& c3) {
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    const u64 p0 = static_cast<u64>(0xD2511F53u) * c0, p1 = static_cast<u64>(0xCD9E8D57u) * c2;
    const u32 n0 = static_cast<u32>(p1 >> 32) ^ c1 ^ K.k0[r], n1 = static_cast<u32>(p1);
    const u32 n2 = static_cast<u32>(p0 >> 32) ^ c3 ^ K.k1[r], n3 = static_cast<u32>(p0);
    c0 = n0;
    c1 = n1;
    c2 = n2;
    c3 = n3;
  }
}

// Plain loop; the compiler vectorizes it across blocks.
RL_FAST_INLINE void philox_generic(const PhiloxKeys& K, u64 block0, std::size_t blocks, u32* __restrict out) {
  for (std::size_t j = 0; j < blocks; ++j) {
    const u64 blk = block0 + j;
    u32 c0 = static_cast<u32>(blk), c1 = static_cast<u32>(blk >> 32), c2 = K.st0, c3 = K.st1;
    philox_rounds(K, c0, c1, c2, c3);
    out[4 * j] = c0;
    out[4 * j + 1] = c1;
    out[4 * j + 2] = c2;
    out[4 * j + 3] = c3;
  }
}

// The low-part words (v1·2^32 + v0 of counter {i lo, i hi | 2^31}, device/philox.hpp) of the elements
// base + idx[j]: the lazy draw's ties of one chunk, all at once, so the loop vectorizes across them
// instead of running one scalar Philox per tie.
RL_FAST_INLINE void philox_low_parts(const PhiloxKeys& K, u64 base, const u32* __restrict idx, std::size_t m,
                                     u64* __restrict out) {
  for (std::size_t j = 0; j < m; ++j) {
    const u64 i = base + idx[j];
    u32 c0 = static_cast<u32>(i), c1 = static_cast<u32>(i >> 32) | 0x80000000u, c2 = K.st0, c3 = K.st1;
    philox_rounds(K, c0, c1, c2, c3);
    out[j] = (static_cast<u64>(c1) << 32) | c0;
  }
}


// ---------------------------------------------------------------------------------------------------
// Rounding of one chunk.

struct Binary32Tag {
  using In = u32;
  using S = FastSourceBinary32;
  static constexpr int lshift = 0;
};
struct Bfloat16Tag {
  using In = u16;
  using S = FastSourceBinary32;
  static constexpr int lshift = 16;  // bfloat16 word << 16 = binary32 word of the same value
};
struct Binary16Tag {
  using In = u16;
  using S = FastSourceBinary16;
  static constexpr int lshift = 0;
};
// 16-bit lanes for the aligned RNE kernel.
struct Bfloat16LanesTag {
  using In = u16;
  using S = FastSourceBfloat16Lanes;
  static constexpr int lshift = 0;
};
struct Binary16LanesTag {
  using In = u16;
  using S = FastSourceBinary16Lanes;
  static constexpr int lshift = 0;
};
struct Binary64Tag {
  using In = u64;
  using S = FastSourceBinary64;
  static constexpr int lshift = 0;
};

// Where an element's random word comes from: none; an explicit (low, high) pair per element; or the
// Philox stream's slots (device/philox.hpp): Slot4 / Slot8 / Slot16 hold the whole word (N ≤ 16),
// Slot16Lazy its top 16 bits only (N > 16): the element is rounded at both ends of the word's range and
// marked where they differ, for the launcher to finish with the low part.
enum class RKind { None, Pair, Slot4, Slot8, Slot16, Slot16Lazy };

// Output of a chunk: Out = u8 / u16 / u32 writes the codes straight into the output array; WithFlags
// writes 32-bit codes into a chunk buffer plus the no-encoding flags (store_codes then narrows them).
struct WithFlags {};

// The random words of one chunk. words: Pair: (low, high) per element. slots: one byte per slot from
// the one holding the chunk's first element, which is slot number `off` (Slot8: the Philox blocks'
// bytes themselves; Slot4: unpack_nibbles' bytes); slots16: Slot16 and Slot16Lazy, the blocks read as
// 16-bit words. tie: Slot16Lazy marks.
struct ChunkRandom {
  const u32* words = nullptr;
  const u8* slots = nullptr;
  const u16* slots16 = nullptr;
  std::size_t off = 0;
  u32 top_mask = 0;  // low t bits of a slot
  // Slot16Lazy: the word's bounds are (top << sh_a) >> sh_b high half and (top << sh_lo) & lo_keep low half,
  // OR-ed with the all-ones low part (ones_lo, ones_hi) for the upper bound; 32-bit lanes only.
  int sh_lo = 0, sh_a = 0, sh_b = 0;
  u32 lo_keep = 0, ones_lo = 0, ones_hi = 0;
  u8* tie = nullptr;
  // Slot16Lazy, aligned exact SR: set to 0 when the chunk has no tie, and then `tie` is left unwritten
  // (the launcher sets it to 1 beforehand, so the other kernels' marks are always scanned).
  u8* any_tie = nullptr;
};


using ChunkFn = void (*)(const FastPlan&, const void*, void*, u8*, const ChunkRandom&, std::size_t);

template <class T, FastKernel K, RKind RK, int kSel, class Out>
RL_FAST_INLINE void chunk_body(const FastPlan& plan, const void* in_v, void* out_v, u8* __restrict none,
                               const ChunkRandom& rc, std::size_t n) {
  using W = typename T::S::Word;
  using Code = std::conditional_t<std::is_same_v<Out, WithFlags>, u32, Out>;
  const typename T::In* __restrict in = static_cast<const typename T::In*>(in_v);
  Code* __restrict out = static_cast<Code*>(out_v);
  const FastPlan p = plan;  // a local copy: the constants cannot alias the outputs
  const u32* __restrict r = rc.words;
  const u8* __restrict slots = rc.slots + rc.off;
  const u16* __restrict slots16 = rc.slots16 + rc.off;
  u8* __restrict tie = rc.tie;
  const u32 top_mask = rc.top_mask;
  const int sh_lo = rc.sh_lo, sh_a = rc.sh_a, sh_b = rc.sh_b;
  const u32 lo_keep = rc.lo_keep, ones_lo = rc.ones_lo, ones_hi = rc.ones_hi;
  for (std::size_t i = 0; i < n; ++i) {
    const W x = static_cast<W>(static_cast<W>(in[i]) << T::lshift);
    u32 lo = 0, hi = 0;
    if constexpr (RK == RKind::Pair) {
      lo = r[2 * i];
      hi = r[2 * i + 1];
    }
    if constexpr (RK == RKind::Slot4) lo = slots[i];  // masked to N bits by the unpack
    if constexpr (RK == RKind::Slot8) lo = static_cast<u32>(slots[i]) & top_mask;
    if constexpr (RK == RKind::Slot16) lo = static_cast<u32>(slots16[i]) & top_mask;
    u8 ne = 0;
    if constexpr (is_aligned_kernel(K)) {
      static_assert(!std::is_same_v<Out, WithFlags> && RK != RKind::Pair, "aligned kernels: Philox slots, no flags");
      static_assert(RK != RKind::Slot16Lazy, "aligned exact SR: chunk_exact_sr_aligned");
      u8 t = 0;
      if constexpr (K == FastKernel::Binary64ToBinary32)
        out[i] = static_cast<Code>(fast_convert_to_binary32<kSel>(p, x));
      else
        out[i] = static_cast<Code>(fast_round_aligned<typename T::S, K, kSel>(p, x, lo, t));
    } else if constexpr (RK == RKind::Slot16Lazy) {
      const u32 top = slots16[i];
      const u32 lo0 = (top << sh_lo) & lo_keep, hi0 = (top << sh_a) >> sh_b;
      out[i] = static_cast<Code>(
          fast_round_word<typename T::S, K, kSel, true>(p, x, lo0, hi0, ne, lo0 | ones_lo, hi0 | ones_hi, &tie[i]));
    } else {
      out[i] = static_cast<Code>(fast_round_word<typename T::S, K, kSel>(p, x, lo, hi, ne));
    }
    if constexpr (std::is_same_v<Out, WithFlags>) none[i] = ne;
  }
}

// Aligned exact SR from the words' 16-bit top parts: a tie needs the whole word about once in 2^16
// elements, so the loop only ORs the marks together; the rare chunk with one runs the loop again to mark them.
template <class T, FastKernel K, int kSel, class Out>
RL_FAST_INLINE void chunk_exact_sr_aligned(const FastPlan& plan, const void* in_v, void* out_v,
                                           const ChunkRandom& rc, std::size_t n) {
  using W = typename T::S::Word;
  const typename T::In* __restrict in = static_cast<const typename T::In*>(in_v);
  Out* __restrict out = static_cast<Out*>(out_v);
  const FastPlan p = plan;
  const u16* __restrict slots16 = rc.slots16 + rc.off;
  auto element = [&](std::size_t i, u8& t) {
    const W x = static_cast<W>(static_cast<W>(in[i]) << T::lshift);
    return static_cast<Out>(fast_round_aligned<typename T::S, K, kSel>(p, x, u32{slots16[i]}, t));
  };
  u32 any = 0;
  for (std::size_t i = 0; i < n; ++i) {
    u8 t = 0;
    out[i] = element(i, t);
    any |= t;
  }
  *rc.any_tie = any != 0 ? 1 : 0;
  if (any == 0) return;
  u8* __restrict tie = rc.tie;
  for (std::size_t i = 0; i < n; ++i) (void)element(i, tie[i]);
}

// Slot4: the 32 nibble slots of each Philox block as bytes in slot order (low nibbles of the block's 16
// bytes, then their high nibbles; see device/philox.hpp), each AND-ed with `mask` (the low N bits).
RL_FAST_INLINE void unpack_nibbles(const u32* words, std::size_t blocks, u8* __restrict out, u8 mask) {
  const u8* __restrict b = reinterpret_cast<const u8*>(words);
  for (std::size_t j = 0; j < blocks; ++j)
    for (int k = 0; k < 16; ++k) {
      out[32 * j + k] = b[16 * j + k] & mask;
      out[32 * j + 16 + k] = (b[16 * j + k] >> 4) & mask;
    }
}


// Bit k of the result = flag k of 64 consecutive 0/1 flags (the lazy draw's ties). Portable: each
// 8-byte word's flags gathered into one byte by a multiply; the x86 variants use a vector compare.
RL_FAST_INLINE u64 flag_mask_portable(const u8* flags) {
  u64 w[8];
  std::memcpy(w, flags, 64);
  u64 mask = 0;
  for (int q = 0; q < 8; ++q) mask |= ((w[q] * 0x0102040810204080ull) >> 56) << (8 * q);
  return mask;
}

// The chunk's 32-bit codes into the output array's words (WithFlags chunks).
template <class Out>
RL_FAST_INLINE void store_codes(const u32* __restrict codes, void* out_v, std::size_t n) {
  Out* __restrict out = static_cast<Out*>(out_v);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Out>(codes[i]);
}

using StoreFn = void (*)(const u32*, void*, std::size_t);

#define RL_FAST_ISA_STRUCT(NAME, ATTR, SPECIALISE, MASK, UNPACK)                                                           \
  struct NAME {                                                                                                 \
    static constexpr bool specialise = SPECIALISE;                                                              \
    template <class T, FastKernel K, RKind RK, int kSel, class Out>                                             \
    ATTR static void run(const FastPlan& p, const void* in, void* out, u8* none, const ChunkRandom& rc,         \
                         std::size_t n) {                                                                       \
      if constexpr (K == FastKernel::ExactSRAligned && RK == RKind::Slot16Lazy)                                 \
        chunk_exact_sr_aligned<T, K, kSel, Out>(p, in, out, rc, n);                                             \
      else                                                                                                      \
        chunk_body<T, K, RK, kSel, Out>(p, in, out, none, rc, n);                                               \
    }                                                                                                           \
    template <class Out>                                                                                        \
    ATTR static void store(const u32* codes, void* out, std::size_t n) {                                        \
      store_codes<Out>(codes, out, n);                                                                          \
    }                                                                                                           \
    ATTR static void unpack(const u32* words, std::size_t blocks, u8* out, u8 mask) { UNPACK(words, blocks, out, mask); } \
    ATTR static void low_parts(const PhiloxKeys& k, u64 base, const u32* idx, std::size_t m, u64* out) {       \
      philox_low_parts(k, base, idx, m, out);                                                                   \
    }                                                                                                           \
    /* The positions of the set flags among tie[0, len) (len rounded up to 64: the caller zeroes the pad), */  \
    /* in increasing order; returns how many. Ties are rare, so the work is the 64-flag masks. */              \
    ATTR static std::size_t scan_ties(const u8* tie, std::size_t len, u32* idx) {                               \
      std::size_t m = 0;                                                                                        \
      for (std::size_t i0 = 0; i0 < len; i0 += 64)                                                              \
        for (u64 mask = MASK(tie + i0); mask != 0; mask &= mask - 1)                                            \
          idx[m++] = static_cast<u32>(i0 + static_cast<std::size_t>(std::countr_zero(mask)));                   \
      return m;                                                                                                 \
    }                                                                                                           \
  };

// With flags: always the general selects (kSel 15). Without: codes straight into 1-, 2- or 4-byte words.
template <class Isa, class T, FastKernel K, RKind RK, int kSel = 15>
ChunkFn pick_out(int bytes, bool flags) {
  if (flags) return &Isa::template run<T, K, RK, 15, WithFlags>;
  switch (bytes) {
    case 1: return &Isa::template run<T, K, RK, kSel, u8>;
    case 2: return &Isa::template run<T, K, RK, kSel, u16>;
    default: return &Isa::template run<T, K, RK, kSel, u32>;
  }
}

// RNE, exact SR and the narrow few-bit kernel with Philox words also come in the plan's variant of the
// zero / infinity handling (FastPlan::sel = kSel bits 0, 1; no general zero select, bit 3) and, being
// Philox words masked to N bits, without the out-of-range check of explicit words (bit 2).
template <class Isa, class T, FastKernel K, RKind RK>
ChunkFn pick_sel(int sel, int bytes, bool flags) {
  if constexpr (Isa::specialise) {
    switch (sel & 3) {
      case 0: return pick_out<Isa, T, K, RK, 0>(bytes, flags);
      case 1: return pick_out<Isa, T, K, RK, 1>(bytes, flags);
      case 2: return pick_out<Isa, T, K, RK, 2>(bytes, flags);
      case 3: return pick_out<Isa, T, K, RK, 3>(bytes, flags);
      default: break;
    }
  }
  (void)sel;
  return pick_out<Isa, T, K, RK>(bytes, flags);
}

// Aligned kernels (no flags, 1- or 2-byte codes, the plan's sel bits 0, 1 and 5 with bit 4 set, and bit 6 for
// exact SR); only where the ISA vectorizes them (the launcher takes the plan's fallback otherwise).
template <class Isa, class T, FastKernel K, RKind RK>
ChunkFn pick_aligned_sel(int sel, int bytes) {
  if constexpr (Isa::specialise && K == FastKernel::Binary64ToBinary32) {
    if constexpr (std::is_same_v<T, Binary64Tag>)
      return (sel & 2) != 0 ? &Isa::template run<T, K, RK, 18, u32> : &Isa::template run<T, K, RK, 16, u32>;
    return nullptr;
  } else if constexpr (Isa::specialise && sizeof(typename T::S::Word) <= 4) {
    auto out = [bytes](auto sel_c) -> ChunkFn {
      constexpr int kSel = decltype(sel_c)::value;
      return bytes == 1 ? &Isa::template run<T, K, RK, kSel, u8> : &Isa::template run<T, K, RK, kSel, u16>;
    };
    // Bits 0, 1 and 5 on top of `base` (bit 4, plus bit 6 for exact SR's one-shift form).
    auto by_bits = [&out, sel](auto base_c) -> ChunkFn {
      constexpr int b = decltype(base_c)::value;
      switch ((sel & 3) | ((sel & 32) >> 3)) {
        case 0: return out(std::integral_constant<int, b>{});
        case 1: return out(std::integral_constant<int, b + 1>{});
        case 2: return out(std::integral_constant<int, b + 2>{});
        case 3: return out(std::integral_constant<int, b + 3>{});
        case 4: return out(std::integral_constant<int, b + 32>{});
        case 5: return out(std::integral_constant<int, b + 33>{});
        case 6: return out(std::integral_constant<int, b + 34>{});
        default: return out(std::integral_constant<int, b + 35>{});
      }
    };
    if constexpr (K == FastKernel::ExactSRAligned)
      if ((sel & 64) != 0) return by_bits(std::integral_constant<int, 80>{});
    return by_bits(std::integral_constant<int, 16>{});
  }
  (void)sel;
  (void)bytes;
  return nullptr;
}

template <class Isa, class T, FastKernel K>
ChunkFn pick_aligned(RKind rk, int sel, int bytes) {
  if constexpr (K == FastKernel::ExactSRAligned) {
    return rk == RKind::Slot16Lazy ? pick_aligned_sel<Isa, T, K, RKind::Slot16Lazy>(sel, bytes) : nullptr;
  } else if constexpr (K == FastKernel::NearestEvenAligned || K == FastKernel::Binary64ToBinary32) {
    return rk == RKind::None ? pick_aligned_sel<Isa, T, K, RKind::None>(sel, bytes) : nullptr;
  } else {
    switch (rk) {
      case RKind::Slot4: return pick_aligned_sel<Isa, T, K, RKind::Slot4>(sel, bytes);
      case RKind::Slot8: return pick_aligned_sel<Isa, T, K, RKind::Slot8>(sel, bytes);
      case RKind::Slot16:  // N ≤ p_s − P ≤ 10 > 8 only from binary16 sources
        if constexpr (std::is_same_v<typename T::S, FastSourceBinary16>)
          return pick_aligned_sel<Isa, T, K, RKind::Slot16>(sel, bytes);
        return nullptr;
      default: return nullptr;
    }
  }
}

template <class Isa, class T>
ChunkFn pick_kernel(FastKernel k, RKind rk, int sel, int bytes, bool flags) {
  switch (k) {
    case FastKernel::SrffAligned: return pick_aligned<Isa, T, FastKernel::SrffAligned>(rk, sel, bytes);
    case FastKernel::SrfAligned: return pick_aligned<Isa, T, FastKernel::SrfAligned>(rk, sel, bytes);
    case FastKernel::SrcAligned: return pick_aligned<Isa, T, FastKernel::SrcAligned>(rk, sel, bytes);
    case FastKernel::SroAligned: return pick_aligned<Isa, T, FastKernel::SroAligned>(rk, sel, bytes);
    case FastKernel::SrceilAligned: return pick_aligned<Isa, T, FastKernel::SrceilAligned>(rk, sel, bytes);
    case FastKernel::ExactSRAligned: return pick_aligned<Isa, T, FastKernel::ExactSRAligned>(rk, sel, bytes);
    case FastKernel::NearestEvenAligned: return pick_aligned<Isa, T, FastKernel::NearestEvenAligned>(rk, sel, bytes);
    case FastKernel::Binary64ToBinary32: return pick_aligned<Isa, T, FastKernel::Binary64ToBinary32>(rk, sel, bytes);
    case FastKernel::NearestEven: return pick_sel<Isa, T, FastKernel::NearestEven, RKind::None>(sel, bytes, flags);
    case FastKernel::Deterministic: return pick_out<Isa, T, FastKernel::Deterministic, RKind::None>(bytes, flags);
    case FastKernel::FewBitNarrow:
      if constexpr (sizeof(typename T::S::Word) == 4) {
        switch (rk) {
          case RKind::Slot4: return pick_sel<Isa, T, FastKernel::FewBitNarrow, RKind::Slot4>(sel, bytes, flags);
          case RKind::Slot8: return pick_sel<Isa, T, FastKernel::FewBitNarrow, RKind::Slot8>(sel, bytes, flags);
          case RKind::Slot16: return pick_out<Isa, T, FastKernel::FewBitNarrow, RKind::Slot16>(bytes, flags);
          case RKind::Slot16Lazy: return pick_out<Isa, T, FastKernel::FewBitNarrow, RKind::Slot16Lazy>(bytes, flags);
          default: return pick_out<Isa, T, FastKernel::FewBitNarrow, RKind::Pair>(bytes, flags);
        }
      }
      break;
    case FastKernel::FewBitWide:
      switch (rk) {
        case RKind::Slot4: return pick_out<Isa, T, FastKernel::FewBitWide, RKind::Slot4>(bytes, flags);
        case RKind::Slot8: return pick_out<Isa, T, FastKernel::FewBitWide, RKind::Slot8>(bytes, flags);
        case RKind::Slot16: return pick_out<Isa, T, FastKernel::FewBitWide, RKind::Slot16>(bytes, flags);
        case RKind::Slot16Lazy: return pick_out<Isa, T, FastKernel::FewBitWide, RKind::Slot16Lazy>(bytes, flags);
        default: return pick_out<Isa, T, FastKernel::FewBitWide, RKind::Pair>(bytes, flags);
      }
    case FastKernel::ExactSR:
      return rk == RKind::Slot16Lazy ? pick_sel<Isa, T, FastKernel::ExactSR, RKind::Slot16Lazy>(sel, bytes, flags)
                                    : pick_sel<Isa, T, FastKernel::ExactSR, RKind::Pair>(sel, bytes, flags);
    case FastKernel::None: break;
  }
  return nullptr;
}

template <class Isa>
ChunkFn pick_chunk(SourceFormat s, FastKernel k, RKind rk, int sel, int bytes, bool flags, bool lanes16) {
  if (k == FastKernel::NearestEvenAligned && lanes16) {
    if (s == SourceFormat::Bfloat16) return pick_aligned<Isa, Bfloat16LanesTag, FastKernel::NearestEvenAligned>(rk, sel, bytes);
    if (s == SourceFormat::Binary16) return pick_aligned<Isa, Binary16LanesTag, FastKernel::NearestEvenAligned>(rk, sel, bytes);
  }
  switch (s) {
    case SourceFormat::Binary32: return pick_kernel<Isa, Binary32Tag>(k, rk, sel, bytes, flags);
    case SourceFormat::Bfloat16: return pick_kernel<Isa, Bfloat16Tag>(k, rk, sel, bytes, flags);
    case SourceFormat::Binary16: return pick_kernel<Isa, Binary16Tag>(k, rk, sel, bytes, flags);
    case SourceFormat::Binary64: return pick_kernel<Isa, Binary64Tag>(k, rk, sel, bytes, flags);
  }
  return nullptr;
}

template <class Isa>
StoreFn pick_store(int bytes) {
  switch (bytes) {
    case 1: return &Isa::template store<u8>;
    case 2: return &Isa::template store<u16>;
    default: return &Isa::template store<u32>;
  }
}

using PhiloxFn = void (*)(const PhiloxKeys&, u64, std::size_t, u32*, SourcePrefetch&);


// One instruction set's variants: the Philox fill, the chunk kernel for a (source, kernel, random kind,
// sel, code bytes, flags, 16-bit lanes) choice (nullptr: none for it), the flagged chunks' store, the
// nibble unpack, the ties' low parts and the tie scan.
struct IsaKernels {
  PhiloxFn philox;
  ChunkFn (*chunk)(SourceFormat, FastKernel, RKind, int, int, bool, bool);
  StoreFn (*store)(int);
  void (*unpack)(const u32*, std::size_t, u8*, u8);
  void (*low_parts)(const PhiloxKeys&, u64, const u32*, std::size_t, u64*);
  std::size_t (*scan_ties)(const u8*, std::size_t, u32*);
};

template <class Isa>
IsaKernels make_isa_kernels(PhiloxFn philox) {
  return IsaKernels{philox, &pick_chunk<Isa>, &pick_store<Isa>, &Isa::unpack, &Isa::low_parts, &Isa::scan_ties};
}

// Defined in device/fast_cpu_isa_*.cpp (AVX2 and AVX-512 on x86 only).
IsaKernels isa_kernels_baseline();
#ifdef RL_FAST_X86
IsaKernels isa_kernels_avx2();
IsaKernels isa_kernels_avx512();
#endif

}  // namespace roundlab::device::fast_cpu
