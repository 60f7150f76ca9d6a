// Layer passes of gpt_layers.hpp. Eigen does the matrix products (Maps over the caller's buffers) and the
// vectorized transcendentals (exp, erf); OpenMP splits the rest.
#include "analysis/gpt/gpt_layers.hpp"

#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <unsupported/Eigen/SpecialFunctions>

namespace roundlab::gpt {

namespace {

template <class S>
using RowMat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using MatMap = Eigen::Map<RowMat<S>>;
template <class S>
using ConstMatMap = Eigen::Map<const RowMat<S>>;
// A (rows, cols) block of a row-major buffer whose rows are `stride` apart (one head's q, k or v).
template <class S>
using StridedMap = Eigen::Map<RowMat<S>, 0, Eigen::OuterStride<>>;
template <class S>
using ConstStridedMap = Eigen::Map<const RowMat<S>, 0, Eigen::OuterStride<>>;
template <class S>
using Vec = Eigen::Array<S, Eigen::Dynamic, 1>;
template <class S>
using VecMap = Eigen::Map<Vec<S>>;
template <class S>
using ConstVecMap = Eigen::Map<const Vec<S>>;

// Elementwise loops run in chunks: one Eigen array expression (vectorized) per chunk, chunks split
// among threads.
constexpr std::ptrdiff_t kChunk = 4096;
// Column strip width for reductions over rows (dw of layernorm, embedding gradients): a thread owns
// whole columns, so each sum runs over the rows in order whatever the thread count.
constexpr int kStrip = 16;
// Below this many elements (or multiply-adds) a pass runs on one thread: OpenMP's fork/join and spinning
// barriers cost more than small passes (and much more when the cores are shared with other jobs). Inside
// a parallel region (GptModel runs one thread per batch shard) a pass is always single-threaded.
constexpr long kParallelWork = 32768;
inline bool worth_threads(double work) { return work >= static_cast<double>(kParallelWork) && !omp_in_parallel(); }

inline std::ptrdiff_t chunks_of(std::size_t n) { return static_cast<std::ptrdiff_t>((n + kChunk - 1) / kChunk); }
inline std::ptrdiff_t chunk_len(std::size_t n, std::ptrdiff_t c) {
  return std::min<std::ptrdiff_t>(kChunk, static_cast<std::ptrdiff_t>(n) - c * kChunk);
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Embedding

template <class S>
void embedding_forward(S* out, const int* tokens, const S* wte, const S* wpe, int B, int T, int C) {
#pragma omp parallel for schedule(static) if (worth_threads(1.0 * B * T * C))
  for (int bt = 0; bt < B * T; ++bt) {
    const S* te = wte + static_cast<std::ptrdiff_t>(tokens[bt]) * C;
    const S* pe = wpe + static_cast<std::ptrdiff_t>(bt % T) * C;
    S* o = out + static_cast<std::ptrdiff_t>(bt) * C;
    for (int c = 0; c < C; ++c) o[c] = te[c] + pe[c];
  }
}

template <class S>
void embedding_backward(S* dwte, S* dwpe, const S* dout, const int* tokens, int B, int T, int C) {
  const int strips = (C + kStrip - 1) / kStrip;
#pragma omp parallel for schedule(static) if (worth_threads(1.0 * B * T * C))
  for (int s = 0; s < strips; ++s) {
    const int c0 = s * kStrip, c1 = std::min(C, c0 + kStrip);
    for (int bt = 0; bt < B * T; ++bt) {
      const S* d = dout + static_cast<std::ptrdiff_t>(bt) * C;
      S* te = dwte + static_cast<std::ptrdiff_t>(tokens[bt]) * C;
      S* pe = dwpe + static_cast<std::ptrdiff_t>(bt % T) * C;
      for (int c = c0; c < c1; ++c) {
        te[c] += d[c];
        pe[c] += d[c];
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// LayerNorm (no bias)

template <class S>
void layernorm_forward(S* out, S* mean, S* rstd, const S* inp, const S* w, int N, int C) {
  const ConstVecMap<S> wv(w, C);
#pragma omp parallel for schedule(static) if (worth_threads(1.0 * N * C))
  for (int i = 0; i < N; ++i) {
    const ConstVecMap<S> x(inp + static_cast<std::ptrdiff_t>(i) * C, C);
    const S m = x.mean();
    const S var = (x - m).square().mean();  // two-pass: no cancellation
    const S r = S(1) / std::sqrt(var + S(kLayerNormEps));
    VecMap<S>(out + static_cast<std::ptrdiff_t>(i) * C, C) = (x - m) * r * wv;
    mean[i] = m;
    rstd[i] = r;
  }
}

template <class S>
void layernorm_backward(S* dinp, S* dw, const S* dout, const S* inp, const S* w, const S* mean, const S* rstd,
                        int N, int C) {
  const ConstVecMap<S> wv(w, C);
  // dinp = rstd · (dnorm − mean(dnorm) − xhat · mean(dnorm · xhat)), dnorm = dout · w.
#pragma omp parallel for schedule(static) if (worth_threads(1.0 * N * C))
  for (int i = 0; i < N; ++i) {
    const std::ptrdiff_t o = static_cast<std::ptrdiff_t>(i) * C;
    const Vec<S> xhat = (ConstVecMap<S>(inp + o, C) - mean[i]) * rstd[i];
    const Vec<S> dnorm = ConstVecMap<S>(dout + o, C) * wv;
    const S a = dnorm.mean();
    const S b = (dnorm * xhat).mean();
    VecMap<S>(dinp + o, C) += (dnorm - a - xhat * b) * rstd[i];
  }
  // dw[c] = Σ_i dout[i,c] · xhat[i,c], one column strip per task.
  const int strips = (C + kStrip - 1) / kStrip;
#pragma omp parallel for schedule(static) if (worth_threads(1.0 * N * C))
  for (int s = 0; s < strips; ++s) {
    const int c0 = s * kStrip, c1 = std::min(C, c0 + kStrip);
    for (int i = 0; i < N; ++i) {
      const std::ptrdiff_t o = static_cast<std::ptrdiff_t>(i) * C;
      for (int c = c0; c < c1; ++c) dw[c] += dout[o + c] * ((inp[o + c] - mean[i]) * rstd[i]);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Linear (no bias)

template <class S>
void linear_forward(S* out, const S* inp, const S* w, int N, int C, int OC) {
  MatMap<S>(out, N, OC).noalias() = ConstMatMap<S>(inp, N, C) * ConstMatMap<S>(w, OC, C).transpose();
}

template <class S>
void linear_backward(S* dinp, S* dw, const S* dout, const S* inp, const S* w, int N, int C, int OC) {
  const ConstMatMap<S> d(dout, N, OC);
  MatMap<S>(dinp, N, C).noalias() += d * ConstMatMap<S>(w, OC, C);
  MatMap<S>(dw, OC, C).noalias() += d.transpose() * ConstMatMap<S>(inp, N, C);
}

// ------------------------------------------------------------------------------------------------
// Dropout: masks regenerated from the counter-based stream (dropout.hpp), one Philox block per 4 elements.

namespace {

// Calls f(i, keep) for i in [0, n), keep = m.keep(base + i), with one Philox block per 4 mask indices.
template <class F>
void for_each_mask_bit(std::size_t n, const DropoutMask& m, std::uint64_t base, F f) {
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(((base + n + 3) >> 2) - (base >> 2));
#pragma omp parallel for schedule(static) if (worth_threads(static_cast<double>(n)))
  for (std::ptrdiff_t k = 0; k < blocks; ++k) {
    const std::uint64_t block = (base >> 2) + static_cast<std::uint64_t>(k);
    const device::Philox4x32 r =
        device::philox_at(m.stream, static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32));
    for (int w = 0; w < 4; ++w) {
      const std::uint64_t idx = 4 * block + static_cast<std::uint64_t>(w);
      if (idx >= base && idx < base + n) f(static_cast<std::size_t>(idx - base), r.v[w] >= m.threshold);
    }
  }
}

}  // namespace

template <class S>
void dropout_forward(S* x, std::size_t n, const DropoutMask& m, std::uint64_t base) {
  const S scale = static_cast<S>(m.scale);
  for_each_mask_bit(n, m, base, [&](std::size_t i, bool keep) { x[i] = keep ? x[i] * scale : S(0); });
}

template <class S>
void dropout_backward(S* dinp, const S* dout, std::size_t n, const DropoutMask& m, std::uint64_t base) {
  const S scale = static_cast<S>(m.scale);
  for_each_mask_bit(n, m, base, [&](std::size_t i, bool keep) {
    if (keep) dinp[i] += dout[i] * scale;
  });
}

// ------------------------------------------------------------------------------------------------
// Causal self-attention. One (batch, head) pair per task; q, k, v of a head are strided views into qkv.

namespace {

// Mask index of att[b, h, 0, 0] (b counted over the whole batch).
std::uint64_t att_mask_first(int b, int h, int T, int NH) {
  return (static_cast<std::uint64_t>(b) * NH + static_cast<std::uint64_t>(h)) * static_cast<std::uint64_t>(T) * T;
}

// att ⊙ mask / (1 − p) for one (b, h) pair's T × T block; `first` is its element 0's mask index.
template <class S>
RowMat<S> dropped(const ConstMatMap<S>& a, const DropoutMask& m, std::uint64_t first) {
  RowMat<S> d(a.rows(), a.cols());
  const S scale = static_cast<S>(m.scale);
  for (Eigen::Index t = 0; t < a.rows(); ++t)
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      d(t, j) = m.keep(first + static_cast<std::uint64_t>(t * a.cols() + j)) ? a(t, j) * scale : S(0);
  return d;
}

}  // namespace

template <class S>
void attention_forward(S* out, S* att, const S* qkv, int B, int T, int C, int NH, const DropoutMask* drop, int b0) {
  const int hs = C / NH;
  const S scale = S(1) / std::sqrt(S(hs));
  const std::ptrdiff_t C3 = 3 * static_cast<std::ptrdiff_t>(C);
#pragma omp parallel for schedule(static) if (worth_threads(1.0 * B * NH * T * T * hs))
  for (int bh = 0; bh < B * NH; ++bh) {
    const int b = bh / NH, h = bh % NH;
    const S* base = qkv + static_cast<std::ptrdiff_t>(b) * T * C3 + static_cast<std::ptrdiff_t>(h) * hs;
    const ConstStridedMap<S> q(base, T, hs, Eigen::OuterStride<>(C3));
    const ConstStridedMap<S> k(base + C, T, hs, Eigen::OuterStride<>(C3));
    const ConstStridedMap<S> v(base + 2 * C, T, hs, Eigen::OuterStride<>(C3));
    MatMap<S> a(att + static_cast<std::ptrdiff_t>(bh) * T * T, T, T);
    a.noalias() = q * k.transpose();  // the upper triangle is computed and then discarded: simpler
    for (int t = 0; t < T; ++t) {
      auto row = a.row(t).array();
      auto seen = row.head(t + 1);  // positions 0..t
      const S mx = seen.maxCoeff() * scale;
      seen = (seen * scale - mx).exp();
      seen /= seen.sum();
      row.tail(T - t - 1).setZero();
    }
    StridedMap<S> o(out + static_cast<std::ptrdiff_t>(b) * T * C + static_cast<std::ptrdiff_t>(h) * hs, T, hs,
                    Eigen::OuterStride<>(C));
    if (drop) o.noalias() = dropped<S>(ConstMatMap<S>(a.data(), T, T), *drop, att_mask_first(b0 + b, h, T, NH)) * v;
    else o.noalias() = a * v;
  }
}

template <class S>
void attention_backward(S* dqkv, const S* dout, const S* qkv, const S* att, int B, int T, int C, int NH,
                        const DropoutMask* drop, int b0) {
  const int hs = C / NH;
  const S scale = S(1) / std::sqrt(S(hs));
  const std::ptrdiff_t C3 = 3 * static_cast<std::ptrdiff_t>(C);
#pragma omp parallel if (worth_threads(1.0 * B * NH * T * T * hs))
  {
    RowMat<S> dp(T, T);  // d att, then d pre-softmax scores, per task
#pragma omp for schedule(static)
    for (int bh = 0; bh < B * NH; ++bh) {
      const int b = bh / NH, h = bh % NH;
      const std::ptrdiff_t off = static_cast<std::ptrdiff_t>(b) * T * C3 + static_cast<std::ptrdiff_t>(h) * hs;
      const ConstStridedMap<S> q(qkv + off, T, hs, Eigen::OuterStride<>(C3));
      const ConstStridedMap<S> k(qkv + off + C, T, hs, Eigen::OuterStride<>(C3));
      const ConstStridedMap<S> v(qkv + off + 2 * C, T, hs, Eigen::OuterStride<>(C3));
      StridedMap<S> dq(dqkv + off, T, hs, Eigen::OuterStride<>(C3));
      StridedMap<S> dk(dqkv + off + C, T, hs, Eigen::OuterStride<>(C3));
      StridedMap<S> dv(dqkv + off + 2 * C, T, hs, Eigen::OuterStride<>(C3));
      const ConstMatMap<S> a(att + static_cast<std::ptrdiff_t>(bh) * T * T, T, T);
      const ConstStridedMap<S> dout_h(dout + static_cast<std::ptrdiff_t>(b) * T * C + static_cast<std::ptrdiff_t>(h) * hs,
                                      T, hs, Eigen::OuterStride<>(C));
      // out = a v, or (a ⊙ mask / (1 − p)) v in train mode with dropout
      dp.noalias() = dout_h * v.transpose();
      if (drop) {
        const std::uint64_t first = att_mask_first(b0 + b, h, T, NH);
        dv.noalias() += dropped<S>(a, *drop, first).transpose() * dout_h;
        const S scale = static_cast<S>(drop->scale);
        for (int t = 0; t < T; ++t)
          for (int j = 0; j < T; ++j)
            dp(t, j) = drop->keep(first + static_cast<std::uint64_t>(t) * T + j) ? dp(t, j) * scale : S(0);
      } else {
        dv.noalias() += a.transpose() * dout_h;
      }
      // softmax: dpre[t,j] = a[t,j] (datt[t,j] − Σ_j' a[t,j'] datt[t,j']), zero above the diagonal.
      for (int t = 0; t < T; ++t) {
        auto row = dp.row(t).array();
        const auto arow = a.row(t).array().head(t + 1);
        const S s = (arow * row.head(t + 1)).sum();
        row.head(t + 1) = arow * (row.head(t + 1) - s) * scale;  // scale of the scores folded in here
        row.tail(T - t - 1).setZero();
      }
      // pre = scale · q kᵀ
      dq.noalias() += dp * k;
      dk.noalias() += dp.transpose() * q;
    }
  }
}

// ------------------------------------------------------------------------------------------------
// GELU (exact, erf)

template <class S>
void gelu_forward(S* out, const S* inp, std::size_t n) {
  const S inv_sqrt2 = S(0.70710678118654752440);
#pragma omp parallel for schedule(static) if (worth_threads(static_cast<double>(n)))
  for (std::ptrdiff_t c = 0; c < chunks_of(n); ++c) {
    const std::ptrdiff_t len = chunk_len(n, c);
    const ConstVecMap<S> x(inp + c * kChunk, len);
    VecMap<S>(out + c * kChunk, len) = S(0.5) * x * (S(1) + (x * inv_sqrt2).erf());
  }
}

template <class S>
void gelu_backward(S* dinp, const S* inp, const S* dout, std::size_t n) {
  const S inv_sqrt2 = S(0.70710678118654752440);
  const S inv_sqrt_2pi = S(0.39894228040143267794);
  // d/dx x·Φ(x) = Φ(x) + x·φ(x)
#pragma omp parallel for schedule(static) if (worth_threads(static_cast<double>(n)))
  for (std::ptrdiff_t c = 0; c < chunks_of(n); ++c) {
    const std::ptrdiff_t len = chunk_len(n, c);
    const ConstVecMap<S> x(inp + c * kChunk, len);
    const Vec<S> cdf = S(0.5) * (S(1) + (x * inv_sqrt2).erf());
    const Vec<S> pdf = (S(-0.5) * x.square()).exp() * inv_sqrt_2pi;
    VecMap<S>(dinp + c * kChunk, len) += ConstVecMap<S>(dout + c * kChunk, len) * (cdf + x * pdf);
  }
}

// ------------------------------------------------------------------------------------------------
// Residual

template <class S>
void residual_forward(S* out, const S* a, const S* b, std::size_t n) {
#pragma omp parallel for schedule(static) if (worth_threads(static_cast<double>(n)))
  for (std::ptrdiff_t c = 0; c < chunks_of(n); ++c) {
    const std::ptrdiff_t len = chunk_len(n, c), o = c * kChunk;
    VecMap<S>(out + o, len) = ConstVecMap<S>(a + o, len) + ConstVecMap<S>(b + o, len);
  }
}

template <class S>
void residual_backward(S* da, S* db, const S* dout, std::size_t n) {
#pragma omp parallel for schedule(static) if (worth_threads(static_cast<double>(n)))
  for (std::ptrdiff_t c = 0; c < chunks_of(n); ++c) {
    const std::ptrdiff_t len = chunk_len(n, c), o = c * kChunk;
    VecMap<S>(da + o, len) += ConstVecMap<S>(dout + o, len);
    VecMap<S>(db + o, len) += ConstVecMap<S>(dout + o, len);
  }
}

// ------------------------------------------------------------------------------------------------
// Softmax cross-entropy

template <class S>
double crossentropy_forward(S* probs, S* losses, const S* logits, const int* targets, int N, int V) {
#pragma omp parallel for schedule(static) if (worth_threads(1.0 * N * V))
  for (int i = 0; i < N; ++i) {
    const std::ptrdiff_t o = static_cast<std::ptrdiff_t>(i) * V;
    const ConstVecMap<S> l(logits + o, V);
    VecMap<S> p(probs + o, V);
    const S mx = l.maxCoeff();
    p = (l - mx).exp();
    const S sum = p.sum();
    p /= sum;
    losses[i] = (mx + std::log(sum)) - l[targets[i]];  // log-sum-exp − target logit
  }
  double total = 0;
  for (int i = 0; i < N; ++i) total += static_cast<double>(losses[i]);
  return total / N;
}

template <class S>
void crossentropy_backward(S* dlogits, const S* probs, const int* targets, double dmean, int N, int V) {
  const S g = static_cast<S>(dmean / N);
#pragma omp parallel for schedule(static) if (worth_threads(1.0 * N * V))
  for (int i = 0; i < N; ++i) {
    const std::ptrdiff_t o = static_cast<std::ptrdiff_t>(i) * V;
    VecMap<S>(dlogits + o, V) += g * ConstVecMap<S>(probs + o, V);
    dlogits[o + targets[i]] -= g;
  }
}

// ------------------------------------------------------------------------------------------------
// Instantiations: float (training) and double (gradient check, fp64 reference).

#define ROUNDLAB_GPT_LAYERS(S)                                                                                   \
  template void embedding_forward<S>(S*, const int*, const S*, const S*, int, int, int);                        \
  template void embedding_backward<S>(S*, S*, const S*, const int*, int, int, int);                             \
  template void layernorm_forward<S>(S*, S*, S*, const S*, const S*, int, int);                                 \
  template void layernorm_backward<S>(S*, S*, const S*, const S*, const S*, const S*, const S*, int, int);      \
  template void linear_forward<S>(S*, const S*, const S*, int, int, int);                                       \
  template void linear_backward<S>(S*, S*, const S*, const S*, const S*, int, int, int);                        \
  template void attention_forward<S>(S*, S*, const S*, int, int, int, int, const DropoutMask*, int);           \
  template void attention_backward<S>(S*, const S*, const S*, const S*, int, int, int, int, const DropoutMask*, \
                                      int);                                                                     \
  template void dropout_forward<S>(S*, std::size_t, const DropoutMask&, std::uint64_t);                         \
  template void dropout_backward<S>(S*, const S*, std::size_t, const DropoutMask&, std::uint64_t);              \
  template void gelu_forward<S>(S*, const S*, std::size_t);                                                     \
  template void gelu_backward<S>(S*, const S*, const S*, std::size_t);                                          \
  template void residual_forward<S>(S*, const S*, const S*, std::size_t);                                       \
  template void residual_backward<S>(S*, S*, const S*, std::size_t);                                            \
  template double crossentropy_forward<S>(S*, S*, const S*, const int*, int, int);                              \
  template void crossentropy_backward<S>(S*, const S*, const int*, double, int, int);

ROUNDLAB_GPT_LAYERS(float)
ROUNDLAB_GPT_LAYERS(double)
#undef ROUNDLAB_GPT_LAYERS

}  // namespace roundlab::gpt
