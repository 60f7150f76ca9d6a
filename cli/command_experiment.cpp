// roundlab experiment lorenz|heat|shallow-water: the drift experiments of analysis/ (Lorenz '63,
// soil-column heat diffusion, shallow water over a ridge) under a list of reduced-precision
// configurations, with presets --quick (CI-sized) and --paper (climate.md's sizes), a progress bar on
// stderr, a summary table on stdout and JSON/CSV files under --out.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "analysis/heat_experiment.hpp"
#include "analysis/lorenz_experiment.hpp"
#include "analysis/shallow_water_experiment.hpp"
#include "cli/commands.hpp"
#include "cli/experiment_output.hpp"
#include "cli/options.hpp"
#include "reference/error.hpp"

namespace roundlab::cli {

namespace {

using namespace roundlab::analysis;

const char* kExperimentUsage =
    "usage: roundlab experiment lorenz|heat|shallow-water [--quick|--paper] [--sbits LIST] [--rounding LIST]\n"
    "         [--random-bits LIST] [--members M] [--references K] [--length T] [--seed S] [--out DIR]\n"
    "         [--policy every-op|rpe] [--range float64|half|bfloat16] [--threads N] [--progress|--no-progress]\n"
    "         lorenz: [--dt DT] [--spinup STEPS] [--sample-every STEPS]   (--length in time units)\n"
    "         heat: (--length in years)   shallow-water: [--grid NXxNY] [--spinup DAYS] (--length in days)\n"
    "  LIST: comma-separated values or ranges a..b, e.g. --sbits 6,8,10..12 --rounding rn,sr,src --random-bits 2,4\n";

// "6,8,10..12" → {6, 8, 10, 11, 12}; every value in [lo, hi].
std::vector<int> parse_int_list(const std::string& option, const std::string& text, int lo, int hi) {
  std::vector<int> out;
  auto number = [&](const std::string& s) {
    std::size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (s.empty() || used != s.size())
      throw InputError("--" + option + ": '" + s + "' is not an integer (expected a list like 6,8,10..12)");
    if (v < lo || v > hi)
      throw InputError("--" + option + ": " + s + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    return v;
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::size_t dots = item.find("..");
    if (dots == std::string::npos) {
      out.push_back(number(item));
    } else {
      const int a = number(item.substr(0, dots)), b = number(item.substr(dots + 2));
      if (b < a) throw InputError("--" + option + ": range '" + item + "' is empty (expected a..b with a ≤ b)");
      for (int v = a; v <= b; ++v) out.push_back(v);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> parse_name_list(const std::string& option, const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) throw InputError("--" + option + ": empty entry in '" + text + "'");
    out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The configuration lists: a preset's, replaced by any list given on the command line.
struct Lists {
  std::string sbits, rounding, random_bits;
};

std::vector<DriftConfig> configs_from(const Options& o, const Lists& preset) {
  const std::string sbits = o.get("sbits").value_or(preset.sbits);
  const std::string rounding = o.get("rounding").value_or(preset.rounding);
  const std::string bits = o.get("random-bits").value_or(preset.random_bits);
  return expand_drift_configs(parse_int_list("sbits", sbits, 1, 52), parse_name_list("rounding", rounding),
                              bits.empty() ? std::vector<int>{} : parse_int_list("random-bits", bits, 1, 64));
}

enum class Preset { Default, Quick, Paper };

// The options every experiment shares, into its spec (each spec has these fields).
template <class Spec>
void apply_common(const Options& o, Spec& s) {
  s.seed = o.get_u64("seed", 1);
  if (auto p = o.get("policy")) s.policy = parse_operand_policy(*p);
  if (auto r = o.get("range")) s.range = parse_exponent_range(*r);
  s.threads = o.get_int("threads", 0, 0, 1024);
  s.progress = o.flag("progress") || (!o.flag("no-progress") && isatty(STDERR_FILENO) != 0);
}

// The table on stdout, then the files under --out (if given), each path named.
template <class Result, class Print, class Write>
int report(const Options& o, const Result& r, Print print, Write write, std::ostream& out) {
  print(r, out);
  if (auto dir = o.get("out"))
    for (const auto& p : write(r, *dir)) out << "wrote " << p.string() << "\n";
  return 0;
}

int run_lorenz(const Options& o, Preset preset, std::ostream& out) {
  LorenzExperimentSpec s;
  Lists lists{"6,8,10,12,16,23", "rn,sr,srff,src", "2,4"};
  if (preset == Preset::Quick) {
    lists = {"6,10,23", "rn,sr,srff,src", "2"};
    s.length = 2000;
    s.references = 4;
    s.orbit_window = 50000;
  } else if (preset == Preset::Paper) {
    lists = {"3..23", "rn,sr,srff,src", "1,2,4,8"};
    s.length = 1e5;
    s.references = 20;
    s.members = 8;
    s.sample_every = 20;
    s.orbit_window = 1000000;
  }
  apply_common(o, s);
  s.length = o.get_double("length", s.length);
  s.dt = o.get_double("dt", s.dt);
  s.references = o.get_int("references", s.references, 2, 1000);
  s.members = o.get_int("members", s.members, 1, 1000);
  s.spinup_steps = static_cast<std::int64_t>(o.get_u64("spinup", static_cast<std::uint64_t>(s.spinup_steps)));
  s.sample_every = o.get_int("sample-every", s.sample_every, 1, 1000000);
  return report(o, run_lorenz_experiment(s, configs_from(o, lists)), print_lorenz_table, write_lorenz_outputs, out);
}

int run_heat(const Options& o, Preset preset, std::ostream& out) {
  HeatExperimentSpec s;
  Lists lists{"10,16,23", "rn,sr,srff,src", "2,4,8"};
  if (preset == Preset::Quick) {
    lists = {"23", "rn,sr,srff,src", "2,4"};
    s.members = 1;
  } else if (preset == Preset::Paper) {
    lists = {"5..23", "rn,sr,srff,src", "1,2,4,8"};
    s.members = 5;
  }
  apply_common(o, s);
  s.model.years = o.get_double("length", s.model.years);
  s.members = o.get_int("members", s.members, 1, 1000);
  return report(o, run_heat_experiment(s, configs_from(o, lists)), print_heat_table, write_heat_outputs, out);
}

int run_shallow_water(const Options& o, Preset preset, std::ostream& out) {
  ShallowWaterExperimentSpec s;
  Lists lists{"7,10,23", "rn,sr", ""};
  s.model.nx = 50;
  s.model.ny = 25;
  if (preset == Preset::Quick) {
    lists = {"7,23", "rn,sr", ""};
    s.model.nx = 32;
    s.model.ny = 16;
    s.spinup_days = 100;
    s.days = 20;
    s.references = 3;
  } else if (preset == Preset::Paper) {
    lists = {"5..23", "rn,sr,srff,src", "2,4"};
    s.model.nx = 100;
    s.model.ny = 50;
    s.spinup_days = 365;
    s.days = 365;
    s.references = 10;
    s.members = 5;
  }
  apply_common(o, s);
  if (auto g = o.get("grid")) {
    const std::size_t x = g->find('x');
    const std::vector<int> nx = x == std::string::npos ? std::vector<int>{} : parse_int_list("grid", g->substr(0, x), 3, 4096);
    const std::vector<int> ny = x == std::string::npos ? std::vector<int>{} : parse_int_list("grid", g->substr(x + 1), 2, 4096);
    if (nx.size() != 1 || ny.size() != 1) throw InputError("--grid: '" + *g + "' is not NXxNY (e.g. 100x50)");
    s.model.nx = nx[0];
    s.model.ny = ny[0];
  }
  s.spinup_days = o.get_double("spinup", s.spinup_days);
  s.days = o.get_double("length", s.days);
  s.references = o.get_int("references", s.references, 2, 1000);
  s.members = o.get_int("members", s.members, 1, 1000);
  return report(o, run_shallow_water_experiment(s, configs_from(o, lists)), print_shallow_water_table, write_shallow_water_outputs, out);
}

}  // namespace

int run_experiment(const Args& args, std::ostream& out, std::ostream& err) {
  const Options o(args,
                  {"sbits", "rounding", "random-bits", "members", "references", "length", "seed", "out", "policy", "range",
                   "threads", "dt", "spinup", "sample-every", "grid"},
                  {"quick", "paper", "progress", "no-progress", "help"});
  if (o.flag("help")) {
    out << kExperimentUsage;
    return 0;
  }
  if (o.positional().size() != 1) {
    err << "roundlab experiment: error: expected one model (lorenz, heat or shallow-water)\n" << kExperimentUsage;
    return 2;
  }
  if (o.flag("quick") && o.flag("paper")) throw InputError("--quick and --paper: choose one preset");
  const Preset preset = o.flag("quick") ? Preset::Quick : o.flag("paper") ? Preset::Paper : Preset::Default;
  const std::string& model = o.positional()[0];
  if (model == "lorenz") return run_lorenz(o, preset, out);
  if (model == "heat") return run_heat(o, preset, out);
  if (model == "shallow-water") return run_shallow_water(o, preset, out);
  err << "roundlab experiment: error: unknown model '" << model << "' (expected lorenz, heat or shallow-water)\n";
  return 2;
}

}  // namespace roundlab::cli
