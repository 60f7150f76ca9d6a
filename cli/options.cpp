#include "cli/options.hpp"

#include <cmath>

#include "reference/error.hpp"

namespace roundlab::cli {

void Options::reject_positional(const std::string& hint) const {
  if (!positional_.empty()) throw InputError("unexpected argument '" + positional_.front() + "' (" + hint + ")");
}

Options::Options(const std::vector<std::string>& args, const std::set<std::string>& value_options,
                 const std::set<std::string>& flag_options) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flag_options.count(name)) {
      if (value) throw InputError("option --" + name + " takes no value");
      flags_.insert(name);
    } else if (value_options.count(name)) {
      if (!value) {
        if (i + 1 >= args.size()) throw InputError("option --" + name + " needs a value");
        value = args[++i];
      }
      values_[name] = *value;
    } else {
      std::string known;
      for (const auto& o : value_options) known += " --" + o;
      for (const auto& o : flag_options) known += " --" + o;
      throw InputError("unknown option --" + name +
                       (known.empty() ? std::string(" (this command takes no options)") : " (this command takes:" + known + ")"));
    }
  }
}

std::optional<std::string> Options::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Options::require(const std::string& name) const {
  auto v = get(name);
  if (!v) throw InputError("missing required option --" + name);
  return *v;
}

bool Options::flag(const std::string& name) const { return flags_.count(name) > 0; }

int Options::get_int(const std::string& name, int fallback, int lo, int hi) const {
  auto v = get(name);
  if (!v) return fallback;
  size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(*v, &used, 10);
  } catch (...) {
    used = 0;
  }
  if (used != v->size() || v->empty())
    throw InputError("option --" + name + " expects an integer, got '" + *v + "'");
  if (x < lo || x > hi)
    throw InputError("option --" + name + " = " + *v + " is out of range " + std::to_string(lo) + ".." +
                     std::to_string(hi));
  return static_cast<int>(x);
}

std::uint64_t Options::get_u64(const std::string& name, std::uint64_t fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  const bool hex = v->size() > 2 && (*v)[0] == '0' && ((*v)[1] == 'x' || (*v)[1] == 'X');
  const std::string digits = hex ? v->substr(2) : *v;
  const char* allowed = hex ? "0123456789abcdefABCDEF" : "0123456789";
  if (!digits.empty() && digits.find_first_not_of(allowed) == std::string::npos) {
    try {
      return std::stoull(digits, nullptr, hex ? 16 : 10);
    } catch (...) {
    }
  }
  throw InputError("option --" + name + " expects an unsigned 64-bit integer (decimal or 0x hex), got '" + *v + "'");
}

double Options::get_double(const std::string& name, double fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  size_t used = 0;
  double x = 0;
  try {
    x = std::stod(*v, &used);
  } catch (...) {
    used = 0;
  }
  if (used != v->size() || v->empty() || !std::isfinite(x))
    throw InputError("option --" + name + " expects a finite number, got '" + *v + "'");
  return x;
}

std::pair<std::uint64_t, std::uint64_t> Options::get_shard(const std::string& name) const {
  auto v = get(name);
  if (!v) return {0, 1};
  const auto slash = v->find('/');
  auto number = [](const std::string& t, std::uint64_t& out) {
    if (t.empty() || t.size() > 19 || t.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoull(t);
    return true;
  };
  std::uint64_t i = 0, n = 0;
  if (slash != std::string::npos && number(v->substr(0, slash), i) && number(v->substr(slash + 1), n) && n > 0 && i < n)
    return {i, n};
  throw InputError("--" + name + " '" + *v + "': expected i/n with 0 <= i < n, e.g. 3/16");
}

}  // namespace roundlab::cli
