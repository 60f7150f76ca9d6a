#include "analysis/gpt/gpt_model.hpp"

#include <omp.h>

#include <algorithm>
#include <random>
#include <string>

#include "analysis/gpt/gpt_layers.hpp"
#include "reference/error.hpp"

namespace roundlab::gpt {

std::vector<ParamTensor> gpt_param_tensors(const GptConfig& config) {
  config.validate();
  const std::size_t V = config.vocab_size, T = config.block_size, C = config.n_embd;
  std::vector<ParamTensor> out;
  std::size_t offset = 0;
  auto add = [&](std::string name, std::size_t rows, std::size_t cols, bool two_d) {
    out.push_back(ParamTensor{std::move(name), offset, rows, cols, two_d});
    offset += rows * cols;
  };
  add("transformer.wte.weight", V, C, true);
  add("transformer.wpe.weight", T, C, true);
  for (int l = 0; l < config.n_layer; ++l) {
    const std::string h = "transformer.h." + std::to_string(l) + ".";
    add(h + "ln_1.weight", 1, C, false);
    add(h + "attn.c_attn.weight", 3 * C, C, true);
    add(h + "attn.c_proj.weight", C, C, true);
    add(h + "ln_2.weight", 1, C, false);
    add(h + "mlp.c_fc.weight", 4 * C, C, true);
    add(h + "mlp.c_proj.weight", C, 4 * C, true);
  }
  add("transformer.ln_f.weight", 1, C, false);
  return out;
}

void validate_batch(const GptConfig& config, const int* inputs, const int* targets, int B, int T) {
  if (B < 1 || T < 1 || T > config.block_size)
    throw InputError("GPT forward: batch shape " + std::to_string(B) + "×" + std::to_string(T) +
                     " (T must be in 1.." + std::to_string(config.block_size) + ")");
  const std::size_t BT = static_cast<std::size_t>(B) * T;
  for (std::size_t i = 0; i < BT; ++i) {
    const bool bad = inputs[i] < 0 || inputs[i] >= config.vocab_size ||
                     (targets && (targets[i] < 0 || targets[i] >= config.vocab_size));
    if (bad) throw InputError("GPT forward: token id out of range at position " + std::to_string(i));
  }
}

template <class S>
GptModel<S>::GptModel(const GptConfig& config) : config_(config), tensors_(gpt_param_tensors(config)) {
  const std::size_t n = tensors_.back().offset + tensors_.back().size();
  params_.assign(n, S(0));
  grads_.assign(n, S(0));
}

template <class S>
void GptModel<S>::init_weights(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  init_weights(rng);
}

template <class S>
typename GptModel<S>::LayerParams GptModel<S>::layer_params(S* buffer, int l) const {
  // Per layer 6 tensors after wte and wpe (gpt_param_tensors' order).
  const std::size_t first = 2 + 6 * static_cast<std::size_t>(l);
  auto at = [&](std::size_t k) { return buffer + tensors_[first + k].offset; };
  return LayerParams{at(0), at(1), at(2), at(3), at(4), at(5)};
}

template <class S>
void GptModel<S>::allocate_shard(Shard& sh, int T) {
  const std::size_t B = sh.B, BT = B * T, C = config_.n_embd, V = config_.vocab_size;
  const std::size_t NH = config_.n_head, L = config_.n_layer, TT = static_cast<std::size_t>(T) * T;
  const std::size_t per_layer = layer_acts_size(BT, C, B * NH * TT);
  sh.acts.assign((L + 1) * BT * C + L * per_layer + BT * C + 2 * BT, S(0));
  S* p = sh.acts.data();
  auto take = [&p](std::size_t n) {
    S* q = p;
    p += n;
    return q;
  };
  sh.residual = take((L + 1) * BT * C);
  sh.layers.clear();
  for (std::size_t l = 0; l < L; ++l) sh.layers.push_back(take_layer_acts(p, BT, C, B * NH * TT));
  sh.lnf = take(BT * C);
  sh.lnf_mean = take(BT);
  sh.lnf_rstd = take(BT);
  const std::size_t row0 = static_cast<std::size_t>(sh.b0) * T;
  sh.logits = logits_.data() + row0 * V;
  sh.probs = probs_.data() + row0 * V;
  sh.losses = losses_.data() + row0;
  for (auto* v : {&sh.dres, &sh.dln, &sh.datty, &sh.scratch}) v->assign(BT * C, S(0));
  sh.dqkv.assign(BT * 3 * C, S(0));
  sh.dfch.assign(BT * 4 * C, S(0));
  sh.dfch_gelu.assign(BT * 4 * C, S(0));
  sh.dlogits.assign(BT * V, S(0));
  sh.grads.clear();
  if (sh.b0 > 0) sh.grads.assign(params_.size(), S(0));
}

template <class S>
void GptModel<S>::ensure_activations(int B, int T) {
  const int threads = omp_get_max_threads();
  if (B == B_ && T == T_ && threads == threads_) return;
  B_ = B;
  T_ = T;
  threads_ = threads;
  const std::size_t BT = static_cast<std::size_t>(B) * T, V = config_.vocab_size;
  logits_.assign(BT * V, S(0));
  probs_.assign(BT * V, S(0));
  losses_.assign(BT, S(0));
  const int n = std::max(1, std::min(B, threads));
  shards_.assign(static_cast<std::size_t>(n), Shard{});
  for (int s = 0; s < n; ++s) {
    shards_[s].b0 = B * s / n;
    shards_[s].B = B * (s + 1) / n - shards_[s].b0;
    allocate_shard(shards_[s], T);
  }
}

template <class S>
double GptModel<S>::forward(const int* inputs, const int* targets, int B, int T) {
  validate_batch(config_, inputs, targets, B, T);
  const std::size_t BT = static_cast<std::size_t>(B) * T;
  ensure_activations(B, T);
  inputs_.assign(inputs, inputs + BT);
  dropped_ = training_ && config_.dropout > 0;
  have_targets_ = targets != nullptr;
  if (targets) targets_.assign(targets, targets + BT);
  const int n = shards();
#pragma omp parallel for schedule(static, 1) num_threads(n) if (n > 1)
  for (int s = 0; s < n; ++s) forward_shard(shards_[s]);
  if (!targets) return last_loss_ = 0;
  double total = 0;  // in row order, whatever the shards
  for (std::size_t i = 0; i < BT; ++i) total += static_cast<double>(losses_[i]);
  return last_loss_ = total / static_cast<double>(BT);
}

template <class S>
void GptModel<S>::forward_shard(Shard& sh) {
  const int B = sh.B, T = T_, C = config_.n_embd, NH = config_.n_head, V = config_.vocab_size, L = config_.n_layer;
  const std::size_t BT = static_cast<std::size_t>(B) * T;
  const int N = static_cast<int>(BT);
  const int* inputs = inputs_.data() + static_cast<std::size_t>(sh.b0) * T;
  const S* wte = params_.data() + tensors_[0].offset;
  const S* wpe = params_.data() + tensors_[1].offset;
  const S* lnfw = params_.data() + tensors_.back().offset;

  const std::uint64_t base = static_cast<std::uint64_t>(sh.b0) * T * C;  // the shard's first mask index
  embedding_forward(sh.residual, inputs, wte, wpe, B, T, C);
  if (dropped_) dropout_forward(sh.residual, BT * C, mask(kDropoutSiteEmbedding), base);
  for (int l = 0; l < L; ++l) {
    const LayerParams w = layer_params(params_.data(), l);
    const LayerActs<S>& a = sh.layers[l];
    const S* res_in = sh.residual + l * BT * C;
    S* res_out = sh.residual + (l + 1) * BT * C;
    // x + attn(ln_1(x))
    layernorm_forward(a.ln1, a.ln1_mean, a.ln1_rstd, res_in, w.ln1w, N, C);
    linear_forward(a.qkv, a.ln1, w.qkvw, N, C, 3 * C);
    const DropoutMask att_mask = mask(dropout_site_attention(l));
    attention_forward(a.atty, a.att, a.qkv, B, T, C, NH, dropped_ ? &att_mask : nullptr, sh.b0);
    linear_forward(sh.scratch.data(), a.atty, w.attprojw, N, C, C);
    if (dropped_) dropout_forward(sh.scratch.data(), BT * C, mask(dropout_site_attn_proj(l)), base);
    residual_forward(a.res_mid, res_in, sh.scratch.data(), BT * C);
    // x + mlp(ln_2(x))
    layernorm_forward(a.ln2, a.ln2_mean, a.ln2_rstd, a.res_mid, w.ln2w, N, C);
    linear_forward(a.fch, a.ln2, w.fcw, N, C, 4 * C);
    gelu_forward(a.fch_gelu, a.fch, BT * 4 * C);
    linear_forward(sh.scratch.data(), a.fch_gelu, w.fcprojw, N, 4 * C, C);
    if (dropped_) dropout_forward(sh.scratch.data(), BT * C, mask(dropout_site_mlp_proj(l)), base);
    residual_forward(res_out, a.res_mid, sh.scratch.data(), BT * C);
  }
  layernorm_forward(sh.lnf, sh.lnf_mean, sh.lnf_rstd, sh.residual + L * BT * C, lnfw, N, C);
  linear_forward(sh.logits, sh.lnf, wte, N, C, V);  // lm_head tied to wte
  if (have_targets_) {
    const int* targets = targets_.data() + static_cast<std::size_t>(sh.b0) * T;
    crossentropy_forward(sh.probs, sh.losses, sh.logits, targets, N, V);
  }
}

template <class S>
void GptModel<S>::zero_grad() {
  std::fill(grads_.begin(), grads_.end(), S(0));
}

template <class S>
void GptModel<S>::backward() {
  if (!have_targets_) throw InputError("GPT backward: the last forward had no targets");
  const int n = shards();
#pragma omp parallel for schedule(static, 1) num_threads(n) if (n > 1)
  for (int s = 0; s < n; ++s) {
    Shard& sh = shards_[s];
    if (s > 0) std::fill(sh.grads.begin(), sh.grads.end(), S(0));
    backward_shard(sh, s == 0 ? grads_.data() : sh.grads.data());
  }
  if (n == 1) return;
  // grads_ += shard 1 + shard 2 + …, element by element in shard order.
  const std::ptrdiff_t size = static_cast<std::ptrdiff_t>(grads_.size());
#pragma omp parallel for schedule(static) if (size >= 32768)
  for (std::ptrdiff_t i = 0; i < size; ++i) {
    S g = grads_[i];
    for (int s = 1; s < n; ++s) g += shards_[s].grads[i];
    grads_[i] = g;
  }
}

template <class S>
void GptModel<S>::backward_shard(Shard& sh, S* grads) {
  const int B = sh.B, T = T_, C = config_.n_embd, NH = config_.n_head, V = config_.vocab_size, L = config_.n_layer;
  const std::size_t BT = static_cast<std::size_t>(B) * T;
  const int N = static_cast<int>(BT);
  const int* inputs = inputs_.data() + static_cast<std::size_t>(sh.b0) * T;
  const int* targets = targets_.data() + static_cast<std::size_t>(sh.b0) * T;
  const S* wte = params_.data() + tensors_[0].offset;
  const S* lnfw = params_.data() + tensors_.back().offset;
  S* dwte = grads + tensors_[0].offset;
  S* dwpe = grads + tensors_[1].offset;
  S* dlnfw = grads + tensors_.back().offset;
  auto zero = [](AlignedVector<S>& v) { std::fill(v.begin(), v.end(), S(0)); };
  const std::uint64_t base = static_cast<std::uint64_t>(sh.b0) * T * C;
  // The gradient reaching a dropout site's input: dres itself, or dres through the site's mask (in scratch,
  // which only the forward uses otherwise).
  auto through_dropout = [&](int site) -> const S* {
    if (!dropped_) return sh.dres.data();
    zero(sh.scratch);
    dropout_backward(sh.scratch.data(), sh.dres.data(), BT * C, mask(site), base);
    return sh.scratch.data();
  };

  zero(sh.dlogits);
  // The shard's share of the batch mean: dloss/dlogits = (probs − onehot) / (B_·T) for every row.
  crossentropy_backward(sh.dlogits.data(), sh.probs, targets, static_cast<double>(B) / B_, N, V);
  zero(sh.dln);
  linear_backward(sh.dln.data(), dwte, sh.dlogits.data(), sh.lnf, wte, N, C, V);
  zero(sh.dres);
  layernorm_backward(sh.dres.data(), dlnfw, sh.dln.data(), sh.residual + L * BT * C, lnfw, sh.lnf_mean, sh.lnf_rstd, N, C);
  // dres is the gradient of the residual stream: a residual add passes it unchanged to its input, so
  // each block's branch reads it and its layernorm adds into it (residual_backward, done in place).
  for (int l = L - 1; l >= 0; --l) {
    const LayerParams w = layer_params(params_.data(), l);
    const LayerParams dw = layer_params(grads, l);
    const LayerActs<S>& a = sh.layers[l];
    const S* res_in = sh.residual + l * BT * C;
    // mlp branch
    zero(sh.dfch_gelu);
    linear_backward(sh.dfch_gelu.data(), dw.fcprojw, through_dropout(dropout_site_mlp_proj(l)), a.fch_gelu, w.fcprojw,
                    N, 4 * C, C);
    zero(sh.dfch);
    gelu_backward(sh.dfch.data(), a.fch, sh.dfch_gelu.data(), BT * 4 * C);
    zero(sh.dln);
    linear_backward(sh.dln.data(), dw.fcw, sh.dfch.data(), a.ln2, w.fcw, N, C, 4 * C);
    layernorm_backward(sh.dres.data(), dw.ln2w, sh.dln.data(), a.res_mid, w.ln2w, a.ln2_mean, a.ln2_rstd, N, C);
    // attention branch
    zero(sh.datty);
    linear_backward(sh.datty.data(), dw.attprojw, through_dropout(dropout_site_attn_proj(l)), a.atty, w.attprojw, N,
                    C, C);
    zero(sh.dqkv);
    const DropoutMask att_mask = mask(dropout_site_attention(l));
    attention_backward(sh.dqkv.data(), sh.datty.data(), a.qkv, a.att, B, T, C, NH, dropped_ ? &att_mask : nullptr,
                       sh.b0);
    zero(sh.dln);
    linear_backward(sh.dln.data(), dw.qkvw, sh.dqkv.data(), a.ln1, w.qkvw, N, C, 3 * C);
    layernorm_backward(sh.dres.data(), dw.ln1w, sh.dln.data(), res_in, w.ln1w, a.ln1_mean, a.ln1_rstd, N, C);
  }
  embedding_backward(dwte, dwpe, through_dropout(kDropoutSiteEmbedding), inputs, B, T, C);
}

template class GptModel<float>;
template class GptModel<double>;

}  // namespace roundlab::gpt
