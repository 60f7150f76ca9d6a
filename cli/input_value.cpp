#include "cli/input_value.hpp"

#include <cctype>
#include <string>
#include <variant>

#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/round_away.hpp"

namespace roundlab::cli {

std::uint64_t parse_unsigned(std::string_view text, std::string_view what) {
  std::string s(text);
  bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  std::string digits = hex ? s.substr(2) : s;
  bool ok = !digits.empty();
  for (char c : digits) ok = ok && (hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c)));
  if (ok) {
    try {
      size_t used = 0;
      unsigned long long v = std::stoull(digits, &used, hex ? 16 : 10);
      if (used == digits.size()) return v;
    } catch (...) {
    }
  }
  throw InputError(std::string(what) + " '" + s + "' is not an unsigned integer below 2^64 (decimal or 0x hex)");
}

RandomDraw parse_random_draw(const Rounding& rounding, const std::string& token) {
  RandomDraw draw;
  if (rounding.mode == Mode::StochasticExact && token.rfind("u=", 0) == 0) {
    draw.u = parse_number(token.substr(2));
    validate_random_draw(rounding, draw);
    return draw;
  }
  draw.r = parse_unsigned(token, "random value r");
  const int n = rounding.mode == Mode::StochasticExact ? 64 : rounding.random_bits;
  if (n < 64 && draw.r >= (std::uint64_t{1} << n))
    throw InputError("random value r = " + token + " needs more than N = " + std::to_string(n) +
                     " bits (expected 0 ≤ r < 2^" + std::to_string(n) + ")");
  return draw;
}

ExactValue parse_input_value(std::string_view text) {
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    Format f = find_format(text.substr(0, colon));
    const auto* ieee = std::get_if<IeeeLikeFormat>(&f);
    if (!ieee) throw InputError("FORMAT:CODE input needs an IEEE-like format, not '" + std::string(text.substr(0, colon)) + "'");
    return ieee->decode(parse_unsigned(text.substr(colon + 1), "code"));
  }
  return parse_number(text);
}

}  // namespace roundlab::cli
