#include <algorithm>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "reference/error.hpp"

namespace roundlab::cli {

namespace {
const char* kUsage =
    "usage: roundlab <command> [options]\n"
    "\n"
    "commands:\n"
    "  formats [--json] [--family F] [--name N]   every named format, exact extremal values\n"
    "  modes [--json]                            rounding modes and their aliases\n"
    "  round --format F --mode M [--random-bits N] [--saturate none|finite|propagate] [--tie T] [--verbose]\n"
    "                                            reads 'x' or 'x r' per line on stdin; prints the exact\n"
    "                                            result as a C99 hex float and its code\n"
    "                                            --tie even|away|zero|lower|upper: ties of mode rn;\n"
    "                                            --verbose: x, away, saturated and the exact decimal too\n"
    "  decode --format F [--decimal] [CODE...]   codes (args or stdin) to exact values (--decimal: also in decimal)\n"
    "  encode --format F [VALUE...]              values of the format (args or stdin) to codes\n"
    "  compare --format F --mode M [--random-bits N] [--saturate S] [--tie T] --source binary32|bfloat16|binary16|binary64\n"
    "          (--exhaustive | --samples K --seed S) [--shard i/n] [--backend cpu|cuda] [--json] [--max-report K]\n"
    "          [--reference mpfr|kernel [--repeats R]]   kernel: vs the generic CPU kernel, e.g. all 2^32 binary32\n"
    "          | --inputs FILE --outputs FILE [--random FILE [--random-bytes B]]   device kernel or your arrays vs the reference\n"
    "          (--max-report: mismatches printed, default 10; --random-bytes: bytes per random word in FILE, 1..8)\n"
    "  bias --format F --mode M [--random-bits N] [--saturate S] --source bfloat16|binary16|grid:D|file:PATH [--range a:b]\n"
    "       [--max-inputs K] [--method auto|enumerate|count] [--summary] [--csv|--json]   exact SR bias/variance\n"
    "  quantize-block --format F --mode M [--random-bits N] [--scale-rule floor|ceil|even|rceil|nvfp4|amax] [--tensor-scale S] [--saturate S]   stdin 'x1 .. xn [; r1 .. rn]' per block\n"
    "  stattest --format F --mode M [--random-bits N] [--saturate S] [--kernel-mode M2 [--kernel-random-bits N2]] [--range a:b]\n"
    "       [--inputs m] [--samples K] [--seed S] [--input-seed S] [--alpha A] [--threads T] [--json]   test a kernel's SR statistically\n"
    "  prove [--quick|--full] [--shard i/n | --mpi] [--claim NAME] [--out DIR] [--list] [--progress]   check the named claims, write certificates\n"
    "  prove --merge FILE... [--out DIR]   combine the shard certificates of one claim run\n"
    "  experiment lorenz|heat|shallow-water [--quick|--paper] [--sbits LIST] [--rounding LIST] [--random-bits LIST]\n"
    "       [--members M] [--length T] [--seed S] [--out DIR]   drift of long simulations under RN, SR, few-bit SR\n"
    "  train-gpt --preset tiny|mini|baby [--weights fp32|round-each-step|bf16-sr|bf16-rne] [--format F --mode M\n"
    "       --random-bits N --scale 1|dynamic --start K] [--data FILE] [--seed S] [--iters N] [--backend cpu|cuda]\n"
    "       [--out DIR] [--progress|--no-progress] | --sweep figure3 [--seeds K]\n"
    "                                            char-level GPT training with rounded weights\n"
    "  report --out DIR [--quick|--smoke] [--seed S] [--data FILE] | --out DIR --from RESULTS\n"
    "                                            runs the analyses (or reads RESULTS) and writes DIR/index.html:\n"
    "                                            a self-contained HTML report with SVG plots, and its data in DIR/data\n"
    "  bench [--backend cpu|cuda] [--elements N] [--threads T] [--repeat R] [--filter REGEX] [--json]\n"
    "        [--seed S] [--philox-seed S] [--generic]\n"
    "                                            array kernels vs a copy of the same bytes (memcpy, or device-to-device)\n"
    "                                            --seed: the inputs' seed; --philox-seed: the SR words' stream;\n"
    "                                            --generic: time the generic CPU kernel instead of the fast path\n"
    "  version                                   version, revision, CUDA backend status\n"
    "\n"
    "Inputs: decimal (0.1, 1e-3), C99 hex float (0x1.8p-3), inf, nan, or FORMAT:CODE (binary32:0x3f800001).\n";

// The lines of kUsage that describe `cmd` (every entry that starts with it, with its continuation
// lines), plus the inputs note for commands that read numbers; empty for an unknown command.
std::string usage_of(const std::string& cmd) {
  std::string text(kUsage), picked, inputs_note;
  bool in_entry = false;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (line.rfind("Inputs:", 0) == 0) inputs_note = line + "\n";
    const bool entry_start = line.size() > 2 && line.rfind("  ", 0) == 0 && line[2] != ' ';
    if (entry_start)
      in_entry = line.compare(2, cmd.size(), cmd) == 0 && (line.size() == 2 + cmd.size() || line[2 + cmd.size()] == ' ');
    else if (line.rfind("   ", 0) != 0) in_entry = false;  // not a continuation line
    if (in_entry) picked += (entry_start ? "usage: roundlab " + line.substr(2) : line) + "\n";
  }
  const bool reads_numbers = cmd == "round" || cmd == "encode" || cmd == "quantize-block" || cmd == "bias";
  return picked.empty() || !reads_numbers ? picked : picked + "\n" + inputs_note;
}
}  // namespace

int run_main(const Args& args, std::istream& in, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string cmd = args[0];
  const Args rest(args.begin() + 1, args.end());
  // `roundlab CMD --help`: that command's lines of the usage (experiment, train-gpt and report print
  // their own, longer usage).
  const bool wants_help = std::find(rest.begin(), rest.end(), "--help") != rest.end() ||
                          std::find(rest.begin(), rest.end(), "-h") != rest.end();
  if (wants_help && cmd != "experiment" && cmd != "train-gpt" && cmd != "report") {
    const std::string usage = usage_of(cmd == "--version" ? "version" : cmd);
    if (!usage.empty()) {
      out << usage;
      return 0;
    }
  }
  try {
    if (cmd == "formats") return run_formats(rest, out, err);
    if (cmd == "modes") return run_modes(rest, out, err);
    if (cmd == "round") return run_round(rest, in, out, err);
    if (cmd == "decode") return run_decode(rest, in, out, err);
    if (cmd == "encode") return run_encode(rest, in, out, err);
    if (cmd == "compare") return run_compare(rest, in, out, err);
    if (cmd == "bias") return run_bias(rest, out, err);
    if (cmd == "quantize-block") return run_quantize_block(rest, in, out, err);
    if (cmd == "stattest") return run_stattest(rest, out, err);
    if (cmd == "prove") return run_prove(rest, out, err);
    if (cmd == "bench") return run_bench(rest, out, err);
    if (cmd == "experiment") return run_experiment(rest, out, err);
    if (cmd == "train-gpt") return run_train_gpt(rest, out, err);
    if (cmd == "report") return run_report(rest, out, err);
    if (cmd == "version" || cmd == "--version") return run_version(rest, out, err);
  } catch (const InputError& e) {
    err << "roundlab " << cmd << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "roundlab " << cmd << ": error: " << e.what() << "\n";
    return 1;
  }
  err << "roundlab: unknown command '" << cmd << "'\n\n" << kUsage;
  return 2;
}

}  // namespace roundlab::cli
