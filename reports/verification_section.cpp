// Verification: the proof certificates (claim, domain, cases checked, status, revision) and the
// device-vs-reference comparisons (our bit-level kernels against the exact MPFR reference), plus a
// figure of how many cases each checked.
#include <cmath>

#include "reports/report_sections.hpp"
#include "reports/svg_plot.hpp"

namespace roundlab::reports {

namespace {
const char* kProveWriter = "roundlab prove --quick --out verification/certificates";
const char* kCompareWriter = "roundlab compare --format F --mode M ... --json > verification/compare/NAME.json";

double count(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}
}  // namespace

Section verification_section(const DataDir& d) {
  Section s{"verification", "Verification", {}};
  s.paragraph("What is proved, and how: each claim of proofs/ is checked exhaustively over its stated domain (or the quick "
              "sub-domain), and its certificate records the cases, the first counterexample if any, and the code revision. "
              "The comparisons run our device kernels against the exact reference, bit for bit.");
  Table certs;
  certs.caption = "Proof certificates";
  certs.header = {"claim", "status", "mode", "cases checked", "work units", "seconds", "revision", "domain", "statement"};
  Plot p("Cases checked per claim and per comparison");
  p.x_axis = {"cases checked", "log10 scale", Scale::Log10};
  std::vector<std::string> names;
  for (const auto& f : list_files(d, "verification/certificates", ".json", kProveWriter)) {
    const nlohmann::json c = read_json(d, f, kProveWriter);
    if (!c.contains("claim") || !c.contains("status"))
      throw InputError("'" + d.path(f).string() + "' is not a certificate (expected the output of `" + kProveWriter + "`)");
    const std::string status = json_text(c, "status");
    certs.rows.push_back({json_text(c, "claim"), status, json_text(c, "mode"), json_text(c, "cases_checked"),
                          json_text(c, "units_checked") + " of " + json_text(c, "work_units") + " (" + json_text(c, "unit") + ")",
                          fixed_text(count(c, "seconds"), 1), json_text(c, "revision"), json_text(c, "domain"),
                          json_text(c, "statement") + (json_text(c, "counterexample").empty()
                                                          ? ""
                                                          : " — first counterexample: " + json_text(c, "counterexample"))});
    certs.data_files.push_back(d.link(f));
    const double n = count(c, "cases_checked");
    if (n > 0) p.add_strip("claim " + json_text(c, "claim") + " (" + status + ")", {n});
  }
  std::vector<std::string> links = certs.data_files;
  s.table(std::move(certs));

  Table cmp;
  cmp.caption = "Device kernels against the exact reference";
  cmp.header = {"format", "rounding", "source", "what (backend, seed)", "inputs", "cases", "mismatches", "status", "first mismatch"};
  for (const auto& f : list_files(d, "verification/compare", ".json", kCompareWriter)) {
    const nlohmann::json c = read_json(d, f, kCompareWriter);
    if (!c.contains("ok") || !c.contains("cases"))
      throw InputError("'" + d.path(f).string() + "' is not a comparison result (expected the output of `" + kCompareWriter + "`)");
    const bool ok = c["ok"].get<bool>();
    // compare's JSON names the source; results written before it did have it only in the file name.
    std::string source = json_text(c, "source");
    if (const auto at = f.rfind("_from_"); source.empty() && at != std::string::npos)
      source = f.substr(at + 6, f.size() - at - 6 - 5);
    if (source.empty()) source = "?";
    std::string first;
    if (c.contains("first") && c["first"].is_array() && !c["first"].empty()) {
      const auto& m = c["first"][0];
      first = "input " + json_text(m, "input") + " r=" + json_text(m, "r") + ": expected " + json_text(m, "expected") +
              ", got " + json_text(m, "got");
    }
    cmp.rows.push_back({json_text(c, "format"), json_text(c, "rounding"), source, json_text(c, "what"),
                        json_text(c, "inputs"), json_text(c, "cases"), json_text(c, "mismatches"), ok ? "ok" : "mismatch", first});
    cmp.data_files.push_back(d.link(f));
    const double n = count(c, "cases");
    if (n > 0)
      p.add_strip(json_text(c, "format") + " " + json_text(c, "rounding") + " from " + source +
                      (ok ? "" : " (MISMATCH)"),
                  {n});
  }
  links.insert(links.end(), cmp.data_files.begin(), cmp.data_files.end());
  s.table(std::move(cmp));
  if (!p.series().empty()) s.figure({p.svg(), "How much each check covered (one mark per claim or comparison).", links});
  return s;
}

}  // namespace roundlab::reports
