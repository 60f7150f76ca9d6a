// The GPT's layer passes on a CUDA GPU: the same passes, shapes and accumulation conventions as
// ../gpt_layers.hpp (fp32, activations (B, T, C) row-major, weights (out, in) row-major, every backward
// adds into its outputs), on device pointers, on the context's stream. Matrix products go to cuBLAS
// (plain SGEMM, no TF32: CUBLAS_DEFAULT_MATH); the rest are hand-written kernels, one thread, warp or
// column per output element, each summing in a fixed order, so a run is reproducible on one GPU.
// Results agree with the CPU passes to float rounding, not bit for bit: the summation orders differ.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "analysis/gpt/dropout.hpp"

namespace roundlab::gpt::cuda {

// Throws std::runtime_error naming the call on a CUDA or cuBLAS failure.
void check_cuda(cudaError_t status, const char* what);
void check_cublas(cublasStatus_t status, const char* what);

struct CudaContext {
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
};

void embedding_forward(const CudaContext& cx, float* out, const int* tokens, const float* wte, const float* wpe, int B,
                       int T, int C);
void embedding_backward(const CudaContext& cx, float* dwte, float* dwpe, const float* dout, const int* tokens, int B,
                        int T, int C, int V);

void layernorm_forward(const CudaContext& cx, float* out, float* mean, float* rstd, const float* inp, const float* w,
                       int N, int C);
void layernorm_backward(const CudaContext& cx, float* dinp, float* dw, const float* dout, const float* inp,
                        const float* w, const float* mean, const float* rstd, int N, int C);

void linear_forward(const CudaContext& cx, float* out, const float* inp, const float* w, int N, int C, int OC);
void linear_backward(const CudaContext& cx, float* dinp, float* dw, const float* dout, const float* inp,
                     const float* w, int N, int C, int OC);

// Scratch for the attention passes: q, k, v, y (and their gradients) as (B, NH, T, hs), and two (B, NH, T, T)
// buffers: score gradients, and the dropped-out probabilities in train mode.
struct AttentionScratch {
  float *q = nullptr, *k = nullptr, *v = nullptr, *y = nullptr;  // BT·C each
  float *datt = nullptr, *att_drop = nullptr;                     // B·NH·T·T each
};
// With `drop`: out = (att ⊙ mask / (1 − p)) v, mask index of att[b, h, t, j] = ((b·NH + h)·T + t)·T + j.
void attention_forward(const CudaContext& cx, const AttentionScratch& s, float* out, float* att, const float* qkv,
                       int B, int T, int C, int NH, const DropoutMask* drop);
void attention_backward(const CudaContext& cx, const AttentionScratch& s, float* dqkv, const float* dout,
                        const float* qkv, const float* att, int B, int T, int C, int NH, const DropoutMask* drop);

// Dropout (../dropout.hpp) of n elements with mask indices base.. : out = keep ? in/(1 − p) : 0 (out may be
// in); backward dinp += keep ? dout/(1 − p) : 0.
void dropout_forward(const CudaContext& cx, float* out, const float* in, std::size_t n, const DropoutMask& m,
                     std::uint64_t base);
void dropout_backward(const CudaContext& cx, float* dinp, const float* dout, std::size_t n, const DropoutMask& m,
                      std::uint64_t base);

void gelu_forward(const CudaContext& cx, float* out, const float* inp, std::size_t n);
void gelu_backward(const CudaContext& cx, float* dinp, const float* inp, const float* dout, std::size_t n);
void residual_forward(const CudaContext& cx, float* out, const float* a, const float* b, std::size_t n);

// probs = softmax(logits) per row; losses[i] = log-sum-exp − target logit (the mean is taken on the host,
// in double and row order, as the CPU pass does).
void crossentropy_forward(const CudaContext& cx, float* probs, float* losses, const float* logits, const int* targets,
                          int N, int V);
void crossentropy_backward(const CudaContext& cx, float* dlogits, const float* probs, const int* targets, double dmean,
                           int N, int V);

}  // namespace roundlab::gpt::cuda
