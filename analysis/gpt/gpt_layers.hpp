// The layers of the GPT, one forward and one backward pass each, side by side (llm.c's layout: plain
// arrays, activations (B, T, C) row-major, weights (out, in) row-major as torch.nn.Linear stores them).
//
// Conventions:
// - Templated on the scalar S; defined in gpt_layers.cpp for float (training) and double (the gradient
//   check), so Eigen stays inside the library and is compiled with one set of flags.
// - Every backward *accumulates* (+=) into its d-outputs, parameter gradients and input gradients alike
//   (llm.c's convention): callers zero what they reuse.
// - Results do not depend on timing or on the thread count: each output element is summed in a fixed
//   order (reductions over rows are split by columns, never by rows). (Eigen's GEMM blocking could in
//   principle depend on the thread count; the model calls these passes single-threaded per batch shard.)
// - Small passes, and passes called inside a parallel region, run on the calling thread.
#pragma once
#include <cstddef>
#include <cstdint>

#include "analysis/gpt/dropout.hpp"

namespace roundlab::gpt {

inline constexpr double kLayerNormEps = 1e-5;  // torch.nn.LayerNorm's default, as nanoGPT

// Token + position embedding: out[b,t,:] = wte[tokens[b,t],:] + wpe[t,:]. wte (V, C), wpe (≥T, C).
template <class S>
void embedding_forward(S* out, const int* tokens, const S* wte, const S* wpe, int B, int T, int C);
template <class S>
void embedding_backward(S* dwte, S* dwpe, const S* dout, const int* tokens, int B, int T, int C);

// LayerNorm without bias over the last dimension of N rows: out = (x − mean)·rstd·w with
// rstd = 1/sqrt(var + eps), var the biased variance (torch's). mean and rstd (N each) are kept for backward.
template <class S>
void layernorm_forward(S* out, S* mean, S* rstd, const S* inp, const S* w, int N, int C);
template <class S>
void layernorm_backward(S* dinp, S* dw, const S* dout, const S* inp, const S* w, const S* mean, const S* rstd,
                        int N, int C);

// Linear without bias: out (N, OC) = inp (N, C) · wᵀ, w (OC, C).
template <class S>
void linear_forward(S* out, const S* inp, const S* w, int N, int C, int OC);
template <class S>
void linear_backward(S* dinp, S* dw, const S* dout, const S* inp, const S* w, int N, int C, int OC);

// Causal multi-head self-attention on qkv (B, T, 3C) = [q | k | v], head h in columns [h·hs, (h+1)·hs) of
// each part: att = softmax(q kᵀ / sqrt(hs)) over positions ≤ t, out (B, T, C) = att v, heads side by side.
// att (B, NH, T, T) holds the probabilities (zero above the diagonal) for backward.
// With `drop` (train mode), out = (att ⊙ mask / (1 − p)) v: att itself stays the undropped probabilities;
// the mask index of att[b, h, t, j] is ((b0 + b)·NH + h)·T² + t·T + j (b0: the shard's first sequence).
template <class S>
void attention_forward(S* out, S* att, const S* qkv, int B, int T, int C, int NH, const DropoutMask* drop = nullptr,
                       int b0 = 0);
template <class S>
void attention_backward(S* dqkv, const S* dout, const S* qkv, const S* att, int B, int T, int C, int NH,
                        const DropoutMask* drop = nullptr, int b0 = 0);

// Dropout (dropout.hpp) of n elements whose mask indices start at `base`: in place, x = keep ? x/(1 − p) : 0;
// backward dinp += keep ? dout/(1 − p) : 0.
template <class S>
void dropout_forward(S* x, std::size_t n, const DropoutMask& m, std::uint64_t base);
template <class S>
void dropout_backward(S* dinp, const S* dout, std::size_t n, const DropoutMask& m, std::uint64_t base);

// GELU, exact form x·Φ(x) = x/2·(1 + erf(x/√2)): nanoGPT's nn.GELU() default (not llm.c's tanh form).
template <class S>
void gelu_forward(S* out, const S* inp, std::size_t n);
template <class S>
void gelu_backward(S* dinp, const S* inp, const S* dout, std::size_t n);

// Residual connection: out = a + b; backward passes dout to both.
template <class S>
void residual_forward(S* out, const S* a, const S* b, std::size_t n);
template <class S>
void residual_backward(S* da, S* db, const S* dout, std::size_t n);

// Softmax cross-entropy over N rows of V logits: probs = softmax(logits), losses[i] = −log probs[i, targets[i]]
// (from the log-sum-exp, not from log(probs)). Returns the mean loss, summed in double in row order.
template <class S>
double crossentropy_forward(S* probs, S* losses, const S* logits, const int* targets, int N, int V);
// dlogits += dmean/N · (probs − onehot(targets)): the gradient of dmean · mean loss.
template <class S>
void crossentropy_backward(S* dlogits, const S* probs, const int* targets, double dmean, int N, int V);

}  // namespace roundlab::gpt
