#include "device/fast_cpu_launch.hpp"

#include <omp.h>

#include <bit>
#include <cstring>
#include <type_traits>

#include "device/cpu_launch.hpp"

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

namespace roundlab::device {

namespace {

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

PhiloxKeys keys_for(const RandomStream& s) {
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

void philox_baseline(const PhiloxKeys& K, u64 block0, std::size_t blocks, u32* out) {
  philox_generic(K, block0, blocks, out);
}

#ifdef RL_FAST_X86
// AVX2: the AVX-512 scheme below with 4 blocks per vector (no ternary logic: two XORs).
template <int U>
RL_TARGET_AVX2 RL_FAST_INLINE std::size_t philox_avx2_u(const PhiloxKeys& K, u64 block0, std::size_t j,
                                                        std::size_t blocks, u32* out) {
  const __m256i m0 = _mm256_set1_epi64x(0xD2511F53u), m1 = _mm256_set1_epi64x(0xCD9E8D57u);
  const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
  const __m256i s2 = _mm256_set1_epi64x(K.st0), s3 = _mm256_set1_epi64x(K.st1);
  for (; j + 4 * U <= blocks; j += 4 * U) {
    __m256i c0[U], c1[U], c2[U], c3[U];
    for (int u = 0; u < U; ++u) {
      const __m256i blk = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>(block0 + j + 4 * u)), lane);
      c0[u] = blk;
      c1[u] = _mm256_srli_epi64(blk, 32);
      c2[u] = s2;
      c3[u] = s3;
    }
#pragma GCC unroll 10
    for (int r = 0; r < 10; ++r) {
      const __m256i k0 = _mm256_set1_epi64x(K.k0[r]), k1 = _mm256_set1_epi64x(K.k1[r]);
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) {
        const __m256i p0 = _mm256_mul_epu32(c0[u], m0), p1 = _mm256_mul_epu32(c2[u], m1);
        c0[u] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1[u]), k0);
        c2[u] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3[u]), k1);
        c1[u] = p1;
        c3[u] = p0;
      }
    }
    for (int u = 0; u < U; ++u) {
      const __m256i w01 = _mm256_blend_epi32(c0[u], _mm256_slli_epi64(c1[u], 32), 0xAA);
      const __m256i w23 = _mm256_blend_epi32(c2[u], _mm256_slli_epi64(c3[u], 32), 0xAA);
      const __m256i lo = _mm256_unpacklo_epi64(w01, w23), hi = _mm256_unpackhi_epi64(w01, w23);
      u32* dst = out + 4 * (j + 4 * u);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_permute2x128_si256(lo, hi, 0x20));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 8), _mm256_permute2x128_si256(lo, hi, 0x31));
    }
  }
  return j;
}

RL_TARGET_AVX2 void philox_avx2(const PhiloxKeys& K, u64 block0, std::size_t blocks, u32* out) {
  std::size_t j = philox_avx2_u<4>(K, block0, 0, blocks, out);
  j = philox_avx2_u<1>(K, block0, j, blocks, out);
  if (j < blocks) philox_generic(K, block0 + j, blocks - j, out + 4 * j);
}

// AVX-512: one Philox instance per 64-bit lane, its 32-bit state words in the low halves (vpmuludq
// reads only those, so the high halves may hold garbage); U independent vectors of 8 blocks per
// iteration hide the multiply latency. Then the words are interleaved into stream order.
template <int U>
RL_TARGET_AVX512 RL_FAST_INLINE std::size_t philox_avx512_u(const PhiloxKeys& K, u64 block0, std::size_t j,
                                                            std::size_t blocks, u32* out) {
  const __m512i m0 = _mm512_set1_epi64(0xD2511F53u), m1 = _mm512_set1_epi64(0xCD9E8D57u);
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i s2 = _mm512_set1_epi64(K.st0), s3 = _mm512_set1_epi64(K.st1);
  const __m512i lo_idx = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const __m512i hi_idx = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  for (; j + 8 * U <= blocks; j += 8 * U) {
    __m512i c0[U], c1[U], c2[U], c3[U];
    for (int u = 0; u < U; ++u) {
      const __m512i blk = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(block0 + j + 8 * u)), lane);
      c0[u] = blk;
      c1[u] = _mm512_srli_epi64(blk, 32);
      c2[u] = s2;
      c3[u] = s3;
    }
