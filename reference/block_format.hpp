// BlockFormat: a block of elements sharing one scale (OCP MX, NVFP4, P3109 block), and the reference
// quantization of one block. See formats.md §2.6 and §3.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reference/exact_value.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/round_result.hpp"
#include "reference/rounding.hpp"

namespace roundlab {

// How the shared scale is chosen from the block's largest finite magnitude amax.
enum class ScaleRule {
  MxFloor,    // OCP MX / MX paper Alg. 1: 2^(⌊log2 amax⌋ − emax_elem)
  MxCeil,     // torchao CEIL
  MxEven,     // torchao EVEN
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
  ScaleRule scale_rule = ScaleRule::MxFloor;
  Rounding scale_rounding;  // how the scale itself is rounded where the rule rounds it
};

struct BlockResult {
  ExactValue scale;                   // decoded scale
  std::uint64_t scale_code = 0;
  std::vector<RoundResult> elements;  // element values/codes (before scaling)
  std::vector<ExactValue> decoded;    // scale * element, exact
};

BlockResult quantize_block(const BlockFormat& format, const Rounding& element_rounding,
                           std::span<const ExactValue> values, std::span<const RandomDraw> draws,
                           const BlockOptions& options);

std::vector<BlockFormat> block_catalogue();

}  // namespace roundlab
