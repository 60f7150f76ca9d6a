#include "analysis/sr_bias_enumeration.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "reference/error.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"
#include "reference/round_away.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab::analysis {

CountMethod parse_count_method(std::string_view name) {
  if (name == "auto") return CountMethod::Auto;
  if (name == "enumerate") return CountMethod::Enumerate;
  if (name == "count") return CountMethod::Count;
  throw InputError("unknown counting method '" + std::string(name) + "': expected auto, enumerate or count");
}

std::string count_method_name(CountMethod method) {
  switch (method) {
    case CountMethod::Auto: return "auto";
    case CountMethod::Enumerate: return "enumerate";
    case CountMethod::Count: return "count";
  }
  return "?";
}

std::string how_computed_name(HowComputed how) {
  switch (how) {
    case HowComputed::Deterministic: return "deterministic";
    case HowComputed::Enumerated: return "enumerated";
    case HowComputed::Counted: return "counted";
    case HowComputed::ExactDelta: return "exact-delta";
    case HowComputed::SpecialInput: return "special-input";
  }
  return "?";
}

bool PointBias::any_saturated() const {
  return std::any_of(outcomes.begin(), outcomes.end(), [](const RoundingOutcome& o) { return o.saturated; });
}

bool PointBias::any_non_finite_outcome() const {
  return std::any_of(outcomes.begin(), outcomes.end(),
                     [](const RoundingOutcome& o) { return o.no_encoding || !o.value.is_finite(); });
}

CountMethod choose_count_method(const Rounding& rounding, std::uint64_t inputs) {
  if (!rounding.uses_random_bits()) return CountMethod::Count;  // nothing to enumerate
  const int n = rounding.random_bits;
  if (n > kMaxEnumeratedBits) return CountMethod::Count;
  const std::uint64_t per_input = std::uint64_t{1} << n;
  const std::uint64_t budget = std::uint64_t{1} << 22;
  return inputs <= budget / per_input ? CountMethod::Enumerate : CountMethod::Count;
}

namespace {

std::uint64_t all_ones(int n) { return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; }

// The draw r that makes a few-bit mode go the wanted way when 0 < C < 2^N (resp. C > 0 for away,
// C < 2^N for toward): srff/srf/src/sro round away iff R(ν2^N) + r ≥ 2^N (srf: the same in its
// 2^(N+1) form), so r = 2^N − 1 goes away and r = 0 toward zero; srceil goes away iff r < ⌈ν2^N⌉,
// the other way round.
std::uint64_t draw_for(Mode mode, int n, bool away) {
  const bool high_goes_away = mode != Mode::StochasticCeil;
  return away == high_goes_away ? all_ones(n) : 0;
}

bool same_outcome(const RoundingOutcome& a, const RoundingOutcome& b) {
  return a.no_encoding == b.no_encoding && a.away == b.away && a.saturated == b.saturated &&
         a.value.identical(b.value);
}

void set_finite(ExtendedRational& e, const Rational& q) {
  e.kind = ExtendedRational::Kind::Finite;
  e.value = q;  // assignment into existing storage: no allocation once warm
}

void set_kind(ExtendedRational& e, ExtendedRational::Kind kind) {
  e.kind = kind;
  e.value = 0;
}

// out = q·2^e in place (exact).
void shift_into(Rational& out, const Rational& q, long e) {
  if (e >= 0) mpq_mul_2exp(out.backend().data(), q.backend().data(), static_cast<mp_bitcnt_t>(e));
  else mpq_div_2exp(out.backend().data(), q.backend().data(), static_cast<mp_bitcnt_t>(-e));
}

}  // namespace

