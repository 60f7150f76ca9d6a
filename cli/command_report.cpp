// roundlab report: runs the suite's analyses in-process (formats, bias, prove, compare, experiment,
// train-gpt), each writing its JSON/CSV under DIR/data exactly as the subcommand does, then draws
// DIR/index.html from those files (reports/). With --from it draws results already computed.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "reference/json_text.hpp"
#include "cli/options.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reports/report_builder.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::cli {

namespace {

namespace fs = std::filesystem;

const char* kReportUsage =
    "usage: roundlab report --out DIR [--quick|--smoke] [--seed S] [--data FILE] [--progress|--no-progress]\n"
    "       roundlab report --out DIR --from RESULTS\n"
    "  runs the analyses (or reads RESULTS, laid out as DIR/data) and writes DIR/index.html with its data under DIR/data\n"
    "  --quick: a complete, smaller report (about a minute on 2 cores); --smoke: the smallest complete one (tests)\n"
    "  --data: the training text for train-gpt (default ../shared/data/tinyshakespeare.txt)\n";

// The folders of DIR/data, one per section, and the run record.
const char* const kDataParts[] = {"formats", "bias", "verification", "drift", "training", "run.json"};

enum class Size { Smoke, Quick, Full };

const char* size_name(Size s) { return s == Size::Smoke ? "smoke" : s == Size::Quick ? "quick" : "full"; }
const char* size_note(Size s) {
  return s == Size::Smoke   ? "the smallest complete report, for tests: tiny runs, one claim"
         : s == Size::Quick ? "--quick: small runs, about a minute on 2 cores"
                            : "default sizes: the experiments' default presets, longer training";
}

std::string command_text(const Args& args) {
  std::string s = "roundlab";
  for (const auto& a : args) s += " " + (a.find(' ') != std::string::npos ? "'" + a + "'" : a);
  return s;
}

struct StepRecord {
  std::string command;
  int exit_status = 0;
  double seconds = 0;
};

// Runs subcommands in-process and records them; a subcommand that reports bad input (or any exit
// status not accepted for it) stops the report with its own message.
class Runner {
 public:
  Runner(bool progress, std::ostream& err) : progress_(progress), err_(err) {}

  // `stdout_file`: where the subcommand's stdout goes ("" = discarded). Returns its exit status.
  int run(const Args& args, const fs::path& stdout_file = {}, std::set<int> accepted = {0}) {
    std::istringstream in;
    std::ostringstream out, err;
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = run_main(args, in, out, err);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    steps_.push_back({command_text(args), rc, seconds});
    if (!accepted.count(rc))
      throw std::runtime_error("`" + command_text(args) + "` failed with exit status " + std::to_string(rc) + ": " +
                               (err.str().empty() ? out.str() : err.str()));
    if (!stdout_file.empty()) {
      fs::create_directories(stdout_file.parent_path());
      std::ofstream f(stdout_file);
      f << out.str();
      if (!f) throw InputError("--out: cannot write '" + stdout_file.string() + "'");
    }
    last_stdout_ = out.str();
    return rc;
  }
  const std::string& last_stdout() const { return last_stdout_; }

  // "[3/9] bias: 66 runs" on stderr, then the time taken.
  void stage(const std::string& what) {
    finish_stage();
    ++stage_;
    stage_start_ = std::chrono::steady_clock::now();
    if (progress_) err_ << "report [" << stage_ << "/" << kStages << "] " << what << " ..." << std::flush;
  }
  void finish_stage() {
    if (stage_ == 0 || !progress_) return;
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.1f s\n",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - stage_start_).count());
    err_ << buf << std::flush;
  }
  // Within a stage of many runs: "(k/n)" updates on the same line.
  void tick(int k, int n) {
    if (progress_ && isatty(STDERR_FILENO)) err_ << "\rreport [" << stage_ << "/" << kStages << "] (" << k << "/" << n << ")" << std::flush;
  }
  const std::vector<StepRecord>& steps() const { return steps_; }
  static constexpr int kStages = 7;

