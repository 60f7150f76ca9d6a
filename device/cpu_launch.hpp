// CPU launcher: OpenMP over contiguous chunks of the array, each thread running the same element
// function the CUDA kernel runs.
#pragma once
#include <cstddef>
#include <cstdint>

#include "device/array_rounding.hpp"
#include "device/mx_block.hpp"
#include "device/scaled_block.hpp"

namespace roundlab::device {

// Rounds n elements of `in` into codes in `out`; threads = 0 uses OpenMP's default.
void round_array_cpu(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* in,
                     void* out, std::size_t n, const RandomInput& random, std::uint8_t* no_encoding = nullptr,
                     int threads = 0);

// Quantizes n_blocks MX blocks of binary32 words (OpenMP over blocks).
void quantize_mx_blocks_cpu(const DeviceMxBlock& b, MxScaleRule rule, const DeviceRounding& er,
                            const std::uint32_t* in, std::size_t n_blocks, void* codes, std::uint8_t* scales,
                            const RandomInput& random, int threads = 0);

// Quantizes n_blocks NVFP4 / P3109-amax blocks of binary32 words (OpenMP over blocks); scale codes are
// one byte each, the scale's random words (stochastic scale rounding) come from scale_random by block.
void quantize_scaled_blocks_cpu(const DeviceScaledBlock& b, const DeviceRounding& er, const std::uint32_t* in,
                                std::size_t n_blocks, void* codes, std::uint8_t* scales, const RandomInput& random,
                                const RandomInput& scale_random = {}, int threads = 0);

}  // namespace roundlab::device
