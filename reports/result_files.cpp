#include "reports/result_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "reference/error.hpp"

namespace roundlab::reports {

namespace fs = std::filesystem;

void require_file(const DataDir& d, const std::string& relative, const std::string& writer) {
  std::error_code ec;
  if (!fs::is_regular_file(d.path(relative), ec))
    throw InputError("missing '" + relative + "' in '" + d.root.string() + "' (expected the output of `" + writer + "`)");
}

CsvTable read_csv(const DataDir& d, const std::string& relative, const std::string& writer) {
  require_file(d, relative, writer);
  return CsvTable::read(d.path(relative));
}

nlohmann::json read_json(const DataDir& d, const std::string& relative, const std::string& writer) {
  require_file(d, relative, writer);
  std::ifstream f(d.path(relative));
  try {
    return nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw InputError("'" + d.path(relative).string() + "' is not valid JSON (expected the output of `" + writer +
                     "`): " + e.what());
  }
}

std::vector<std::string> list_files(const DataDir& d, const std::string& relative, const std::string& suffix,
                                    const std::string& writer) {
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_directory(d.path(relative), ec))
    for (const auto& e : fs::directory_iterator(d.path(relative))) {
      const std::string name = e.path().filename().string();
      if (e.is_regular_file() && name.size() >= suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        out.push_back(relative + "/" + name);
    }
  if (out.empty())
    throw InputError("no '*" + suffix + "' files in '" + d.path(relative).string() + "' (expected the output of `" +
                     writer + "`)");
  std::sort(out.begin(), out.end());
  return out;
}

std::string fixed_text(double v, int digits) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string general_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string comment_field(const std::vector<std::string>& comments, const std::string& key) {
  for (const std::string& c : comments) {
    std::size_t pos = 0;
    while (pos < c.size()) {
      const std::size_t end = std::min(c.find(',', pos), c.size());
      const std::string item = c.substr(pos, end - pos);
      if (item.rfind(key + "=", 0) == 0) return item.substr(key.size() + 1);
      pos = end + 1;
    }
  }
  return "";
}

std::string json_text(const nlohmann::json& j, const std::string& key, const std::string& fallback) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace roundlab::reports
