// One source for CPU and GPU: the same functions compile as host code (g++) and device code (nvcc).
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define RL_HD __host__ __device__ __forceinline__
#else
#define RL_HD inline
#endif

namespace roundlab::device {

// Number of significant bits of x (0 for x = 0).
RL_HD int bit_length(std::uint64_t x) {
#if defined(__CUDA_ARCH__)
  return 64 - __clzll(static_cast<long long>(x));
#else
  return x == 0 ? 0 : 64 - __builtin_clzll(x);
#endif
}

RL_HD std::uint64_t low_mask(int n) { return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; }

}  // namespace roundlab::device
