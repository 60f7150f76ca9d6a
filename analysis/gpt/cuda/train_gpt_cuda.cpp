#include "analysis/gpt/cuda/train_gpt_cuda.hpp"

#include <cuda_runtime.h>

#include <stdexcept>

#include "analysis/gpt/cuda/gpt_cuda_model.hpp"
#include "analysis/gpt/gpt_train_loop.hpp"

namespace roundlab::gpt {

TrainResult train_gpt_cuda(const GptPreset& preset, const WeightStoreSpec& policy, const CharDataset& data,
                           std::uint64_t seed, const TrainCallback& callback) {
  return train_gpt_loop<GptCudaModel>(preset, policy, data, seed, callback);
}

std::string gpt_cuda_device_name() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    throw std::runtime_error("no CUDA device is visible");
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) throw std::runtime_error("cudaGetDeviceProperties failed");
  return prop.name;
}

}  // namespace roundlab::gpt
