// PLACEHOLDER: being replaced by the codebook implementation (issue 2); not done.
#include "reference/codebook_format.hpp"

#include "reference/error.hpp"

namespace roundlab {
void CodebookFormat::validate() const {}
ExactValue CodebookFormat::decode(std::uint64_t) const { throw InputError("codebooks: not implemented yet"); }
std::uint64_t CodebookFormat::encode(const ExactValue&) const { throw InputError("codebooks: not implemented yet"); }
RoundResult round_codebook(const CodebookFormat&, const Rounding&, const ExactValue&, const RandomDraw&) {
  throw InputError("codebooks: not implemented yet");
}
std::vector<CodebookFormat> codebook_catalogue() { return {}; }
CodebookFormat symmetric_int_codebook(int) { throw InputError("codebooks: not implemented yet"); }
}  // namespace roundlab
