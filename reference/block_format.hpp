// BlockFormat: a block of elements sharing one scale (OCP MX, NVFP4, P3109 block), and the reference
// quantization of one block. See formats.md §2.6 and §3.
//
// Definition choices (formats.md leaves these open; each follows the source named):
// - A block must hold exactly block_size values (no padding): InputError otherwise.
// - MX rules: shared exponent above the scale's range (E8M0: > 127) → NaN scale, as microxcaling and
//   torchao's emulation (cuBLAS cvt.rp.satfinite would give 2^127 for RCEIL); below → clamped (−127).
//   An all-zero block gets the smallest scale (2^-127), as gfloat/microxcaling/torchao.
// - MX and NVFP4: a block holding ±Inf or NaN gets a NaN scale and every element decodes to NaN
//   (microxcaling/torchao for MX; NVFP4 follows MX, formats.md §3.3 does not pin it). Those elements
//   are the element format's NaN, or +0 (code 0, "don't care") where the element has no NaN.
// - MX and NVFP4 elements saturate (SatFinite) by default: "normal numbers clamped to ±max_elem"
//   (§3.2) and NVFP4's clamp(x/s, −6, 6) before RNE (§3.3) give the same value. MX INT8 therefore
//   clamps to [−2, 127/64] (gfloat), not microxcaling's ±127/64.
// - Element inputs are X_i / scale exactly; where the scale is not a power of two the quotient is the
//   round-to-odd image at kWorkPrecision (exact_value.hpp), which decides every rounding exactly.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reference/exact_value.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/round_result.hpp"
#include "reference/rounding.hpp"

namespace roundlab {

// How the shared scale is chosen from the block's largest finite magnitude amax.
enum class ScaleRule {
  MxFloor,    // OCP MX / MX paper Alg. 1: 2^(⌊log2 amax⌋ − emax_elem)
  MxCeil,     // torchao CEIL: 2^(⌈log2 amax⌉ − emax_elem)
  MxEven,     // torchao EVEN: amax first rounded to the element's mantissa width (RNE), then floor
  MxRceil,    // NVIDIA cuBLAS / torchao RCEIL: round-up-to-pow2(amax / max_elem)
  NvFp4,      // NVFP4: scale = e4m3(amax / 6) (optionally relative to a tensor scale)
  AmaxItself, // P3109 ConvertToBlockMaxAbsFinite: scale = Project(amax)
};

struct BlockFormat {
  std::string name;
  std::string family;  // "mx", "nvfp4", "p3109-block"
  std::string source;
  int block_size = 32;
  IeeeLikeFormat element;
  IeeeLikeFormat scale;
  ScaleRule default_scale_rule = ScaleRule::MxFloor;
};

struct BlockOptions {
  std::optional<ScaleRule> scale_rule;  // unset: format.default_scale_rule
  // How the scale is rounded by NvFp4 (RNE in the spec) and AmaxItself (ρ_s). The Mx rules ignore it:
  // their rule is the rounding.
  Rounding scale_rounding;
  RandomDraw scale_draw;  // when scale_rounding is stochastic
  // NVFP4 per-tensor scale s_t: a positive binary32 value (formats.md §3.3). Unset: 1. NvFp4 only.
  std::optional<ExactValue> tensor_scale;
  // Overrides the element saturation. Unset: SatFinite for the Mx and NvFp4 rules (the spec clamps),
  // the element rounding's own saturation for AmaxItself (P3109 Project_{f_r,ρ}).
  std::optional<Saturation> element_saturation;
};

struct BlockResult {
  ExactValue scale;                   // decoded scale that multiplies the elements (s_t·q_b for NVFP4)
  std::uint64_t scale_code = 0;       // code of the stored scale in format.scale
  ExactValue stored_scale;            // decode(scale_code): q_b for NVFP4, = scale otherwise
  std::vector<RoundResult> elements;  // element values/codes (before scaling)
  std::vector<ExactValue> decoded;    // scale * element, exact (NaN where the scale is NaN)
};

// Throws InputError for a wrong number of values or draws, a rule that does not fit the format (Mx
// rules need an E8M0-like scale: unsigned, p = 1), or a bad tensor scale; NoEncodingError when a
// NaN must be stored in a format without NaN (P3109 rule only).
BlockResult quantize_block(const BlockFormat& format, const Rounding& element_rounding,
                           std::span<const ExactValue> values, std::span<const RandomDraw> draws,
                           const BlockOptions& options);

std::vector<BlockFormat> block_catalogue();

// CLI names: floor | ceil | even | rceil | nvfp4 | amax.
std::string scale_rule_name(ScaleRule rule);
ScaleRule parse_scale_rule(std::string_view name);  // InputError listing the names

}  // namespace roundlab
