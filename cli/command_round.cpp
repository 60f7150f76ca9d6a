// roundlab round: one case per stdin line, "x" or "x r", answered line for line.
#include <cstdint>
#include <istream>
#include <ostream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input_value.hpp"
#include "cli/options.hpp"
#include "reference/error.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"
#include "reference/round_away.hpp"

namespace roundlab::cli {

namespace {

std::vector<std::string> split(const std::string& line) {
  std::istringstream ss(line);
  std::vector<std::string> tokens;
  for (std::string t; ss >> t;) tokens.push_back(t);
  return tokens;
}

}  // namespace

int run_round(const Args& args, std::istream& in, std::ostream& out, std::ostream& err) {
  Options o(args, {"format", "mode", "random-bits", "saturate", "tie"}, {"verbose"});
  o.reject_positional("round reads 'x' or 'x r' per line on stdin, e.g. echo 1.5 | roundlab round …");
  const Format format = find_format(o.require("format"));
  Rounding rounding;
  rounding.mode = parse_mode(o.require("mode"));
  if (const auto* c = std::get_if<CodebookFormat>(&format)) rounding.tie = c->default_tie;
  if (auto t = o.get("tie")) rounding.tie = parse_tie_rule(*t);
  if (rounding.uses_random_bits() && !o.get("random-bits"))
    throw InputError("mode " + mode_name(rounding.mode) + " needs --random-bits N (0..64)");
  rounding.random_bits = o.get_int("random-bits", 0, 0, 64);
  if (auto s = o.get("saturate")) rounding.saturation = parse_saturation(*s);
  rounding.validate();
  if (std::holds_alternative<BlockFormat>(format))
    throw InputError("format '" + format_name(format) +
                     "' is a block format; `roundlab round` rounds single values of element formats");
  const int bits = code_bits(format);
  const bool verbose = o.flag("verbose");

  int failures = 0;
  std::string line;
  for (long line_no = 1; std::getline(in, line); ++line_no) {
    std::vector<std::string> tokens = split(line);
    try {
      if (tokens.empty()) throw InputError("empty line (expected 'x' or 'x r')");
      if (tokens.size() > 2) throw InputError("expected 'x' or 'x r', got " + std::to_string(tokens.size()) + " fields");
      ExactValue x = parse_input_value(tokens[0]);
      RandomDraw draw;
      if (rounding.is_stochastic()) {
        if (tokens.size() < 2)
          throw InputError("mode " + mode_name(rounding.mode) + " needs a random value r after x");
        draw = parse_random_draw(rounding, tokens[1]);
      } else if (tokens.size() == 2) {
        throw InputError("mode " + mode_name(rounding.mode) + " is deterministic and takes no r");
      }
      RoundResult result = reference_round(format, rounding, x, draw);
      out << to_hex_float(result.value) << ' ' << hex_code(result.code, bits);
      if (verbose)
        out << "  # x=" << to_hex_float(x) << " away=" << result.away << " saturated=" << result.saturated
            << " decimal=" << to_exact_decimal(result.value);
      out << '\n';
    } catch (const std::exception& e) {
      ++failures;
      out << "error: line " << line_no << ": " << e.what() << '\n';
      err << "roundlab round: line " << line_no << ": " << e.what() << '\n';
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace roundlab::cli