 private:
  bool progress_;
  std::ostream& err_;
  std::vector<StepRecord> steps_;
  std::string last_stdout_;
  int stage_ = 0;
  std::chrono::steady_clock::time_point stage_start_;
};

// The ≤ 8-bit formats whose values are plotted: every non-P3109 IEEE-like or codebook format of at
// most 8 bits, and the signed extended P3109 formats of 8 and 4 bits (the other P3109 variants differ
// from these only at the ends).
std::vector<std::pair<std::string, int>> plotted_formats() {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& e : catalogue()) {
    int k = 0;
    if (const auto* f = std::get_if<IeeeLikeFormat>(&e.format)) k = f->k;
    else if (const auto* c = std::get_if<CodebookFormat>(&e.format)) k = c->k;
    if (k == 0 || k > 8) continue;
    if (format_family(e.format) == "p3109" && !(e.name.rfind("p3109_k8p", 0) == 0 || e.name.rfind("p3109_k4p", 0) == 0)) continue;
    if (format_family(e.format) == "p3109" && e.name.substr(e.name.size() - 2) != "se") continue;
    out.emplace_back(e.name, k);
  }
  return out;
}

void run_analyses(Runner& r, const fs::path& data, Size size, std::uint64_t seed, const std::string& text, bool progress) {
  const std::string progress_flag = progress ? "--progress" : "--no-progress";
  const std::string seed_text = std::to_string(seed);

  r.stage("formats: the catalogue and the values of the formats of at most 8 bits");
  r.run({"formats", "--json"}, data / "formats" / "catalogue.json");
  {
    std::ofstream values(data / "formats" / "values.csv");
    values << "format,code,value\n";
    const auto formats = plotted_formats();
    for (const auto& [name, k] : formats) {
      Args args = {"decode", "--format", name};
      for (unsigned code = 0; code < (1u << k); ++code) args.push_back(hex_code(code, k));
      r.run(args, {}, {0, 1});  // a codebook with fewer values than codes answers "error" for the rest
      std::istringstream lines(r.last_stdout());
      for (std::string code, value; lines >> code >> value;) {
        if (code == "error:") {
          std::string rest;
          std::getline(lines, rest);
          continue;
        }
        values << name << "," << code << "," << value << "\n";
      }
    }
    if (!values) throw InputError("--out: cannot write '" + (data / "formats" / "values.csv").string() + "'");
  }

  r.stage("bias: exact bias and variance of SR, SRFF, SRF, SRC, SRO with N = 1..8");
  {
    const std::string format = "b8p4";
    const std::string delta_range = size == Size::Full ? "1:2" : "1:1.125";  // one target ulp suffices: bias depends on δ
    const std::string grid = size == Size::Full ? "grid:10" : "grid:8";
    std::vector<std::pair<Args, fs::path>> runs;
    auto with_mode = [&](Args a, const std::string& mode, int n) {
      a.insert(a.end(), {"--mode", mode});
      if (n > 0) a.insert(a.end(), {"--random-bits", std::to_string(n)});
      return a;
    };
    for (const std::string& mode : {std::string("sr"), std::string("srff"), std::string("srf"), std::string("src"), std::string("sro")})
      for (int n = mode == "sr" ? 0 : 1; n <= (mode == "sr" ? 0 : 8); ++n) {
        const std::string stem = mode == "sr" ? "sr" : mode + "_n" + std::to_string(n);
        runs.push_back({with_mode({"bias", "--format", format, "--source", "binary16", "--range", delta_range, "--csv"}, mode, n),
                        data / "bias" / "delta" / (stem + ".csv")});
        // [1, 2): whole binades, so that δ is uniform on the grid and the closed forms apply.
        runs.push_back({with_mode({"bias", "--format", format, "--source", grid, "--range", "1:0x1.ffffp+0", "--summary", "--json"}, mode, n),
                        data / "bias" / "aggregate" / (stem + ".json")});
        if (mode == "sr" || n == 3)
          runs.push_back({with_mode({"bias", "--format", format, "--source", "bfloat16", "--range", "0.25:4", "--csv"}, mode, n),
                          data / "bias" / "x" / (stem + ".csv")});
      }
    for (std::size_t i = 0; i < runs.size(); ++i) {
      r.tick(static_cast<int>(i + 1), static_cast<int>(runs.size()));
      r.run(runs[i].first, runs[i].second);
    }
  }

  r.stage(size == Size::Smoke ? "prove: one claim (quick)" : "prove --quick: every claim");
  {
    Args a = {"prove", "--quick", "--out", (data / "verification" / "certificates").string()};
    if (size == Size::Smoke) a.insert(a.end(), {"--claim", "bias-closed-forms"});
    r.run(a, {}, {0, 1});  // a failed claim is a result: its certificate says so
  }

  r.stage("compare: device kernels against the reference");
  {
    struct Cmp {
      std::string format, mode;
      int n;
      std::string source;
      bool exhaustive;
    };
    std::vector<Cmp> list = {{"b8p4", "rne", 0, "bfloat16", true}, {"b8p4", "src", 3, "bfloat16", true}};
    if (size != Size::Smoke) {
      for (const char* m : {"srff", "srf", "sro"}) list.push_back({"b8p4", m, 3, "bfloat16", true});
      list.push_back({"b8p4", "src", 3, "binary16", true});
      list.push_back({"ocp_e4m3", "rne", 0, "binary16", true});
      list.push_back({"ocp_e5m2", "src", 2, "binary16", true});
      list.push_back({"b8p4", "src", 3, "binary32", false});
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Cmp& c = list[i];
      Args a = {"compare", "--format", c.format, "--mode", c.mode, "--source", c.source, "--json"};
      if (c.n > 0) a.insert(a.end(), {"--random-bits", std::to_string(c.n)});
      if (c.exhaustive) a.push_back("--exhaustive");
      else a.insert(a.end(), {"--samples", size == Size::Full ? "10000000" : "200000", "--seed", seed_text});
      // The file name carries the source too, so that the folder reads without opening the files.
      const std::string stem = c.format + "_" + c.mode + (c.n ? std::to_string(c.n) : "") + "_from_" + c.source;
      r.tick(static_cast<int>(i + 1), static_cast<int>(list.size()));
      r.run(a, data / "verification" / "compare" / (stem + ".json"), {0, 1});  // mismatches are a result
    }
  }

  const std::string drift = (data / "drift").string();
  r.stage("experiment lorenz");
  if (size == Size::Smoke)
    r.run({"experiment", "lorenz", "--quick", "--length", "500", "--sbits", "6,23", "--rounding", "rn,sr,src", "--random-bits", "2",
           "--references", "3", "--seed", seed_text, "--out", drift, progress_flag});
  else if (size == Size::Quick)
    r.run({"experiment", "lorenz", "--quick", "--seed", seed_text, "--out", drift, progress_flag});
  else
    r.run({"experiment", "lorenz", "--seed", seed_text, "--out", drift, progress_flag});
  r.stage("experiment heat and shallow-water");
  if (size == Size::Smoke) {
    r.run({"experiment", "heat", "--quick", "--length", "2", "--sbits", "16,23", "--rounding", "rn,sr", "--seed", seed_text, "--out",
           drift, progress_flag});
    r.run({"experiment", "shallow-water", "--quick", "--grid", "16x8", "--spinup", "5", "--length", "4", "--references", "2",
           "--seed", seed_text, "--out", drift, progress_flag});
  } else if (size == Size::Quick) {
    r.run({"experiment", "heat", "--quick", "--sbits", "12,16,23", "--rounding", "rn,sr,srff,src", "--random-bits", "2", "--seed",
           seed_text, "--out", drift, progress_flag});
    r.run({"experiment", "shallow-water", "--quick", "--rounding", "rn,sr,srff,src", "--random-bits", "2", "--seed", seed_text,
           "--out", drift, progress_flag});
  } else {
    r.run({"experiment", "heat", "--seed", seed_text, "--out", drift, progress_flag});
    r.run({"experiment", "shallow-water", "--rounding", "rn,sr,srff,src", "--random-bits", "2", "--seed", seed_text, "--out", drift,
           progress_flag});
  }

  r.stage("train-gpt: the Figure-3 sweep and bf16-sr, two or more seeds");
  {
    Args a = {"train-gpt", "--preset", "tiny", "--sweep", "figure3", "--seeds", size == Size::Full ? "3" : "2", "--seed", seed_text,
              "--data", text, "--out", (data / "training").string(), progress_flag};
    if (size == Size::Smoke) a.insert(a.end(), {"--iters", "20"});
    if (size == Size::Quick) a.insert(a.end(), {"--iters", "300"});
    r.run(a);
  }
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

void write_run_record(const fs::path& data, const Runner& r, Size size, std::uint64_t seed, double seconds) {
  std::ofstream f(data / "run.json");
  f << "{\"command\": \"report\", \"roundlab_version\": " << json_string(ROUNDLAB_VERSION)
    << ", \"revision\": " << json_string(git_revision()) << ", \"size\": " << json_string(size_name(size))
    << ", \"size_note\": " << json_string(size_note(size)) << ", \"created_utc\": " << json_string(utc_now())
    << ", \"seconds\": " << seconds << ",\n \"seeds\": "
    << json_string("experiments and sampled compare: seed " + std::to_string(seed) + "; train-gpt: seeds " + std::to_string(seed) +
                   " and up (one per run); bias, prove and exhaustive compare are exact and draw nothing")
    << ",\n \"steps\": [";
  for (std::size_t i = 0; i < r.steps().size(); ++i) {
    const StepRecord& s = r.steps()[i];
    // The decode runs list every code: the record keeps their first words.
    std::string cmd = s.command;
    if (cmd.size() > 200) cmd = cmd.substr(0, 200) + " ...";
    f << (i ? ",\n  " : "\n  ") << "{\"command\": " << json_string(cmd) << ", \"exit_status\": " << s.exit_status
      << ", \"seconds\": " << s.seconds << "}";
  }
  f << "\n ]}\n";
  if (!f) throw InputError("--out: cannot write '" + (data / "run.json").string() + "'");
}

// Our own outputs under DIR/data, removed before they are written again (nothing else is touched).
void clear_data(const fs::path& data) {
  for (const char* part : kDataParts) fs::remove_all(data / part);
}

}  // namespace

