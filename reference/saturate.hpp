// Saturate: the P3109 v4.0 §4.7.5 saturation table, in one function, row by row.
#pragma once
#include "reference/exact_value.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab {

// Applies saturation to X, the already rounded (possibly out-of-range, possibly infinite) value.
// Exact. `saturated` is set when the result differs from X. One documented extension: a Finite-domain
// format with FiniteOverflow::NaN (OFP8 E4M3, FNUZ) gives NaN where the spec's table gives M_hi or
// M_lo under SatNone, which is those formats' non-saturating conversion.
ExactValue saturate(const IeeeLikeFormat& format, const Rounding& rounding, const ExactValue& x,
                    bool* saturated = nullptr);

}  // namespace roundlab