// E, E − x, Var, MSE from the outcomes: exact when all outcomes are finite, else ±inf / nan.
void PointBiasEvaluator::fill_statistics(PointBias& p) {
  using K = ExtendedRational::Kind;
  bool any_nan = false, any_pos_inf = false, any_neg_inf = false;
  for (const auto& o : p.outcomes) {
    if (o.no_encoding || o.value.is_nan()) any_nan = true;
    else if (o.value.is_infinite()) (o.value.negative() ? any_neg_inf : any_pos_inf) = true;
  }
  K mean_kind = K::Finite;
  if (any_nan || (any_pos_inf && any_neg_inf)) mean_kind = K::NaN;
  else if (any_pos_inf) mean_kind = K::PositiveInfinity;
  else if (any_neg_inf) mean_kind = K::NegativeInfinity;
  for (ExtendedRational* e : {&p.bias_ulps, &p.variance, &p.variance_ulps, &p.mse, &p.mse_ulps}) set_kind(*e, K::NaN);

  if (!p.x_finite) {
    // No ulp and no exact x: only E[result] and E[result] − x can be stated.
    if (mean_kind == K::Finite) set_finite(p.mean, p.outcomes.front().value_exact);
    else set_kind(p.mean, mean_kind);
    if (p.x.is_nan() || mean_kind != K::Finite) {
      set_kind(p.error, K::NaN);  // NaN input, or ∞ − ∞ (x = ±Inf kept as ±Inf)
    } else {
      // x = ±Inf clamped to a finite value: finite − (±∞) = ∓∞.
      set_kind(p.error, p.x.negative() ? K::PositiveInfinity : K::NegativeInfinity);
    }
    return;
  }
  if (mean_kind != K::Finite) {
    // E[result] = ±∞ when one sign of infinity has probability > 0; Var is then ∞ − ∞ (undefined) and
    // MSE is +∞. NaN outcomes make everything undefined.
    set_kind(p.mean, mean_kind);
    set_kind(p.error, mean_kind);
    if (mean_kind != K::NaN) {
      p.bias_ulps = p.x_exact < 0 ? p.error.negated() : p.error;
      set_kind(p.mse, K::PositiveInfinity);
      set_kind(p.mse_ulps, K::PositiveInfinity);
    }
    return;
  }
  // All outcomes finite: with d_k = v_k − x, E − x = Σ p_k d_k, MSE = Σ p_k d_k², Var = MSE − (E − x)².
  Scratch& s = scratch_;
  s.error = 0;
  s.mse = 0;
  for (const auto& o : p.outcomes) {
    s.d = o.value_exact - p.x_exact;
    s.pd = o.probability * s.d;
    s.error += s.pd;
    s.t = s.pd * s.d;
    s.mse += s.t;
  }
  s.t = s.error * s.error;
  p.variance.kind = K::Finite;
  p.variance.value = s.mse - s.t;
  const long q = p.quantum_exponent;  // ulp = 2^Q: dividing by it is a shift
  p.mean.kind = K::Finite;
  p.mean.value = p.x_exact + s.error;
  set_finite(p.error, s.error);
  if (p.x_exact < 0) s.error = -s.error;  // bias is signed + away from zero
  p.bias_ulps.kind = K::Finite;
  shift_into(p.bias_ulps.value, s.error, -q);
  p.variance_ulps.kind = K::Finite;
  shift_into(p.variance_ulps.value, p.variance.value, -2 * q);
  set_finite(p.mse, s.mse);
  p.mse_ulps.kind = K::Finite;
  shift_into(p.mse_ulps.value, s.mse, -2 * q);
}

namespace {

ExactValue one_minus_2_pow_minus_192() {
  Mpfr u(kWorkPrecision);
  mpfr_set_ui_2exp(u.get(), 1, -192, MPFR_RNDN);
  mpfr_ui_sub(u.get(), 1, u.get(), MPFR_RNDN);  // exact: 192 bits ≤ kWorkPrecision
  return ExactValue::from_mpfr(u.get());
}

}  // namespace

PointBiasEvaluator::PointBiasEvaluator(IeeeLikeFormat format, Rounding rounding, CountMethod method)
    : format_(std::move(format)), rounding_(rounding), method_(method) {
  mpfr_setup();
  ieee().validate();
  rounding_.validate();
  if (method_ == CountMethod::Auto)
    method_ = rounding_.uses_random_bits() && rounding_.random_bits <= kMaxEnumeratedBits ? CountMethod::Enumerate
                                                                                         : CountMethod::Count;
  if (rounding_.mode == Mode::StochasticExact && rounding_.random_bits != 0)
    throw InputError("mode sr is analysed with its exact real u (P(away) = δ); its 64-bit-word form u = r·2^-64 "
                     "is srff with N = 64: ask for that instead of sr with N = 64");
  if (method_ == CountMethod::Enumerate && rounding_.uses_random_bits() && rounding_.random_bits > kMaxEnumeratedBits)
    throw InputError("enumerating all 2^N values of r needs N ≤ " + std::to_string(kMaxEnumeratedBits) +
                     " (N = " + std::to_string(rounding_.random_bits) + "); use the count method, which is exact too");
}

