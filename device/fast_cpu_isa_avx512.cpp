// The fast CPU launcher's chunk kernels for AVX-512 (device/fast_cpu_chunk.hpp), chosen at run time.
#include "device/fast_cpu_chunk.hpp"

#ifdef RL_FAST_X86
namespace roundlab::device::fast_cpu {

namespace {

// AVX-512: one Philox instance per 64-bit lane, its 32-bit state words in the low halves (vpmuludq
// reads only those, so the high halves may hold garbage); U independent vectors of 8 blocks per
// iteration hide the multiply latency. Then the words are interleaved into stream order.
template <int U>
RL_TARGET_AVX512 RL_FAST_INLINE std::size_t philox_avx512_u(const PhiloxKeys& K, u64 block0, std::size_t j,
                                                            std::size_t blocks, u32* out, SourcePrefetch& pf) {
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
      prefetch_lines<3>(pf);
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

RL_TARGET_AVX512 void philox_avx512(const PhiloxKeys& K, u64 block0, std::size_t blocks, u32* out,
                                    SourcePrefetch& pf) {
  std::size_t j = philox_avx512_u<6>(K, block0, 0, blocks, out, pf);  // 6 × 8 blocks: the fastest here
  j = philox_avx512_u<1>(K, block0, j, blocks, out, pf);
  if (j < blocks) philox_generic(K, block0 + j, blocks - j, out + 4 * j);
}

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

RL_TARGET_AVX512 RL_FAST_INLINE u64 flag_mask_avx512(const u8* flags) {
  const __m512i v = _mm512_loadu_si512(flags);
  return _mm512_test_epi8_mask(v, v);
}

RL_FAST_ISA_STRUCT(IsaAvx512, RL_TARGET_AVX512, true, flag_mask_avx512, unpack_nibbles_avx512)

}  // namespace

IsaKernels isa_kernels_avx512() { return make_isa_kernels<IsaAvx512>(&philox_avx512); }

}  // namespace roundlab::device::fast_cpu
#endif
