// Finding and reading the result files a report is drawn from, with errors that name the file and the
// command that writes it, so a `--from DIR` without them says what to run.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/csv_table.hpp"

namespace roundlab::reports {

// The data folder of a report (DIR/data) and the page-relative prefix of its links ("data/").
struct DataDir {
  std::filesystem::path root;
  std::string link_prefix = "data/";
  std::filesystem::path path(const std::string& relative) const { return root / relative; }
  std::string link(const std::string& relative) const { return link_prefix + relative; }
};

// InputError "missing RELATIVE in DIR (written by WRITER)" when the file is not there.
void require_file(const DataDir& d, const std::string& relative, const std::string& writer);
CsvTable read_csv(const DataDir& d, const std::string& relative, const std::string& writer);
nlohmann::json read_json(const DataDir& d, const std::string& relative, const std::string& writer);
// The regular files directly in the folder `relative` whose names end with `suffix`, sorted by name;
// InputError naming the folder and its writer when there are none.
std::vector<std::string> list_files(const DataDir& d, const std::string& relative, const std::string& suffix,
                                    const std::string& writer);

// Small helpers for the sections' tables.
std::string fixed_text(double v, int digits);  // "nan" / "inf" for non-finite values
std::string general_text(double v);            // %.4g
// The value of key=value in a comment line like "roundlab bias,version=0.1.0,mode=srff,..." ("" if absent).
std::string comment_field(const std::vector<std::string>& comments, const std::string& key);
// A string member of a JSON object, or `fallback` when absent or null.
std::string json_text(const nlohmann::json& j, const std::string& key, const std::string& fallback = "");

}  // namespace roundlab::reports