#pragma GCC unroll 10
    for (int r = 0; r < 10; ++r) {
      const __m512i k0 = _mm512_set1_epi64(K.k0[r]), k1 = _mm512_set1_epi64(K.k1[r]);
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) {
        const __m512i p0 = _mm512_mul_epu32(c0[u], m0), p1 = _mm512_mul_epu32(c2[u], m1);
        c0[u] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), c1[u], k0, 0x96);  // a ^ b ^ c
        c2[u] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), c3[u], k1, 0x96);
        c1[u] = p1;
        c3[u] = p0;
      }
    }
    for (int u = 0; u < U; ++u) {
      const __m512i w01 = _mm512_mask_blend_epi32(0xAAAA, c0[u], _mm512_slli_epi64(c1[u], 32));
      const __m512i w23 = _mm512_mask_blend_epi32(0xAAAA, c2[u], _mm512_slli_epi64(c3[u], 32));
      u32* dst = out + 4 * (j + 8 * u);
      _mm512_storeu_si512(dst, _mm512_permutex2var_epi64(w01, lo_idx, w23));
      _mm512_storeu_si512(dst + 16, _mm512_permutex2var_epi64(w01, hi_idx, w23));
    }
  }
  return j;
}

RL_TARGET_AVX512 void philox_avx512(const PhiloxKeys& K, u64 block0, std::size_t blocks, u32* out) {
  std::size_t j = philox_avx512_u<6>(K, block0, 0, blocks, out);  // 6 × 8 blocks: the fastest here
  j = philox_avx512_u<1>(K, block0, j, blocks, out);
  if (j < blocks) philox_generic(K, block0 + j, blocks - j, out + 4 * j);
}
#endif

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
};

// Bounds of an N-bit word with a 16-bit top part in 32-bit halves (N > 16, low_bits = N − 16 in 1..48).
void set_lazy_shifts(ChunkRandom& rc, int low_bits) {
  const u64 ones = low_mask(low_bits);
  rc.ones_lo = static_cast<u32>(ones);
  rc.ones_hi = static_cast<u32>(ones >> 32);
  if (low_bits >= 32) {
    rc.sh_lo = 0;
    rc.lo_keep = 0;
    rc.sh_a = low_bits - 32;
    rc.sh_b = 0;
  } else {
    rc.sh_lo = low_bits;
    rc.lo_keep = ~u32{0};
    rc.sh_a = 0;
    rc.sh_b = 32 - low_bits;  // 1..31: top's bits above bit 31 − low_bits go to the high half
  }
}

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
      u8 t = 0;
      const u32 rw = RK == RKind::Slot16Lazy ? u32{slots16[i]} : lo;
      if constexpr (K == FastKernel::Binary64ToBinary32)
        out[i] = static_cast<Code>(fast_convert_to_binary32<kSel>(p, x));
      else
        out[i] = static_cast<Code>(fast_round_aligned<typename T::S, K, kSel>(p, x, rw, t));
      if constexpr (RK == RKind::Slot16Lazy) tie[i] = t;
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

#ifdef RL_FAST_X86
// AVX-512: four blocks (64 bytes, 128 slots) per step: low and high nibbles, then each block's 16 bytes of
// each interleaved back into slot order by two permutes.
RL_TARGET_AVX512 void unpack_nibbles_avx512(const u32* words, std::size_t blocks, u8* out, u8 mask) {
  const u8* b = reinterpret_cast<const u8*>(words);
  const __m512i m = _mm512_set1_epi8(static_cast<char>(mask));
  const __m512i first = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
  const __m512i second = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
  std::size_t j = 0;
  for (; j + 4 <= blocks; j += 4) {
    const __m512i v = _mm512_loadu_si512(b + 16 * j);
    const __m512i lo = _mm512_and_si512(v, m);
    const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m);  // bits from the next byte masked off
    _mm512_storeu_si512(out + 32 * j, _mm512_permutex2var_epi64(lo, first, hi));
    _mm512_storeu_si512(out + 32 * j + 64, _mm512_permutex2var_epi64(lo, second, hi));
  }
  if (j < blocks) unpack_nibbles(words + 4 * j, blocks - j, out + 32 * j, mask);
}
#endif

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
      chunk_body<T, K, RK, kSel, Out>(p, in, out, none, rc, n);                                                 \
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