RoundingOutcome PointBiasEvaluator::call_reference(const Rounding& rounding, const ExactValue& x, std::uint64_t r,
                                                   const std::optional<ExactValue>& u) {
  RoundingOutcome o;
  RandomDraw draw;
  draw.r = r;
  draw.u = u;
  try {
    RoundResult res = reference_round(format_, rounding, x, draw);  // the whole Project: round, saturate, encode
    o.value = std::move(res.value);
    if (o.value.is_finite()) o.value_exact = rational_of(o.value);
    o.code = res.code;
    o.away = res.away;
    o.saturated = res.saturated;
  } catch (const NoEncodingError&) {
    // The result is NaN in a format without NaN: an outcome, reported as such, not an error of the
    // analysis. RoundToPrecision alone says which way it went.
    bool away = false;
    (void)round_to_precision(ieee(), rounding, x, draw, &away);
    o.value = ExactValue::nan();
    o.no_encoding = true;
    o.away = away;
    o.saturated = true;
  }
  return o;
}

// The outcome of rounding x toward zero (away == false) or away from zero (away == true), from the
// reference with a draw that goes that way. The caller knows that way has non-zero probability.
RoundingOutcome PointBiasEvaluator::probe(const ExactValue& x, bool away, mpfr_srcptr nu) {
  RoundingOutcome o;
  if (rounding_.mode == Mode::StochasticExact) {
    // u = 0: away iff ν ≥ 1, never. u = 1 − 2^-192 (the largest u the reference accepts): away iff
    // ν ≥ 2^-192. A smaller ν > 0 (x with more than 192 bits below the target ulp) is rounded away
    // by srceil with N = 64 and r = 0 (⌈ν·2^64⌉ ≥ 1): Saturate's table names no stochastic mode, so
    // every SR mode saturates alike and that is sr's away outcome as well.
    if (!away) {
      o = call_reference(rounding_, x, 0, ExactValue::zero(false));
    } else if (mpfr_cmp_ui_2exp(nu, 1, -192) >= 0) {
      o = call_reference(rounding_, x, 0, one_minus_2_pow_minus_192());
    } else {
      Rounding proxy = rounding_;
      proxy.mode = Mode::StochasticCeil;
      proxy.random_bits = 64;
      o = call_reference(proxy, x, 0, std::nullopt);
    }
  } else {
    o = call_reference(rounding_, x, draw_for(rounding_.mode, rounding_.random_bits, away), std::nullopt);
  }
  if (o.away != away)
    throw std::logic_error("reference_round went " + std::string(o.away ? "away" : "toward zero") + " for x = " +
                           to_hex_float(x) + " with a draw chosen to go the other way (" + rounding_.describe() + ")");
  return o;
}

PointBias PointBiasEvaluator::evaluate(const ExactValue& x) {
  PointBias p;
  evaluate(x, p);
  return p;
}

