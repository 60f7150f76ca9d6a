// Command-line options of one subcommand: "--name value", "--name=value" and "--flag".
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace roundlab::cli {

class Options {
 public:
  // value_options take a value; flag_options do not. Anything else is an error naming the option.
  Options(const std::vector<std::string>& args, const std::set<std::string>& value_options,
          const std::set<std::string>& flag_options);
  std::optional<std::string> get(const std::string& name) const;
  std::string require(const std::string& name) const;  // InputError naming the missing option
  bool flag(const std::string& name) const;
  int get_int(const std::string& name, int fallback, int lo, int hi) const;  // range-checked
  // Unsigned 64-bit, decimal or 0x-hex; InputError naming the option for anything else.
  std::uint64_t get_u64(const std::string& name, std::uint64_t fallback) const;
  // A finite number; InputError naming the option otherwise.
  double get_double(const std::string& name, double fallback) const;
  // "--shard i/n" with 0 ≤ i < n, as {i, n}; {0, 1} when absent.
  std::pair<std::uint64_t, std::uint64_t> get_shard(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // For commands that take options only: InputError naming the first stray argument, with `hint` (what
  // the command reads instead), so `round ... 1.5` is refused rather than left waiting on stdin.
  void reject_positional(const std::string& hint) const;

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace roundlab::cli
