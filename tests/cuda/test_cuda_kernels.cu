// CUDA backend: the GPU computes exactly what the CPU launcher computes (same element function, same
// Philox stream), for sampled binary32 inputs and several (format, rounding) pairs, and the device
// Philox equals the host one. Skips itself, with a message, when no GPU is visible.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <random>
#include <variant>

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
