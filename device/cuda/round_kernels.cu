// CUDA kernels for array rounding: every thread runs device/array_rounding.hpp's round_element, the
// function the CPU launcher runs, so the two backends compute the same thing by construction.
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "device/cuda/cuda_launch.hpp"

namespace roundlab::device {

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(e));
}

__global__ void round_kernel(DeviceFormat f, DeviceRounding rd, SourceFormat source, const void* in, void* out,
                             std::uint8_t* no_encoding, RandomInput random, std::size_t n) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    round_element(f, rd, source, in, out, no_encoding, random, i);
}

void launch(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* d_in, void* d_out,
            std::uint8_t* d_none, const RandomInput& random, std::size_t n) {
  if (n == 0) return;
  const int threads = 256;
  const std::size_t blocks = std::min<std::size_t>((n + threads - 1) / threads, 65535u * 8u);
  round_kernel<<<static_cast<unsigned>(blocks), threads>>>(f, rd, source, d_in, d_out, d_none, random, n);
  check(cudaGetLastError(), "kernel launch");
}

}  // namespace

void round_array_cuda(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* in,
                      void* out, std::size_t n, const RandomInput& random, std::uint8_t* no_encoding) {
  const std::size_t in_bytes = n * source_bytes(source), out_bytes = n * code_bytes(f);
  void *d_in = nullptr, *d_out = nullptr;
  std::uint8_t* d_none = nullptr;
  std::uint64_t* d_r = nullptr;
  check(cudaMalloc(&d_in, in_bytes ? in_bytes : 1), "malloc");
  check(cudaMalloc(&d_out, out_bytes ? out_bytes : 1), "malloc");
  check(cudaMalloc(&d_none, n ? n : 1), "malloc");
  RandomInput dev_random = random;
  if (random.explicit_r) {
    check(cudaMalloc(&d_r, n * sizeof(std::uint64_t) + 8), "malloc");
    check(cudaMemcpy(d_r, random.explicit_r, n * sizeof(std::uint64_t), cudaMemcpyHostToDevice), "copy r");
    dev_random.explicit_r = d_r;
  }
  check(cudaMemcpy(d_in, in, in_bytes, cudaMemcpyHostToDevice), "copy in");
  launch(f, rd, source, d_in, d_out, d_none, dev_random, n);
  check(cudaMemcpy(out, d_out, out_bytes, cudaMemcpyDeviceToHost), "copy out");
  if (no_encoding) check(cudaMemcpy(no_encoding, d_none, n, cudaMemcpyDeviceToHost), "copy flags");
  cudaFree(d_in);
  cudaFree(d_out);
  cudaFree(d_none);
  if (d_r) cudaFree(d_r);
}

float round_array_cuda_device_ptrs(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source,
                                   const void* d_in, void* d_out, std::size_t n, const RandomInput& random) {
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "event");
  check(cudaEventCreate(&stop), "event");
  check(cudaEventRecord(start), "event");
  launch(f, rd, source, d_in, d_out, nullptr, random, n);
  check(cudaEventRecord(stop), "event");
  check(cudaEventSynchronize(stop), "sync");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start, stop), "elapsed");
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return ms;
}

}  // namespace roundlab::device
