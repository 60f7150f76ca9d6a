// train_gpt (../gpt_train.hpp) with the forward and backward on a CUDA GPU (gpt_cuda_model.hpp); the loop,
// AdamW and the weight stores are the CPU path's own code. Built only when nvcc is found: callers test
// ROUNDLAB_HAVE_GPT_CUDA. Throws std::runtime_error when no GPU can be used.
#pragma once
#include <string>

#include "analysis/gpt/gpt_train.hpp"

namespace roundlab::gpt {

TrainResult train_gpt_cuda(const GptPreset& preset, const WeightStoreSpec& policy, const CharDataset& data,
                           std::uint64_t seed, const TrainCallback& callback = {});

// The name of the GPU the CUDA path would use; throws std::runtime_error when none is visible.
std::string gpt_cuda_device_name();

}  // namespace roundlab::gpt