void PointBiasEvaluator::evaluate(const ExactValue& x, PointBias& p) {
  // Every field is overwritten; assignments reuse p's storage (a grid reuses one PointBias).
  p.x = x;
  p.x_finite = x.is_finite();
  p.quantum_exponent = 0;
  p.x_exact = 0;
  p.ulp = 0;
  p.delta = 0;
  p.toward_candidate = 0;
  p.away_candidate = 0;
  size_t used = 0;
  auto add_outcome = [&](const RoundingOutcome& o) -> RoundingOutcome& {
    if (used < p.outcomes.size()) p.outcomes[used] = o;
    else p.outcomes.push_back(o);
    return p.outcomes[used++];
  };
  auto finish = [&] {
    p.outcomes.resize(used);
    fill_statistics(p);
  };

  // ±0, ±Inf, NaN: RoundToPrecision returns them unchanged for every draw, so one call decides.
  if (!p.x_finite || x.is_zero()) {
    p.how = HowComputed::SpecialInput;
    if (p.x_finite) {
      p.quantum_exponent = ieee().min_exponent() - ieee().p + 1;
      p.ulp = pow2(p.quantum_exponent);
    }
    RoundingOutcome& o = add_outcome(call_reference(rounding_, x, 0, std::nullopt));
    o.probability = 1;
    p.p_away = o.away ? 1 : 0;
    finish();
    return;
  }

  p.x_exact = rational_of(x);  // InputError when x is inexact without its rational
  const bool negative = x.negative();
  const PrecisionStep step = precision_step(ieee(), x);
  p.quantum_exponent = step.quantum_exponent;
  p.ulp = pow2(step.quantum_exponent);
  Rational& integer_part = scratch_.integer_part;
  integer_part = rational_of(step.integer_part.get());
  // δ from x's exact rational (the reference's ν may be a round-to-odd image of it).
  scratch_.t = abs(p.x_exact);
  shift_into(p.delta, scratch_.t, -p.quantum_exponent);
  p.delta -= integer_part;
  if (p.delta < 0 || p.delta >= 1)
    throw std::logic_error("δ outside [0, 1) for x = " + to_hex_float(x) + ": precision_step disagrees with x");
  shift_into(p.toward_candidate, integer_part, p.quantum_exponent);
  scratch_.t = integer_part + 1;
  shift_into(p.away_candidate, scratch_.t, p.quantum_exponent);
  if (negative) {
    p.toward_candidate = -p.toward_candidate;
    p.away_candidate = -p.away_candidate;
  }

  const int n = rounding_.random_bits;
  if (!rounding_.is_stochastic()) {
    p.how = HowComputed::Deterministic;
    RoundingOutcome& o = add_outcome(call_reference(rounding_, x, 0, std::nullopt));
    o.probability = 1;
    p.p_away = o.away ? 1 : 0;
  } else if (rounding_.uses_random_bits() && method_ == CountMethod::Enumerate) {
    // Every r through the whole reference path; outcomes grouped by (value, away, saturated).
    p.how = HowComputed::Enumerated;
    const std::uint64_t count = std::uint64_t{1} << n;
    std::vector<std::pair<RoundingOutcome, std::uint64_t>> seen;
    std::uint64_t away_count = 0;
    for (std::uint64_t r = 0; r < count; ++r) {
      RoundingOutcome o = call_reference(rounding_, x, r, std::nullopt);
      away_count += o.away ? 1 : 0;
      auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& e) { return same_outcome(e.first, o); });
      if (it == seen.end()) seen.emplace_back(std::move(o), 1);
      else ++it->second;
    }
    std::stable_sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return !a.first.away && b.first.away; });
    for (auto& [o, c] : seen) {
      RoundingOutcome& added = add_outcome(o);
      added.probability = Rational(Integer(c), Integer(count));
    }
    p.p_away = Rational(Integer(away_count), Integer(count));
  } else {
    if (rounding_.mode == Mode::StochasticExact) {
      p.how = HowComputed::ExactDelta;
      p.p_away = p.delta;  // exact SR: P(δ + u ≥ 1) = δ for u uniform on [0, 1)
    } else {
      p.how = HowComputed::Counted;
      const unsigned __int128 c = round_away_count(rounding_, step.nu.get());
      Integer c_int = static_cast<std::uint64_t>(c >> 64);
      c_int <<= 64;
      c_int += static_cast<std::uint64_t>(c);
      scratch_.t = c_int;
      shift_into(p.p_away, scratch_.t, -n);
    }
    const bool same_bracket = cache_.valid && cache_.negative == negative &&
                              cache_.quantum_exponent == step.quantum_exponent && cache_.integer_part == integer_part;
    if (!same_bracket) cache_ = Probe{true, negative, step.quantum_exponent, integer_part, std::nullopt, std::nullopt};
    if (p.p_away < 1) {
      if (!cache_.toward) cache_.toward = probe(x, false, step.nu.get());
      add_outcome(*cache_.toward).probability = 1 - p.p_away;
    }
    if (p.p_away > 0) {
      if (!cache_.away) cache_.away = probe(x, true, step.nu.get());
      add_outcome(*cache_.away).probability = p.p_away;
    }
  }
  finish();
}

PointBias enumerate_point_bias(const IeeeLikeFormat& format, const Rounding& rounding, const ExactValue& x,
                               CountMethod method) {
  return PointBiasEvaluator(format, rounding, method).evaluate(x);
}

}  // namespace roundlab::analysis
