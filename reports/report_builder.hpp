// Assembles the report from the data folder of DIR (DIR/data, laid out as reports/README.md says) and
// writes DIR/index.html.
#pragma once
#include <filesystem>
#include <string>

namespace roundlab::reports {

struct ReportSummary {
  std::filesystem::path index;  // DIR/index.html
  int sections = 0, figures = 0, tables = 0;
};

// Throws InputError naming the first missing or malformed result file.
ReportSummary build_report(const std::filesystem::path& dir);

}  // namespace roundlab::reports
