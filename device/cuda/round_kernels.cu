// CUDA kernels for array rounding. Arrays: device/tiled_rounding.hpp's two stages per tile of
// kTileElems elements (Philox blocks staged once in shared memory, then the fast element function with
// round_element's lazy draw), the schedule the host runs in round_array_tiled_serial and tests compare
// with the CPU launcher. Block formats: one thread per block, the CPU launcher's functions.
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "device/cuda/cuda_launch.hpp"
#include "device/tiled_rounding.hpp"

namespace roundlab::device {

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(e));
}

__global__ void __launch_bounds__(kTileThreads) round_tiles_kernel(TiledRounding t, const void* in, void* out,
                                                                   std::uint8_t* no_encoding, std::size_t n) {
  __shared__ std::uint32_t words[4 * kTileMaxBlocks];
  for (std::size_t tile_lo = blockIdx.x * static_cast<std::size_t>(kTileElems); tile_lo < n;
       tile_lo += static_cast<std::size_t>(gridDim.x) * kTileElems) {
    const std::size_t len = n - tile_lo < static_cast<std::size_t>(kTileElems) ? n - tile_lo : kTileElems;
    if (t.draws) {  // uniform over the kernel: every thread reaches the barriers
      tile_fill(t, tile_lo, len, threadIdx.x, blockDim.x, words);
      __syncthreads();
    }
    tile_round(t, in, out, no_encoding, tile_lo, len, threadIdx.x, blockDim.x, words);
    __syncthreads();  // the next tile's stage 1 overwrites words
  }
}

__global__ void mx_kernel(DeviceMxBlock b, MxScaleRule rule, DeviceRounding er, const std::uint32_t* in,
                          void* codes, std::uint8_t* scales, RandomInput random, std::size_t n_blocks) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n_blocks;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    quantize_mx_block(b, rule, er, in, codes, scales, random, i);
}

__global__ void scaled_kernel(DeviceScaledBlock b, DeviceRounding er, const std::uint32_t* in, void* codes,
                              std::uint8_t* scales, RandomInput random, RandomInput scale_random, std::size_t n_blocks) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n_blocks;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    quantize_scaled_block(b, er, in, codes, scales, random, scale_random, i);
}

// Device copy of an explicit random array of n words (none when the input has none); returns the
// pointer to free (or nullptr).
std::uint64_t* copy_explicit_r(RandomInput& r, std::size_t n) {
  if (!r.explicit_r) return nullptr;
  std::uint64_t* d = nullptr;
  check(cudaMalloc(&d, n * sizeof(std::uint64_t) + 8), "malloc");
  check(cudaMemcpy(d, r.explicit_r, n * sizeof(std::uint64_t), cudaMemcpyHostToDevice), "copy r");
  r.explicit_r = d;
  return d;
}

void launch(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* d_in, void* d_out,
            std::uint8_t* d_none, const RandomInput& random, std::size_t n) {
  if (n == 0) return;
  const TiledRounding t = make_tiled_rounding(f, rd, source, random, d_none != nullptr);
  // Enough CUDA blocks to fill the GPU several times over; each strides over the remaining tiles.
  const std::size_t tiles = (n + kTileElems - 1) / kTileElems;
  const unsigned grid = static_cast<unsigned>(std::min<std::size_t>(tiles, 65535u * 4u));
  round_tiles_kernel<<<grid, kTileThreads>>>(t, d_in, d_out, d_none, n);
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
  launch(f, rd, source, d_in, d_out, no_encoding ? d_none : nullptr, dev_random, n);  // no flags: aligned kernels
  check(cudaMemcpy(out, d_out, out_bytes, cudaMemcpyDeviceToHost), "copy out");
  if (no_encoding) check(cudaMemcpy(no_encoding, d_none, n, cudaMemcpyDeviceToHost), "copy flags");
  cudaFree(d_in);
  cudaFree(d_out);
  cudaFree(d_none);
  if (d_r) cudaFree(d_r);
}

