// Host-only: builds the plain-data DeviceCodebook (device_codebook.hpp) from reference/'s
// CodebookFormat and Rounding. Every value and threshold is computed as an exact rational (from
// CodebookFormat::exact, or from the dyadic values when it is empty) and rounded to binary32 in the
// direction the kernel's comparison needs, with a flag for "exactly that float".
#pragma once
#include <gmp.h>
#include <mpfr.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/multiprecision/gmp.hpp>

#include "device/device_codebook.hpp"
#include "device/device_format_from_reference.hpp"
#include "reference/codebook_format.hpp"
#include "reference/error.hpp"
#include "reference/exact_value.hpp"
#include "reference/rounding.hpp"

namespace roundlab::device {

namespace codebook_host_detail {

using boost::multiprecision::mpq_rational;

inline mpq_rational value_rational(const CodebookFormat& f, size_t i) {
  if (!f.exact.empty()) return f.exact[i];
  mpq_rational q;
  const ExactValue& v = f.values[i];
  if (v.is_zero()) return q;
  mpfr_get_q(q.backend().data(), v.magnitude().get());  // values are exact dyadics here
  if (v.negative()) q = -q;
  return q;
}

// The binary32 rounding of q upward (MPFR_RNDU) or downward (MPFR_RNDD), and whether it equals q.
// Rounding q first to 64 bits and then to binary32 in the same direction equals the direct rounding
// (the binary32 grid, subnormals included, is a subset of the 64-bit grid).
inline float directed_float(const mpq_rational& q, mpfr_rnd_t rnd, bool& exact) {
  Mpfr m(64);
  mpfr_set_q(m.get(), q.backend().data(), rnd);
  const float f = mpfr_get_flt(m.get(), rnd);
  exact = false;
  if (f - f == 0.0f) {  // finite (an infinity is never exact)
    mpq_rational back;
    mpq_set_d(back.backend().data(), static_cast<double>(f));  // exact
    exact = back == q;
  }
  return f;
}

}  // namespace codebook_host_detail

// Throws InputError for an invalid format or rounding, for more than kCodebookMaxValues values, for a
// few-bit SR mode with N > kCodebookMaxRandomBits, and for exact SR (sr), which device codebooks do not
// support. The returned struct is large (see device_codebook.hpp): it is returned on the heap.
inline std::unique_ptr<DeviceCodebook> make_device_codebook_ptr(const CodebookFormat& format,
                                                                const Rounding& rounding) {
  using namespace codebook_host_detail;
  mpfr_setup();
  format.validate();
  rounding.validate();
  const std::string where = "device codebook '" + format.name + "'";
  if (format.values.size() > static_cast<size_t>(kCodebookMaxValues))
    throw InputError(where + ": " + std::to_string(format.values.size()) + " values; at most " +
                     std::to_string(kCodebookMaxValues) + " are supported on the device");
  if (rounding.mode == Mode::StochasticExact)
    throw InputError(where + ": exact SR (sr) is not supported on device codebooks; use a few-bit SR mode "
                             "(srff/srf/src/sro/srceil) with N <= " +
                     std::to_string(kCodebookMaxRandomBits));
  if (rounding.uses_random_bits() && rounding.random_bits > kCodebookMaxRandomBits)
    throw InputError(where + ": N = " + std::to_string(rounding.random_bits) + " random bits; at most " +
                     std::to_string(kCodebookMaxRandomBits) + " are supported on device codebooks");
  (void)make_device_rounding(rounding);  // same validation as the kernel's rounding

  auto cb = std::make_unique<DeviceCodebook>();
  const size_t n = format.values.size();
  cb->count = static_cast<int>(n);
  cb->levels_log2 = rounding.uses_random_bits() ? rounding.random_bits + 1 : 1;
  cb->has_negative_zero_code = format.negative_zero_code.has_value();
  cb->negative_zero_code = format.negative_zero_code.value_or(0);

  std::vector<mpq_rational> q(n);
  for (size_t i = 0; i < n; ++i) {
    q[i] = value_rational(format, i);
    if (q[i] == 0) cb->zero_index = static_cast<int>(i);
    cb->codes[i] = format.codes[i];
    bool exact_down = false, exact_up = false;
    cb->value_floor[i] = directed_float(q[i], MPFR_RNDD, exact_down);
    cb->value_ceil[i] = directed_float(q[i], MPFR_RNDU, exact_up);
    cb->value_exact[i] = exact_down && exact_up;
    cb->code_is_even[i] = codebook_code_is_even(format, i);
  }
  const int levels = 1 << cb->levels_log2;
  for (size_t i = 0; i + 1 < n; ++i) {
    const mpq_rational& lo = q[i];
    const mpq_rational& hi = q[i + 1];
    // Orientation exactly as round_codebook: lo ≥ 0 or lo < 0 < hi → near = lo (upward), x_positive;
    // hi ≤ 0 → near = hi (downward), x_positive = false.
    const bool downward = lo < 0 && hi <= 0;
    cb->near_is_upper[i] = downward;
    cb->x_positive[i] = !downward;
    const mpq_rational& near = downward ? hi : lo;
    const mpq_rational& far = downward ? lo : hi;
    mpq_rational step = far - near;
    mpq_div_2exp(step.backend().data(), step.backend().data(), static_cast<mp_bitcnt_t>(cb->levels_log2));
    for (int j = 0; j <= levels; ++j) {
      const mpq_rational t = near + step * j;
      bool exact = false;
      cb->threshold[i][j] = directed_float(t, downward ? MPFR_RNDD : MPFR_RNDU, exact);
      cb->threshold_exact[i][j] = exact;
    }
  }
  return cb;
}

// By value, as the brief names it; prefer make_device_codebook_ptr (the struct is ≈ 2.6 MB).
inline DeviceCodebook make_device_codebook(const CodebookFormat& format, const Rounding& rounding) {
  return *make_device_codebook_ptr(format, rounding);
}

}  // namespace roundlab::device
