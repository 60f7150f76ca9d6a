// Block quantization: OCP MX (formats.md §3.1–3.2), NVFP4 (§3.3), P3109 ConvertToBlockMaxAbsFinite
// (§2.6). Every step is exact in MPFR; see block_format.hpp for the definition choices.
#include "reference/block_format.hpp"

#include <gmp.h>

#include <string>

#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab {
namespace {

// The element and scale formats are built here, not looked up: block_catalogue() runs while the
// named catalogue is being built. tests/test_block_formats.cpp checks they equal the named ones.
IeeeLikeFormat ocp(std::string name, int k, int p, long bias, Domain domain, std::uint64_t high_nans,
                   std::string source) {
  IeeeLikeFormat f;
  f.name = std::move(name);
  f.family = "ocp";
  f.k = k;
  f.p = p;
  f.bias = bias;
  f.domain = domain;
  f.num_high_nans = high_nans;
  f.source = std::move(source);
  return f;
}

IeeeLikeFormat ocp_e4m3() {
  IeeeLikeFormat f = ocp("ocp_e4m3", 8, 4, 7, Domain::Finite, 1, "OCP OFP8 rev 1.0 (E4M3FN)");
  f.finite_overflow = FiniteOverflow::NaN;
  return f;
}
IeeeLikeFormat ocp_e5m2() { return ocp("ocp_e5m2", 8, 3, 15, Domain::Extended, 3, "OCP OFP8 rev 1.0"); }
IeeeLikeFormat ocp_e3m2() { return ocp("ocp_e3m2", 6, 3, 3, Domain::Finite, 0, "OCP MX v1.0 FP6"); }
IeeeLikeFormat ocp_e2m3() { return ocp("ocp_e2m3", 6, 4, 1, Domain::Finite, 0, "OCP MX v1.0 FP6"); }
IeeeLikeFormat ocp_e2m1() { return ocp("ocp_e2m1", 4, 2, 1, Domain::Finite, 0, "OCP MX v1.0 FP4"); }
IeeeLikeFormat ocp_int8() {
  IeeeLikeFormat f = ocp("ocp_int8", 8, 8, 0, Domain::Finite, 0, "OCP MX v1.0 INT8 element (k/64)");
  f.has_negative_zero = false;
  f.twos_complement = true;
  return f;
}
IeeeLikeFormat ocp_e8m0() {
  IeeeLikeFormat f = ocp("ocp_e8m0", 8, 1, 127, Domain::Finite, 1, "OCP MX v1.0 scale (E8M0)");
  f.is_signed = false;
  f.has_negative_zero = false;
  f.has_subnormals = false;
  f.finite_overflow = FiniteOverflow::NaN;
  return f;
}
IeeeLikeFormat ocp_ue4m3() {
  IeeeLikeFormat f = ocp("ocp_ue4m3", 7, 4, 7, Domain::Finite, 1, "NVFP4 block scale (E4M3, sign 0)");
  f.is_signed = false;
  f.has_negative_zero = false;
  f.finite_overflow = FiniteOverflow::NaN;
  return f;
}

IeeeLikeFormat binary32() {
  IeeeLikeFormat f;
  f.name = "binary32";
  f.family = "ieee754";
  f.k = 32;
  f.p = 24;
  f.bias = 127;
  f.num_high_nans = (std::uint64_t{1} << 23) - 1;
  return f;
}

// ⌊log2 |v|⌋ of a finite non-zero value (MPFR: |v| = 0.1b…·2^exp).
long floor_log2(const ExactValue& v) { return static_cast<long>(mpfr_get_exp(v.magnitude().get())) - 1; }

bool is_power_of_two(const ExactValue& v) {
  return mpfr_cmp_ui_2exp(v.magnitude().get(), 1, floor_log2(v)) == 0;
}

ExactValue pow2(long e) { return ExactValue::from_integer_scaled(false, 1, e); }

// x / s for finite x and finite non-zero s. Exact where it can be; otherwise the round-to-odd image
// at kWorkPrecision, which rounds like the true quotient to every grid this suite uses (see
// exact_value.hpp): the element and scale grids and SR thresholds have far fewer bits.
ExactValue divide(const ExactValue& x, const ExactValue& s) {
  ExactValue q = ExactValue::zero(x.negative() != s.negative());
  if (x.is_zero()) return q;
  int inexact = mpfr_div(q.magnitude().get(), x.magnitude().get(), s.magnitude().get(), MPFR_RNDZ);
  if (inexact != 0) q.make_round_to_odd_image();
  if (x.inexact()) q.set_inexact(true);
  return q;
}

// a · b with IEEE specials (∞·0 = NaN). Exact for format values (≤ 64 + 64 bits).
ExactValue multiply(const ExactValue& a, const ExactValue& b) {
  if (a.is_nan() || b.is_nan()) return ExactValue::nan();
  const bool negative = a.negative() != b.negative();
  if (a.is_infinite() || b.is_infinite()) {
    if (a.is_zero() || b.is_zero()) return ExactValue::nan();
    return ExactValue::infinity(negative);
  }
  ExactValue r = ExactValue::zero(negative);
  int inexact = mpfr_mul(r.magnitude().get(), a.magnitude().get(), b.magnitude().get(), MPFR_RNDZ);
  if (inexact != 0) r.make_round_to_odd_image();
  return r;
}

ExactValue abs_of(const ExactValue& v) {
  ExactValue a = v;
  a.set_negative(false);
  return a;
}

struct BlockScan {
  ExactValue amax;  // max finite |V_i| (+0 when there is none)
  bool any_finite = false;
  bool any_nan = false;
  bool any_infinite = false;
};

BlockScan scan(std::span<const ExactValue> values) {
  BlockScan s;
  for (const auto& v : values) {
    if (v.is_nan()) {
      s.any_nan = true;
    } else if (v.is_infinite()) {
      s.any_infinite = true;
    } else {
      ExactValue a = abs_of(v);
      if (!s.any_finite || s.amax < a) s.amax = a;
      s.any_finite = true;
    }
  }
  return s;
}

RandomDraw draw_at(std::span<const RandomDraw> draws, size_t i) { return draws.empty() ? RandomDraw{} : draws[i]; }

// Whole block NaN: the scale's NaN code; elements are NaN, or +0 where the element has no NaN.
void fill_nan_block(const BlockFormat& f, size_t n, BlockResult& out) {
  if (!f.scale.has_nan())
    throw NoEncodingError("block '" + f.name + "' needs a NaN scale, which format '" + f.scale.name +
                          "' cannot encode");
  out.scale = ExactValue::nan();
  out.stored_scale = ExactValue::nan();
  out.scale_code = f.scale.code_of_nan();
  RoundResult e;
  if (f.element.has_nan()) {
    e.value = ExactValue::nan();
    e.code = f.element.code_of_nan();
  }
  out.elements.assign(n, e);
  out.decoded.assign(n, ExactValue::nan());
}

// Shared exponent of the Mx rules before clamping (formats.md §3.2).
long mx_shared_exponent(const BlockFormat& f, ScaleRule rule, const ExactValue& amax) {
  const ExactValue max_elem = f.element.max_finite();
  const long emax_elem = floor_log2(max_elem);  // E5M2 15, E4M3 8, E3M2 4, E2M3 2, E2M1 2, INT8 0
  const long e = floor_log2(amax);
  switch (rule) {
    case ScaleRule::MxFloor: return e - emax_elem;
    case ScaleRule::MxCeil: return e + (is_power_of_two(amax) ? 0 : 1) - emax_elem;
    case ScaleRule::MxEven: {
      // torchao adds half an element ulp to amax and drops its mantissa: the exponent moves up iff
      // amax ≥ (2 − 2^-(m+1))·2^e, m = element mantissa bits at max (= RNE to m+1 bits, tie up).
      const long m = emax_elem - precision_step(f.element, max_elem).quantum_exponent;
      const ExactValue threshold =
          ExactValue::from_integer_scaled(false, (std::uint64_t{1} << (m + 2)) - 1, e - m - 1);
      return (amax < threshold ? e : e + 1) - emax_elem;
    }
    case ScaleRule::MxRceil: {
      // ⌈log2(amax / max_elem)⌉ = the least s with max_elem·2^s ≥ amax (exact comparisons).
      long s = e - emax_elem - 1;  // max_elem·2^s < 2^(e) ≤ amax
      for (;;) {
        ExactValue bound = max_elem;
        mpfr_mul_2si(bound.magnitude().get(), bound.magnitude().get(), s, MPFR_RNDN);
        if (!(bound < amax)) return s;
        ++s;
      }
    }
    default: break;
  }
  throw InputError("internal: not an MX scale rule");
}

void quantize_mx(const BlockFormat& f, ScaleRule rule, const Rounding& er, std::span<const ExactValue> values,
                 std::span<const RandomDraw> draws, const BlockScan& sc, BlockResult& out) {
  if (f.scale.is_signed || f.scale.p != 1)
    throw InputError("scale rule " + scale_rule_name(rule) + " needs a power-of-two scale format (E8M0-like: "
                     "unsigned, p = 1); block '" + f.name + "' has scale '" + f.scale.name + "'");
  if (sc.any_nan || sc.any_infinite) return fill_nan_block(f, values.size(), out);
  const long e_lo = f.scale.min_exponent();              // E8M0: −127
  const long e_hi = floor_log2(f.scale.max_finite());    // E8M0: 127
  long shared = sc.amax.is_zero() ? e_lo : mx_shared_exponent(f, rule, sc.amax);
  if (shared > e_hi) return fill_nan_block(f, values.size(), out);
  if (shared < e_lo) shared = e_lo;
  out.scale = pow2(shared);
  out.stored_scale = out.scale;
  out.scale_code = f.scale.encode(out.scale);
  for (size_t i = 0; i < values.size(); ++i) {
    ExactValue x = values[i];  // V_i / 2^shared, exact
    mpfr_mul_2si(x.magnitude().get(), x.magnitude().get(), -shared, MPFR_RNDN);
    out.elements.push_back(project(f.element, er, x, draw_at(draws, i)));
  }
}

void quantize_nvfp4(const BlockFormat& f, const Rounding& er, std::span<const ExactValue> values,
                    std::span<const RandomDraw> draws, const BlockOptions& o, const BlockScan& sc,
                    BlockResult& out) {
  ExactValue s_t = ExactValue::from_integer_scaled(false, 1, 0);
  if (o.tensor_scale) {
    s_t = *o.tensor_scale;
    if (!s_t.is_finite() || s_t.is_zero() || s_t.negative() || !binary32().contains(s_t))
      throw InputError("NVFP4 tensor scale must be a positive finite binary32 value");
  }
  if (sc.any_nan || sc.any_infinite) return fill_nan_block(f, values.size(), out);
  // q_b = Project(clamp(amax / (max_elem · s_t), min_normal, max)): UE4M3 gives [2^-6, 448].
  ExactValue target = divide(sc.amax, multiply(f.element.max_finite(), s_t));
  const ExactValue lo = f.scale.min_normal(), hi = f.scale.max_finite();
  if (target < lo) target = lo;
  if (hi < target) target = hi;
  RoundResult q = project(f.scale, o.scale_rounding, target, o.scale_draw);
  out.stored_scale = q.value;
  out.scale_code = q.code;
  out.scale = multiply(s_t, q.value);
  for (size_t i = 0; i < values.size(); ++i)
    out.elements.push_back(project(f.element, er, divide(values[i], out.scale), draw_at(draws, i)));
}

// sgn as a value: −1, 0 or +1.
ExactValue sign_value(bool negative, bool zero) {
  if (zero) return ExactValue::zero(false);
  return ExactValue::from_integer_scaled(negative, 1, 0);
}

void quantize_p3109(const BlockFormat& f, const Rounding& er, std::span<const ExactValue> values,
                    std::span<const RandomDraw> draws, const BlockOptions& o, const BlockScan& sc,
                    BlockResult& out) {
  // S = max finite |x_i| (NaN if none); s = Project_{f_s,ρ_s}(S) (formats.md §2.6).
  const ExactValue S = sc.any_finite ? sc.amax : ExactValue::nan();
  RoundResult s = project(f.scale, o.scale_rounding, S, o.scale_draw);
  out.scale = s.value;
  out.stored_scale = s.value;
  out.scale_code = s.code;
  for (size_t i = 0; i < values.size(); ++i) {
    const ExactValue& x = values[i];
    ExactValue input;
    if (s.value.is_nan() || x.is_nan()) {
      input = ExactValue::nan();
    } else if (s.value.is_zero()) {
      input = ExactValue::zero(false);  // every non-NaN element is 0
    } else if (s.value.is_infinite()) {
      input = sign_value(x.negative() != S.negative(), x.is_zero());  // sgn(X_i)·sgn(S)
    } else if (x.is_infinite()) {
      input = ExactValue::infinity(x.negative() != s.value.negative());
    } else {
      input = divide(x, s.value);
    }
    out.elements.push_back(project(f.element, er, input, draw_at(draws, i)));
  }
}

}  // namespace

