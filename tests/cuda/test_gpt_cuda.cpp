// The GPT's CUDA path (analysis/gpt/cuda/) against the CPU model on the same weights and batch: loss,
// logits and every gradient agree to float rounding; a short training run gives the same loss curve; two
// CUDA runs with one seed are identical. Each test skips itself (shown as skipped) when no GPU is visible.
#include <gtest/gtest.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "analysis/gpt/char_dataset.hpp"
#include "analysis/gpt/cuda/gpt_cuda_model.hpp"
#include "analysis/gpt/cuda/train_gpt_cuda.hpp"
#include "analysis/gpt/gpt_model.hpp"
#include "analysis/gpt/gpt_train.hpp"

namespace {

using namespace roundlab::gpt;

bool have_gpu() {
  int n = 0;
  const bool ok = cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
  cudaGetLastError();
  return ok;
}

#define SKIP_WITHOUT_GPU() \
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device visible: the CUDA path is compiled but cannot run here"

GptConfig small_config() {
  GptConfig c;
  c.vocab_size = 29;
  c.block_size = 16;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 32;
  return c;
}

// max |a − b| / max |b|: relative to the tensor's scale, so one bound serves every tensor.
double relative_error(const float* a, const float* b, std::size_t n) {
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < n; ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(b[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

CharDataset small_text() {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "a stochastic rounding of the weights " + std::to_string(i % 11) + "\n";
  return CharDataset::from_text(text);
}

}  // namespace

// Without dropout, and with dropout in train mode (both paths draw the masks of dropout.hpp).
void check_one_batch(double dropout) {
  GptConfig c = small_config();
  c.dropout = dropout;
  GptModel<float> cpu(c);
  GptCudaModel gpu(c);
  std::mt19937_64 r1(7), r2(7);
  cpu.init_weights(r1);
  gpu.init_weights(r2);
  if (dropout > 0) {
    cpu.train_mode(5, 2);
    gpu.train_mode(5, 2);
  }
  const int B = 3, T = c.block_size;
  std::vector<int> x(B * T), y(B * T);
  std::mt19937_64 rng(11);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<int>(rng() % c.vocab_size);
    y[i] = static_cast<int>(rng() % c.vocab_size);
  }
  const double lc = cpu.forward(x.data(), y.data(), B, T);
  const double lg = gpu.forward(x.data(), y.data(), B, T);
  EXPECT_NEAR(lg, lc, 1e-5 * std::fabs(lc));
  const std::vector<float> logits = gpu.logits();
  EXPECT_LT(relative_error(logits.data(), cpu.logits(), logits.size()), 1e-5);
  cpu.zero_grad();
  cpu.backward();
  gpu.zero_grad();
  gpu.backward();
  for (const ParamTensor& t : cpu.tensors()) {
    const double e = relative_error(gpu.grads().data() + t.offset, cpu.grads().data() + t.offset, t.size());
    EXPECT_LT(e, 1e-4) << t.name << " (dropout " << dropout << ")";
  }
}

TEST(GptCuda, ForwardAndBackwardAgreeWithCpuOnOneBatch) {
  SKIP_WITHOUT_GPU();
  check_one_batch(0.0);
}

TEST(GptCuda, ForwardAndBackwardWithDropoutAgreeWithCpu) {
  SKIP_WITHOUT_GPU();
  check_one_batch(0.2);
}

TEST(GptCuda, TrainingCurveMatchesCpuAndRepeatsExactly) {
  SKIP_WITHOUT_GPU();
  const CharDataset data = small_text();
  GptPreset preset = gpt_preset("tiny", data.vocab_size());
  preset.train.max_iters = 20;
  preset.train.lr_decay_iters = 20;
  preset.train.eval_interval = 10;
  preset.train.eval_iters = 2;
  const WeightStoreSpec fp32 = parse_weight_store("fp32");
  const TrainResult cpu = train_gpt(preset, fp32, data, 3);
  const TrainResult gpu = train_gpt_cuda(preset, fp32, data, 3);
  const TrainResult again = train_gpt_cuda(preset, fp32, data, 3);
  ASSERT_EQ(gpu.iters.size(), cpu.iters.size());
  for (std::size_t i = 0; i < cpu.iters.size(); ++i) {
    EXPECT_NEAR(gpu.iters[i].loss, cpu.iters[i].loss, 1e-3) << "iteration " << i;
    EXPECT_EQ(gpu.iters[i].loss, again.iters[i].loss) << "iteration " << i;  // reproducible on one GPU
  }
  EXPECT_LT(gpu.iters.back().loss, gpu.iters.front().loss);  // it learns
  // A rounded weight store runs the CPU path's own kernels on the downloaded weights: same curve.
  const WeightStoreSpec src = parse_weight_store("round-each-step:b8p4:src:3");
  const TrainResult cpu_src = train_gpt(preset, src, data, 3);
  const TrainResult gpu_src = train_gpt_cuda(preset, src, data, 3);
  EXPECT_NEAR(gpu_src.evals.back().val_loss, cpu_src.evals.back().val_loss, 2e-2);
}
