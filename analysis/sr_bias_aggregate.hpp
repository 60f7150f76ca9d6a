// Aggregates of pointwise bias/variance over a set of inputs (a grid, a binade, a file): counts, mean
// and extreme bias in target ulps, mean variance against exact SR's δ(1 − δ), all exact rationals.
#pragma once
#include <cstdint>
#include <optional>

#include "analysis/exact_rational.hpp"
#include "analysis/sr_bias_enumeration.hpp"

namespace roundlab::analysis {

struct BiasAggregate {
  std::uint64_t inputs = 0;
  // Inputs whose statistics are all finite rationals; every mean, sum and extreme below is over these
  // only (an input whose result can be ±Inf or NaN has no finite bias to average).
  std::uint64_t finite_inputs = 0;
  std::uint64_t exact_inputs = 0;       // δ = 0: x is in the format (a fixed point of every mode)
  std::uint64_t non_finite_inputs = 0;  // x not finite, or an outcome ±Inf / NaN / no encoding with P > 0
  std::uint64_t saturated_inputs = 0;   // saturation changed an outcome with P > 0
  // Sums over the finite inputs, in target ulps (variance, MSE, δ(1 − δ): ulp²).
  Rational sum_bias_ulps, sum_abs_bias_ulps, sum_variance_ulps, sum_exact_sr_variance, sum_mse_ulps, sum_p_away;
  Rational min_bias_ulps, max_bias_ulps, max_abs_bias_ulps;  // 0 when there is no finite input
  std::optional<ExactValue> argmax_abs_bias;                 // the first input reaching max |bias|

  // Means over the finite inputs, exact; nullopt when there is none.
  std::optional<Rational> mean_bias_ulps() const { return mean(sum_bias_ulps); }
  std::optional<Rational> mean_abs_bias_ulps() const { return mean(sum_abs_bias_ulps); }
  std::optional<Rational> mean_variance_ulps() const { return mean(sum_variance_ulps); }
  std::optional<Rational> mean_exact_sr_variance() const { return mean(sum_exact_sr_variance); }
  std::optional<Rational> mean_mse_ulps() const { return mean(sum_mse_ulps); }
  std::optional<Rational> mean_p_away() const { return mean(sum_p_away); }
  // Mean Var / mean δ(1 − δ): 1 for exact SR; exact; nullopt when every finite input is exact (δ = 0).
  std::optional<Rational> variance_ratio() const {
    if (sum_exact_sr_variance == 0) return std::nullopt;
    return Rational(sum_variance_ulps / sum_exact_sr_variance);
  }

 private:
  std::optional<Rational> mean(const Rational& sum) const {
    if (finite_inputs == 0) return std::nullopt;
    return Rational(sum / finite_inputs);
  }
};

class BiasAggregator {
 public:
  void add(const PointBias& point);  // exact
  const BiasAggregate& result() const { return aggregate_; }

 private:
  BiasAggregate aggregate_;
  Rational abs_bias_, exact_sr_variance_;  // reused temporaries (GMP rationals allocate on construction)
};

}  // namespace roundlab::analysis
