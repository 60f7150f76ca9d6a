// Fast path of Project for the common case: an IEEE source word (binary32, bfloat16, binary16,
// binary64) rounded to an IEEE-like target of at most 32 bits with P ≤ the source's precision (P ≤ 24
// from binary64) whose smallest normal is not below the source's (target bias ≤ source bias), with
// subnormals and a zero, sign-magnitude or unsigned. Every mode (the deterministic ones, exact SR from
// a 64-bit word, the few-bit SR modes with N ≤ 62 − p_s) and every saturation. Anything else: kernel
// None, and the launchers use the generic round_to_format.
//
// Instead of unpacking into (m, e) and branching, each element works on its word with integer operations
// and selects only, so a loop over elements auto-vectorizes (32-bit lanes for binary32/bfloat16/binary16;
// binary64 folds its low 23 significand bits into a sticky bit for the deterministic modes):
//   E = exponent field, m = significand with the hidden bit, d = E_thr − max(E, 1)
//   s  = number of discarded bits = (p_s − P) + max(d, 0)      (grows in the target's subnormal range)
//   qb = exponent field − 1 of the truncated result = max(−d, 0) (0 in the target's subnormal range)
//   tc = (qb << T) + (m >> s)  = the magnitude code of the value truncated to the target grid,
//   mc = tc + away             (a carry out of the significand moves into the exponent field by itself),
// then selects for NaN, ±Inf, zero results and out-of-range (the P3109 saturation table is evaluated
// once per call into a few codes by make_fast_plan, with the generic kernel's own functions).
//
// The aligned kernels (fast_round_aligned; FastKernel::*Aligned) are a cheaper form of the same for the
// launcher's hot paths — Philox slots, no flags, formats whose out-of-range codes are min(mc, sat_pos):
// one formula covers the target's normal and subnormal ranges (base, s below), so there is no unpacking
// into (m, e) at all, and RNE from bfloat16/binary16 runs in 16-bit lanes. binary64 → binary32 under RNE is
// the language's conversion (fast_convert_to_binary32). Each plan keeps the general kernel of the same
// codes as `fallback` (explicit words, flags, the baseline ISA, fast_round_element).
//
// The generic round_to_format is the proven kernel; this file must produce exactly its codes, which
// tests/test_fast_rounding.cpp checks bit for bit (exhaustive 16-bit and 16-bit-derived inputs, > 10^6
// structured random words, every mode, saturation and target of the benchmark list, every ISA variant).
#pragma once
#include <cstdint>
#include <cstring>

#include "device/array_rounding.hpp"
#include "device/device_format.hpp"
#include "device/portability.hpp"
#include "device/round_to_format.hpp"
#include "device/source_unpack.hpp"

#if defined(__CUDACC__)
#define RL_FAST_INLINE __host__ __device__ __forceinline__
#define RL_LAMBDA_INLINE
#else
#define RL_FAST_INLINE inline __attribute__((always_inline))
#define RL_LAMBDA_INLINE __attribute__((always_inline))
#endif

