// RoundAway: the P3109 v4.0 §4.7.3 predicate table, in one function, row by row.
//
// Inputs are the discarded fraction ν ∈ [0, 1) of the scaled significand (exact, or the round-to-odd
// image of an inexact input, which decides every row identically), the sign of X, CodeIsEven of the
// candidate toward zero, the rounding and its random draw. Exact: the answer is the exact predicate.
#pragma once
#include <mpfr.h>

#include "reference/rounding.hpp"

namespace roundlab {

bool round_away(const Rounding& rounding, const RandomDraw& draw, mpfr_srcptr nu, bool x_positive,
                bool code_is_even);

// Throws InputError unless draw.u (when present) is an exact dyadic in [0,1) on a 2^-192 grid and the
// mode is sr.
void validate_random_draw(const Rounding& rounding, const RandomDraw& draw);

// C(ν): the number of r in [0, 2^N) for which a few-bit SR mode rounds away (stochastic-rounding.md
// §2.1), as an exact integer. For SR modes only; N ≤ 64 so C ≤ 2^64 fits in a 128-bit integer.
unsigned __int128 round_away_count(const Rounding& rounding, mpfr_srcptr nu);

}  // namespace roundlab
