// A CSV file as the report reads it: a header row, data rows, and the '#' comment lines that some of
// roundlab's CSV outputs carry (parameters, aggregates). Quoted fields ("a,b", "say ""hi""") are
// understood. Errors name the file, the line and what was expected.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace roundlab::reports {

class CsvTable {
 public:
  // Throws InputError naming the file when it cannot be read or has no header row.
  static CsvTable read(const std::filesystem::path& path);
  static CsvTable parse(const std::string& text, const std::string& name);

  const std::vector<std::string>& header() const { return header_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  const std::vector<std::string>& comments() const { return comments_; }  // without the leading '#'
  bool has_column(const std::string& column) const;
  std::size_t column(const std::string& column) const;  // InputError naming the file and the column
  const std::string& cell(std::size_t row, const std::string& column) const;
  // The cell as a number; empty, "null", "nan" and "n/a" read as NaN, "inf"/"-inf" as ±infinity.
  double number(std::size_t row, const std::string& column) const;
  std::vector<double> numbers(const std::string& column) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::string> comments_;
};

// One CSV record (no newline) split into fields.
std::vector<std::string> split_csv_record(const std::string& line);

}  // namespace roundlab::reports
