// Running `roundlab` subcommands in-process from tests (cli::run_main with string streams), and the
// small text helpers their checks use.
#pragma once
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace roundlab::cli_testing {

struct CliRun {
  int rc;
  std::string out, err;
};

// `roundlab ARGS...` with `input` on stdin.
inline CliRun run_cli(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int rc = roundlab::cli::run_main(args, in, out, err);
  return {rc, out.str(), err.str()};
}

// `roundlab COMMAND ARGS... --no-progress` (the long-running subcommands print no progress bar).
inline CliRun run_quiet(const std::string& command, std::vector<std::string> args) {
  args.insert(args.begin(), command);
  args.push_back("--no-progress");
  return run_cli(args);
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

}  // namespace roundlab::cli_testing
