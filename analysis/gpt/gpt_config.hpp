// Configuration of the char-level GPT (nanoGPT's architecture) and of its training run, with the named
// presets. Field names and defaults follow nanoGPT's train.py / config/train_shakespeare_char.py
// (shared/reference/gpt-training.md §1.1), so a preset reads like the Python command line it mirrors.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace roundlab::gpt {

// Model shape. nanoGPT's bias=False (no biases anywhere) and weight tying (lm_head = wte) are fixed.
struct GptConfig {
  int vocab_size = 65;
  int block_size = 64;  // longest context; wpe has this many rows
  int n_layer = 4;
  int n_head = 4;
  int n_embd = 128;
  // nanoGPT's dropout probability (dropout.hpp), applied in train mode only.
  double dropout = 0.0;

  int head_size() const { return n_embd / n_head; }
  // Throws InputError naming the bad field (n_embd not a multiple of n_head, dropout outside [0, 1), …).
  void validate() const;
  // Number of parameters (tied wte counted once), e.g. 804,096 for "mini" with 65 chars.
  std::size_t num_params() const;
};

// Optimisation and evaluation settings (nanoGPT names; AdamW eps is torch's default).
struct TrainConfig {
  int batch_size = 12;
  int max_iters = 2000;  // nanoGPT runs iterations 0..max_iters inclusive (max_iters + 1 updates)
  int eval_interval = 250;
  int eval_iters = 20;
  double learning_rate = 1e-3;
  double min_lr = 1e-4;
  int warmup_iters = 100;
  int lr_decay_iters = 2000;
  bool decay_lr = true;
  double weight_decay = 0.1;  // 2-D tensors only (nanoGPT's optimizer groups)
  double beta1 = 0.9;
  double beta2 = 0.99;
  double eps = 1e-8;
  double grad_clip = 1.0;  // global-norm clip; 0 = off

  void validate() const;
};

struct GptPreset {
  std::string name;
  GptConfig model;
  TrainConfig train;
};

// Named presets; the vocabulary size comes from the data.
//   tiny: 2 layers, 2 heads, 32 wide, block 32, batch 8, 300 iterations (CI: a few seconds).
//   mini: nanoGPT README's CPU recipe: 4 layers, 4 heads, 128 wide, block 64, batch 12, 2000 iterations,
//         lr 1e-3 → 1e-4 cosine, warmup 100, beta2 0.99, eval_iters 20, dropout 0.
//   baby: config/train_shakespeare_char.py: 6 layers, 6 heads, 384 wide, block 256, batch 64, dropout 0.2,
//         5000 iterations, eval every 250 over 200 batches (a GPU run: --backend cuda).
// Throws InputError listing the known names.
GptPreset gpt_preset(std::string_view name, int vocab_size);
std::vector<std::string> gpt_preset_names();

}  // namespace roundlab::gpt
