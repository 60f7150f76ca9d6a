// roundlab modes: the rounding modes, their aliases and definitions.
#include <ostream>

#include "cli/commands.hpp"
#include "reference/json_text.hpp"
#include "cli/options.hpp"
#include "reference/rounding.hpp"

namespace roundlab::cli {

int run_modes(const Args& args, std::ostream& out, std::ostream&) {
  Options o(args, {}, {"json"});
  o.reject_positional("modes takes options only");
  const auto& names = mode_names();
  if (o.flag("json")) out << "[\n";
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& m = names[i];
    std::string aliases;
    for (const auto& a : m.aliases) aliases += (aliases.empty() ? "" : ",") + a;
    if (o.flag("json")) {
      out << "  {\"name\": " << json_string(m.short_name) << ", \"aliases\": " << json_string(aliases)
          << ", \"description\": " << json_string(m.description) << "}" << (i + 1 < names.size() ? ",\n" : "\n");
    } else {
      out << m.short_name << "\t" << aliases << "\t" << m.description << '\n';
    }
  }
  if (o.flag("json")) out << "]\n";
  return 0;
}

}  // namespace roundlab::cli
