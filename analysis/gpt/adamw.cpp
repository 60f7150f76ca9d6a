#include "analysis/gpt/adamw.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "reference/error.hpp"

namespace roundlab::gpt {

template <class S>
AdamW<S>::AdamW(const std::vector<ParamTensor>& tensors, const AdamWHyper& hyper) : tensors_(tensors), hyper_(hyper) {
  const std::size_t n = tensors_.empty() ? 0 : tensors_.back().offset + tensors_.back().size();
  m_.assign(n, S(0));
  v_.assign(n, S(0));
}

template <class S>
void AdamW<S>::step(std::span<S> params, std::span<const S> grads, double lr) {
  if (params.size() != m_.size() || grads.size() != m_.size())
    throw InputError("AdamW: " + std::to_string(params.size()) + " parameters and " + std::to_string(grads.size()) +
                     " gradients for a state of " + std::to_string(m_.size()));
  ++t_;
  const double bc1 = 1.0 - std::pow(hyper_.beta1, static_cast<double>(t_));
  const double bc2 = 1.0 - std::pow(hyper_.beta2, static_cast<double>(t_));
  const S b1 = static_cast<S>(hyper_.beta1), b2 = static_cast<S>(hyper_.beta2);
  const S one_b1 = static_cast<S>(1.0 - hyper_.beta1), one_b2 = static_cast<S>(1.0 - hyper_.beta2);
  const S step_size = static_cast<S>(lr / bc1);
  const S bc2_sqrt = static_cast<S>(std::sqrt(bc2));
  const S eps = static_cast<S>(hyper_.eps);
  // One parallel region for all tensors; no barrier between tensors (every element is independent).
#pragma omp parallel if (m_.size() >= 32768)
  for (const ParamTensor& t : tensors_) {
    const S decay = static_cast<S>(t.two_d ? 1.0 - lr * hyper_.weight_decay : 1.0);
    S* p = params.data() + t.offset;
    const S* g = grads.data() + t.offset;
    S* m = m_.data() + t.offset;
    S* v = v_.data() + t.offset;
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(t.size());
#pragma omp for schedule(static) nowait
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      p[i] *= decay;
      m[i] = b1 * m[i] + one_b1 * g[i];
      v[i] = b2 * v[i] + one_b2 * g[i] * g[i];
      const S denom = std::sqrt(v[i]) / bc2_sqrt + eps;
      p[i] -= step_size * (m[i] / denom);
    }
  }
}

template <class S>
double clip_grad_norm(std::span<S> grads, double max_norm) {
  constexpr std::size_t kChunk = 8192;
  const std::size_t n = grads.size();
  const std::ptrdiff_t chunks = static_cast<std::ptrdiff_t>((n + kChunk - 1) / kChunk);
  std::vector<double> partial(static_cast<std::size_t>(chunks), 0.0);
#pragma omp parallel for schedule(static) if (n >= 4 * kChunk)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const std::size_t lo = static_cast<std::size_t>(c) * kChunk, hi = std::min(n, lo + kChunk);
    double s = 0;
    for (std::size_t i = lo; i < hi; ++i) s += static_cast<double>(grads[i]) * static_cast<double>(grads[i]);
    partial[static_cast<std::size_t>(c)] = s;
  }
  double total = 0;
  for (double s : partial) total += s;
  const double norm = std::sqrt(total);
  const double coef_d = max_norm / (norm + 1e-6);
  if (max_norm > 0 && coef_d < 1.0) {  // torch multiplies by min(coef, 1)
    const S coef = static_cast<S>(coef_d);
#pragma omp parallel for schedule(static) if (n >= 4 * kChunk)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i) grads[static_cast<std::size_t>(i)] *= coef;
  }
  return norm;
}

template class AdamW<float>;
template class AdamW<double>;
template double clip_grad_norm<float>(std::span<float>, double);
template double clip_grad_norm<double>(std::span<double>, double);

}  // namespace roundlab::gpt
