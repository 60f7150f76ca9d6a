// std::vector whose storage starts on a 64-byte boundary. Why: Eigen's vectorized reductions (sum, mean,
// dot products of small products) peel scalar elements until the data is packet-aligned, so their
// summation order, and the rounded result, depends on the address modulo the packet size (64 bytes with
// AVX-512). With every buffer 64-byte aligned, each array's address modulo 64 is fixed by the shapes
// alone, and runs are bit-reproducible whatever malloc returns.
#pragma once
#include <cstddef>
#include <new>
#include <vector>

namespace roundlab::gpt {

inline constexpr std::size_t kBufferAlignment = 64;

template <class T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{kBufferAlignment}));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{kBufferAlignment}); }
  template <class U>
  bool operator==(const AlignedAllocator<U>&) const noexcept { return true; }
};

template <class T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

}  // namespace roundlab::gpt
