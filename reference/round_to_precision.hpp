// RoundToPrecision (P3109 v4.0 §4.7.3) and Project = RoundToPrecision then Saturate then encode
// (§4.7.4), for IEEE-like formats. Exact: the result is the exact value the definition gives.
#pragma once
#include "reference/exact_value.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/round_result.hpp"
#include "reference/rounding.hpp"

namespace roundlab {

// Where X sits between its two candidates: Q (exponent of one unit), I = ⌊|X|·2^-Q⌋, ν = frac.
struct PrecisionStep {
  long quantum_exponent = 0;  // Q
  Mpfr integer_part;          // I (an integer, exact)
  Mpfr nu;                    // ν ∈ [0, 1), exact or round-to-odd image
  bool code_is_even = true;   // CodeIsEven of the candidate toward zero
};

// For finite non-zero X. Q = max(⌊log2|X|⌋, 1−B) − P + 1 where the format has subnormals; formats
// without subnormals (p = 1, e.g. E8M0) use ⌊log2|X|⌋ unclamped, so values below the smallest
// magnitude round on the extended exponent grid and Saturate decides (as gfloat, then per P3109).
PrecisionStep precision_step(const IeeeLikeFormat& format, const ExactValue& x);

// RoundToPrecision only: the rounded value, possibly outside the format's range (no saturation).
ExactValue round_to_precision(const IeeeLikeFormat& format, const Rounding& rounding, const ExactValue& x,
                              const RandomDraw& draw, bool* away = nullptr);

// The whole conversion of X to the format: round, saturate, canonicalise −0, encode.
// Throws NoEncodingError when the result is NaN and the format has no NaN (OCP FP6/FP4, INT8), and
// InputError for an invalid rounding (N out of range) or random draw.
RoundResult project(const IeeeLikeFormat& format, const Rounding& rounding, const ExactValue& x,
                    const RandomDraw& draw = {});

}  // namespace roundlab