namespace {

// One block-quantization launch: device copies of the n input words, `launch(d_in, d_codes, d_scales,
// grid)` with 128 threads per CUDA block, codes and scales back.
template <class Launch>
void run_block_kernel(std::size_t n, std::size_t n_blocks, std::size_t code_size, const std::uint32_t* in,
                      void* codes, std::uint8_t* scales, const char* what, Launch launch) {
  std::uint32_t* d_in = nullptr;
  void* d_codes = nullptr;
  std::uint8_t* d_scales = nullptr;
  check(cudaMalloc(&d_in, n * 4 + 4), "malloc");
  check(cudaMalloc(&d_codes, code_size + 1), "malloc");
  check(cudaMalloc(&d_scales, n_blocks + 1), "malloc");
  check(cudaMemcpy(d_in, in, n * 4, cudaMemcpyHostToDevice), "copy in");
  if (n_blocks > 0) {
    const unsigned grid = static_cast<unsigned>(std::min<std::size_t>((n_blocks + 127) / 128, 65535));
    launch(d_in, d_codes, d_scales, grid);
    check(cudaGetLastError(), what);
  }
  check(cudaMemcpy(codes, d_codes, code_size, cudaMemcpyDeviceToHost), "copy codes");
  check(cudaMemcpy(scales, d_scales, n_blocks, cudaMemcpyDeviceToHost), "copy scales");
  cudaFree(d_in);
  cudaFree(d_codes);
  cudaFree(d_scales);
}

}  // namespace

void quantize_mx_blocks_cuda(const DeviceMxBlock& b, MxScaleRule rule, const DeviceRounding& er,
                             const std::uint32_t* in, std::size_t n_blocks, void* codes, std::uint8_t* scales,
                             const RandomInput& random) {
  const std::size_t n = n_blocks * static_cast<std::size_t>(b.block_size);
  RandomInput dev_random = random;
  std::uint64_t* d_r = copy_explicit_r(dev_random, n);
  run_block_kernel(n, n_blocks, n * code_bytes(b.element), in, codes, scales, "mx kernel launch",
                   [&](const std::uint32_t* d_in, void* d_codes, std::uint8_t* d_scales, unsigned grid) {
                     mx_kernel<<<grid, 128>>>(b, rule, er, d_in, d_codes, d_scales, dev_random, n_blocks);
                   });
  if (d_r) cudaFree(d_r);
}

void quantize_scaled_blocks_cuda(const DeviceScaledBlock& b, const DeviceRounding& er, const std::uint32_t* in,
                                 std::size_t n_blocks, void* codes, std::uint8_t* scales, const RandomInput& random,
                                 const RandomInput& scale_random) {
  const std::size_t n = n_blocks * static_cast<std::size_t>(b.block_size);
  RandomInput dev_random = random, dev_scale_random = scale_random;
  std::uint64_t* d_r = copy_explicit_r(dev_random, n);
  std::uint64_t* d_sr = copy_explicit_r(dev_scale_random, n_blocks);
  run_block_kernel(n, n_blocks, n * code_bytes(b.element), in, codes, scales, "scaled-block kernel launch",
                   [&](const std::uint32_t* d_in, void* d_codes, std::uint8_t* d_scales, unsigned grid) {
                     scaled_kernel<<<grid, 128>>>(b, er, d_in, d_codes, d_scales, dev_random, dev_scale_random,
                                                 n_blocks);
                   });
  if (d_r) cudaFree(d_r);
  if (d_sr) cudaFree(d_sr);
}

namespace {

// Time of the work that `enqueue` puts on the default stream, in ms, by CUDA events around it.
template <class Enqueue>
float event_ms(Enqueue enqueue) {
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "event");
  check(cudaEventCreate(&stop), "event");
  check(cudaEventRecord(start), "event");
  enqueue();
  check(cudaEventRecord(stop), "event");
  check(cudaEventSynchronize(stop), "sync");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start, stop), "elapsed");
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return ms;
}

}  // namespace

float round_array_cuda_device_ptrs(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source,
                                   const void* d_in, void* d_out, std::size_t n, const RandomInput& random) {
  return event_ms([&] { launch(f, rd, source, d_in, d_out, nullptr, random, n); });
}

void* cuda_device_alloc(std::size_t bytes) {
  void* d = nullptr;
  check(cudaMalloc(&d, bytes ? bytes : 1), "malloc");
  return d;
}

void cuda_device_free(void* d) { cudaFree(d); }

void cuda_copy_to_device(void* d_dst, const void* src, std::size_t bytes) {
  check(cudaMemcpy(d_dst, src, bytes, cudaMemcpyHostToDevice), "copy to device");
}

void cuda_copy_to_host(void* dst, const void* d_src, std::size_t bytes) {
  check(cudaMemcpy(dst, d_src, bytes, cudaMemcpyDeviceToHost), "copy to host");
}

float cuda_copy_device_ms(void* d_dst, const void* d_src, std::size_t bytes) {
  return event_ms([&] {
    check(cudaMemcpyAsync(d_dst, d_src, bytes, cudaMemcpyDeviceToDevice), "copy device to device");
  });
}

}  // namespace roundlab::device
