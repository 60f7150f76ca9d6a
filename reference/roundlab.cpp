#include "reference/roundlab.hpp"

#include <string>

namespace roundlab {

Format format_from_name(std::string_view name) { return find_format(name); }

Format format_from_parameters(const IeeeLikeFormat& parameters) {
  parameters.validate();
  return parameters;
}

Rounding rounding_from_name(std::string_view mode, int random_bits, std::string_view saturation) {
  return rounding_from_parameters(parse_mode(mode), random_bits, parse_saturation(saturation));
}

Rounding rounding_from_parameters(Mode mode, int random_bits, Saturation saturation) {
  Rounding rounding;
  rounding.mode = mode;
  rounding.random_bits = random_bits;
  rounding.saturation = saturation;
  rounding.validate();
  return rounding;
}

RoundResult reference_round(const Format& format, const Rounding& rounding, double x, std::uint64_t r) {
  RandomDraw draw;
  draw.r = r;
  return reference_round(format, rounding, ExactValue::from_double(x), draw);
}

}  // namespace roundlab
