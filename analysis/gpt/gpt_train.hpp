// The training loop: nanoGPT's train.py for one process, no gradient accumulation, no dropout, fp32
// compute, with a weight-store policy (weight_store.hpp) deciding how the weights are held between steps.
//
// Per iteration it = 0..max_iters (inclusive, as nanoGPT: max_iters + 1 updates), in train.py's order:
//   policy.before_iteration (round-each-step rounds the 2-D weights) → lr = learning_rate_at(it) →
//   every eval_interval and at the last iteration: mean loss over eval_iters batches of train, then of val
//   (on the weights as stored)
//   → forward on the current batch → draw the next batch (train.py prefetches it here) → backward →
//   global-norm clip → AdamW → policy.after_update (bf16 policies store to bfloat16).
// One std::mt19937_64 seeded with `seed` draws the weight init, then every batch (train and eval), as
// torch's one global generator does in nanoGPT.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "analysis/gpt/char_dataset.hpp"
#include "analysis/gpt/gpt_config.hpp"
#include "analysis/gpt/weight_store.hpp"

namespace roundlab::gpt {

struct IterPoint {
  int iter = 0;
  double loss = 0;       // the training batch's loss, before this iteration's update
  double lr = 0;
  double grad_norm = 0;  // before clipping
  double ms = 0;         // wall time of the iteration without the eval
};

struct EvalPoint {
  int iter = 0;
  double train_loss = 0;  // mean over eval_iters random train batches
  double val_loss = 0;
};

struct TrainResult {
  std::vector<IterPoint> iters;
  std::vector<EvalPoint> evals;
  std::vector<float> final_params;  // the model's parameter buffer after the last update
  double seconds = 0;               // whole run, evals included
};

// Called after every iteration; `eval` is non-null on iterations that evaluated, and `params` is the
// parameter buffer as the evaluation saw it (the weights as stored, before this iteration's update);
// empty on other iterations.
using TrainCallback = std::function<void(const IterPoint& iter, const EvalPoint* eval, std::span<const float> params)>;

// Trains a model of preset.model's shape (vocab_size taken from `data`) with preset.train's settings.
// Throws InputError on a bad preset or policy, or data too short for the block size.
TrainResult train_gpt(const GptPreset& preset, const WeightStoreSpec& policy, const CharDataset& data, std::uint64_t seed,
                      const TrainCallback& callback = {});

}  // namespace roundlab::gpt
