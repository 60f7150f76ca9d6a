// CUDA launchers: the same element function as the CPU launcher (device/array_rounding.hpp), one
// thread per element, grid-stride. Host pointers in, host pointers out (copies included), so callers
// need no CUDA headers. Throw std::runtime_error with the CUDA error string on failure.
#pragma once
#include <cstddef>
#include <cstdint>

#include "device/array_rounding.hpp"
#include "device/mx_block.hpp"
#include "device/scaled_block.hpp"

namespace roundlab::device {

void round_array_cuda(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* in,
                      void* out, std::size_t n, const RandomInput& random, std::uint8_t* no_encoding = nullptr);

// Device-resident variant for benchmarks: pointers are device memory (random.explicit_r too, if any);
// returns the kernel's time in ms (CUDA events around the launch).
float round_array_cuda_device_ptrs(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source,
                                   const void* d_in, void* d_out, std::size_t n, const RandomInput& random);
// Benchmark plumbing, so callers need no CUDA headers: device memory, copies, and the baseline
// device-to-device copy of `bytes` timed with CUDA events (ms).
void* cuda_device_alloc(std::size_t bytes);
void cuda_device_free(void* d);
void cuda_copy_to_device(void* d_dst, const void* src, std::size_t bytes);
void cuda_copy_to_host(void* dst, const void* d_src, std::size_t bytes);
float cuda_copy_device_ms(void* d_dst, const void* d_src, std::size_t bytes);

// MX blocks of binary32 words, one thread per block; host pointers in and out.
void quantize_mx_blocks_cuda(const DeviceMxBlock& b, MxScaleRule rule, const DeviceRounding& er,
                             const std::uint32_t* in, std::size_t n_blocks, void* codes, std::uint8_t* scales,
                             const RandomInput& random);

// NVFP4 / P3109-amax blocks of binary32 words, one thread per block; host pointers in and out
// (explicit random arrays included: random by element, scale_random by block).
void quantize_scaled_blocks_cuda(const DeviceScaledBlock& b, const DeviceRounding& er, const std::uint32_t* in,
                                 std::size_t n_blocks, void* codes, std::uint8_t* scales, const RandomInput& random,
                                 const RandomInput& scale_random = {});

}  // namespace roundlab::device
