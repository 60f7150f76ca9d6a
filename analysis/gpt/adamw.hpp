// AdamW as torch.optim.AdamW (decoupled weight decay, bias-corrected moments, eps outside the sqrt) with
// nanoGPT's two parameter groups: weight decay on the 2-D tensors only. And torch's global-norm gradient
// clipping (clip_grad_norm_).
#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include "analysis/gpt/gpt_model.hpp"

namespace roundlab::gpt {

struct AdamWHyper {
  double beta1 = 0.9;
  double beta2 = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.1;  // applied to ParamTensor::two_d tensors only
};

// The moments m, v are held in S as well (fp32 for float training, like torch's fp32 state).
template <class S>
class AdamW {
 public:
  AdamW(const std::vector<ParamTensor>& tensors, const AdamWHyper& hyper);

  // One step t = steps() + 1 at learning rate lr, per element (torch's order of operations):
  //   p ← p·(1 − lr·wd);  m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;
  //   p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps).
  // The scalar factors are computed in double and rounded once to S.
  void step(std::span<S> params, std::span<const S> grads, double lr);
  long steps() const { return t_; }
  std::span<const S> m() const { return m_; }
  std::span<const S> v() const { return v_; }

 private:
  std::vector<ParamTensor> tensors_;
  AdamWHyper hyper_;
  std::vector<S> m_, v_;
  long t_ = 0;
};

// Global 2-norm of all gradients (sum of squares in double over fixed chunks, added in order: the same
// result for any thread count). With max_norm > 0 the gradients are scaled by
// min(1, max_norm / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_. Returns the norm before clipping.
template <class S>
double clip_grad_norm(std::span<S> grads, double max_norm);

extern template class AdamW<float>;
extern template class AdamW<double>;

}  // namespace roundlab::gpt
