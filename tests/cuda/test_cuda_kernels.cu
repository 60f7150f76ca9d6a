// CUDA backend: the GPU computes exactly what the CPU launcher computes (same element functions, same
// Philox stream): sampled binary32 inputs for several (format, rounding) pairs, and every source × the
// tiled kernel's case list (tests/test_tiled_rounding.cpp runs the same schedule on the host) with and
// without no-encoding flags, unaligned stream offsets and explicit words. Skips itself, with a message, when no
// GPU is visible.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <variant>

#include "analysis/kernel_sweep.hpp"

#include "device/cpu_launch.hpp"
#include "device/cuda/cuda_launch.hpp"
#include "device/device_format_from_reference.hpp"
#include "reference/format_catalogue.hpp"

using namespace roundlab;

namespace {

bool have_gpu() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return n > 0;
}

}  // namespace

TEST(CudaKernels, GpuEqualsCpuLauncherOnSampledBinary32) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device visible: the CUDA backend was built but not run";
  std::mt19937 rng(42);
  std::vector<std::uint32_t> in(1 << 20);
  for (auto& x : in) x = rng();
  struct Pair {
    const char* format;
    Mode mode;
    int n;
  };
  const Pair pairs[] = {{"bfloat16", Mode::NearestTiesToEven, 0}, {"bfloat16", Mode::StochasticExact, 0},
                        {"b8p4", Mode::StochasticC, 3},            {"b8p4", Mode::StochasticA, 3},
                        {"ocp_e4m3", Mode::NearestTiesToEven, 0},  {"binary16", Mode::StochasticB, 8}};
  for (const Pair& p : pairs) {
    const auto f = device::make_device_format(std::get<IeeeLikeFormat>(find_format(p.format)));
    Rounding r;
    r.mode = p.mode;
    r.random_bits = p.n;
    const auto dr = device::make_device_rounding(r);
    device::RandomInput ri;
    ri.stream = device::RandomStream{2026, 11};
    const int cb = device::code_bytes(f);
    std::vector<unsigned char> cpu(in.size() * cb), gpu(in.size() * cb);
    device::round_array_cpu(f, dr, device::SourceFormat::Binary32, in.data(), cpu.data(), in.size(), ri);
    device::round_array_cuda(f, dr, device::SourceFormat::Binary32, in.data(), gpu.data(), in.size(), ri);
    EXPECT_EQ(cpu, gpu) << p.format << " " << r.describe();
  }
}

TEST(CudaKernels, GpuEqualsCpuLauncherOnEverySourceModeAndSaturation) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device visible: the CUDA backend was built but not run";
  using device::DeviceMode;
  using device::SourceFormat;
  const std::vector<std::pair<DeviceMode, int>> modes = {
      {DeviceMode::RNE, 0},  {DeviceMode::RTZ, 0},  {DeviceMode::RNA, 0},    {DeviceMode::RTO, 0},
      {DeviceMode::SR, 64},  {DeviceMode::SRFF, 3}, {DeviceMode::SRF, 3},    {DeviceMode::SRC, 3},
      {DeviceMode::SRO, 3},  {DeviceMode::SRCEIL, 3}, {DeviceMode::SRC, 7},  {DeviceMode::SRC, 13},
      {DeviceMode::SRF, 23}};
  const char* targets[] = {"bfloat16", "binary16", "p3109_k8p4se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1",
                           "p3109_k8p4uf", "binary64"};
  long compared = 0;
  for (SourceFormat s : {SourceFormat::Binary32, SourceFormat::Bfloat16, SourceFormat::Binary16, SourceFormat::Binary64}) {
    const int sb = device::source_bytes(s);
    std::mt19937_64 rng(7);
    const std::size_t n = sb == 2 ? 65536 * 3 : 300000;
    std::vector<unsigned char> in(n * sb);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t w = sb == 2 ? i % 65536 : analysis::sample_source_word(rng, s);
      std::memcpy(in.data() + i * sb, &w, sb);
    }
    std::vector<std::uint64_t> words(n);
    for (auto& w : words) w = rng();
    for (const char* target : targets) {
      const auto f = device::make_device_format(std::get<IeeeLikeFormat>(find_format(target)));
      const int cb = device::code_bytes(f);
      for (auto [mode, bits] : modes)
        for (auto sat : {device::DeviceSaturation::None, device::DeviceSaturation::Finite,
                         device::DeviceSaturation::Propagate})
          for (bool explicit_words : {false, true}) {
            const bool stochastic = bits > 0;
            if (explicit_words && !stochastic) continue;
            const device::DeviceRounding dr{mode, bits, sat};
            device::RandomInput ri;
            ri.stream = device::RandomStream{0xfeedull, 3};
            ri.first_index = (std::uint64_t{1} << 32) - 1001;  // unaligned; crosses a 2^32 counter
            if (explicit_words) ri.explicit_r = words.data();
            std::vector<unsigned char> cpu(n * cb), gpu(n * cb, 0xAB), gpu_unflagged(n * cb, 0xCD);
            std::vector<std::uint8_t> cpu_none(n), gpu_none(n, 7);
            device::round_array_cpu(f, dr, s, in.data(), cpu.data(), n, ri, cpu_none.data());
            device::round_array_cuda(f, dr, s, in.data(), gpu.data(), n, ri, gpu_none.data());
            // Without flags the kernel takes the aligned kernels where the plan has them.
            device::round_array_cuda(f, dr, s, in.data(), gpu_unflagged.data(), n, ri);
            EXPECT_TRUE(cpu == gpu && cpu_none == gpu_none && cpu == gpu_unflagged)
                << target << " mode " << static_cast<int>(mode) << " N=" << bits << " sat " << static_cast<int>(sat)
                << " source bytes " << sb << (explicit_words ? " explicit words" : " philox");
            compared += static_cast<long>(n);
          }
    }
  }
  std::printf("GPU-vs-CPU elements compared: %ld\n", compared);
}
