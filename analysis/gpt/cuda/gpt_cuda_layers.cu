#include "analysis/gpt/cuda/gpt_cuda_layers.cuh"

#include <cmath>
#include <stdexcept>
#include <string>

namespace roundlab::gpt::cuda {

void check_cuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(status));
}

void check_cublas(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cuBLAS: ") + what + ": status " + std::to_string(static_cast<int>(status)));
}

namespace {

constexpr int kThreads = 256;
constexpr int kWarpsPerBlock = kThreads / 32;

unsigned blocks_for(std::size_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }
unsigned warp_blocks_for(std::size_t rows) { return static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock); }

void check_launch(const char* what) { check_cuda(cudaGetLastError(), what); }

// Butterfly reductions: every lane ends with the same value, summed in the same order on every run.
__device__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// The row a warp works on, and its lane.
__device__ int warp_row() { return static_cast<int>(blockIdx.x) * kWarpsPerBlock + static_cast<int>(threadIdx.x) / 32; }
__device__ int lane() { return static_cast<int>(threadIdx.x) % 32; }
__device__ std::size_t thread_index() { return static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; }

// ---- embedding ----------------------------------------------------------------------------------------
__global__ void embedding_forward_kernel(float* out, const int* tokens, const float* wte, const float* wpe, int N,
                                         int T, int C) {
  const std::size_t i = thread_index();
  if (i >= static_cast<std::size_t>(N) * C) return;
  const int n = static_cast<int>(i / C), c = static_cast<int>(i % C), t = n % T;
  out[i] = wte[static_cast<std::size_t>(tokens[n]) * C + c] + wpe[static_cast<std::size_t>(t) * C + c];
}

// dwte[v, c] += Σ over positions n with token v of dout[n, c], n in order (no atomics: reproducible).
__global__ void embedding_backward_wte_kernel(float* dwte, const float* dout, const int* tokens, int N, int V, int C) {
  const std::size_t i = thread_index();
  if (i >= static_cast<std::size_t>(V) * C) return;
  const int v = static_cast<int>(i / C), c = static_cast<int>(i % C);
  float s = 0;
  for (int n = 0; n < N; ++n)
    if (tokens[n] == v) s += dout[static_cast<std::size_t>(n) * C + c];
  dwte[i] += s;
}

__global__ void embedding_backward_wpe_kernel(float* dwpe, const float* dout, int B, int T, int C) {
  const std::size_t i = thread_index();
  if (i >= static_cast<std::size_t>(T) * C) return;
  float s = 0;
  for (int b = 0; b < B; ++b) s += dout[static_cast<std::size_t>(b) * T * C + i];
  dwpe[i] += s;
}

// ---- layernorm (one warp per row; two-pass variance as the CPU pass) ------------------------------------
__global__ void layernorm_forward_kernel(float* out, float* mean, float* rstd, const float* inp, const float* w, int N,
                                         int C) {
  const int row = warp_row();
  if (row >= N) return;
  const float* x = inp + static_cast<std::size_t>(row) * C;
  float s = 0;
  for (int c = lane(); c < C; c += 32) s += x[c];
  const float m = warp_sum(s) / C;
  float q = 0;
  for (int c = lane(); c < C; c += 32) q += (x[c] - m) * (x[c] - m);
  const float r = 1.0f / sqrtf(warp_sum(q) / C + 1e-5f);
  float* o = out + static_cast<std::size_t>(row) * C;
  for (int c = lane(); c < C; c += 32) o[c] = (x[c] - m) * r * w[c];
  if (lane() == 0) {
    mean[row] = m;
    rstd[row] = r;
  }
}

