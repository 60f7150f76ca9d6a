#include "analysis/gpt/cuda/gpt_cuda_model.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "analysis/gpt/cuda/gpt_cuda_layers.cuh"

namespace roundlab::gpt {

using cuda::check_cublas;
using cuda::check_cuda;

namespace {

struct LayerParams {
  float *ln1w, *qkvw, *attprojw, *ln2w, *fcw, *fcprojw;
};

}  // namespace

// Device buffers: parameters and gradients in the host layout, the activations of gpt_model's Shard for
// the whole batch (one allocation), the backward's gradient buffers and the attention scratch.
struct GptCudaModel::Device {
  cuda::CudaContext cx;
  std::string name;
  float* params = nullptr;
  float* grads = nullptr;
  int B = 0, T = 0;
  int *inputs = nullptr, *targets = nullptr;
  float* acts = nullptr;  // one allocation, carved below
  float *residual = nullptr, *lnf = nullptr, *lnf_mean = nullptr, *lnf_rstd = nullptr;
  float *logits = nullptr, *probs = nullptr, *losses = nullptr;
  float *dres = nullptr, *dln = nullptr, *datty = nullptr, *scratch = nullptr, *dqkv = nullptr, *dfch = nullptr,
        *dfch_gelu = nullptr, *dlogits = nullptr;
  cuda::AttentionScratch att;
  std::vector<LayerActs<float>> layers;

