#include "analysis/sr_bias_aggregate.hpp"

namespace roundlab::analysis {

void BiasAggregator::add(const PointBias& p) {
  BiasAggregate& a = aggregate_;
  ++a.inputs;
  if (p.exact_input()) ++a.exact_inputs;
  if (p.any_saturated()) ++a.saturated_inputs;
  if (!p.x_finite || p.any_non_finite_outcome() || !p.finite_statistics()) {
    ++a.non_finite_inputs;
    return;
  }
  const Rational& bias = p.bias_ulps.value;
  Rational& abs_bias = abs_bias_;
  abs_bias = abs(bias);
  if (a.finite_inputs == 0) {
    a.min_bias_ulps = a.max_bias_ulps = bias;
    a.max_abs_bias_ulps = abs_bias;
    a.argmax_abs_bias = p.x;
  } else {
    if (bias < a.min_bias_ulps) a.min_bias_ulps = bias;
    if (bias > a.max_bias_ulps) a.max_bias_ulps = bias;
    if (abs_bias > a.max_abs_bias_ulps) {
      a.max_abs_bias_ulps = abs_bias;
      a.argmax_abs_bias = p.x;
    }
  }
  ++a.finite_inputs;
  a.sum_bias_ulps += bias;
  a.sum_abs_bias_ulps += abs_bias;
  a.sum_variance_ulps += p.variance_ulps.value;
  exact_sr_variance_ = 1 - p.delta;
  exact_sr_variance_ *= p.delta;
  a.sum_exact_sr_variance += exact_sr_variance_;
  a.sum_mse_ulps += p.mse_ulps.value;
  a.sum_p_away += p.p_away;
}

}  // namespace roundlab::analysis