// dinp = rstd · (dnorm − mean(dnorm) − xhat · mean(dnorm · xhat)), dnorm = dout · w.
__global__ void layernorm_backward_inp_kernel(float* dinp, const float* dout, const float* inp, const float* w,
                                              const float* mean, const float* rstd, int N, int C) {
  const int row = warp_row();
  if (row >= N) return;
  const std::size_t o = static_cast<std::size_t>(row) * C;
  const float m = mean[row], r = rstd[row];
  float a = 0, b = 0;
  for (int c = lane(); c < C; c += 32) {
    const float dn = dout[o + c] * w[c];
    a += dn;
    b += dn * (inp[o + c] - m) * r;
  }
  const float mean_dn = warp_sum(a) / C, mean_dnx = warp_sum(b) / C;
  for (int c = lane(); c < C; c += 32) {
    const float xhat = (inp[o + c] - m) * r;
    dinp[o + c] += r * (dout[o + c] * w[c] - mean_dn - xhat * mean_dnx);
  }
}

// dw[c] += Σ_rows dout · xhat, rows in order.
__global__ void layernorm_backward_w_kernel(float* dw, const float* dout, const float* inp, const float* mean,
                                            const float* rstd, int N, int C) {
  const std::size_t c = thread_index();
  if (c >= static_cast<std::size_t>(C)) return;
  float s = 0;
  for (int i = 0; i < N; ++i) {
    const std::size_t o = static_cast<std::size_t>(i) * C + c;
    s += dout[o] * (inp[o] - mean[i]) * rstd[i];
  }
  dw[c] += s;
}

// ---- attention -----------------------------------------------------------------------------------------
// Element i of a (B, NH, T, hs) tensor: its offset in the (B, T, C) layout with the heads side by side.
__device__ std::size_t heads_to_rows(std::size_t i, int T, int C, int NH) {
  const int hs = C / NH;
  const int d = static_cast<int>(i % hs), t = static_cast<int>(i / hs % T), h = static_cast<int>(i / hs / T % NH),
            b = static_cast<int>(i / hs / T / NH);
  return (static_cast<std::size_t>(b) * T + t) * C + static_cast<std::size_t>(h) * hs + d;
}

// qkv (B, T, 3C) ⇄ q, k, v (B, NH, T, hs). Forward copies; backward adds into dqkv.
__global__ void split_heads_kernel(float* q, float* k, float* v, const float* qkv, int B, int T, int C, int NH) {
  const std::size_t i = thread_index();
  if (i >= static_cast<std::size_t>(B) * T * C) return;
  // Row n = offset / C of the (B, T, C) layout is row n of qkv, whose width is 3C.
  const std::size_t o = heads_to_rows(i, T, C, NH), src = o / C * 3 * C + o % C;
  q[i] = qkv[src];
  k[i] = qkv[src + C];
  v[i] = qkv[src + 2 * C];
}

__global__ void merge_heads_grad_kernel(float* dqkv, const float* dq, const float* dk, const float* dv, int B, int T,
                                        int C, int NH) {
  const std::size_t i = thread_index();
  if (i >= static_cast<std::size_t>(B) * T * C) return;
  const std::size_t o = heads_to_rows(i, T, C, NH), dst = o / C * 3 * C + o % C;
  dqkv[dst] += dq[i];
  dqkv[dst + C] += dk[i];
  dqkv[dst + 2 * C] += dv[i];
}

// y (B, NH, T, hs) → out (B, T, C), heads side by side; and back (dout → dy).
__global__ void merge_heads_kernel(float* out, const float* y, int B, int T, int C, int NH) {
  const std::size_t i = thread_index();
  if (i >= static_cast<std::size_t>(B) * T * C) return;
  out[heads_to_rows(i, T, C, NH)] = y[i];
}

__global__ void split_heads_grad_kernel(float* dy, const float* dout, int B, int T, int C, int NH) {
  const std::size_t i = thread_index();
  if (i >= static_cast<std::size_t>(B) * T * C) return;
  dy[i] = dout[heads_to_rows(i, T, C, NH)];
}