#ifdef RL_FAST_X86
RL_TARGET_AVX2 RL_FAST_INLINE u64 flag_mask_avx2(const u8* flags) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(flags));
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(flags + 32));
  // Flags are 0 or 1: shifted into each byte's sign bit for movemask.
  const u32 lo = static_cast<u32>(_mm256_movemask_epi8(_mm256_slli_epi16(a, 7)));
  const u32 hi = static_cast<u32>(_mm256_movemask_epi8(_mm256_slli_epi16(b, 7)));
  return (static_cast<u64>(hi) << 32) | lo;
}
RL_TARGET_AVX512 RL_FAST_INLINE u64 flag_mask_avx512(const u8* flags) {
  const __m512i v = _mm512_loadu_si512(flags);
  return _mm512_test_epi8_mask(v, v);
}
#endif

// The baseline build does not vectorize (no variable shifts before AVX2): no specialised variants.
RL_FAST_ISA_STRUCT(IsaBaseline, , false, flag_mask_portable, unpack_nibbles)
#ifdef RL_FAST_X86
RL_FAST_ISA_STRUCT(IsaAvx2, RL_TARGET_AVX2, true, flag_mask_avx2, unpack_nibbles)
RL_FAST_ISA_STRUCT(IsaAvx512, RL_TARGET_AVX512, true, flag_mask_avx512, unpack_nibbles_avx512)
#endif
#undef RL_FAST_ISA_STRUCT

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

// Aligned kernels (no flags, 1- or 2-byte codes, the plan's sel bits 0, 1 and 5 with bit 4 set); only where
// the ISA vectorizes them (the launcher takes the plan's fallback otherwise).
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
    switch ((sel & 3) | ((sel & 32) >> 3)) {
      case 0: return out(std::integral_constant<int, 16>{});
      case 1: return out(std::integral_constant<int, 17>{});
      case 2: return out(std::integral_constant<int, 18>{});
      case 3: return out(std::integral_constant<int, 19>{});
      case 4: return out(std::integral_constant<int, 48>{});
      case 5: return out(std::integral_constant<int, 49>{});
      case 6: return out(std::integral_constant<int, 50>{});
      default: return out(std::integral_constant<int, 51>{});
    }
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

// ---------------------------------------------------------------------------------------------------
// Instruction-set choice.

enum class Isa { Baseline, Avx2, Avx512 };

Isa detect_isa() {
#ifdef RL_FAST_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma"))
    return Isa::Avx2;
#endif
  return Isa::Baseline;
}

Isa& chosen_isa() {
  static Isa isa = detect_isa();
  return isa;
}

using PhiloxFn = void (*)(const PhiloxKeys&, u64, std::size_t, u32*);

PhiloxFn philox_for(Isa isa) {
#ifdef RL_FAST_X86
  if (isa == Isa::Avx512) return &philox_avx512;
  if (isa == Isa::Avx2) return &philox_avx2;
#endif
  (void)isa;
  return &philox_baseline;
}

ChunkFn chunk_for(Isa isa, SourceFormat s, FastKernel k, RKind rk, int sel, int bytes, bool flags,
                  bool lanes16 = false) {
#ifdef RL_FAST_X86
  if (isa == Isa::Avx512) return pick_chunk<IsaAvx512>(s, k, rk, sel, bytes, flags, lanes16);
  if (isa == Isa::Avx2) return pick_chunk<IsaAvx2>(s, k, rk, sel, bytes, flags, lanes16);
#endif
  return pick_chunk<IsaBaseline>(s, k, rk, sel, bytes, flags, lanes16);
}

// The chosen instruction set's variant of one of the Isa structs' static functions.
#ifdef RL_FAST_X86
#define RL_ISA_MEMBER(isa, member)                          \
  ((isa) == Isa::Avx512 ? &IsaAvx512::member               \
   : (isa) == Isa::Avx2 ? &IsaAvx2::member : &IsaBaseline::member)
