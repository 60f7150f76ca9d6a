#include "reports/report_builder.hpp"

#include <fstream>

#include "reports/report_sections.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::reports {

namespace {

// data/run.json, written by `roundlab report` when it ran the analyses: what ran, with which
// arguments (seeds included), for how long.
Section provenance_section(const DataDir& d, const nlohmann::json& run) {
  Section s{"provenance", "How this report was made", {}};
  s.paragraph("The commands that produced the data, in order. Rerun any of them to reproduce a figure; every random "
              "stream is seeded and the seed is in the arguments.");
  Table t;
  t.caption = "Every command run, with its arguments";
  t.collapsed = true;
  t.header = {"#", "command", "exit status", "seconds"};
  int i = 0;
  if (run.contains("steps"))
    for (const auto& step : run["steps"])
      t.rows.push_back({std::to_string(++i), json_text(step, "command"), json_text(step, "exit_status"),
                        step.contains("seconds") && step["seconds"].is_number() ? fixed_text(step["seconds"].get<double>(), 1) : ""});
  t.data_files = {d.link("run.json")};
  s.table(std::move(t));
  return s;
}

}  // namespace

ReportSummary build_report(const std::filesystem::path& dir) {
  DataDir d{dir / "data"};
  HtmlReport r;
  r.title = "roundlab report: what the roundings do";
  r.provenance.emplace_back("report built by", std::string("roundlab ") + ROUNDLAB_VERSION + ", revision " + git_revision());
  nlohmann::json run;
  const bool have_run = std::filesystem::is_regular_file(d.path("run.json"));
  if (have_run) {
    run = read_json(d, "run.json", "roundlab report --out DIR");
    r.provenance.emplace_back("results computed by", "roundlab " + json_text(run, "roundlab_version") + ", revision " +
                                                         json_text(run, "revision"));
    r.provenance.emplace_back("size", json_text(run, "size") + " (" + json_text(run, "size_note") + ")");
    r.provenance.emplace_back("created", json_text(run, "created_utc") + ", " +
                                             fixed_text(run.value("seconds", 0.0), 0) + " s on this machine");
    r.provenance.emplace_back("seeds", json_text(run, "seeds"));
  } else {
    r.provenance.emplace_back("results", "read from existing result files (no data/run.json): their revisions and seeds are "
                                         "in the tables below");
  }
  r.provenance.emplace_back("data", "every figure links the CSV/JSON files it was drawn from, under data/");
  r.sections.push_back(formats_section(d));
  r.sections.push_back(bias_section(d));
  r.sections.push_back(verification_section(d));
  r.sections.push_back(drift_section(d));
  r.sections.push_back(training_section(d));
  if (have_run) r.sections.push_back(provenance_section(d, run));

  ReportSummary out;
  out.index = dir / "index.html";
  out.sections = static_cast<int>(r.sections.size());
  for (const auto& s : r.sections)
    for (const auto& b : s.blocks) {
      out.figures += std::holds_alternative<Figure>(b) ? 1 : 0;
      out.tables += std::holds_alternative<Table>(b) ? 1 : 0;
    }
  std::ofstream f(out.index);
  f << r.html();
  if (!f) throw InputError("cannot write '" + out.index.string() + "'");
  return out;
}

}  // namespace roundlab::reports