// In place on each row t of the raw scores q·kᵀ: softmax of scale·scores over positions 0..t (the CPU
// pass's formula: exp(s·scale − max·scale)), zero after t. One warp per row of the B·NH·T rows.
__global__ void causal_softmax_kernel(float* att, int rows, int T, float scale) {
  const int row = warp_row();
  if (row >= rows) return;
  const int t = row % T;
  float* a = att + static_cast<std::size_t>(row) * T;
  float mx = -INFINITY;
  for (int j = lane(); j <= t; j += 32) mx = fmaxf(mx, a[j]);
  mx = warp_max(mx) * scale;
  float s = 0;
  for (int j = lane(); j <= t; j += 32) {
    const float e = expf(a[j] * scale - mx);
    a[j] = e;
    s += e;
  }
  s = warp_sum(s);
  for (int j = lane(); j < T; j += 32) a[j] = j <= t ? a[j] / s : 0.0f;
}

// In place on datt: d scores = att ⊙ (datt − Σ_j att_j datt_j) on positions 0..t, 0 after.
__global__ void causal_softmax_backward_kernel(float* datt, const float* att, int rows, int T) {
  const int row = warp_row();
  if (row >= rows) return;
  const int t = row % T;
  float* d = datt + static_cast<std::size_t>(row) * T;
  const float* a = att + static_cast<std::size_t>(row) * T;
  float s = 0;
  for (int j = lane(); j <= t; j += 32) s += a[j] * d[j];
  s = warp_sum(s);
  for (int j = lane(); j < T; j += 32) d[j] = j <= t ? a[j] * (d[j] - s) : 0.0f;
}

// ---- dropout (the mask regenerated per element from the counter-based stream) ---------------------------
__global__ void dropout_forward_kernel(float* out, const float* in, std::size_t n, DropoutMask m, std::uint64_t base) {
  const std::size_t i = thread_index();
  if (i < n) out[i] = m.keep(base + i) ? in[i] * static_cast<float>(m.scale) : 0.0f;
}

__global__ void dropout_backward_kernel(float* dinp, const float* dout, std::size_t n, DropoutMask m,
                                        std::uint64_t base) {
  const std::size_t i = thread_index();
  if (i < n && m.keep(base + i)) dinp[i] += dout[i] * static_cast<float>(m.scale);
}

// ---- pointwise -----------------------------------------------------------------------------------------
__global__ void gelu_forward_kernel(float* out, const float* inp, std::size_t n) {
  const std::size_t i = thread_index();
  if (i >= n) return;
  const float x = inp[i];
  out[i] = 0.5f * x * (1.0f + erff(x * 0.70710678118654752440f));
}

// d/dx x·Φ(x) = Φ(x) + x·φ(x)
__global__ void gelu_backward_kernel(float* dinp, const float* inp, const float* dout, std::size_t n) {
  const std::size_t i = thread_index();
  if (i >= n) return;
  const float x = inp[i];
  const float cdf = 0.5f * (1.0f + erff(x * 0.70710678118654752440f));
  const float pdf = expf(-0.5f * x * x) * 0.39894228040143267794f;
  dinp[i] += dout[i] * (cdf + x * pdf);
}

__global__ void residual_forward_kernel(float* out, const float* a, const float* b, std::size_t n) {
  const std::size_t i = thread_index();
  if (i < n) out[i] = a[i] + b[i];
}

// ---- cross-entropy (one warp per row) ------------------------------------------------------------------
__global__ void crossentropy_forward_kernel(float* probs, float* losses, const float* logits, const int* targets, int N,
                                            int V) {
  const int row = warp_row();
  if (row >= N) return;
  const float* l = logits + static_cast<std::size_t>(row) * V;
  float* p = probs + static_cast<std::size_t>(row) * V;
  float mx = -INFINITY;
  for (int j = lane(); j < V; j += 32) mx = fmaxf(mx, l[j]);
  mx = warp_max(mx);
  float s = 0;
  for (int j = lane(); j < V; j += 32) {
    const float e = expf(l[j] - mx);
    p[j] = e;
    s += e;
  }
  s = warp_sum(s);
  for (int j = lane(); j < V; j += 32) p[j] /= s;
  if (lane() == 0) losses[row] = (mx + logf(s)) - l[targets[row]];
}

