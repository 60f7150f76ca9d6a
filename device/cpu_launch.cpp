#include "device/cpu_launch.hpp"

#include <omp.h>

namespace roundlab::device {

void round_array_cpu(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* in,
                     void* out, std::size_t n, const RandomInput& random, std::uint8_t* no_encoding, int threads) {
  const long long count = static_cast<long long>(n);
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(nthreads)
  for (long long i = 0; i < count; ++i)
    round_element(f, rd, source, in, out, no_encoding, random, static_cast<std::size_t>(i));
}

void quantize_mx_blocks_cpu(const DeviceMxBlock& b, MxScaleRule rule, const DeviceRounding& er,
                            const std::uint32_t* in, std::size_t n_blocks, void* codes, std::uint8_t* scales,
                            const RandomInput& random, int threads) {
  const long long count = static_cast<long long>(n_blocks);
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(nthreads)
  for (long long i = 0; i < count; ++i)
    quantize_mx_block(b, rule, er, in, codes, scales, random, static_cast<std::size_t>(i));
}

void quantize_scaled_blocks_cpu(const DeviceScaledBlock& b, const DeviceRounding& er, const std::uint32_t* in,
                                std::size_t n_blocks, void* codes, std::uint8_t* scales, const RandomInput& random,
                                const RandomInput& scale_random, int threads) {
  const long long count = static_cast<long long>(n_blocks);
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(nthreads)
  for (long long i = 0; i < count; ++i)
    quantize_scaled_block(b, er, in, codes, scales, random, scale_random, static_cast<std::size_t>(i));
}

}  // namespace roundlab::device
