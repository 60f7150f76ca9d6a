// The GPT of gpt_model.hpp on a CUDA GPU: one batch, fp32, forward and backward on the device
// (gpt_cuda_layers.cuh: hand-written kernels and cuBLAS). The parameters and gradients also live in host
// buffers of gpt_model's layout, so the training loop, AdamW, the clip and the weight stores run on the
// host unchanged and produce the same numbers as on the CPU path: taking params() for writing marks the
// device copy stale and the next forward uploads it; backward downloads the gradients.
// This header needs no CUDA headers; it is built only when nvcc is found (ROUNDLAB_HAVE_GPT_CUDA).
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "analysis/gpt/gpt_model.hpp"

namespace roundlab::gpt {

class GptCudaModel {
 public:
  // Throws InputError on a bad config, std::runtime_error when no CUDA device can be used.
  explicit GptCudaModel(const GptConfig& config);
  ~GptCudaModel();
  GptCudaModel(const GptCudaModel&) = delete;
  GptCudaModel& operator=(const GptCudaModel&) = delete;

  const GptConfig& config() const { return host_.config(); }
  const std::vector<ParamTensor>& tensors() const { return host_.tensors(); }
  std::span<float> params() {
    params_on_device_ = false;
    return host_.params();
  }
  std::span<const float> params() const { return host_.params(); }
  std::span<float> grads() { return host_.grads(); }
  std::span<const float> grads() const { return host_.grads(); }
  template <class Rng>
  void init_weights(Rng& rng) {
    host_.init_weights(rng);
    params_on_device_ = false;
  }

  // As GptModel: dropout (config().dropout) in train mode with the same masks as the CPU model.
  void train_mode(std::uint64_t seed, std::uint64_t step) {
    training_ = true;
    dropout_seed_ = seed;
    dropout_step_ = step;
  }
  void eval_mode() { training_ = false; }

  // As GptModel: the mean cross-entropy with targets (summed on the host in double, row order), else 0.
  double forward(const int* inputs, const int* targets, int B, int T);
  void zero_grad();  // host and device gradients
  void backward();   // accumulates on the device, then copies the device gradients into grads()
  std::vector<float> logits() const;  // of the last forward, downloaded (B·T × vocab_size)
  std::string device_name() const;

 private:
  struct Device;
  void upload_params();
  void ensure_activations(int B, int T);

  GptModel<float> host_;
  std::unique_ptr<Device> dev_;
  bool params_on_device_ = false;
  bool have_targets_ = false;
  bool training_ = false, dropped_ = false;  // dropped_: the last forward applied dropout
  std::uint64_t dropout_seed_ = 0, dropout_step_ = 0;
};

}  // namespace roundlab::gpt
