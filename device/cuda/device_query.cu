// What the CUDA runtime sees: used by `roundlab version` to report whether a GPU backend is usable.
// The kernels of the device issue build on this switch; this file only proves the toolchain works.
#include <cuda_runtime.h>

#include "device/cuda/device_query.hpp"

namespace roundlab::device {

namespace {
__global__ void probe_kernel(int* out) { *out = 42; }
}  // namespace

CudaStatus cuda_status() {
  CudaStatus s;
  s.built = true;
  int runtime = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess) s.runtime_version = runtime;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device" error
    return s;
  }
  s.device_count = count;
  if (count > 0) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) s.device_name = prop.name;
    int* d = nullptr;
    int h = 0;
    if (cudaMalloc(&d, sizeof(int)) == cudaSuccess) {
      probe_kernel<<<1, 1>>>(d);
      if (cudaMemcpy(&h, d, sizeof(int), cudaMemcpyDeviceToHost) == cudaSuccess) s.kernel_ran = h == 42;
      cudaFree(d);
    }
  }
  return s;
}

}  // namespace roundlab::device
