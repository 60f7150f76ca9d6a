// The GPT model: parameters in one contiguous buffer (one tensor after another, nanoGPT's named_parameters
// order), gradients in a second buffer of the same layout, activations per batch shard (one per OpenMP
// thread, see Shard) for the batch shape of the last forward. Forward and backward call the layer passes of
// gpt_layers.hpp in order. Every buffer is 64-byte aligned (aligned_vector.hpp), so a seed and a thread
// count give bit-identical runs.
//
// Architecture (nanoGPT model.py with bias=False): x = wte[idx] + wpe[pos]; per block
// x += attn(ln_1(x)); x += mlp(ln_2(x)) with mlp = c_proj(GELU(c_fc(·))); logits = ln_f(x) · wteᵀ (lm_head
// tied to wte); loss = mean cross-entropy over B·T. Templated on the scalar (float, double).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/gpt/aligned_vector.hpp"
#include "analysis/gpt/dropout.hpp"
#include "analysis/gpt/gpt_activations.hpp"
#include "analysis/gpt/gpt_config.hpp"

namespace roundlab::gpt {

// One parameter tensor inside the parameter buffer.
struct ParamTensor {
  std::string name;         // nanoGPT's name, e.g. "transformer.h.0.attn.c_attn.weight"
  std::size_t offset = 0;   // first element in the buffer
  std::size_t rows = 0, cols = 0;  // 1-D tensors (LayerNorm weights) have rows = 1
  bool two_d = false;       // dim() ≥ 2: weight-decayed by AdamW, rounded by the weight stores
  std::size_t size() const { return rows * cols; }
};

// The tensor table of a configuration, in buffer order: wte, wpe, then per layer ln_1, c_attn, attn.c_proj,
// ln_2, c_fc, mlp.c_proj, then ln_f.
std::vector<ParamTensor> gpt_param_tensors(const GptConfig& config);

// Throws InputError unless 1 ≤ B, 1 ≤ T ≤ block_size and every token id (and target, when given) is below
// vocab_size: the check of every model's forward.
void validate_batch(const GptConfig& config, const int* inputs, const int* targets, int B, int T);

template <class S>
class GptModel {
 public:
  explicit GptModel(const GptConfig& config);  // throws InputError on a bad config; weights all zero
  // Not copyable (the shards point into the model's buffers); moves keep every buffer in place.
  GptModel(const GptModel&) = delete;
  GptModel& operator=(const GptModel&) = delete;
  GptModel(GptModel&&) noexcept = default;
  GptModel& operator=(GptModel&&) noexcept = default;

  const GptConfig& config() const { return config_; }
  const std::vector<ParamTensor>& tensors() const { return tensors_; }
  std::span<S> params() { return params_; }
  std::span<const S> params() const { return params_; }
  std::span<S> grads() { return grads_; }
  std::span<const S> grads() const { return grads_; }

  // nanoGPT's _init_weights: every Linear and Embedding weight N(0, 0.02), the two c_proj weights
  // N(0, 0.02/sqrt(2·n_layer)), LayerNorm weights 1. Normals from `rng` by Box–Muller (see below), drawn
  // tensor by tensor in buffer order, element by element in memory order.
  template <class Rng>
  void init_weights(Rng& rng);
  // Same, with a fresh std::mt19937_64 seeded with `seed`.
  void init_weights(std::uint64_t seed);

  // nanoGPT's model.train() / model.eval(): in train mode the forward applies dropout (config().dropout)
  // with the masks of (seed, step) (dropout.hpp) and the backward uses the same masks; eval mode (the
  // default) applies none. With dropout 0 both modes compute the same.
  void train_mode(std::uint64_t seed, std::uint64_t step) {
    training_ = true;
    dropout_seed_ = seed;
    dropout_step_ = step;
  }
  void eval_mode() { training_ = false; }

  // Forward over B sequences of T ≤ block_size tokens (inputs row-major B×T, ids < vocab_size). With
  // targets, returns the mean cross-entropy (and keeps what backward needs); without, returns 0 and only
  // fills the logits. Throws InputError on a bad shape or token id.
  double forward(const int* inputs, const int* targets, int B, int T);
  void zero_grad();
  // Gradient of the last forward's mean loss, accumulated into grads(). Requires a forward with targets.
  void backward();

