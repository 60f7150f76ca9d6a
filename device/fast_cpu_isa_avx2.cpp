// The fast CPU launcher's chunk kernels for AVX2 (device/fast_cpu_chunk.hpp), chosen at run time.
#include "device/fast_cpu_chunk.hpp"

#ifdef RL_FAST_X86
namespace roundlab::device::fast_cpu {

namespace {

// AVX2: the scheme of fast_cpu_isa_avx512.cpp with 4 blocks per vector (no ternary logic: two XORs).
template <int U>
RL_TARGET_AVX2 RL_FAST_INLINE std::size_t philox_avx2_u(const PhiloxKeys& K, u64 block0, std::size_t j,
                                                        std::size_t blocks, u32* out, SourcePrefetch& pf) {
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
      prefetch_lines<1>(pf);
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

RL_TARGET_AVX2 void philox_avx2(const PhiloxKeys& K, u64 block0, std::size_t blocks, u32* out, SourcePrefetch& pf) {
  std::size_t j = philox_avx2_u<4>(K, block0, 0, blocks, out, pf);
  j = philox_avx2_u<1>(K, block0, j, blocks, out, pf);
  if (j < blocks) philox_generic(K, block0 + j, blocks - j, out + 4 * j);
}

RL_TARGET_AVX2 RL_FAST_INLINE u64 flag_mask_avx2(const u8* flags) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(flags));
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(flags + 32));
  // Flags are 0 or 1: shifted into each byte's sign bit for movemask.
  const u32 lo = static_cast<u32>(_mm256_movemask_epi8(_mm256_slli_epi16(a, 7)));
  const u32 hi = static_cast<u32>(_mm256_movemask_epi8(_mm256_slli_epi16(b, 7)));
  return (static_cast<u64>(hi) << 32) | lo;
}

RL_FAST_ISA_STRUCT(IsaAvx2, RL_TARGET_AVX2, true, flag_mask_avx2, unpack_nibbles)

}  // namespace

IsaKernels isa_kernels_avx2() { return make_isa_kernels<IsaAvx2>(&philox_avx2); }

}  // namespace roundlab::device::fast_cpu
#endif