__global__ void crossentropy_backward_kernel(float* dlogits, const float* probs, const int* targets, float g, int N,
                                             int V) {
  const std::size_t i = thread_index();
  if (i >= static_cast<std::size_t>(N) * V) return;
  const int row = static_cast<int>(i / V), j = static_cast<int>(i % V);
  dlogits[i] += g * (probs[i] - (j == targets[row] ? 1.0f : 0.0f));
}

// Strided-batched SGEMM on row-major operands, written as the column-major call cuBLAS takes.
void sgemm_batched(const CudaContext& cx, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, float alpha,
                   const float* a, int lda, long long sa, const float* b, int ldb, long long sb, float beta, float* c,
                   int ldc, long long sc, int batch, const char* what) {
  check_cublas(cublasSgemmStridedBatched(cx.blas, ta, tb, m, n, k, &alpha, a, lda, sa, b, ldb, sb, &beta, c, ldc, sc,
                                         batch),
               what);
}

}  // namespace

void embedding_forward(const CudaContext& cx, float* out, const int* tokens, const float* wte, const float* wpe, int B,
                       int T, int C) {
  const std::size_t n = static_cast<std::size_t>(B) * T * C;
  embedding_forward_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(out, tokens, wte, wpe, B * T, T, C);
  check_launch("embedding_forward");
}

void embedding_backward(const CudaContext& cx, float* dwte, float* dwpe, const float* dout, const int* tokens, int B,
                        int T, int C, int V) {
  embedding_backward_wte_kernel<<<blocks_for(static_cast<std::size_t>(V) * C), kThreads, 0, cx.stream>>>(
      dwte, dout, tokens, B * T, V, C);
  check_launch("embedding_backward (wte)");
  embedding_backward_wpe_kernel<<<blocks_for(static_cast<std::size_t>(T) * C), kThreads, 0, cx.stream>>>(dwpe, dout, B,
                                                                                                       T, C);
  check_launch("embedding_backward (wpe)");
}

void layernorm_forward(const CudaContext& cx, float* out, float* mean, float* rstd, const float* inp, const float* w,
                       int N, int C) {
  layernorm_forward_kernel<<<warp_blocks_for(N), kThreads, 0, cx.stream>>>(out, mean, rstd, inp, w, N, C);
  check_launch("layernorm_forward");
}

void layernorm_backward(const CudaContext& cx, float* dinp, float* dw, const float* dout, const float* inp,
                        const float* w, const float* mean, const float* rstd, int N, int C) {
  layernorm_backward_inp_kernel<<<warp_blocks_for(N), kThreads, 0, cx.stream>>>(dinp, dout, inp, w, mean, rstd, N, C);
  check_launch("layernorm_backward (input)");
  layernorm_backward_w_kernel<<<blocks_for(C), kThreads, 0, cx.stream>>>(dw, dout, inp, mean, rstd, N, C);
  check_launch("layernorm_backward (weight)");
}

// out (N, OC) = inp (N, C) · wᵀ: column-major, outᵀ (OC × N) = op_T(w as C × OC) · inpᵀ (C × N).
void linear_forward(const CudaContext& cx, float* out, const float* inp, const float* w, int N, int C, int OC) {
  const float one = 1.0f, zero = 0.0f;
  check_cublas(cublasSgemm(cx.blas, CUBLAS_OP_T, CUBLAS_OP_N, OC, N, C, &one, w, C, inp, C, &zero, out, OC),
               "linear_forward");
}

