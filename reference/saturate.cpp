#include "reference/saturate.hpp"

namespace roundlab {

ExactValue saturate(const IeeeLikeFormat& f, const Rounding& rounding, const ExactValue& x, bool* saturated) {
  const ExactValue m_hi = f.max_finite();
  const ExactValue m_lo = f.min_finite();
  const bool extended = f.domain == Domain::Extended;
  const bool overflow_is_nan = !extended && f.finite_overflow == FiniteOverflow::NaN;
  const Mode mode = rounding.mode;
  auto changed = [&](ExactValue v) {
    if (saturated) *saturated = true;
    return v;
  };
  if (saturated) *saturated = false;
  if (x.is_nan()) return x;

  const bool pos_inf = x.is_infinite() && !x.negative();
  const bool neg_inf = x.is_infinite() && x.negative();
  switch (rounding.saturation) {
    case Saturation::Finite:  // everything, ±∞ included, clamped to [M_lo, M_hi]
      if (m_hi < x) return changed(m_hi);
      if (x < m_lo) return changed(m_lo);
      return x;
    case Saturation::Propagate:  // ±∞ kept where the format has it; finite out-of-range clamped
      if (pos_inf && extended) return x;
      if (neg_inf && extended && f.is_signed) return x;
      if (m_hi < x) return changed(m_hi);
      if (x < m_lo) return changed(m_lo);
      return x;
    case Saturation::None: {
      const bool directed_down = mode == Mode::TowardZero || mode == Mode::TowardNegative;
      const bool directed_up = mode == Mode::TowardZero || mode == Mode::TowardPositive;
      // First matching row wins.
      if (pos_inf) {
        if (extended) return x;
        return changed(overflow_is_nan ? ExactValue::nan() : m_hi);
      }
      if (neg_inf) {
        if (f.is_signed && extended) return x;
        if (!f.is_signed) return changed(ExactValue::nan());
        return changed(overflow_is_nan ? ExactValue::nan() : m_lo);
      }
      if (m_hi < x && mode == Mode::ToOdd && !f.is_signed && extended) return changed(m_hi);
      if (m_hi < x && directed_down) return changed(m_hi);
      if (x < m_lo && directed_up) return changed(m_lo);
      if (x < m_lo) {
        if (f.is_signed && extended) return changed(ExactValue::infinity(true));
        if (!f.is_signed) return changed(ExactValue::nan());
        return changed(overflow_is_nan ? ExactValue::nan() : m_lo);
      }
      if (m_hi < x) {
        if (extended) return changed(ExactValue::infinity(false));
        return changed(overflow_is_nan ? ExactValue::nan() : m_hi);
      }
      return x;
    }
  }
  return x;
}

}  // namespace roundlab