int run_report(const Args& args, std::ostream& out, std::ostream& err) {
  const Options o(args, {"out", "from", "seed", "data"}, {"quick", "smoke", "progress", "no-progress", "help"});
  if (o.flag("help")) {
    out << kReportUsage;
    return 0;
  }
  if (!o.positional().empty())
    throw InputError("unexpected argument '" + o.positional().front() + "' (report takes options only; see --help)");
  const auto out_opt = o.get("out");
  if (!out_opt) throw InputError("--out DIR is required (the folder that gets index.html and data/)");
  if (o.flag("quick") && o.flag("smoke")) throw InputError("--quick and --smoke: choose one size");
  const fs::path dir = *out_opt;
  const fs::path data = dir / "data";
  const bool progress = o.flag("progress") || (!o.flag("no-progress") && isatty(STDERR_FILENO) != 0);

  if (auto from = o.get("from")) {
    for (const char* opt : {"quick", "smoke"})
      if (o.flag(opt)) throw InputError(std::string("--") + opt + " sizes the analyses; --from reads results already computed");
    for (const char* opt : {"seed", "data"})
      if (o.get(opt)) throw InputError(std::string("--") + opt + " applies when the analyses run; --from reads results already computed");
    fs::path src = *from;
    std::error_code ec;
    if (!fs::is_directory(src, ec)) throw InputError("--from '" + src.string() + "' is not a directory (expected a report's data folder)");
    if (fs::is_directory(src / "data" / "formats", ec)) src /= "data";  // a report folder: its data
    if (!fs::is_directory(src / "formats", ec))
      throw InputError("--from '" + *from + "' has no formats/ folder (expected the layout of a report's data folder: formats/, "
                       "bias/, verification/, drift/, training/; see reports/README.md)");
    fs::create_directories(data, ec);
    if (ec) throw InputError("--out: cannot create '" + data.string() + "': " + ec.message());
    if (!fs::equivalent(src, data, ec)) {
      clear_data(data);
      for (const char* part : kDataParts)
        if (fs::exists(src / part)) fs::copy(src / part, data / part, fs::copy_options::recursive);
    }
  } else {
    const Size size = o.flag("smoke") ? Size::Smoke : o.flag("quick") ? Size::Quick : Size::Full;
    const std::uint64_t seed = o.get_u64("seed", 1);
    const std::string text = o.get("data").value_or("../shared/data/tinyshakespeare.txt");
    if (!fs::is_regular_file(text))
      throw InputError("--data: cannot read the training text '" + text + "' (train-gpt needs a text file; pass --data FILE)");
    std::error_code ec;
    fs::create_directories(data, ec);
    if (ec) throw InputError("--out: cannot create '" + data.string() + "': " + ec.message());
    clear_data(data);
    const auto t0 = std::chrono::steady_clock::now();
    Runner runner(progress, err);
    run_analyses(runner, data, size, seed, text, progress);
    runner.finish_stage();
    write_run_record(data, runner, size, seed, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const reports::ReportSummary s = reports::build_report(dir);
  out << "wrote " << s.index.string() << ": " << s.sections << " sections, " << s.figures << " figures, " << s.tables
      << " tables; data under " << data.string() << "\n";
  return 0;
}

}  // namespace roundlab::cli