namespace roundlab::device {

enum class FastKernel : std::uint8_t {
  None,           // the fast path does not apply: use the generic kernel
  NearestEven,    // RNE with P < p_s (the common case, specialised)
  Deterministic,  // RNE RNA RTZ RUP RDN RTO, the RN tie variants, and the few-bit modes with N = 0
  FewBitNarrow,   // SRFF SRF SRC SRO SRCEIL, 1 ≤ N ≤ 30 − p_s (binary32: N ≤ 6): ν in 32 bits
  FewBitWide,     // the same modes, 1 ≤ N ≤ 62 − p_s: ν in 64 bits
  ExactSR,        // SR: round away iff ⌊ν·2^64⌋ + r ≥ 2^64
  // Aligned kernels (fast_round_aligned): 16- or 32-bit source words, Philox slots, no flags, signed
  // targets of at most 16 bits whose out-of-range code is the largest magnitude code or the next one. The
  // mode is a template constant; the plan's `fallback` is the kernel above that gives the same codes
  // wherever the aligned one is not taken (explicit words, flags, the baseline ISA).
  SrffAligned, SrfAligned, SrcAligned, SroAligned, SrceilAligned,  // few-bit, 1 ≤ N ≤ min(p_s − P, 30 − p_s)
  ExactSRAligned,      // exact SR from the word's 16-bit top part (lazy draw), p_s − P ≥ 1
  NearestEvenAligned,  // RNE, P < p_s; 16-bit lanes from bfloat16 and binary16 sources
  Binary64ToBinary32,  // RNE from binary64 to IEEE binary32 itself: the language's double → float conversion
};

RL_HD constexpr bool is_aligned_kernel(FastKernel k) {
  return k == FastKernel::SrffAligned || k == FastKernel::SrfAligned || k == FastKernel::SrcAligned ||
         k == FastKernel::SroAligned || k == FastKernel::SrceilAligned || k == FastKernel::ExactSRAligned ||
         k == FastKernel::NearestEvenAligned || k == FastKernel::Binary64ToBinary32;
}

// Whether kernel k reads a random word per element (the launcher draws Philox words only then). Every
// kind is listed, so a new one must be classified here (-Wswitch).
RL_HD constexpr bool fast_kernel_draws(FastKernel k) {
  switch (k) {
    case FastKernel::None: case FastKernel::NearestEven: case FastKernel::Deterministic:
    case FastKernel::NearestEvenAligned: case FastKernel::Binary64ToBinary32:
      return false;
    case FastKernel::FewBitNarrow: case FastKernel::FewBitWide: case FastKernel::ExactSR:
    case FastKernel::SrffAligned: case FastKernel::SrfAligned: case FastKernel::SrcAligned:
    case FastKernel::SroAligned: case FastKernel::SrceilAligned: case FastKernel::ExactSRAligned:
      return true;
  }
  return false;
}

// Constants of one (source, target, rounding) combination; plain data, built on the host or device.
struct FastPlan {
  FastKernel kernel = FastKernel::None;
  SourceFormat source = SourceFormat::Binary32;
  int e_thr = 1;   // source exponent field of the target's smallest normal: 1 − B_t + B_s (≥ 1)
  int s0 = 0;      // p_s − P: discarded bits in the target's normal range
  int t = 0;       // trailing significand bits of the target
  int n = 0;       // few-bit modes: N
  // Deterministic: round-away increment (half & H) + ((half − 1) & L) + (lsb & EV), or (RTO) sticky & !lsb.
  std::uint64_t h_pos = 0, h_neg = 0, l_pos = 0, l_neg = 0;  // all-ones or zero
  std::uint64_t ev = 0, odd = 0;                             // 0 or 1
  // FewBitWide: C = ⌊ν2^N⌋ + inc, inc = (g & (A | rest & B | (lsb(C) ^ X) & D)) | (rest & CE); r' = r ^ rxor.
  // FewBitNarrow: C = ⌊(ν·2^32 + fa + ((lsb ⌊ν2^N⌋ ^ X) & D)) / 2^(32−N)⌋ (fa replaced, see below).
  std::uint64_t fa = 0, fb = 0, fd = 0, fx = 0, fce = 0, rxor = 0;
  // Encoding.
  std::uint64_t max_mc = 0, sign_bit = 0, neg_oor = 0;  // neg_oor: all ones for unsigned formats, else 0
  // qb is clamped to qb_max (> every finite code's exponent field): keeps (qb << T) in 32 bits for
  // binary64 sources while every clamped value stays out of range.
  std::uint64_t qb_max = 0;
  std::uint64_t zero_pos = 0, zero_neg = 0, sat_pos = 0, sat_neg = 0, inf_pos = 0, inf_neg = 0, nan = 0;
  std::uint8_t sat_pos_none = 0, sat_neg_none = 0, inf_pos_none = 0, inf_neg_none = 0, nan_none = 0;
  // Which of the zero-result (bit 0) and infinite-input (bit 1) selects can change a code: a zero result
  // already encodes as mc | sign when the format is signed with −0 (and no saturation applies to 0), and
  // as 0 otherwise (bit 0: the sign is dropped for zero results);
  // ±Inf already encodes as the out-of-range code when its exponent is beyond the target's and the
  // saturation table maps both alike.
  // Bit 4: the out-of-range codes are sat_pos = max_mc or max_mc + 1 and sat_neg = sat_pos | sign_bit in a
  // signed format, so that out of range is min(mc, sat_pos) and the sign is OR-ed in (the aligned kernels);
  // bit 5 with it: sat_pos = max_mc + 1 = sat_neg instead (no sign on out-of-range codes).
  // Bit 6 (ExactSRAligned only): e_thr = 1, the target's exponent range starts at the source's, so every
  // input is rounded by the one shift s0 (binary32 → bfloat16, binary16 → E5M2).
  int sel = 3;
  // Aligned kernels: the kernel of the same codes for explicit words, flags and ISAs without the aligned
  // variants; a_kbase = (e_thr − 1)·2^t_s, a_cs = s0 + e_thr.
  FastKernel fallback = FastKernel::None;
  std::uint32_t a_kbase = 0;
  int a_cs = 0;
};

// Source layouts: sign shift, trailing bits, exponent mask, bias, precision.
// plan_shift: the plan's s0, a_kbase and a_cs describe a source wider by this many low bits (bfloat16
// lanes read a plan made for its binary32 view).
struct FastSourceBinary32 {
  using Word = std::uint32_t;
  using SWord = std::int32_t;
  static constexpr int k = 32, t = 23, bias = 127, p = 24, plan_shift = 0;
};
struct FastSourceBinary16 {
  using Word = std::uint32_t;  // the 16-bit word, widened
  using SWord = std::int32_t;
  static constexpr int k = 16, t = 10, bias = 15, p = 11, plan_shift = 0;
};
struct FastSourceBinary64 {
  using Word = std::uint64_t;
  using SWord = std::int64_t;
  static constexpr int k = 64, t = 52, bias = 1023, p = 53, plan_shift = 0;
};
// 16-bit lanes (the aligned RNE kernel): twice the elements per vector of the 32-bit words.
struct FastSourceBinary16Lanes {
  using Word = std::uint16_t;
  using SWord = std::int16_t;
  static constexpr int k = 16, t = 10, bias = 15, p = 11, plan_shift = 0;
};
struct FastSourceBfloat16Lanes {
  using Word = std::uint16_t;
  using SWord = std::int16_t;
  static constexpr int k = 16, t = 7, bias = 127, p = 8, plan_shift = 16;
};
// bfloat16 is the top half of binary32: its word shifted left by 16 is the binary32 word of its value.

RL_HD int fast_source_precision(SourceFormat s) {
  switch (s) {
    case SourceFormat::Binary32: return 24;
    case SourceFormat::Bfloat16: return 24;  // processed as binary32
    case SourceFormat::Binary16: return 11;
    case SourceFormat::Binary64: return 53;
  }
  return 0;
}

RL_HD int fast_source_bias(SourceFormat s) {
  switch (s) {
    case SourceFormat::Binary32: case SourceFormat::Bfloat16: return 127;
    case SourceFormat::Binary16: return 15;
    case SourceFormat::Binary64: return 1023;
  }
  return 0;
}

// Builds the plan; kernel == None when the fast path does not apply (then use round_to_format).
RL_HD FastPlan make_fast_plan(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source) {
  FastPlan plan;
  plan.source = source;
  const int ps = fast_source_precision(source);
  const std::int64_t bs = fast_source_bias(source);
  if (f.twos_complement || !f.subnormals || !f.has_zero) return plan;
  if (f.p < 1 || f.p > ps || f.bias > bs || code_bytes(f) > 4) return plan;
  if (source == SourceFormat::Binary64 && f.p > 24) return plan;  // the sticky folding needs s ≥ 29
  if (f.max_magnitude_code >= (std::uint64_t{1} << 31)) return plan;  // codes and qb_max << T in 32 bits
  FastKernel kernel = FastKernel::None;
  const std::uint64_t ones = ~std::uint64_t{0};
  switch (rd.mode) {
    case DeviceMode::RNE: kernel = FastKernel::Deterministic; plan.l_pos = plan.l_neg = ones; plan.ev = 1; break;
    case DeviceMode::RNA: kernel = FastKernel::Deterministic; plan.h_pos = plan.h_neg = ones; break;
    case DeviceMode::RTZ: kernel = FastKernel::Deterministic; break;
    case DeviceMode::RUP: kernel = FastKernel::Deterministic; plan.h_pos = plan.l_pos = ones; break;
    case DeviceMode::RDN: kernel = FastKernel::Deterministic; plan.h_neg = plan.l_neg = ones; break;
    case DeviceMode::RTO: kernel = FastKernel::Deterministic; plan.odd = 1; break;
    case DeviceMode::RN_TIE_ZERO: kernel = FastKernel::Deterministic; plan.l_pos = plan.l_neg = ones; break;
    case DeviceMode::RN_TIE_LOWER:  // ties go to the lower value: away for negative x
      kernel = FastKernel::Deterministic; plan.l_pos = ones; plan.h_neg = ones; break;
    case DeviceMode::RN_TIE_UPPER:
      kernel = FastKernel::Deterministic; plan.h_pos = ones; plan.l_neg = ones; break;
    case DeviceMode::SR: kernel = FastKernel::ExactSR; break;
    case DeviceMode::SRFF: case DeviceMode::SRF: case DeviceMode::SRC: case DeviceMode::SRO:
    case DeviceMode::SRCEIL:
      if (rd.random_bits == 0) {
        kernel = FastKernel::Deterministic;  // P3109: no round-away (RTZ), saturation of the SR mode
      } else if (rd.random_bits >= 1 && rd.random_bits <= 62 - ps) {
        kernel = source != SourceFormat::Binary64 && rd.random_bits <= 30 - ps ? FastKernel::FewBitNarrow
                                                                                 : FastKernel::FewBitWide;
        plan.n = rd.random_bits;
        switch (rd.mode) {
          case DeviceMode::SRF: plan.fa = 1; break;
          case DeviceMode::SRC: plan.fb = 1; plan.fd = 1; break;
          case DeviceMode::SRO: plan.fb = 1; plan.fd = 1; plan.fx = 1; break;
          case DeviceMode::SRCEIL: plan.fa = 1; plan.fce = 1; plan.rxor = low_mask(rd.random_bits); break;
          default: break;
        }
      }
      break;
  }
  if (kernel == FastKernel::None) return plan;
  if (rd.mode == DeviceMode::RNE && f.p < ps) kernel = FastKernel::NearestEven;
  if (kernel == FastKernel::FewBitNarrow) {  // the rounding increment of ν·2^32 before ⌊· / 2^(32−N)⌋
    const int k = 32 - rd.random_bits;
    switch (rd.mode) {
      case DeviceMode::SRF: plan.fa = std::uint64_t{1} << (k - 1); break;
      case DeviceMode::SRC: case DeviceMode::SRO: plan.fa = (std::uint64_t{1} << (k - 1)) - 1; break;
      case DeviceMode::SRCEIL: plan.fa = (std::uint64_t{1} << k) - 1; break;
      default: plan.fa = 0; break;
    }
  }
  plan.e_thr = static_cast<int>(1 - f.bias + bs);
  plan.s0 = ps - f.p;
  plan.t = f.p - 1;
  plan.max_mc = f.max_magnitude_code;
  plan.qb_max = (f.max_magnitude_code >> plan.t) + 2;
  plan.sign_bit = f.sign_bit;
  plan.neg_oor = f.is_signed ? 0 : ~std::uint64_t{0};
  // Special results, from the generic kernel's own functions.
  Unpacked u;
  u.cls = ValueClass::Zero;
  u.negative = false;
  plan.zero_pos = round_to_format(f, rd, u, 0).code;
  u.negative = true;
  plan.zero_neg = round_to_format(f, rd, u, 0).code;
  u.cls = ValueClass::Infinite;
  DeviceResult res = round_to_format(f, rd, u, 0);
  plan.inf_neg = res.code;
  plan.inf_neg_none = res.no_encoding ? 1 : 0;
  u.negative = false;
  res = round_to_format(f, rd, u, 0);
  plan.inf_pos = res.code;
  plan.inf_pos_none = res.no_encoding ? 1 : 0;
  u.cls = ValueClass::NaN;
  res = round_to_format(f, rd, u, 0);
  plan.nan = res.code;
  plan.nan_none = res.no_encoding ? 1 : 0;
  detail::Placed over{true, false}, under{false, true};
  res = detail::encode(f, detail::saturate(f, rd, false, false, over), false, 0);
  plan.sat_pos = res.code;
  plan.sat_pos_none = res.no_encoding ? 1 : 0;
  res = detail::encode(f, detail::saturate(f, rd, false, true, under), true, 0);
  plan.sat_neg = res.code;
  plan.sat_neg_none = res.no_encoding ? 1 : 0;
  // Zero results encode as 0, or as sign_bit for −0 (finish relies on it).
  if (plan.zero_pos != 0 || (plan.zero_neg != 0 && plan.zero_neg != f.sign_bit)) return plan;
  plan.sel = 0;
  if (!(f.is_signed && plan.zero_neg == f.sign_bit && f.sign_bit != 0)) plan.sel |= 1;
  // ±Inf: exponent field 2^w_s − 1, significand 2^t_s, no fraction, so mc = (E − e_thr + 1)·2^T exactly.
  const std::int64_t e_inf = source == SourceFormat::Binary16 ? 31 : source == SourceFormat::Binary64 ? 2047 : 255;
  const bool inf_beyond = e_inf >= plan.e_thr &&
                          ((static_cast<std::uint64_t>(e_inf - plan.e_thr + 1) << plan.t) > plan.max_mc);
  if (!(inf_beyond && plan.inf_pos == plan.sat_pos && plan.inf_neg == plan.sat_neg &&
        plan.inf_pos_none == plan.sat_pos_none && plan.inf_neg_none == plan.sat_neg_none))
    plan.sel |= 2;
  plan.kernel = kernel;
  // The aligned kernels (see fast_round_aligned).
  const int t_s = ps - 1;
  plan.a_kbase = static_cast<std::uint32_t>(plan.e_thr - 1) << t_s;
  plan.a_cs = plan.s0 + plan.e_thr;
  const bool signed_format = f.is_signed && f.sign_bit != 0;
  const bool min_shape = signed_format && (plan.sat_pos == plan.max_mc || plan.sat_pos == plan.max_mc + 1) &&
                         plan.sat_neg == (plan.sat_pos | plan.sign_bit);
  const bool min_shape_unsigned_oor =  // e.g. OCP E4M3: out of range is the NaN 0x7f for either sign
      signed_format && plan.sat_pos == plan.max_mc + 1 && plan.sat_neg == plan.sat_pos;
  if (min_shape) plan.sel |= 16;
  else if (min_shape_unsigned_oor) plan.sel |= 16 | 32;
  if ((plan.sel & 16) == 0) return plan;
  // binary64 → binary32 itself under RNE: IEEE 754's conversion (round to nearest even, subnormal results,
  // overflow to ±Inf) is the language's double → float; the plan's codes must be binary32's own.
  if (source == SourceFormat::Binary64 && kernel == FastKernel::NearestEven && f.p == 24 && f.bias == 127 &&
      plan.max_mc == 0x7f7fffffu && plan.sign_bit == 0x80000000u && (plan.sel & 33) == 0 &&
      plan.zero_neg == plan.sign_bit) {
    plan.fallback = kernel;
    plan.kernel = FastKernel::Binary64ToBinary32;
    return plan;
  }
  if (source == SourceFormat::Binary64 || code_bytes(f) > 2) return plan;
  FastKernel aligned = FastKernel::None;
  if (kernel == FastKernel::FewBitNarrow && plan.n <= plan.s0) {
    switch (rd.mode) {
      case DeviceMode::SRFF: aligned = FastKernel::SrffAligned; break;
      case DeviceMode::SRF: aligned = FastKernel::SrfAligned; break;
      case DeviceMode::SRC: aligned = FastKernel::SrcAligned; break;
      case DeviceMode::SRO: aligned = FastKernel::SroAligned; break;
      case DeviceMode::SRCEIL: aligned = FastKernel::SrceilAligned; break;
      default: break;
    }
  } else if (kernel == FastKernel::ExactSR && plan.s0 >= 1) {
    aligned = FastKernel::ExactSRAligned;
    if (plan.e_thr == 1) plan.sel |= 64;  // one shift for every input (fast_round_aligned)
  } else if (kernel == FastKernel::NearestEven) {
    aligned = FastKernel::NearestEvenAligned;
  }
  if (aligned != FastKernel::None) {
    plan.fallback = kernel;
    plan.kernel = aligned;
  }
  return plan;
}

namespace fast_detail {

// c ? a : b without control flow (nested ?: chains defeat GCC's if-conversion, so the loop would
// not vectorize).
template <class T>
RL_FAST_INLINE T pick(bool c, T a, T b) {
  return b ^ ((a ^ b) & (T{0} - static_cast<T>(c)));
}

// The final encode: out-of-range, zero result and the special inputs by selects, in words W. One
// select per statement: GCC if-converts these into masked blends, but not nested ?: chains.
// kSel: bit 0 = zero results drop the sign (exact for formats without −0), bit 1 = apply the
// infinite-input select, bit 2 (few-bit kernels) = the random word may be ≥ 2^N (explicit words; Philox
// words are masked to N bits), bit 3 = apply the general zero-result select. 15 is always correct; the
// launcher's specialised variants use the plan's FastPlan::sel (bits 0 and 1 only).
template <class W, int kSel>
RL_FAST_INLINE std::uint32_t finish(const FastPlan& P, bool is_nan, bool is_inf, bool neg, W mc,
                                    std::uint8_t& none) {
  using U = std::uint32_t;
  // A zero result (mc = 0) encodes as +0 = 0, or as −0 = sign_bit in signed formats with −0. Where the
  // plan keeps the zero select (kSel bit 0: no −0, so every zero result encodes as 0), a zero result is
  // simply treated as positive: mc | 0 = 0, in range. Fewer live vector registers than a select.
  const bool zero = mc == 0;
  bool sneg = neg;
  if constexpr ((kSel & 1) != 0) sneg = neg & !zero;
  // Unsigned formats: every negative nonzero result is out of range (neg_oor = all ones there, else 0).
  // (A select on the loop-invariant flag itself would be lowered lane by lane.)
  const W neg_oor = sneg ? static_cast<W>(P.neg_oor) : W{0};
  const bool oor = (mc | neg_oor) > static_cast<W>(P.max_mc);
  const U sign = sneg ? static_cast<U>(P.sign_bit) : U{0};
  const U code_sat = sneg ? static_cast<U>(P.sat_neg) : static_cast<U>(P.sat_pos);
  const U code_inf = sneg ? static_cast<U>(P.inf_neg) : static_cast<U>(P.inf_pos);  // ±Inf: mc ≠ 0
  U code = static_cast<U>(mc) | sign;
  code = oor ? code_sat : code;
  if constexpr ((kSel & 8) != 0) {  // general: any zero code (also −0 after bit 0 dropped the sign)
    const U code_zero = neg ? static_cast<U>(P.zero_neg) : static_cast<U>(P.zero_pos);
    code = zero ? code_zero : code;
  }
  if constexpr ((kSel & 2) != 0) code = is_inf ? code_inf : code;
  code = is_nan ? static_cast<U>(P.nan) : code;
  const U ne_sat = sneg ? U{P.sat_neg_none} : U{P.sat_pos_none};
  const U ne_inf = sneg ? U{P.inf_neg_none} : U{P.inf_pos_none};
  U ne = oor ? ne_sat : U{0};
  ne = is_inf ? ne_inf : ne;
  ne = is_nan ? U{P.nan_none} : ne;
  none = static_cast<std::uint8_t>(ne);
  return code;
}

// Rounding of a value given as fields: exponent field ef, significand m < 2^PS (with the hidden bit),
// in words W (all arithmetic in W, except the 64-bit ν of FewBitWide and ExactSR on 64-bit words);
// SADJ low bits of the source significand were already folded into a sticky bit 0 of m (so the plan's
// s0 shrinks by SADJ). r_lo, r_hi: the element's random word (low and high 32 bits).
// kLazy: (r1_lo, r1_hi) is a second word (the largest with the same top part, device/philox.hpp); `tie`
// receives 1 where the two words round differently (then the caller finishes with the whole word).
template <class W, class SW, int PS, int SADJ, FastKernel K, int kSel, bool kLazy = false>
RL_FAST_INLINE std::uint32_t round_fields(const FastPlan& P, bool neg, bool is_nan, bool is_inf, W ef, W m,
                                          std::uint32_t r_lo, std::uint32_t r_hi, std::uint8_t& none,
                                          std::uint32_t r1_lo = 0, std::uint32_t r1_hi = 0,
                                          std::uint8_t* tie = nullptr) {
  const SW ee = static_cast<SW>(ef > W{1} ? ef : W{1});  // max(E, 1)
  const SW s0 = static_cast<SW>(P.s0 - SADJ);
  const SW s1 = static_cast<SW>(P.s0 - SADJ + P.e_thr) - ee;  // s0 + d
  const SW s = s1 > s0 ? s1 : s0;                              // s0 + max(d, 0)
  const SW qs = ee - static_cast<SW>(P.e_thr);                 // −d
  W qb = static_cast<W>(qs > 0 ? qs : SW{0});
  if constexpr (sizeof(W) == 8 || SADJ != 0)  // binary64: keep qb << T in the word; else ≤ 254 << 23 fits
    qb = qb < static_cast<W>(P.qb_max) ? qb : static_cast<W>(P.qb_max);
  const W qbt = qb << P.t;
  W away = 0, integer = 0;
  if constexpr (K == FastKernel::NearestEven) {
    // RNE with s ≥ 1 (P < p_s): mc = qb·2^T + ⌊(m + 2^(s−1) − 1 + lsb) / 2^s⌋, lsb that of the truncated
    // code; s capped at PS + 1 (then every m < 2^PS rounds to 0 exactly as with the true s).
    const SW sc = s < PS + 1 ? s : SW{PS + 1};
    integer = m >> sc;
    const W lsb = (qbt + integer) & 1;
    const W half_m1 = (~W{0} >> 1) >> (static_cast<SW>(sizeof(W) * 8) - sc);  // 2^(sc−1) − 1, sc ≥ 1
    return finish<W, kSel>(P, is_nan, is_inf, neg, qbt + ((m + half_m1 + lsb) >> sc), none);
  } else if constexpr (K == FastKernel::Deterministic) {
    // s capped at PS + 1: every predicate then sees integer 0, D = m, half > m.
    const SW sc = s < PS + 1 ? s : SW{PS + 1};
    const W mask = (W{1} << sc) - 1;
    const W half = (mask >> 1) + static_cast<W>(sc != 0);
    integer = m >> sc;
    const W dd = m & mask;
    const W lsb = (qbt + integer) & 1;
    const W h = neg ? static_cast<W>(P.h_neg) : static_cast<W>(P.h_pos);
    const W l = neg ? static_cast<W>(P.l_neg) : static_cast<W>(P.l_pos);
    const W add = ((half & h) + ((half - 1) & l) + (lsb & static_cast<W>(P.ev))) & mask;
    away = ((dd + add) >> sc) | (static_cast<W>(P.odd) & static_cast<W>(dd != 0) & (lsb ^ 1));
  } else if constexpr (K == FastKernel::ExactSR && sizeof(W) == 4 && kLazy) {
    // Lazy draw, r = top·2^48 + low (device/philox.hpp; top = r_hi >> 16): with F = ⌊ν·2^64⌋,
    // F + r ≥ 2^64 ⟺ top + ⌊ν·2^16⌋ + [F mod 2^48 + low ≥ 2^48] ≥ 2^16. So away when the sum of the first
    // two is ≥ 2^16, not when ≤ 2^16 − 2, and open (tie) when it is 2^16 − 1 and ν has bits below 2^-16 (a
    // superset of F mod 2^48 > 0: the caller then decides with the whole word). s capped at PS + 16:
    // beyond, ⌊ν·2^16⌋ = 0 for the true and the capped s, and the capped sticky bit (m ≠ 0) is a superset.
    static_assert(PS <= 24, "32-bit exact SR needs m < 2^24");
    const SW sc = s < PS + 16 ? s : SW{PS + 16};
    integer = m >> (sc < PS ? sc : SW{PS});
    const W frac = m & ((W{1} << (sc < PS ? sc : SW{PS})) - 1);  // ν·2^s (m < 2^PS)
    const SW d = sc - 16;                                          // −16 ≤ d ≤ PS
    const W nu16 = d >= 0 ? frac >> (d > 0 ? d : SW{0}) : frac << (d < 0 ? -d : SW{0});  // ⌊ν·2^16⌋
    const SW st = 32 - d;  // the low d bits of frac, for 1 ≤ d ≤ 24: shifted up by 8..31
    const W sticky = static_cast<W>(d > 0) & static_cast<W>((frac << (st < 31 ? st : SW{31})) != 0);
    const W sum = (r_hi >> 16) + nu16;
    away = sum >> 16;
    *tie = static_cast<std::uint8_t>(static_cast<W>(sum == 0xffff) & sticky);
    (void)r1_lo;
    (void)r1_hi;
  } else if constexpr (K == FastKernel::ExactSR && sizeof(W) == 4) {
    // F = ⌊ν·2^64⌋ = ⌊m·2^(64−s)⌋ mod 2^64 as two 32-bit halves (m < 2^24, s capped at 88: F = 0 beyond),
    // every shift count in 0..31; away iff F + r ≥ 2^64, i.e. r_hi + F_hi + carry(F_lo + r_lo) ≥ 2^32.
    static_assert(PS <= 24, "32-bit exact SR needs m < 2^24");
    const SW sc = s < 88 ? s : SW{88};  // F = 0 from s = 88 on
    integer = m >> (sc < PS ? sc : SW{PS});
    // Every shift count clamped into 0..31, each range of s then picked by one select.
    const SW c1 = 31 - sc, c2 = sc - 32, c3 = 64 - sc, c4 = sc - 64;
    const W hi_a = (m << 1) << (c1 > 0 ? c1 : SW{0});             // s ≤ 31
    const W hi_b = m >> (c2 < 31 ? (c2 > 0 ? c2 : SW{0}) : SW{31});  // s ≥ 32 (0 from s = 56 on)
    const W lo_a = m << (c3 < 31 ? (c3 > 0 ? c3 : SW{0}) : SW{31});  // 33 ≤ s ≤ 63
    const W lo_b = m >> (c4 > 0 ? c4 : SW{0});                      // s ≥ 64 (c4 ≤ 24)
    const W f_hi = sc <= 31 ? hi_a : hi_b;
    W f_lo = sc < 64 ? lo_a : lo_b;
    f_lo = sc <= 32 ? W{0} : f_lo;
    auto away_for = [&](W rl, W rh) RL_LAMBDA_INLINE {
      const W carry = static_cast<W>(static_cast<W>(f_lo + rl) < rl);
      const W t = f_hi + carry;  // < 2^32: f_hi ≤ 2^32 − 2 when s ≤ 31, < 2^24 otherwise
      return static_cast<W>(static_cast<W>(rh + t) < rh);
    };
    away = away_for(r_lo, r_hi);
    if constexpr (kLazy) *tie = static_cast<std::uint8_t>(away != away_for(r1_lo, r1_hi));
  } else if constexpr (K == FastKernel::ExactSR) {
    // 64-bit words: F = ⌊ν·2^64⌋ exactly; s capped at 64 + PS (F = 0 beyond).
    const SW sc = s < 64 + PS ? s : SW{64 + PS};
    integer = m >> (sc < PS ? sc : SW{PS});
    const SW u = 63 - sc;
    const int ul = static_cast<int>(u > 0 ? u : SW{0});
    const int ur = static_cast<int>(u < 0 ? -u - 1 : SW{0});
    const std::uint64_t mw = m;
    const std::uint64_t f = pick(u >= 0, (mw << ul) << 1, mw >> ur);
    auto away_for = [&](std::uint32_t rl, std::uint32_t rh) RL_LAMBDA_INLINE {
      const std::uint64_t r = (static_cast<std::uint64_t>(rh) << 32) | rl;
      return static_cast<W>((f + r) < r);
    };
    away = away_for(r_lo, r_hi);
    if constexpr (kLazy) *tie = static_cast<std::uint8_t>(away != away_for(r1_lo, r1_hi));
  } else if constexpr (K == FastKernel::FewBitNarrow) {
    // ν·2^32 in 32 bits (nu): exact for s ≤ 31; s capped at 31 ≥ PS + N + 1 keeps every mode's C(ν)
    // (then ν·2^N < ½ and ν > 0 for both the true and the capped ν). C = ⌊(nu + A + ((lsb ⌊ν2^N⌋ ^ X) & D))
    // / 2^(32−N)⌋ (SRFF A = 0; SRF A = 2^(31−N); SRC / SRO A = 2^(31−N) − 1, D = 1, X = 0 / 1; SRCEIL
    // A = 2^(32−N) − 1), and C + r' ≥ 2^N ⟺ nu + A + … + r'·2^(32−N) ≥ 2^32: one carry out of two
    // 32-bit additions (their total is below 2^33).
    static_assert(sizeof(W) == 4, "narrow few-bit kernel is for 32-bit words");
    const SW sc = s < 31 ? s : SW{31};
    integer = m >> sc;  // sc ≤ 31: 0 once sc ≥ PS
    const W nu = (m << (31 - sc)) << 1;
    const int k = 32 - P.n;
    const W add = static_cast<W>(P.fa) + (((nu >> k) ^ static_cast<W>(P.fx)) & static_cast<W>(P.fd));
    const W s1 = nu + add;
    auto away_for = [&](W rl, W rh) RL_LAMBDA_INLINE {
      const W s2 = s1 + ((rl ^ static_cast<W>(P.rxor)) << k);
      W a = static_cast<W>((s1 < nu) | (s2 < s1));
      if constexpr ((kSel & 4) != 0)  // explicit words may be ≥ 2^N: then no round-away
        a &= static_cast<W>(rh == 0) & static_cast<W>((rl >> P.n) == 0);
      return a;
    };
    away = away_for(r_lo, r_hi);
    if constexpr (kLazy) *tie = static_cast<std::uint8_t>(away != away_for(r1_lo, r1_hi));
  } else if constexpr (K == FastKernel::FewBitWide) {
    // ν·2^64 in 64 bits: exact for s ≤ 63; s capped at 63 ≥ PS + N + 1 keeps ⌊ν2^N⌋ = 0, g = 0, rest = 1.
    const SW sc = s < 63 ? s : SW{63};
    integer = m >> (sc < PS ? sc : SW{PS});
    const std::uint64_t nu = (static_cast<std::uint64_t>(m) << (63 - sc)) << 1;
    const int n = P.n;
    const std::uint64_t fl = nu >> (64 - n);
    const std::uint64_t g = (nu >> (63 - n)) & 1;
    const std::uint64_t rest = static_cast<std::uint64_t>((nu << (n + 1)) != 0);
    const std::uint64_t inc = (g & (P.fa | (rest & P.fb) | (((fl & 1) ^ P.fx) & P.fd))) | (rest & P.fce);
    const std::uint64_t c = fl + inc;
    auto away_for = [&](std::uint32_t rl, std::uint32_t rh) RL_LAMBDA_INLINE {
      const std::uint64_t r = (static_cast<std::uint64_t>(rh) << 32) | rl;
      const std::uint64_t valid = static_cast<std::uint64_t>((r >> n) == 0);
      return static_cast<W>(valid & ((c + (r ^ P.rxor)) >> n));
    };
    away = away_for(r_lo, r_hi);
    if constexpr (kLazy) *tie = static_cast<std::uint8_t>(away != away_for(r1_lo, r1_hi));
  }
  return finish<W, kSel>(P, is_nan, is_inf, neg, qbt + integer + away, none);
}

}  // namespace fast_detail

// Aligned kernels: the target's grid as a shift of one word. With a = |source word|, E its exponent field,
// the truncated magnitude code is tc = base >> s, where
//   normal range (E ≥ e_thr):   base = a − (e_thr − 1)·2^t_s,  s = s0
//     (base = qb·2^t_s + m with qb = E − e_thr, so base >> s0 = qb·2^T + (m >> s0): a carry out of the
//     significand moves into the exponent field by itself);
//   below it (E < e_thr):       base = m,                      s = s0 + e_thr − E
//     (m with the hidden bit; a source subnormal, E = 0, doubles its word instead, keeping s0 + e_thr − E);
// so s = max(a_cs − E, s0) and base = max(a − (e_thr − 1)·2^t_s, m) (as signed words) in both. The
// discarded part is D = base mod 2^s, ν = D / 2^s. Then:
//   few-bit (N ≤ s0, so h = 2^(s−N) ≥ 1): C = ⌊ν·2^N⌋ rounded by the mode is ⌊(D + add) / h⌋ with
//     SRFF add = 0, SRF h/2, SRC (h − 1 + lsb)/2, SRO (h − 1 + !lsb)/2, SRCEIL h − 1 (lsb = bit s − N of
//     base, halves floored), and C + r ≥ 2^N ⟺ D + add + r·h ≥ 2^s, so mc = (base + add + r·h) >> s.
//     s is capped at 31 ≥ p_s + N + 1: beyond, ν·2^N < 1/2 and ν > 0 for the true and the capped s alike.
//     Every sum stays below 2^32 (base < 2^31, add + r·h < 2^s).
//   RNE: the SRC form with N = 0 and r = 0, s capped at p_s + 1; 16-bit lanes from 16-bit sources (all
//     values stay below 2^16: base < 2^15, add < 2^(p_s+1)).
//   exact SR from the 16-bit top part `top` of the word (lazy draw, as round_fields): away iff
//     ⌊ν·2^16⌋ + top ≥ 2^16 unless that sum is 2^16 − 1 (then `tie` = 1 and the caller decides with the
//     whole word: a superset of the true ties, which also need bits of ν below 2^-16). With
//     rv = top·2^(s−16) (floored for s < 16, where ν has no bits below 2^-16 and no tie arises),
//     mc = (base + rv) >> s. For s > 31 (capped at 62: m >> 31 = 0 already), base is first shifted right
//     by s − 31 and s = 31: ⌊ν·2^16⌋ is unchanged and tc = 0.
// Out of range is min(mc, sat_pos) and the sign is OR-ed in (the plan's sel bit 4), except on out-of-range
// codes where sel bit 5 says they carry none. kSel = kRuntimeSel reads the selects from P.sel instead
// (the CUDA kernel, where a uniform branch costs less than an instantiation per sel). The integer steps are the same for every element, so a
// loop over elements vectorizes (32-bit lanes; 16-bit for the RNE kernel from 16-bit sources).
constexpr int kRuntimeSel = -1;

template <class S, FastKernel K, int kSel>
RL_FAST_INLINE std::uint32_t fast_round_aligned(const FastPlan& P, typename S::Word x, std::uint32_t r,
                                                std::uint8_t& tie) {
  const int sel = kSel >= 0 ? kSel : P.sel;  // a constant wherever kSel is one
  // U: the lane word (32 bits, or 16 for the 16-bit-lane RNE kernel); every value below fits in it.
  using U = typename S::Word;
  using I = typename S::SWord;
  static_assert(sizeof(U) <= 4, "aligned kernels take 16- or 32-bit source words");
  constexpr int kShift = S::plan_shift;  // the plan describes a binary32 view of a bfloat16 lane
  constexpr U abs_mask = static_cast<U>((std::uint32_t{1} << (S::k - 1)) - 1);
  constexpr U hidden = static_cast<U>(U{1} << S::t);
  constexpr U inf_bits = static_cast<U>(((std::uint32_t{1} << (S::k - 1 - S::t)) - 1) << S::t);
  const U a = static_cast<U>(x & abs_mask);
  const I e = static_cast<I>(a >> S::t);
  const U m = static_cast<U>((a & (hidden - 1)) + (a < hidden ? a : hidden));  // frac + hidden, or 2·frac (E = 0)
  // Signed: a − a_kbase = (E − e_thr + 1)·2^t_s + frac is ≥ m exactly in the normal range.
  const I bn = static_cast<I>(a - static_cast<U>(P.a_kbase >> kShift));
  const U base0 = bn > static_cast<I>(m) ? static_cast<U>(bn) : m;
  const I s0 = static_cast<I>(P.s0 - kShift);
  I su = static_cast<I>(P.a_cs - kShift - e);
  su = su > s0 ? su : s0;
  U mc = 0;
  if constexpr (K == FastKernel::ExactSRAligned) {
    static_assert(sizeof(U) == 4, "exact SR works in 32-bit lanes");
    // sel bit 6 (e_thr = 1): base = a and s = s0 for every input (E ≥ 1: a − a_kbase = a ≥ m, a_cs − E ≤
    // s0; a source subnormal's doubled word and s0 + 1 give the same carry as a and s0); s0 = p_s − P ≤ 23.
    U base = a;
    I s = s0;
    if ((sel & 64) == 0) {
      su = su < 62 ? su : 62;
      s = su < 31 ? su : 31;  // ≥ s0 ≥ 1
      base = base0 >> (su - s);
    }
    const U total = base + ((r << 16) >> (32 - s));
    mc = total >> s;
    tie = static_cast<std::uint8_t>(((total + (U{0x10000} >> (32 - s))) >> s) != mc);
  } else if constexpr (K == FastKernel::NearestEvenAligned) {
    // RNE = SRC with N = 0 and no random word; s capped at p_s + 1 (every m < 2^p_s then rounds to 0).
    // Every step cast back to U: GCC then keeps 16-bit lanes (vpsllvw / vpsrlvw) instead of widening.
    const U s = static_cast<U>(su < S::p + 1 ? su : static_cast<I>(S::p + 1));
    const U h = static_cast<U>(U{1} << s);
    const U lsb = static_cast<U>((base0 & h) != 0);
    const U add = static_cast<U>(static_cast<U>(h - 1 + lsb) >> 1);
    mc = static_cast<U>(static_cast<U>(base0 + add) >> s);
    tie = 0;
    (void)r;
  } else {
    static_assert(sizeof(U) == 4, "few-bit SR works in 32-bit lanes");
    const I s = su < 31 ? su : 31;
    const I sn = s - P.n;
    const U h = U{1} << sn;
    U add = 0, rr = r;
    if constexpr (K == FastKernel::SrfAligned) add = h >> 1;
    if constexpr (K == FastKernel::SrcAligned) add = (h - 1 + static_cast<U>((base0 & h) != 0)) >> 1;
    if constexpr (K == FastKernel::SroAligned) add = (h - 1 + static_cast<U>((base0 & h) == 0)) >> 1;
    if constexpr (K == FastKernel::SrceilAligned) {
      add = h - 1;
      rr = r ^ static_cast<U>(P.rxor);
    }
    mc = (base0 + add + (rr << sn)) >> s;
    tie = 0;
  }
  const U sat = static_cast<U>(P.sat_pos);
  const U mag = mc < sat ? mc : sat;
  const bool neg = (x >> (S::k - 1)) != 0;
  bool sneg = neg;
  if ((sel & 1) != 0) sneg = neg & (mag != 0);
  U code = static_cast<U>(mag | (sneg ? static_cast<U>(P.sign_bit) : U{0}));
  if ((sel & 32) != 0) code = mag == sat ? mag : code;
  if ((sel & 2) != 0) {
    const U code_inf = neg ? static_cast<U>(P.inf_neg) : static_cast<U>(P.inf_pos);
    code = a == inf_bits ? code_inf : code;
  }
  code = a > inf_bits ? static_cast<U>(P.nan) : code;
  return code;
}

// binary64 → IEEE binary32 under RNE (Binary64ToBinary32): the conversion, then the plan's out-of-range
// code (min on the magnitude: sat_pos is +Inf or the largest finite), ±Inf inputs (sel bit 1) and NaN.
// Exact: the conversion is IEEE 754's (default rounding mode; no flush-to-zero in these builds).
template <int kSel>
RL_FAST_INLINE std::uint32_t fast_convert_to_binary32(const FastPlan& P, std::uint64_t x) {
  const int sel = kSel >= 0 ? kSel : P.sel;
  double d;
  std::memcpy(&d, &x, sizeof d);
  const float y = static_cast<float>(d);
  std::uint32_t c;
  std::memcpy(&c, &y, sizeof c);
  const std::uint32_t sat = static_cast<std::uint32_t>(P.sat_pos);
  std::uint32_t mag = c & 0x7fffffffu;
  mag = mag < sat ? mag : sat;
  std::uint32_t code = mag | (c & 0x80000000u);
  if ((sel & 2) != 0) {
    const bool is_inf = (x & 0x7fffffffffffffffull) == 0x7ff0000000000000ull;
    code = is_inf ? ((x >> 63) != 0 ? static_cast<std::uint32_t>(P.inf_neg) : static_cast<std::uint32_t>(P.inf_pos))
                  : code;
  }
  code = y != y ? static_cast<std::uint32_t>(P.nan) : code;
  return code;
}

// One element: the code (targets of at most 32 bits) and, in `none`, 1 where the result is NaN in a
// format without NaN. (r_lo, r_hi) is the element's random word, its low and high 32 bits (few-bit
// modes: the N-bit word; ExactSR: the 64-bit word); ignored by the deterministic kernel.
// kLazy: see round_fields (the stochastic kernels only).
template <class S, FastKernel K, int kSel = 15, bool kLazy = false>
RL_FAST_INLINE std::uint32_t fast_round_word(const FastPlan& P, typename S::Word x, std::uint32_t r_lo,
                                             std::uint32_t r_hi, std::uint8_t& none, std::uint32_t r1_lo = 0,
                                             std::uint32_t r1_hi = 0, std::uint8_t* tie = nullptr) {
  using W = typename S::Word;
  constexpr W abs_mask = (W{1} << (S::k - 1)) - 1;
  constexpr W frac_mask = (W{1} << S::t) - 1;
  constexpr W inf_bits = ((W{1} << (S::k - 1 - S::t)) - 1) << S::t;
  const bool neg = ((x >> (S::k - 1)) & 1) != 0;
  const W a = x & abs_mask;
  const bool is_nan = a > inf_bits, is_inf = a == inf_bits;
  const W ef = a >> S::t;
  const W m = (a & frac_mask) | (static_cast<W>(ef != 0) << S::t);
  if constexpr (sizeof(W) == 8 && (K == FastKernel::Deterministic || K == FastKernel::NearestEven)) {
    // binary64, deterministic modes: s ≥ 53 − 24 = 29 here, so the low 23 bits of m only matter as a
    // sticky bit; folding them into bit 0 leaves a 30-bit significand and 32-bit lanes.
    constexpr int kAdj = 23;
    const auto m32 = static_cast<std::uint32_t>(m >> kAdj) |
                     static_cast<std::uint32_t>((m & ((std::uint64_t{1} << kAdj) - 1)) != 0);
    return fast_detail::round_fields<std::uint32_t, std::int32_t, S::p - kAdj, kAdj, K, kSel>(
        P, neg, is_nan, is_inf, static_cast<std::uint32_t>(ef), m32, r_lo, r_hi, none);
  } else {
    return fast_detail::round_fields<W, typename S::SWord, S::p, 0, K, kSel, kLazy>(P, neg, is_nan, is_inf, ef, m,
                                                                              r_lo, r_hi, none, r1_lo, r1_hi, tie);
  }
}

// Scalar entry point (tests, CUDA): the source word as raw bits, r the element's random word.
RL_HD DeviceResult fast_round_element(const FastPlan& P, std::uint64_t bits, std::uint64_t r) {
  DeviceResult res;
  std::uint8_t none = 0;
  const auto lo = static_cast<std::uint32_t>(r), hi = static_cast<std::uint32_t>(r >> 32);
  // Whole words: the aligned kernels' fallback (the aligned ones draw the top part first).
  const FastKernel kernel = is_aligned_kernel(P.kernel) ? P.fallback : P.kernel;
  auto run = [&](auto src, std::uint64_t word) {
    using S = decltype(src);
    const auto w = static_cast<typename S::Word>(word);
    switch (kernel) {
      case FastKernel::NearestEven: return fast_round_word<S, FastKernel::NearestEven>(P, w, lo, hi, none);
      case FastKernel::Deterministic: return fast_round_word<S, FastKernel::Deterministic>(P, w, lo, hi, none);
      case FastKernel::ExactSR: return fast_round_word<S, FastKernel::ExactSR>(P, w, lo, hi, none);
      case FastKernel::FewBitWide: return fast_round_word<S, FastKernel::FewBitWide>(P, w, lo, hi, none);
      case FastKernel::FewBitNarrow:
        if constexpr (sizeof(typename S::Word) == 4)
          return fast_round_word<S, FastKernel::FewBitNarrow>(P, w, lo, hi, none);
        break;
      default: break;
    }
    return std::uint32_t{0};
  };
  switch (P.source) {
    case SourceFormat::Binary32: res.code = run(FastSourceBinary32{}, bits & 0xffffffffu); break;
    case SourceFormat::Bfloat16: res.code = run(FastSourceBinary32{}, (bits & 0xffffu) << 16); break;
    case SourceFormat::Binary16: res.code = run(FastSourceBinary16{}, bits & 0xffffu); break;
    case SourceFormat::Binary64: res.code = run(FastSourceBinary64{}, bits); break;
  }
  res.no_encoding = none != 0;
  return res;
}

}  // namespace roundlab::device