#else
#define RL_ISA_MEMBER(isa, member) (&IsaBaseline::member)
#endif

StoreFn store_for(Isa isa, int bytes) {
#ifdef RL_FAST_X86
  if (isa == Isa::Avx512) return pick_store<IsaAvx512>(bytes);
  if (isa == Isa::Avx2) return pick_store<IsaAvx2>(bytes);
#endif
  return pick_store<IsaBaseline>(bytes);
}

}  // namespace

bool fast_path_applies(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source) {
  return make_fast_plan(f, rd, source).kernel != FastKernel::None;
}

const char* fast_path_isa() {
  switch (chosen_isa()) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    case Isa::Baseline: break;
  }
  return "baseline";
}

std::vector<std::string> fast_path_isas() {
  std::vector<std::string> out;
  const Isa best = detect_isa();
  if (best == Isa::Avx512) out.push_back("avx512");
  if (best == Isa::Avx512 || best == Isa::Avx2) out.push_back("avx2");
  out.push_back("baseline");
  return out;
}

bool set_fast_path_isa(const char* name) {
  const Isa best = detect_isa();
  Isa want = Isa::Baseline;
  if (std::strcmp(name, "avx512") == 0) want = Isa::Avx512;
  else if (std::strcmp(name, "avx2") == 0) want = Isa::Avx2;
  else if (std::strcmp(name, "baseline") != 0) return false;
  if (static_cast<int>(want) > static_cast<int>(best)) return false;
  chosen_isa() = want;
  return true;
}

void philox_fill_blocks(const RandomStream& s, std::uint64_t block0, std::size_t blocks, std::uint32_t* out) {
  philox_for(chosen_isa())(keys_for(s), block0, blocks, out);
}

