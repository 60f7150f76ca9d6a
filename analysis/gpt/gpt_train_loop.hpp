// The training loop of gpt_train.hpp, written once for any model with GptModel<float>'s interface
// (params/tensors/grads, init_weights, forward, zero_grad, backward): the CPU model and the CUDA one
// (cuda/gpt_cuda_model.hpp) run exactly this loop, so AdamW, the clip, the weight stores and the batches
// are the same code on both.
#pragma once
#include <chrono>
#include <random>
#include <utility>

#include "analysis/gpt/adamw.hpp"
#include "analysis/gpt/dropout.hpp"
#include "analysis/gpt/gpt_model.hpp"
#include "analysis/gpt/gpt_train.hpp"
#include "analysis/gpt/lr_schedule.hpp"

namespace roundlab::gpt {

namespace train_detail {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// train.py estimate_loss: mean loss over eval_iters batches of one split (forward only).
template <class Model>
double estimate_loss(Model& model, std::mt19937_64& rng, const std::vector<int>& split, int B, int T, int eval_iters,
                     std::vector<int>& x, std::vector<int>& y) {
  double total = 0;
  for (int k = 0; k < eval_iters; ++k) {
    sample_batch(rng, split, B, T, x.data(), y.data());
    total += model.forward(x.data(), y.data(), B, T);
  }
  return total / eval_iters;
}

}  // namespace train_detail

template <class Model>
TrainResult train_gpt_loop(const GptPreset& preset, const WeightStoreSpec& policy, const CharDataset& data,
                           std::uint64_t seed, const TrainCallback& callback) {
  using train_detail::Clock;
  using train_detail::ms_since;

  const auto run_start = Clock::now();
  GptConfig mc = preset.model;
  mc.vocab_size = data.vocab_size();
  mc.validate();
  const TrainConfig& tc = preset.train;
  tc.validate();

  Model model(mc);
  std::mt19937_64 rng(seed);
  model.init_weights(rng);
  WeightStore store(policy);
  store.on_init(model.params(), model.tensors());
  AdamW<float> opt(model.tensors(), AdamWHyper{tc.beta1, tc.beta2, tc.eps, tc.weight_decay});

  const int B = tc.batch_size, T = mc.block_size;
  std::vector<int> x(static_cast<std::size_t>(B) * T), y(x.size()), ex(x.size()), ey(x.size());
  sample_batch(rng, data.train(), B, T, x.data(), y.data());

  TrainResult result;
  for (int it = 0; it <= tc.max_iters; ++it) {
    const auto round_start = Clock::now();
    store.before_iteration(model.params(), model.tensors(), it);
    const double round_ms = ms_since(round_start);
    const double lr = learning_rate_at(tc, it);
    EvalPoint eval;
    // nanoGPT's eval_interval, plus the last iteration (so a run of any length ends with an evaluation).
    const bool evaluates = it % tc.eval_interval == 0 || it == tc.max_iters;
    std::vector<float> evaluated;  // the weights the evaluation saw, for the callback
    if (evaluates) {
      model.eval_mode();  // train.py's estimate_loss: model.eval(), no dropout
      eval.iter = it;
      eval.train_loss = train_detail::estimate_loss(model, rng, data.train(), B, T, tc.eval_iters, ex, ey);
      eval.val_loss = train_detail::estimate_loss(model, rng, data.val(), B, T, tc.eval_iters, ex, ey);
      result.evals.push_back(eval);
      if (callback) evaluated.assign(std::as_const(model).params().begin(), std::as_const(model).params().end());
    }
    const auto t0 = Clock::now();
    IterPoint point;
    point.iter = it;
    point.lr = lr;
    model.train_mode(dropout_seed(seed), static_cast<std::uint64_t>(it));
    point.loss = model.forward(x.data(), y.data(), B, T);
    sample_batch(rng, data.train(), B, T, x.data(), y.data());  // the model kept its own copy of the batch
    model.zero_grad();
    model.backward();
    point.grad_norm = clip_grad_norm(model.grads(), tc.grad_clip);
    opt.step(model.params(), model.grads(), lr);
    store.after_update(model.params(), model.tensors(), it);
    point.ms = round_ms + ms_since(t0);  // the eval is not timed; the start-of-iteration rounding is
    result.iters.push_back(point);
    if (callback) callback(point, evaluates ? &eval : nullptr, std::span<const float>(evaluated));
  }
  result.final_params.assign(std::as_const(model).params().begin(), std::as_const(model).params().end());
  result.seconds = ms_since(run_start) / 1000.0;
  return result;
}

}  // namespace roundlab::gpt