  // Of the last forward (B·T rows × vocab_size): logits; probabilities when it had targets.
  const S* logits() const { return logits_.data(); }
  const S* probs() const { return probs_.data(); }
  double last_loss() const { return last_loss_; }
  // Batch shards of the last forward (see Shard).
  int shards() const { return static_cast<int>(shards_.size()); }

  // Copies (converting) every parameter from a model of the same configuration.
  template <class S2>
  void copy_params_from(const GptModel<S2>& other) {
    for (std::size_t i = 0; i < params_.size(); ++i) params_[i] = static_cast<S>(other.params()[i]);
  }

 private:
  struct LayerParams {
    S *ln1w, *qkvw, *attprojw, *ln2w, *fcw, *fcprojw;
  };
  // Parallelism is by batch shards: with P OpenMP threads the batch is cut into min(B, P) shards of
  // consecutive sequences, and each thread runs the whole forward (or backward) of its shard, the layer
  // passes and Eigen's GEMMs single-threaded inside. One fork/join per pass instead of one per layer pass
  // keeps the cost of synchronisation low, above all when the cores are shared with other jobs. Shard 0
  // accumulates its weight gradients into grads_, the others into their own buffers, added to grads_
  // in shard order afterwards: a run is reproducible for a given thread count.
  struct Shard {
    int b0 = 0, B = 0;  // sequences [b0, b0 + B) of the batch
    AlignedVector<S> acts;
    std::vector<LayerActs<S>> layers;
    S *residual = nullptr, *lnf = nullptr, *lnf_mean = nullptr, *lnf_rstd = nullptr;
    S *logits = nullptr, *probs = nullptr, *losses = nullptr;  // slices of the model's buffers
    AlignedVector<S> dres, dln, dqkv, datty, dfch, dfch_gelu, dlogits, scratch;
    AlignedVector<S> grads;  // shards ≥ 1 only
  };
  LayerParams layer_params(S* buffer, int l) const;
  void ensure_activations(int B, int T);
  void allocate_shard(Shard& sh, int T);
  void forward_shard(Shard& sh);
  void backward_shard(Shard& sh, S* grads);

  GptConfig config_;
  std::vector<ParamTensor> tensors_;
  AlignedVector<S> params_, grads_;  // 64-byte aligned: see aligned_vector.hpp

  int B_ = 0, T_ = 0, threads_ = 0;
  bool have_targets_ = false;
  std::vector<int> inputs_, targets_;
  std::vector<Shard> shards_;
  AlignedVector<S> logits_, probs_, losses_;
  double last_loss_ = 0;
  bool training_ = false, dropped_ = false;  // dropped_: the last forward applied dropout
  std::uint64_t dropout_seed_ = 0, dropout_step_ = 0;
  DropoutMask mask(int site) const { return dropout_mask(config_.dropout, dropout_seed_, dropout_step_, site); }
};

// Normal deviates for the weight init: Box–Muller on two 53-bit uniforms from a 64-bit engine. Written
// out (std::normal_distribution's algorithm is implementation-defined), so a seed gives the same weights
// with every standard library. torch's generator cannot be reproduced: weights differ from nanoGPT's.
template <class Rng>
double standard_normal(Rng& rng) {
  const double u1 = (static_cast<double>(rng() >> 11) + 1.0) * 0x1p-53;  // (0, 1]: log is finite
  const double u2 = static_cast<double>(rng() >> 11) * 0x1p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586477 * u2);
}

template <class S>
template <class Rng>
void GptModel<S>::init_weights(Rng& rng) {
  const double std_proj = 0.02 / std::sqrt(2.0 * config_.n_layer);
  for (const ParamTensor& t : tensors_) {
    S* p = params_.data() + t.offset;
    if (!t.two_d) {
      std::fill(p, p + t.size(), S(1));
      continue;
    }
    const bool proj = t.name.ends_with("c_proj.weight");
    const double sd = proj ? std_proj : 0.02;
    for (std::size_t i = 0; i < t.size(); ++i) p[i] = static_cast<S>(sd * standard_normal(rng));
  }
}

extern template class GptModel<float>;
extern template class GptModel<double>;

}  // namespace roundlab::gpt
