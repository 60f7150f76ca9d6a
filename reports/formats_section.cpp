// Formats: the catalogue as a table, and strip plots of the values of the ≤ 8-bit formats (every
// positive finite value of each format on a log2 axis; one row per format, one figure per family).
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "reports/report_sections.hpp"
#include "reports/svg_plot.hpp"

namespace roundlab::reports {

namespace {
const char* kCatalogueWriter = "roundlab formats --json > formats/catalogue.json";
const char* kValuesWriter = "roundlab decode --format F CODE... (every code of each plotted format), as formats/values.csv";

std::string family_title(const std::string& family) {
  if (family == "ocp" || family == "fnuz") return "OCP and FNUZ formats";
  if (family == "p3109") return "IEEE P3109 formats";
  if (family == "int") return "Integer formats";
  if (family == "llm-datatypes") return "Codebooks (llm-datatypes)";
  if (family == "bitsandbytes") return "Codebooks (bitsandbytes)";
  return family + " formats";
}
}  // namespace

Section formats_section(const DataDir& d) {
  Section s{"formats", "Formats", {}};
  const nlohmann::json cat = read_json(d, "formats/catalogue.json", kCatalogueWriter);
  if (!cat.is_array() || cat.empty())
    throw InputError("'" + d.path("formats/catalogue.json").string() + "' is not a list of formats (expected the output of `" +
                     kCatalogueWriter + "`)");
  std::map<std::string, std::string> family_of;
  Table t;
  t.caption = "The catalogue: every named format with its exact extremal values (C99 hex floats)";
  t.header = {"name", "family", "k", "p", "bias", "max finite", "min normal", "min subnormal", "specials", "aliases"};
  t.collapsed = true;
  t.data_files = {d.link("formats/catalogue.json")};
  std::map<std::string, int> per_family;
  for (const auto& f : cat) {
    const std::string name = json_text(f, "name"), family = json_text(f, "family");
    family_of[name] = family;
    ++per_family[family];
    t.rows.push_back({name, family, json_text(f, "k"), json_text(f, "p"), json_text(f, "bias"), json_text(f, "max_finite"),
                      json_text(f, "min_normal"), json_text(f, "min_subnormal"), json_text(f, "specials"),
                      json_text(f, "aliases")});
  }
  std::string counts;
  for (const auto& [fam, n] : per_family) counts += (counts.empty() ? "" : ", ") + fam + " " + std::to_string(n);
  s.paragraph("The catalogue holds " + std::to_string(cat.size()) + " named formats (" + counts +
              "). Open the table for every format's exact extremal values; the JSON file has them all, with codebook values.");
  s.table(std::move(t));

  // Values: rows of (format, code, value) in the order written; one strip per format.
  const CsvTable values = read_csv(d, "formats/values.csv", kValuesWriter);
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> positive;
  std::map<std::string, int> codes;
  const std::size_t cf = values.column("format");
  for (std::size_t r = 0; r < values.rows().size(); ++r) {
    const std::string& f = values.rows()[r][cf];
    if (!codes.count(f)) order.push_back(f);
    ++codes[f];
    // Values are exact: hex floats, or p/q for a codebook's non-dyadic values (bitsandbytes' 1/192).
    const std::string& text = values.cell(r, "value");
    const std::size_t slash = text.find('/');
    double v = 0;
    if (slash == std::string::npos) {
      v = values.number(r, "value");
    } else {
      const std::string p = text.substr(0, slash), q = text.substr(slash + 1);
      char *end_p = nullptr, *end_q = nullptr;
      const double num = std::strtod(p.c_str(), &end_p), den = std::strtod(q.c_str(), &end_q);
      if (p.empty() || q.empty() || *end_p != '\0' || *end_q != '\0' || !(den > 0))
        throw InputError("'" + values.name() + "' row " + std::to_string(r + 1) + ", column 'value': '" + text +
                         "' is neither a number nor p/q (expected the output of `" + kValuesWriter + "`)");
      v = num / den;
    }
    if (std::isfinite(v) && v > 0) positive[f].push_back(v);
  }
  if (order.empty()) throw InputError("'" + values.name() + "' has no values (expected the output of `" + kValuesWriter + "`)");
  std::vector<std::string> titles;
  std::map<std::string, std::vector<std::string>> by_title;
  for (const auto& f : order) {
    // E8M0 spans 2^-127..2^127: on its own, so that it does not flatten the others.
    const std::string title = f == "ocp_e8m0" ? "OCP E8M0 scale format" : family_title(family_of.count(f) ? family_of[f] : "other");
    if (!by_title.count(title)) titles.push_back(title);
    by_title[title].push_back(f);
  }
  s.paragraph("Where the values lie: every positive finite value of each format of 8 bits or fewer, one row per format, on a "
              "log2 axis (negative values mirror them in the signed formats; zero, infinities and NaN are not drawn). Dense "
              "bands are many values per binade (more precision), long rows are wide dynamic range.");
  for (const auto& title : titles) {
    Plot p("Values of the " + title + " (positive, finite)");
    p.x_axis = {"value", "log2 scale", Scale::Log2};
    int drawn = 0;
    for (const auto& f : by_title[title]) {
      if (positive[f].empty()) continue;
      p.add_strip(f + " (" + std::to_string(positive[f].size()) + ")", positive[f]);
      ++drawn;
    }
    if (!drawn) continue;
    s.figure({p.svg(), "Positive finite values of each of the " + title + " of at most 8 bits (in brackets: how many).",
              {d.link("formats/values.csv")}});
  }
  return s;
}

}  // namespace roundlab::reports
