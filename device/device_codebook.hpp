// Codebook rounding on the device: the bit-exact twin of reference/codebook_format.cpp's
// round_codebook for binary32 inputs.
//
// Host precompute, device lookup. The host (device_codebook_from_reference.hpp) stores, for each value
// and each bracket (value i, value i+1), every exact rational the rounding compares x against, as the
// binary32 on the correct side of it plus a flag saying whether it is that float exactly:
//  * value_floor[i] / value_ceil[i]: the largest binary32 ≤ v_i and the smallest ≥ v_i. For a float x,
//    x > v ⇔ x > floor(v), x < v ⇔ x < ceil(v), and x = v ⇔ (v exact and x = floor(v)).
//  * threshold[i][j], j = 0..2^L: t_j = near + j·(far − near)/2^L, so ν·2^L ≥ j ⇔ x is at or beyond
//    t_j going from near toward far. Upward brackets (far > near) store ceil(t_j) (x ≥ t ⇔ x ≥ ceil t),
//    downward brackets store floor(t_j) (x ≤ t ⇔ x ≤ floor t); threshold_exact says t_j is that float,
//    so ν·2^L is an integer ⇔ x equals the stored float and the flag is set.
// From ℓ = ⌊ν·2^L⌋ and "ν·2^L is not an integer" the kernel builds the Fraction F = ℓ·2^(64−L), G = 0,
// S = (not integer), which has the same L leading bits and the same "anything below" as the exact ν.
// L = N + 1 for the few-bit SR modes (they read N + 1 bits of ν and a sticky bit) and L = 1 for the
// deterministic modes (half bit and sticky bit). Exact SR (sr) would need 64 bits of ν and is not
// supported; the host builder rejects it.
//
// The struct is plain data of fixed size (≈ 2.6 MB with its largest threshold table): allocate it on
// the heap on the host and in global memory on a GPU. Only thresholds[i][0..2^L] of brackets
// i < count − 1 are meaningful.
//
// Edge cases follow the reference exactly: NaN → no_encoding; −Inf and x < v_0 → v_0, +Inf and x > v_last
// → v_last (clamp, any mode); x equal to a value (±0 equal to a 0 in the list) → that value; a negative
// x (not −0) that rounds to 0 in a codebook with a −0 code → that code.
#pragma once
#include <cstdint>

#include "device/device_format.hpp"
#include "device/portability.hpp"
#include "device/round_away_bits.hpp"

namespace roundlab::device {

inline constexpr int kCodebookMaxValues = 256;
inline constexpr int kCodebookMaxRandomBits = 10;
inline constexpr int kCodebookMaxLevelsLog2 = kCodebookMaxRandomBits + 1;
inline constexpr int kCodebookMaxThresholds = (1 << kCodebookMaxLevelsLog2) + 1;

struct DeviceCodebook {
  int count = 0;        // number of values, 1..kCodebookMaxValues
  int levels_log2 = 1;  // L: N + 1 for few-bit SR modes, 1 for deterministic modes
  int zero_index = -1;  // index of the value 0, or −1
  bool has_negative_zero_code = false;
  std::uint64_t negative_zero_code = 0;

  // Per value, ascending.
  std::uint64_t codes[kCodebookMaxValues] = {};
  float value_floor[kCodebookMaxValues] = {};  // largest binary32 ≤ v_i
  float value_ceil[kCodebookMaxValues] = {};   // smallest binary32 ≥ v_i
  bool value_exact[kCodebookMaxValues] = {};   // v_i is a binary32
  bool code_is_even[kCodebookMaxValues] = {};  // codebook_code_is_even(format, i)

  // Per bracket i between v_i and v_{i+1}.
  bool near_is_upper[kCodebookMaxValues - 1] = {};  // near = v_{i+1} (far = v_i: a downward bracket)
  bool x_positive[kCodebookMaxValues - 1] = {};     // the x_positive the reference passes to round_away
  float threshold[kCodebookMaxValues - 1][kCodebookMaxThresholds] = {};
  bool threshold_exact[kCodebookMaxValues - 1][kCodebookMaxThresholds] = {};
};

namespace codebook_detail {

RL_HD DeviceResult at(const DeviceCodebook& cb, int i) {
  DeviceResult out;
  out.code = cb.codes[i];
  return out;
}

}  // namespace codebook_detail

// Rounds the binary32 x to the codebook; r is the random draw of a few-bit SR mode (r < 2^N, else no
// round-away, as in round_away_bits). The rounding must be the one cb was built for (same L).
RL_HD DeviceResult round_codebook_device(const DeviceCodebook& cb, const DeviceRounding& rd, float x,
                                         std::uint64_t r) {
  DeviceResult out;
  if (x != x) {
    out.no_encoding = true;
    return out;
  }
  const int last = cb.count - 1;
  if (x < cb.value_ceil[0]) return codebook_detail::at(cb, 0);        // x < v_0, −Inf
  if (x > cb.value_floor[last]) return codebook_detail::at(cb, last);  // x > v_last, +Inf
  // First value ≥ x.
  int lo = 0, hi = last;
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (x > cb.value_floor[mid]) lo = mid + 1;
    else hi = mid;
  }
  if (cb.value_exact[hi] && x == cb.value_floor[hi]) return codebook_detail::at(cb, hi);
  // v_{hi−1} < x < v_hi, hi ≥ 1.
  const int b = hi - 1;
  const bool upper = cb.near_is_upper[b];
  const float* t = cb.threshold[b];
  const int levels_log2 = cb.levels_log2;
  // Largest j in [0, 2^L) with x at or beyond t_j (j = 0 always is, j = 2^L never is).
  int jl = 0, jh = 1 << levels_log2;
  while (jh - jl > 1) {
    const int mid = jl + (jh - jl) / 2;
    const bool beyond = upper ? x <= t[mid] : x >= t[mid];
    if (beyond) jl = mid;
    else jh = mid;
  }
  const bool integer = cb.threshold_exact[b][jl] && x == t[jl];
  Fraction nu;
  nu.f = static_cast<std::uint64_t>(jl) << (64 - levels_log2);
  nu.g = false;
  nu.s = !integer;
  const int near = upper ? hi : b;
  const int far = upper ? b : hi;
  const bool away = round_away_bits(rd, r, nu, cb.x_positive[b], cb.code_is_even[near]);
  const int idx = away ? far : near;
  out.code = cb.codes[idx];
  if (idx == cb.zero_index && cb.has_negative_zero_code && x < 0.0f) out.code = cb.negative_zero_code;
  return out;
}

}  // namespace roundlab::device
