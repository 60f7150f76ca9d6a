// roundlab decode / encode: exact code <-> value for element formats.
#include <istream>
#include <ostream>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "cli/input_value.hpp"
#include "cli/options.hpp"
#include "reference/error.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"

namespace roundlab::cli {

namespace {

// Runs `each` over the positional arguments, or over stdin tokens when there are none.
template <typename Fn>
int for_each_item(const Options& o, std::istream& in, std::ostream& out, std::ostream& err, const char* cmd, Fn each) {
  int failures = 0;
  auto one = [&](const std::string& item, long index) {
    try {
      out << each(item) << '\n';
    } catch (const std::exception& e) {
      ++failures;
      out << "error: item " << index << ": " << e.what() << '\n';
      err << "roundlab " << cmd << ": item " << index << " ('" << item << "'): " << e.what() << '\n';
    }
  };
  long index = 1;
  if (!o.positional().empty()) {
    for (const auto& item : o.positional()) one(item, index++);
  } else {
    for (std::string line; std::getline(in, line);) {
      std::istringstream ss(line);
      for (std::string item; ss >> item;) one(item, index++);
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int run_decode(const Args& args, std::istream& in, std::ostream& out, std::ostream& err) {
  Options o(args, {"format"}, {"decimal"});
  const Format format = find_format(o.require("format"));
  const int bits = code_bits(format);
  const bool decimal = o.flag("decimal");
  return for_each_item(o, in, out, err, "decode", [&](const std::string& item) {
    std::uint64_t code = parse_unsigned(item, "code");
    ExactValue v = decode_code(format, code);
    std::string line = hex_code(code, bits) + ' ' + to_hex_float(v);
    if (decimal) line += ' ' + to_exact_decimal(v);
    return line;
  });
}

int run_encode(const Args& args, std::istream& in, std::ostream& out, std::ostream& err) {
  Options o(args, {"format"}, {});
  const Format format = find_format(o.require("format"));
  const int bits = code_bits(format);
  return for_each_item(o, in, out, err, "encode", [&](const std::string& item) {
    ExactValue v = parse_input_value(item);
    return hex_code(encode_value(format, v), bits);
  });
}

}  // namespace roundlab::cli