// dinp (N, C) += dout · w: dinpᵀ (C × N) = w as (C × OC) · doutᵀ (OC × N).
// dw (OC, C) += doutᵀ · inp: dwᵀ (C × OC) = inpᵀ (C × N) · op_T(dout as OC × N).
void linear_backward(const CudaContext& cx, float* dinp, float* dw, const float* dout, const float* inp,
                     const float* w, int N, int C, int OC) {
  const float one = 1.0f;
  check_cublas(cublasSgemm(cx.blas, CUBLAS_OP_N, CUBLAS_OP_N, C, N, OC, &one, w, C, dout, OC, &one, dinp, C),
               "linear_backward (input)");
  check_cublas(cublasSgemm(cx.blas, CUBLAS_OP_N, CUBLAS_OP_T, C, OC, N, &one, inp, C, dout, OC, &one, dw, C),
               "linear_backward (weight)");
}

// Per (b, h), row-major: scores (T × T) = q kᵀ, att = causal softmax(scale · scores), y (T × hs) = att v.
// Column-major: scoresᵀ = op_T(k as hs × T) · (q as hs × T); yᵀ (hs × T) = (v as hs × T) · (att as T × T)ᵀ-view.
void attention_forward(const CudaContext& cx, const AttentionScratch& s, float* out, float* att, const float* qkv,
                       int B, int T, int C, int NH, const DropoutMask* drop) {
  const int hs = C / NH, batch = B * NH;
  const std::size_t n = static_cast<std::size_t>(B) * T * C;
  const long long th = static_cast<long long>(T) * hs, tt = static_cast<long long>(T) * T;
  split_heads_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(s.q, s.k, s.v, qkv, B, T, C, NH);
  check_launch("attention_forward (split heads)");
  sgemm_batched(cx, CUBLAS_OP_T, CUBLAS_OP_N, T, T, hs, 1.0f, s.k, hs, th, s.q, hs, th, 0.0f, att, T, tt, batch,
                "attention_forward (q kᵀ)");
  causal_softmax_kernel<<<warp_blocks_for(static_cast<std::size_t>(batch) * T), kThreads, 0, cx.stream>>>(
      att, batch * T, T, 1.0f / std::sqrt(static_cast<float>(hs)));
  check_launch("attention_forward (softmax)");
  const float* weights = att;  // the probabilities v is weighted with
  if (drop) {
    dropout_forward(cx, s.att_drop, att, static_cast<std::size_t>(batch) * tt, *drop, 0);
    weights = s.att_drop;
  }
  sgemm_batched(cx, CUBLAS_OP_N, CUBLAS_OP_N, hs, T, T, 1.0f, s.v, hs, th, weights, T, tt, 0.0f, s.y, hs, th, batch,
                "attention_forward (att v)");
  merge_heads_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(out, s.y, B, T, C, NH);
  check_launch("attention_forward (merge heads)");
}

