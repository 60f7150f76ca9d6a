#include "reference/reference_round.hpp"

#include "reference/error.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab {

namespace {
[[noreturn]] void block_not_element(const BlockFormat& b, const char* what) {
  throw InputError("format '" + b.name + "' is a block format: " + what +
                   " works on its element format '" + b.element.name + "' or on whole blocks");
}
}  // namespace

RoundResult reference_round(const Format& format, const Rounding& rounding, const ExactValue& x,
                            const RandomDraw& draw) {
  if (const auto* f = std::get_if<IeeeLikeFormat>(&format)) return project(*f, rounding, x, draw);
  if (const auto* c = std::get_if<CodebookFormat>(&format)) return round_codebook(*c, rounding, x, draw);
  block_not_element(std::get<BlockFormat>(format), "rounding one value");
}

ExactValue decode_code(const Format& format, std::uint64_t code) {
  if (const auto* f = std::get_if<IeeeLikeFormat>(&format)) return f->decode(code);
  if (const auto* c = std::get_if<CodebookFormat>(&format)) return c->decode(code);
  block_not_element(std::get<BlockFormat>(format), "decode");
}

std::uint64_t encode_value(const Format& format, const ExactValue& value) {
  if (const auto* f = std::get_if<IeeeLikeFormat>(&format)) return f->encode(value);
  if (const auto* c = std::get_if<CodebookFormat>(&format)) return c->encode(value);
  block_not_element(std::get<BlockFormat>(format), "encode");
}

int code_bits(const Format& format) {
  if (const auto* f = std::get_if<IeeeLikeFormat>(&format)) return f->k;
  if (const auto* c = std::get_if<CodebookFormat>(&format)) return c->k;
  return std::get<BlockFormat>(format).element.k;
}

}  // namespace roundlab
