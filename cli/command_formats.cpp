// roundlab formats: the catalogue with exact extremal values.
#include <algorithm>
#include <ostream>
#include <string>
#include <variant>

#include "cli/commands.hpp"
#include "reference/json_text.hpp"
#include "cli/options.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"

namespace roundlab::cli {

namespace {

struct Row {
  std::string name, family, aliases, k, p, bias, max_finite, min_finite, min_normal, min_subnormal, specials, source;
  std::string extra;  // codebook values / block layout
};

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string specials_of(const IeeeLikeFormat& f) {
  std::vector<std::string> s;
  if (f.has_infinities()) s.push_back("+inf=" + hex_code(f.code_of_positive_infinity(), f.k));
  if (f.has_infinities() && f.is_signed) s.push_back("-inf=" + hex_code(f.code_of_negative_infinity(), f.k));
  if (f.has_nan()) s.push_back("nan=" + hex_code(f.code_of_nan(), f.k));
  if (f.has_negative_zero) s.push_back("-0");
  if (!f.has_zero()) s.push_back("no-zero");
  if (s.empty()) s.push_back("none");
  return join(s, " ");
}

Row row_of(const CatalogueEntry& e) {
  Row r;
  r.name = e.name;
  r.aliases = join(e.aliases, ",");
  r.family = format_family(e.format);
  if (const auto* f = std::get_if<IeeeLikeFormat>(&e.format)) {
    r.k = std::to_string(f->k);
    r.p = std::to_string(f->p);
    r.bias = std::to_string(f->bias);
    r.max_finite = to_hex_float(f->max_finite());
    r.min_finite = to_hex_float(f->min_finite());
    // All-subnormal formats (MX INT8: no exponent field) have no normal range.
    r.min_normal = f->exponent_bits() == 0 ? "none" : to_hex_float(f->min_normal());
    auto sub = f->min_subnormal();
    r.min_subnormal = sub ? to_hex_float(*sub) : "none";
    r.specials = specials_of(*f);
    r.source = f->source;
  } else if (const auto* c = std::get_if<CodebookFormat>(&e.format)) {
    r.k = std::to_string(c->k);
    r.p = r.bias = "-";
    r.max_finite = c->values.empty() ? "-" : to_hex_float(c->values.back());
    r.min_finite = c->values.empty() ? "-" : to_hex_float(c->values.front());
    r.min_normal = "-";
    ExactValue smallest;
    bool found = false;
    for (const auto& v : c->values) {
      if (v.is_zero()) continue;
      ExactValue a = v;
      a.set_negative(false);
      if (!found || a < smallest) smallest = a, found = true;
    }
    r.min_subnormal = found ? to_hex_float(smallest) : "-";
    r.specials = "none";
    r.source = c->source;
    std::vector<std::string> vals;
    for (const auto& v : c->values) vals.push_back(to_hex_float(v));
    r.extra = join(vals, " ");
  } else {
    const auto& b = std::get<BlockFormat>(e.format);
    r.k = std::to_string(b.element.k);
    r.p = std::to_string(b.element.p);
    r.bias = "-";
    r.max_finite = to_hex_float(b.element.max_finite());
    r.min_finite = to_hex_float(b.element.min_finite());
    r.min_normal = r.min_subnormal = "-";
    r.specials = "block of " + std::to_string(b.block_size) + " x " + b.element.name + ", scale " + b.scale.name;
    r.source = b.source;
  }
  return r;
}

}  // namespace

int run_formats(const Args& args, std::ostream& out, std::ostream&) {
  Options o(args, {"family", "name"}, {"json"});
  o.reject_positional("formats takes options only, e.g. --name F");
  auto family = o.get("family");
  std::vector<Row> rows;
  if (auto name = o.get("name")) {
    Format f = find_format(*name);
    rows.push_back(row_of({format_name(f), {}, f}));
  } else {
    std::vector<std::string> families;  // in catalogue order, for the error below
    for (const auto& e : catalogue()) {
      const std::string fam = format_family(e.format);
      if (std::find(families.begin(), families.end(), fam) == families.end()) families.push_back(fam);
      if (!family || fam == *family) rows.push_back(row_of(e));
    }
    if (family && rows.empty())
      throw InputError("--family '" + *family + "' is not a format family (families: " + join(families, ", ") + ")");
  }
  if (o.flag("json")) {
    out << "[\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      out << "  {\"name\": " << json_string(r.name) << ", \"family\": " << json_string(r.family)
          << ", \"aliases\": " << json_string(r.aliases) << ", \"k\": " << json_string(r.k)
          << ", \"p\": " << json_string(r.p) << ", \"bias\": " << json_string(r.bias)
          << ", \"max_finite\": " << json_string(r.max_finite) << ", \"min_finite\": " << json_string(r.min_finite)
          << ", \"min_normal\": " << json_string(r.min_normal)
          << ", \"min_subnormal\": " << json_string(r.min_subnormal) << ", \"specials\": " << json_string(r.specials)
          << ", \"values\": " << json_string(r.extra) << ", \"source\": " << json_string(r.source) << "}"
          << (i + 1 < rows.size() ? ",\n" : "\n");
    }
    out << "]\n";
    return 0;
  }
  out << "# name family k p bias max_finite min_finite min_normal min_subnormal specials (exact C99 hex floats)\n";
  for (const Row& r : rows) {
    out << r.name << ' ' << r.family << ' ' << r.k << ' ' << r.p << ' ' << r.bias << ' ' << r.max_finite << ' '
        << r.min_finite << ' ' << r.min_normal << ' ' << r.min_subnormal << " [" << r.specials << "]";
    if (!r.aliases.empty()) out << " aliases=" << r.aliases;
    out << '\n';
  }
  return 0;
}

}  // namespace roundlab::cli