BlockResult quantize_block(const BlockFormat& format, const Rounding& element_rounding,
                           std::span<const ExactValue> values, std::span<const RandomDraw> draws,
                           const BlockOptions& options) {
  mpfr_setup();
  const size_t n = values.size();
  if (n != static_cast<size_t>(format.block_size))
    throw InputError("block '" + format.name + "' takes exactly " + std::to_string(format.block_size) +
                     " values, got " + std::to_string(n));
  element_rounding.validate();
  if (element_rounding.is_stochastic() ? draws.size() != n : (!draws.empty() && draws.size() != n))
    throw InputError("block '" + format.name + "': " + std::to_string(draws.size()) + " random draws for " +
                     std::to_string(n) + " values (mode " + mode_name(element_rounding.mode) + " needs " +
                     (element_rounding.is_stochastic() ? "one per value)" : "none, or one per value)"));
  const ScaleRule rule = options.scale_rule.value_or(format.default_scale_rule);
  if (options.tensor_scale && rule != ScaleRule::NvFp4)
    throw InputError("a tensor scale is taken by scale rule nvfp4 only, not " + scale_rule_name(rule));
  Rounding er = element_rounding;
  er.saturation = options.element_saturation.value_or(
      rule == ScaleRule::AmaxItself ? element_rounding.saturation : Saturation::Finite);

  const BlockScan sc = scan(values);
  BlockResult out;
  switch (rule) {
    case ScaleRule::MxFloor:
    case ScaleRule::MxCeil:
    case ScaleRule::MxEven:
    case ScaleRule::MxRceil: quantize_mx(format, rule, er, values, draws, sc, out); break;
    case ScaleRule::NvFp4: quantize_nvfp4(format, er, values, draws, options, sc, out); break;
    case ScaleRule::AmaxItself: quantize_p3109(format, er, values, draws, options, sc, out); break;
  }
  if (out.decoded.empty())
    for (const auto& e : out.elements) out.decoded.push_back(multiply(out.scale, e.value));
  return out;
}

