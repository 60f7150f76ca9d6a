#include "analysis/gpt/gpt_config.hpp"

#include <string>

#include "reference/error.hpp"

namespace roundlab::gpt {

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw InputError("GPT configuration: " + what);
}
}  // namespace

void GptConfig::validate() const {
  require(vocab_size >= 2, "vocab_size must be at least 2 (got " + std::to_string(vocab_size) + ")");
  require(block_size >= 1, "block_size must be positive (got " + std::to_string(block_size) + ")");
  require(n_layer >= 1, "n_layer must be positive (got " + std::to_string(n_layer) + ")");
  require(n_head >= 1, "n_head must be positive (got " + std::to_string(n_head) + ")");
  require(n_embd >= 1 && n_embd % n_head == 0,
          "n_embd (" + std::to_string(n_embd) + ") must be a positive multiple of n_head (" + std::to_string(n_head) + ")");
  require(dropout >= 0.0 && dropout < 1.0, "dropout must be in [0, 1)");
}

std::size_t GptConfig::num_params() const {
  const std::size_t C = static_cast<std::size_t>(n_embd);
  const std::size_t per_layer = C + 3 * C * C + C * C + C + 4 * C * C + 4 * C * C;
  return static_cast<std::size_t>(vocab_size) * C + static_cast<std::size_t>(block_size) * C +
         static_cast<std::size_t>(n_layer) * per_layer + C;
}

void TrainConfig::validate() const {
  require(batch_size >= 1, "batch_size must be positive");
  require(max_iters >= 0, "max_iters must be ≥ 0");
  require(eval_interval >= 1, "eval_interval must be positive");
  require(eval_iters >= 1, "eval_iters must be positive");
  require(learning_rate > 0 && min_lr >= 0, "learning rates must be positive");
  require(warmup_iters >= 0, "warmup_iters must be ≥ 0");
  require(!decay_lr || lr_decay_iters > warmup_iters, "lr_decay_iters must exceed warmup_iters");
  require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must lie in [0, 1)");
  require(eps > 0, "eps must be positive");
  require(weight_decay >= 0 && grad_clip >= 0, "weight_decay and grad_clip must be ≥ 0");
}

GptPreset gpt_preset(std::string_view name, int vocab_size) {
  GptPreset p;
  p.name = std::string(name);
  p.model.vocab_size = vocab_size;
  if (name == "tiny") {
    p.model.block_size = 32;
    p.model.n_layer = 2;
    p.model.n_head = 2;
    p.model.n_embd = 32;
    p.train.batch_size = 8;
    p.train.max_iters = 300;
    p.train.lr_decay_iters = 300;
    p.train.warmup_iters = 20;
    p.train.learning_rate = 3e-3;
    p.train.min_lr = 3e-4;
    p.train.eval_interval = 100;
    p.train.eval_iters = 10;
  } else if (name == "mini") {
    // config/train_shakespeare_char.py with the README's CPU overrides (TrainConfig's defaults).
  } else if (name == "baby") {
    // config/train_shakespeare_char.py itself (gpt-training.md §1): the GPU run of Figure 3.
    p.model.block_size = 256;
    p.model.n_layer = 6;
    p.model.n_head = 6;
    p.model.n_embd = 384;
    p.model.dropout = 0.2;
    p.train.batch_size = 64;
    p.train.max_iters = 5000;
    p.train.lr_decay_iters = 5000;
    p.train.eval_interval = 250;
    p.train.eval_iters = 200;
  } else {
    std::string known;
    for (const auto& n : gpt_preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown GPT preset '" + std::string(name) + "' (known: " + known + ")");
  }
  p.model.validate();
  p.train.validate();
  return p;
}

std::vector<std::string> gpt_preset_names() { return {"tiny", "mini", "baby"}; }

}  // namespace roundlab::gpt
