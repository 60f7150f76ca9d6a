#include "reports/csv_table.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "reference/error.hpp"

namespace roundlab::reports {

std::vector<std::string> split_csv_record(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

CsvTable CsvTable::read(const std::filesystem::path& path) {
  std::ifstream f(path);
  if (!f) throw InputError("cannot read '" + path.string() + "' (expected a CSV file there)");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse(ss.str(), path.string());
}

CsvTable CsvTable::parse(const std::string& text, const std::string& name) {
  CsvTable t;
  t.name_ = name;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      t.comments_.push_back(line.substr(1));
      continue;
    }
    std::vector<std::string> fields = split_csv_record(line);
    if (t.header_.empty()) {
      t.header_ = std::move(fields);
      continue;
    }
    if (fields.size() != t.header_.size())
      throw InputError("'" + name + "' line " + std::to_string(number) + ": " + std::to_string(fields.size()) +
                       " fields, but the header has " + std::to_string(t.header_.size()));
    t.rows_.push_back(std::move(fields));
  }
  if (t.header_.empty()) throw InputError("'" + name + "' has no header row (expected a CSV table)");
  return t;
}

bool CsvTable::has_column(const std::string& column) const {
  for (const auto& h : header_)
    if (h == column) return true;
  return false;
}

std::size_t CsvTable::column(const std::string& column) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == column) return i;
  throw InputError("'" + name_ + "' has no column '" + column + "'");
}

const std::string& CsvTable::cell(std::size_t row, const std::string& column_name) const {
  return rows_.at(row).at(column(column_name));
}

double CsvTable::number(std::size_t row, const std::string& column_name) const {
  const std::string& s = cell(row, column_name);
  if (s.empty() || s == "null" || s == "nan" || s == "n/a") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0')
    throw InputError("'" + name_ + "' row " + std::to_string(row + 1) + ", column '" + column_name + "': '" + s +
                     "' is not a number");
  return v;
}

std::vector<double> CsvTable::numbers(const std::string& column_name) const {
  std::vector<double> out;
  out.reserve(rows_.size());
  for (std::size_t r = 0; r < rows_.size(); ++r) out.push_back(number(r, column_name));
  return out;
}

}  // namespace roundlab::reports