std::vector<BlockFormat> block_catalogue() {
  std::vector<BlockFormat> out;
  const std::string mx_source = "OCP MX v1.0 §5–§6.3 (formats.md §3.1–3.2)";
  auto mx = [&](std::string name, IeeeLikeFormat element) {
    BlockFormat b;
    b.name = std::move(name);
    b.family = "mx";
    b.source = mx_source;
    b.block_size = 32;
    b.element = std::move(element);
    b.scale = ocp_e8m0();
    b.default_scale_rule = ScaleRule::MxFloor;
    out.push_back(std::move(b));
  };
  mx("mxfp8_e4m3", ocp_e4m3());
  mx("mxfp8_e5m2", ocp_e5m2());
  mx("mxfp6_e3m2", ocp_e3m2());
  mx("mxfp6_e2m3", ocp_e2m3());
  mx("mxfp4", ocp_e2m1());
  mx("mxint8", ocp_int8());
  {
    BlockFormat b;
    b.name = "nvfp4";
    b.family = "nvfp4";
    b.source = "NVIDIA NVFP4: 16 x E2M1, UE4M3 scale, FP32 tensor scale (torchao nvfp4; formats.md §3.3)";
    b.block_size = 16;
    b.element = ocp_e2m1();
    b.scale = ocp_ue4m3();
    b.default_scale_rule = ScaleRule::NvFp4;
    out.push_back(std::move(b));
  }
  {
    BlockFormat b;
    b.name = "p3109_block_k8p4se_k8p1uf_b8";
    b.family = "p3109-block";
    b.source = "IEEE P3109 Interim Report v4.0 §5 ConvertToBlockMaxAbsFinite (formats.md §2.6)";
    b.block_size = 8;
    b.element = p3109_format(8, 4, true, true);
    b.scale = p3109_format(8, 1, false, false);
    b.default_scale_rule = ScaleRule::AmaxItself;
    out.push_back(std::move(b));
  }
  for (const auto& b : out) {
    b.element.validate();
    b.scale.validate();
  }
  return out;
}

std::string scale_rule_name(ScaleRule rule) {
  switch (rule) {
    case ScaleRule::MxFloor: return "floor";
    case ScaleRule::MxCeil: return "ceil";
    case ScaleRule::MxEven: return "even";
    case ScaleRule::MxRceil: return "rceil";
    case ScaleRule::NvFp4: return "nvfp4";
    case ScaleRule::AmaxItself: return "amax";
  }
  return "?";
}

ScaleRule parse_scale_rule(std::string_view name) {
  for (ScaleRule r : {ScaleRule::MxFloor, ScaleRule::MxCeil, ScaleRule::MxEven, ScaleRule::MxRceil,
                      ScaleRule::NvFp4, ScaleRule::AmaxItself})
    if (name == scale_rule_name(r)) return r;
  throw InputError("unknown scale rule '" + std::string(name) + "' (expected floor, ceil, even, rceil, nvfp4 or amax)");
}

}  // namespace roundlab
