#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  roundlab::cli::Args args(argv + 1, argv + argc);
  return roundlab::cli::run_main(args, std::cin, std::cout, std::cerr);
}