void round_array_cpu_fast(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* in,
                          void* out, std::size_t n, const RandomInput& random, std::uint8_t* no_encoding,
                          int threads) {
  const FastPlan plan = make_fast_plan(f, rd, source);
  if (plan.kernel == FastKernel::None) {
    round_array_cpu(f, rd, source, in, out, n, random, no_encoding, threads);
    return;
  }
  const Isa isa = chosen_isa();
  const bool use_random = fast_kernel_draws(plan.kernel);
  const int nbits = rd.mode == DeviceMode::SR ? 64 : plan.n;  // exact SR: the whole 64-bit word
  // Philox words: N ≤ 32 one 32-bit word per element (4 per block), N > 32 a (low, high) pair (2 per
  // block), masked to N bits. Explicit words are copied as pairs and used unmasked, as round_element does.
  const bool explicit_r = use_random && random.explicit_r != nullptr;
  RKind rk = RKind::None;
  if (explicit_r) rk = RKind::Pair;  // used unmasked, as round_element does
  else if (use_random)
    rk = nbits <= 4 ? RKind::Slot4 : nbits <= 8 ? RKind::Slot8 : nbits <= 16 ? RKind::Slot16 : RKind::Slot16Lazy;
  const int cb = code_bytes(f);
  const bool flags = no_encoding != nullptr;
  ChunkFn chunk = nullptr;
  if (is_aligned_kernel(plan.kernel) && !flags && !explicit_r) {
    // RNE from 16-bit sources in 16-bit lanes where bfloat16's own precision (8) leaves bits to discard.
    const bool lanes16 = source == SourceFormat::Binary16 ||
                         (source == SourceFormat::Bfloat16 && plan.s0 > FastSourceBfloat16Lanes::plan_shift);
    chunk = chunk_for(isa, source, plan.kernel, rk, plan.sel, cb, flags, lanes16);
  }
  if (chunk == nullptr) {  // not an aligned kernel, or none for this ISA / these words / with flags
    const FastKernel k = is_aligned_kernel(plan.kernel) ? plan.fallback : plan.kernel;
    chunk = chunk_for(isa, source, k, rk, plan.sel, cb, flags);
  }
  const StoreFn store = store_for(isa, cb);
  const auto unpack = RL_ISA_MEMBER(isa, unpack);
  const PhiloxFn philox = philox_for(isa);
  const auto low_parts = RL_ISA_MEMBER(isa, low_parts);
  const auto scan_ties = RL_ISA_MEMBER(isa, scan_ties);
  const PhiloxKeys keys = keys_for(random.stream);
  const int sb = source_bytes(source);
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
  const auto* in_bytes = static_cast<const unsigned char*>(in);
  auto* out_bytes = static_cast<unsigned char*>(out);
#pragma omp parallel num_threads(nthreads)
  {
    alignas(64) u32 rbuf[4 * kMaxBlocks];
    alignas(64) u32 codes[kChunk];
    alignas(64) u8 tie[kChunk];
    alignas(64) u8 sbuf[kChunk + 64];
    alignas(64) u32 tie_idx[kChunk];
    alignas(64) u64 tie_low[kChunk];  // Slot4: ⌈(31 + kChunk)/32⌉ blocks of 32 slots
    const std::size_t nt = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t tid = static_cast<std::size_t>(omp_get_thread_num());
    // Contiguous ranges, in whole chunks.
    const std::size_t chunks = (n + kChunk - 1) / kChunk;
    const std::size_t c_lo = chunks * tid / nt, c_hi = chunks * (tid + 1) / nt;
    for (std::size_t c = c_lo; c < c_hi; ++c) {
      const std::size_t lo = c * kChunk;
      const std::size_t len = n - lo < kChunk ? n - lo : kChunk;
      ChunkRandom rc;
      rc.tie = tie;
      if (explicit_r) {
        std::memcpy(rbuf, random.explicit_r + lo, len * sizeof(u64));  // little-endian (low, high) pairs
        rc.words = rbuf;
      } else if (use_random) {
        const u64 idx0 = random.first_index + lo;
        const u64 per_block = static_cast<u64>(random_slots_per_block(nbits));
        const u64 block0 = idx0 / per_block;
        rc.off = static_cast<std::size_t>(idx0 % per_block);
        const std::size_t blocks = static_cast<std::size_t>((rc.off + len + per_block - 1) / per_block);
        philox(keys, block0, blocks, rbuf);
        if (rk == RKind::Slot4) {
          unpack(rbuf, blocks, sbuf, static_cast<u8>(low_mask(nbits)));
          rc.slots = sbuf;
        } else {
          rc.slots = reinterpret_cast<const u8*>(rbuf);
          rc.slots16 = reinterpret_cast<const u16*>(rbuf);  // little-endian: slot k = bytes 2k, 2k + 1
        }
        rc.top_mask = static_cast<u32>(low_mask(random_top_bits(nbits)));
        if (rk == RKind::Slot16Lazy) set_lazy_shifts(rc, nbits - random_top_bits(nbits));
      }
      void* dst = flags ? static_cast<void*>(codes) : static_cast<void*>(out_bytes + lo * cb);
      chunk(plan, in_bytes + lo * sb, dst, flags ? no_encoding + lo : nullptr, rc, len);
      if (rk == RKind::Slot16Lazy) {
        // Ties of the top part (about one element in 2^16): the whole word decides. Their low parts
        // are drawn together (one vectorized pass), then each is rounded with its whole word.
        if (len % 64 != 0) std::memset(tie + len, 0, 64 - len % 64);  // kChunk is a multiple of 64
        const std::size_t m = scan_ties(tie, len, tie_idx);
        low_parts(keys, random.first_index + lo, tie_idx, m, tie_low);
        const u64 low_keep = low_mask(nbits - 16);
        for (std::size_t j = 0; j < m; ++j) {
          const std::size_t i = tie_idx[j];
          std::uint64_t bits = 0;
          std::memcpy(&bits, in_bytes + (lo + i) * sb, static_cast<std::size_t>(sb));
          const std::uint64_t top = rc.slots16[rc.off + i];
          const DeviceResult res = fast_round_element(plan, bits, (top << (nbits - 16)) | (tie_low[j] & low_keep));
          if (flags) {
            codes[i] = static_cast<u32>(res.code);
            no_encoding[lo + i] = res.no_encoding ? 1 : 0;
          } else {
            store_code(f, out_bytes + lo * cb, i, res.code);
          }
        }
      }
      if (flags) store(codes, out_bytes + lo * cb, len);
    }
  }
}

}  // namespace roundlab::device
