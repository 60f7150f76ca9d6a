// roundlab quantize-block: one block per stdin line, "x1 … xn" or, for stochastic modes,
// "x1 … xn ; r1 … rn" (one r per element), answered line for line (formats.md §2.6, §3).
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
#include "reference/block_format.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/round_away.hpp"

namespace roundlab::cli {

namespace {

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream ss(text);
  std::vector<std::string> tokens;
  for (std::string t; ss >> t;) tokens.push_back(t);
  return tokens;
}

}  // namespace

int run_quantize_block(const Args& args, std::istream& in, std::ostream& out, std::ostream& err) {
  Options o(args, {"format", "mode", "random-bits", "scale-rule", "tensor-scale", "saturate"}, {});
  o.reject_positional("quantize-block reads one block per line on stdin, e.g. echo '1 2 … 32' | roundlab quantize-block …");
  const Format format = find_format(o.require("format"));
  const auto* block = std::get_if<BlockFormat>(&format);
  if (!block)
    throw InputError("format '" + format_name(format) +
                     "' is not a block format; `roundlab formats --family mx` lists the MX blocks");
  Rounding rounding;
  rounding.mode = parse_mode(o.require("mode"));
  if (rounding.uses_random_bits() && !o.get("random-bits"))
    throw InputError("mode " + mode_name(rounding.mode) + " needs --random-bits N (0..64)");
  rounding.random_bits = o.get_int("random-bits", 0, 0, 64);
  rounding.validate();
  BlockOptions options;
  if (auto r = o.get("scale-rule")) options.scale_rule = parse_scale_rule(*r);
  if (auto s = o.get("tensor-scale")) options.tensor_scale = parse_input_value(*s);
  if (auto s = o.get("saturate")) options.element_saturation = parse_saturation(*s);
  {
    // Probe with a block of ones so that bad options fail once, before any line is read. Not zeros: a
    // zero block is a data case that may legitimately have no encoding (amax rule, E8M0 scale: no zero).
    const std::vector<ExactValue> ones(static_cast<size_t>(block->block_size), ExactValue::from_integer_scaled(false, 1, 0));
    const std::vector<RandomDraw> draws(rounding.is_stochastic() ? ones.size() : 0);
    quantize_block(*block, rounding, ones, draws, options);
  }

  int failures = 0;
  std::string line;
  for (long line_no = 1; std::getline(in, line); ++line_no) {
    try {
      const size_t semicolon = line.find(';');
      const std::vector<std::string> xs = split_words(line.substr(0, semicolon));
      if (xs.empty()) throw InputError("no values (expected one block of " + std::to_string(block->block_size) + ")");
      std::vector<ExactValue> values;
      for (const auto& t : xs) values.push_back(parse_input_value(t));
      std::vector<RandomDraw> draws;
      if (rounding.is_stochastic()) {
        if (semicolon == std::string::npos)
          throw InputError("mode " + mode_name(rounding.mode) + " needs '; r1 … rn' after the values");
        for (const auto& t : split_words(line.substr(semicolon + 1))) draws.push_back(parse_random_draw(rounding, t));
      } else if (semicolon != std::string::npos) {
        throw InputError("mode " + mode_name(rounding.mode) + " is deterministic and takes no '; r…'");
      }
      const BlockResult r = quantize_block(*block, rounding, values, draws, options);
      out << "scale=" << to_hex_float(r.scale) << " scale_code=" << hex_code(r.scale_code, block->scale.k)
          << " codes=";
      for (size_t i = 0; i < r.elements.size(); ++i)
        out << (i ? "," : "") << hex_code(r.elements[i].code, block->element.k);
      out << " values=";
      for (size_t i = 0; i < r.decoded.size(); ++i) out << (i ? " " : "") << to_hex_float(r.decoded[i]);
      out << '\n';
    } catch (const std::exception& e) {
      ++failures;
      out << "error: line " << line_no << ": " << e.what() << '\n';
      err << "roundlab quantize-block: line " << line_no << ": " << e.what() << '\n';
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace roundlab::cli