// Row-major per (b, h): datt = dy vᵀ, dv = attᵀ dy, dscores = softmax backward, dq = scale · dscores k,
// dk = scale · dscoresᵀ q. q, k, v are split again from qkv; the scratch buffers are reused for the
// gradients once read (dy and dq in y's, dv in v's, dk in k's).
void attention_backward(const CudaContext& cx, const AttentionScratch& s, float* dqkv, const float* dout,
                        const float* qkv, const float* att, int B, int T, int C, int NH, const DropoutMask* drop) {
  const int hs = C / NH, batch = B * NH;
  const std::size_t n = static_cast<std::size_t>(B) * T * C;
  const long long th = static_cast<long long>(T) * hs, tt = static_cast<long long>(T) * T;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  split_heads_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(s.q, s.k, s.v, qkv, B, T, C, NH);
  check_launch("attention_backward (split heads)");
  float* dy = s.y;
  split_heads_grad_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(dy, dout, B, T, C, NH);
  check_launch("attention_backward (split dout)");
  sgemm_batched(cx, CUBLAS_OP_T, CUBLAS_OP_N, T, T, hs, 1.0f, s.v, hs, th, dy, hs, th, 0.0f, s.datt, T, tt, batch,
                "attention_backward (dy vᵀ)");
  // dv overwrites v (no longer needed): dvᵀ (hs × T) = (dy as hs × T) · op_T(weights as T × T), with the
  // weights the forward used (the dropped-out probabilities in train mode); the mask then gates datt.
  const float* weights = att;
  if (drop) {
    dropout_forward(cx, s.att_drop, att, static_cast<std::size_t>(batch) * tt, *drop, 0);
    weights = s.att_drop;
  }
  sgemm_batched(cx, CUBLAS_OP_N, CUBLAS_OP_T, hs, T, T, 1.0f, dy, hs, th, weights, T, tt, 0.0f, s.v, hs, th, batch,
                "attention_backward (attᵀ dy)");
  if (drop) dropout_forward(cx, s.datt, s.datt, static_cast<std::size_t>(batch) * tt, *drop, 0);
  causal_softmax_backward_kernel<<<warp_blocks_for(static_cast<std::size_t>(batch) * T), kThreads, 0, cx.stream>>>(
      s.datt, att, batch * T, T);
  check_launch("attention_backward (softmax)");
  // dq into y's scratch (dy is spent), then dk into k's (dq has read k): stream order keeps these apart.
  float* dq = s.y;
  sgemm_batched(cx, CUBLAS_OP_N, CUBLAS_OP_N, hs, T, T, scale, s.k, hs, th, s.datt, T, tt, 0.0f, dq, hs, th, batch,
                "attention_backward (dscores k)");
  sgemm_batched(cx, CUBLAS_OP_N, CUBLAS_OP_T, hs, T, T, scale, s.q, hs, th, s.datt, T, tt, 0.0f, s.k, hs, th, batch,
                "attention_backward (dscoresᵀ q)");
  merge_heads_grad_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(dqkv, dq, s.k, s.v, B, T, C, NH);
  check_launch("attention_backward (merge heads)");
}

void dropout_forward(const CudaContext& cx, float* out, const float* in, std::size_t n, const DropoutMask& m,
                     std::uint64_t base) {
  dropout_forward_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(out, in, n, m, base);
  check_launch("dropout_forward");
}

void dropout_backward(const CudaContext& cx, float* dinp, const float* dout, std::size_t n, const DropoutMask& m,
                      std::uint64_t base) {
  dropout_backward_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(dinp, dout, n, m, base);
  check_launch("dropout_backward");
}

void gelu_forward(const CudaContext& cx, float* out, const float* inp, std::size_t n) {
  gelu_forward_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(out, inp, n);
  check_launch("gelu_forward");
}

void gelu_backward(const CudaContext& cx, float* dinp, const float* inp, const float* dout, std::size_t n) {
  gelu_backward_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(dinp, inp, dout, n);
  check_launch("gelu_backward");
}

void residual_forward(const CudaContext& cx, float* out, const float* a, const float* b, std::size_t n) {
  residual_forward_kernel<<<blocks_for(n), kThreads, 0, cx.stream>>>(out, a, b, n);
  check_launch("residual_forward");
}

void crossentropy_forward(const CudaContext& cx, float* probs, float* losses, const float* logits, const int* targets,
                          int N, int V) {
  crossentropy_forward_kernel<<<warp_blocks_for(N), kThreads, 0, cx.stream>>>(probs, losses, logits, targets, N, V);
  check_launch("crossentropy_forward");
}

void crossentropy_backward(const CudaContext& cx, float* dlogits, const float* probs, const int* targets, double dmean,
                           int N, int V) {
  crossentropy_backward_kernel<<<blocks_for(static_cast<std::size_t>(N) * V), kThreads, 0, cx.stream>>>(
      dlogits, probs, targets, static_cast<float>(dmean / N), N, V);
  check_launch("crossentropy_backward");
}

}  // namespace roundlab::gpt::cuda