  ~Device() {
    cudaFree(acts);
    cudaFree(inputs);
    cudaFree(targets);
    cudaFree(grads);
    cudaFree(params);
    if (cx.blas) cublasDestroy(cx.blas);
    if (cx.stream) cudaStreamDestroy(cx.stream);
  }
};

namespace {

template <class T>
T* device_alloc(std::size_t n, const char* what) {
  void* p = nullptr;
  check_cuda(cudaMalloc(&p, n * sizeof(T)), what);
  return static_cast<T*>(p);
}

LayerParams layer_params(const std::vector<ParamTensor>& tensors, float* buffer, int l) {
  const std::size_t first = 2 + 6 * static_cast<std::size_t>(l);  // gpt_param_tensors' order
  auto at = [&](std::size_t k) { return buffer + tensors[first + k].offset; };
  return LayerParams{at(0), at(1), at(2), at(3), at(4), at(5)};
}

}  // namespace

GptCudaModel::GptCudaModel(const GptConfig& config) : host_(config), dev_(std::make_unique<Device>()) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    throw std::runtime_error("GPT on CUDA: no CUDA device is visible (use the CPU backend)");
  }
  cudaDeviceProp prop{};
  check_cuda(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  dev_->name = prop.name;
  check_cuda(cudaStreamCreate(&dev_->cx.stream), "cudaStreamCreate");
  check_cublas(cublasCreate(&dev_->cx.blas), "cublasCreate");
  check_cublas(cublasSetStream(dev_->cx.blas, dev_->cx.stream), "cublasSetStream");
  // Plain fp32 products: no TF32 tensor-core rounding of the inputs.
  check_cublas(cublasSetMathMode(dev_->cx.blas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
  const std::size_t n = host_.params().size();
  dev_->params = device_alloc<float>(n, "parameters");
  dev_->grads = device_alloc<float>(n, "gradients");
  check_cuda(cudaMemset(dev_->grads, 0, n * sizeof(float)), "zero gradients");
}

GptCudaModel::~GptCudaModel() = default;

std::string GptCudaModel::device_name() const { return dev_->name; }

void GptCudaModel::upload_params() {
  const std::span<const float> p = std::as_const(host_).params();
  check_cuda(cudaMemcpyAsync(dev_->params, p.data(), p.size() * sizeof(float), cudaMemcpyHostToDevice, dev_->cx.stream),
             "upload parameters");
  params_on_device_ = true;
}

void GptCudaModel::ensure_activations(int B, int T) {
  Device& d = *dev_;
  if (B == d.B && T == d.T) return;
  check_cuda(cudaStreamSynchronize(d.cx.stream), "synchronize");
  cudaFree(d.acts);
  cudaFree(d.inputs);
  cudaFree(d.targets);
  d.acts = nullptr;
  d.inputs = d.targets = nullptr;
  d.B = d.T = 0;
  const GptConfig& c = host_.config();
  const std::size_t BT = static_cast<std::size_t>(B) * T, C = c.n_embd, V = c.vocab_size, L = c.n_layer;
  const std::size_t NHTT = static_cast<std::size_t>(B) * c.n_head * T * T;
  const std::size_t per_layer = layer_acts_size(BT, C, NHTT);
  const std::size_t forward_size = (L + 1) * BT * C + L * per_layer + BT * C + 2 * BT + 2 * BT * V + BT;
  const std::size_t backward_size = 4 * BT * C + BT * 3 * C + 2 * BT * 4 * C + BT * V;
  const std::size_t attention_size = 4 * BT * C + 2 * NHTT;
  d.acts = device_alloc<float>(forward_size + backward_size + attention_size, "activations");
  d.inputs = device_alloc<int>(BT, "inputs");
  d.targets = device_alloc<int>(BT, "targets");
  float* p = d.acts;
  auto take = [&p](std::size_t n) {
    float* q = p;
    p += n;
    return q;
  };
  d.residual = take((L + 1) * BT * C);
  d.layers.clear();
  for (std::size_t l = 0; l < L; ++l) d.layers.push_back(take_layer_acts(p, BT, C, NHTT));
  d.lnf = take(BT * C);
  d.lnf_mean = take(BT);
  d.lnf_rstd = take(BT);
  d.logits = take(BT * V);
  d.probs = take(BT * V);
  d.losses = take(BT);
  d.dres = take(BT * C);
  d.dln = take(BT * C);
  d.datty = take(BT * C);
  d.scratch = take(BT * C);
  d.dqkv = take(BT * 3 * C);
  d.dfch = take(BT * 4 * C);
  d.dfch_gelu = take(BT * 4 * C);
  d.dlogits = take(BT * V);
  d.att.q = take(BT * C);
  d.att.k = take(BT * C);
  d.att.v = take(BT * C);
  d.att.y = take(BT * C);
  d.att.datt = take(NHTT);
  d.att.att_drop = take(NHTT);
  d.B = B;
  d.T = T;
}

double GptCudaModel::forward(const int* inputs, const int* targets, int B, int T) {
  const GptConfig& c = host_.config();
  validate_batch(c, inputs, targets, B, T);
  ensure_activations(B, T);
  Device& d = *dev_;
  const auto& cx = d.cx;
  const std::size_t BT = static_cast<std::size_t>(B) * T;
  const int N = static_cast<int>(BT), C = c.n_embd, NH = c.n_head, V = c.vocab_size, L = c.n_layer;
  if (!params_on_device_) upload_params();
  check_cuda(cudaMemcpyAsync(d.inputs, inputs, BT * sizeof(int), cudaMemcpyHostToDevice, cx.stream), "upload inputs");
  have_targets_ = targets != nullptr;
  dropped_ = training_ && c.dropout > 0;
  auto mask = [&](int site) { return dropout_mask(c.dropout, dropout_seed_, dropout_step_, site); };
  if (targets)
    check_cuda(cudaMemcpyAsync(d.targets, targets, BT * sizeof(int), cudaMemcpyHostToDevice, cx.stream),
               "upload targets");
  const auto& ts = host_.tensors();
  const float* wte = d.params + ts[0].offset;
  const float* wpe = d.params + ts[1].offset;
  const float* lnfw = d.params + ts.back().offset;

  cuda::embedding_forward(cx, d.residual, d.inputs, wte, wpe, B, T, C);
  if (dropped_) cuda::dropout_forward(cx, d.residual, d.residual, BT * C, mask(kDropoutSiteEmbedding), 0);
  for (int l = 0; l < L; ++l) {
    const LayerParams w = layer_params(ts, d.params, l);
    const LayerActs<float>& a = d.layers[l];
    const float* res_in = d.residual + l * BT * C;
    float* res_out = d.residual + (l + 1) * BT * C;
    cuda::layernorm_forward(cx, a.ln1, a.ln1_mean, a.ln1_rstd, res_in, w.ln1w, N, C);
    cuda::linear_forward(cx, a.qkv, a.ln1, w.qkvw, N, C, 3 * C);
    const DropoutMask att_mask = mask(dropout_site_attention(l));
    cuda::attention_forward(cx, d.att, a.atty, a.att, a.qkv, B, T, C, NH, dropped_ ? &att_mask : nullptr);
    cuda::linear_forward(cx, d.scratch, a.atty, w.attprojw, N, C, C);
    if (dropped_) cuda::dropout_forward(cx, d.scratch, d.scratch, BT * C, mask(dropout_site_attn_proj(l)), 0);
    cuda::residual_forward(cx, a.res_mid, res_in, d.scratch, BT * C);
    cuda::layernorm_forward(cx, a.ln2, a.ln2_mean, a.ln2_rstd, a.res_mid, w.ln2w, N, C);
    cuda::linear_forward(cx, a.fch, a.ln2, w.fcw, N, C, 4 * C);
    cuda::gelu_forward(cx, a.fch_gelu, a.fch, BT * 4 * C);
    cuda::linear_forward(cx, d.scratch, a.fch_gelu, w.fcprojw, N, 4 * C, C);
    if (dropped_) cuda::dropout_forward(cx, d.scratch, d.scratch, BT * C, mask(dropout_site_mlp_proj(l)), 0);
    cuda::residual_forward(cx, res_out, a.res_mid, d.scratch, BT * C);
  }
  cuda::layernorm_forward(cx, d.lnf, d.lnf_mean, d.lnf_rstd, d.residual + L * BT * C, lnfw, N, C);
  cuda::linear_forward(cx, d.logits, d.lnf, wte, N, C, V);  // lm_head tied to wte
  if (!targets) {
    check_cuda(cudaStreamSynchronize(cx.stream), "forward");
    return 0;
  }
  cuda::crossentropy_forward(cx, d.probs, d.losses, d.logits, d.targets, N, V);
  std::vector<float> losses(BT);
  check_cuda(cudaMemcpyAsync(losses.data(), d.losses, BT * sizeof(float), cudaMemcpyDeviceToHost, cx.stream),
             "download losses");
  check_cuda(cudaStreamSynchronize(cx.stream), "forward");
  double total = 0;  // in row order, as the CPU model
  for (float x : losses) total += static_cast<double>(x);
  return total / static_cast<double>(BT);
}

void GptCudaModel::zero_grad() {
  host_.zero_grad();
  check_cuda(cudaMemsetAsync(dev_->grads, 0, host_.grads().size() * sizeof(float), dev_->cx.stream), "zero gradients");
}

void GptCudaModel::backward() {
  if (!have_targets_) throw std::runtime_error("GPT backward: the last forward had no targets");
  Device& d = *dev_;
  const auto& cx = d.cx;
  const GptConfig& c = host_.config();
  const int B = d.B, T = d.T, C = c.n_embd, NH = c.n_head, V = c.vocab_size, L = c.n_layer;
  const std::size_t BT = static_cast<std::size_t>(B) * T;
  const int N = static_cast<int>(BT);
  const auto& ts = host_.tensors();
  const float* wte = d.params + ts[0].offset;
  const float* lnfw = d.params + ts.back().offset;
  float* dwte = d.grads + ts[0].offset;
  float* dwpe = d.grads + ts[1].offset;
  float* dlnfw = d.grads + ts.back().offset;
  auto zero = [&](float* p, std::size_t n) {
    check_cuda(cudaMemsetAsync(p, 0, n * sizeof(float), cx.stream), "zero a gradient buffer");
  };
  auto mask = [&](int site) { return dropout_mask(c.dropout, dropout_seed_, dropout_step_, site); };
  // The gradient reaching a dropout site's input: dres, or dres through the site's mask (in scratch).
  auto through_dropout = [&](int site) -> const float* {
    if (!dropped_) return d.dres;
    zero(d.scratch, BT * C);
    cuda::dropout_backward(cx, d.scratch, d.dres, BT * C, mask(site), 0);
    return d.scratch;
  };

  zero(d.dlogits, BT * V);
  cuda::crossentropy_backward(cx, d.dlogits, d.probs, d.targets, 1.0, N, V);
  zero(d.dln, BT * C);
  cuda::linear_backward(cx, d.dln, dwte, d.dlogits, d.lnf, wte, N, C, V);
  zero(d.dres, BT * C);
  cuda::layernorm_backward(cx, d.dres, dlnfw, d.dln, d.residual + L * BT * C, lnfw, d.lnf_mean, d.lnf_rstd, N, C);
  for (int l = L - 1; l >= 0; --l) {  // dres: the residual stream's gradient, added into in place
    const LayerParams w = layer_params(ts, d.params, l);
    const LayerParams dw = layer_params(ts, d.grads, l);
    const LayerActs<float>& a = d.layers[l];
    const float* res_in = d.residual + l * BT * C;
    zero(d.dfch_gelu, BT * 4 * C);
    cuda::linear_backward(cx, d.dfch_gelu, dw.fcprojw, through_dropout(dropout_site_mlp_proj(l)), a.fch_gelu,
                          w.fcprojw, N, 4 * C, C);
    zero(d.dfch, BT * 4 * C);
    cuda::gelu_backward(cx, d.dfch, a.fch, d.dfch_gelu, BT * 4 * C);
    zero(d.dln, BT * C);
    cuda::linear_backward(cx, d.dln, dw.fcw, d.dfch, a.ln2, w.fcw, N, C, 4 * C);
    cuda::layernorm_backward(cx, d.dres, dw.ln2w, d.dln, a.res_mid, w.ln2w, a.ln2_mean, a.ln2_rstd, N, C);
    zero(d.datty, BT * C);
    cuda::linear_backward(cx, d.datty, dw.attprojw, through_dropout(dropout_site_attn_proj(l)), a.atty, w.attprojw, N,
                          C, C);
    zero(d.dqkv, BT * 3 * C);
    const DropoutMask att_mask = mask(dropout_site_attention(l));
    cuda::attention_backward(cx, d.att, d.dqkv, d.datty, a.qkv, a.att, B, T, C, NH, dropped_ ? &att_mask : nullptr);
    zero(d.dln, BT * C);
    cuda::linear_backward(cx, d.dln, dw.qkvw, d.dqkv, a.ln1, w.qkvw, N, C, 3 * C);
    cuda::layernorm_backward(cx, d.dres, dw.ln1w, d.dln, res_in, w.ln1w, a.ln1_mean, a.ln1_rstd, N, C);
  }
  cuda::embedding_backward(cx, dwte, dwpe, through_dropout(kDropoutSiteEmbedding), d.inputs, B, T, C, V);
  const std::span<float> g = host_.grads();
  check_cuda(cudaMemcpyAsync(g.data(), d.grads, g.size() * sizeof(float), cudaMemcpyDeviceToHost, cx.stream),
             "download gradients");
  check_cuda(cudaStreamSynchronize(cx.stream), "backward");
}

std::vector<float> GptCudaModel::logits() const {
  const std::size_t n = static_cast<std::size_t>(dev_->B) * dev_->T * host_.config().vocab_size;
  std::vector<float> out(n);
  check_cuda(cudaMemcpy(out.data(), dev_->logits, n * sizeof(float), cudaMemcpyDeviceToHost), "download logits");
  return out;
}

}  // namespace roundlab::gpt
