// The subcommands of `roundlab`. Each takes its arguments (after the subcommand name) and streams,
// returns the process exit status, and reports bad input on `err` with a message naming it.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "reference/number_text.hpp"  // hex_code, used by most commands

namespace roundlab::cli {

using Args = std::vector<std::string>;

int run_formats(const Args& args, std::ostream& out, std::ostream& err);
int run_modes(const Args& args, std::ostream& out, std::ostream& err);
int run_round(const Args& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_decode(const Args& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_encode(const Args& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_compare(const Args& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_bias(const Args& args, std::ostream& out, std::ostream& err);
int run_quantize_block(const Args& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_stattest(const Args& args, std::ostream& out, std::ostream& err);
int run_prove(const Args& args, std::ostream& out, std::ostream& err);
int run_bench(const Args& args, std::ostream& out, std::ostream& err);
int run_experiment(const Args& args, std::ostream& out, std::ostream& err);
int run_train_gpt(const Args& args, std::ostream& out, std::ostream& err);
int run_report(const Args& args, std::ostream& out, std::ostream& err);
int run_version(const Args& args, std::ostream& out, std::ostream& err);

// Dispatches argv[1] to a subcommand; prints usage on unknown commands.
int run_main(const Args& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace roundlab::cli
