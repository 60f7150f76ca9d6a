// PLACEHOLDER: being replaced by the block-format implementation (issue 2); not done.
#include "reference/block_format.hpp"

#include "reference/error.hpp"

namespace roundlab {
BlockResult quantize_block(const BlockFormat&, const Rounding&, std::span<const ExactValue>,
                           std::span<const RandomDraw>, const BlockOptions&) {
  throw InputError("block formats: not implemented yet");
}
std::vector<BlockFormat> block_catalogue() { return {}; }
}  // namespace roundlab
