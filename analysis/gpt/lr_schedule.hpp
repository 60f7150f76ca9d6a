// nanoGPT's learning-rate schedule (train.py get_lr, after PR #578): linear warmup to learning_rate over
// warmup_iters, cosine decay to min_lr at lr_decay_iters, min_lr after; constant when decay_lr is off.
#pragma once
#include <cmath>

#include "analysis/gpt/gpt_config.hpp"

namespace roundlab::gpt {

inline double learning_rate_at(const TrainConfig& c, int it) {
  if (!c.decay_lr) return c.learning_rate;
  if (it < c.warmup_iters) return c.learning_rate * (it + 1) / (c.warmup_iters + 1);
  if (it > c.lr_decay_iters) return c.min_lr;
  const double ratio = static_cast<double>(it - c.warmup_iters) / (c.lr_decay_iters - c.warmup_iters);
  const double coeff = 0.5 * (1.0 + std::cos(3.14159265358979323846 * ratio));  // 1 → 0
  return c.min_lr + coeff * (c.learning_rate - c.min_lr);
}

}  // namespace roundlab::gpt
