// roundlab bias: the exact pointwise and aggregate bias/variance of one rounding over a set of inputs
// (analysis/sr_bias_*). Parses options into the reference's value types and an analysis source, runs
// the analysis, and prints a table, CSV or JSON with the exact rationals as text.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "analysis/sr_bias_aggregate.hpp"
#include "analysis/sr_bias_closed_forms.hpp"
#include "analysis/sr_bias_enumeration.hpp"
#include "analysis/sr_bias_sources.hpp"
#include "cli/commands.hpp"
#include "cli/input_value.hpp"
#include "reference/json_text.hpp"
#include "cli/options.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::cli {

namespace {

using analysis::BiasAggregate;
using analysis::ExtendedRational;
using analysis::PointBias;
using analysis::Rational;

constexpr std::uint64_t kDefaultMaxInputs = 65536;  // every finite bfloat16 / binary16 value fits

struct BiasRun {
  IeeeLikeFormat format;
  Rounding rounding;
  analysis::BiasSource source;
  std::optional<analysis::ValueRange> range;
  analysis::CountMethod method = analysis::CountMethod::Auto;  // resolved
  std::uint64_t input_count = 0;
  BiasAggregate aggregate;  // filled before the footer is printed
};

std::string approx_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string short_approx(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Exact text when short enough for a table cell; else "~" and 6 significant digits (the JSON and CSV
// outputs always carry the exact text).
std::string cell(const ExtendedRational& v) {
  std::string exact = v.text();
  if (exact.size() <= 24) return exact;
  return "~" + short_approx(v.approximate());
}
std::string cell(const Rational& q) { return cell(ExtendedRational::finite(q)); }

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";  // JSON has no inf/nan: the "exact" text next to it says which
  return approx_text(v);
}

std::string json_pair(const ExtendedRational& v) {
  return "{\"exact\": " + json_string(v.text()) + ", \"approx\": " + json_number(v.approximate()) + "}";
}
std::string json_pair(const Rational& q) { return json_pair(ExtendedRational::finite(q)); }
std::string json_pair(const std::optional<Rational>& q) { return q ? json_pair(*q) : "null"; }

// "value=code p=prob [saturated]" per outcome; `exact` keeps long probabilities exact (CSV).
std::string outcomes_text(const PointBias& p, const char* sep, int bits, bool exact) {
  std::string out;
  for (const auto& o : p.outcomes) {
    if (!out.empty()) out += sep;
    out += o.no_encoding ? "no-encoding" : to_hex_float(o.value) + "=" + hex_code(o.code, bits);
    out += " p=" + (exact ? analysis::rational_text(o.probability) : cell(o.probability));
    if (o.saturated) out += " saturated";
  }
  return out;
}

std::string range_text(const BiasRun& run) { return run.range ? run.range->text() : "all"; }

// What decided the probabilities: enumerate/count for the few-bit modes; exact sr has its exact δ.
std::string method_text(const BiasRun& run) {
  if (run.rounding.mode == Mode::StochasticExact) return "exact-delta";
  if (!run.rounding.is_stochastic()) return "deterministic";
  return analysis::count_method_name(run.method);
}

// The closed forms that apply to the run: a grid:D source over whole binades gives δ uniform on the
// D-bit grid, the case-2 forms of stochastic-rounding.md §3.3.
bool closed_form_applies(const BiasRun& run) {
  return run.source.kind == analysis::BiasSource::Kind::Grid && run.rounding.is_stochastic();
}

// Rows are printed as each input is evaluated (one PointBias reused: a 65536-input run stays small in
// memory); the table keeps only its text cells to align the columns.
class Printer {
 public:
  virtual ~Printer() = default;
  virtual void begin(const BiasRun& run) = 0;
  virtual void row(const BiasRun& run, const PointBias& p) = 0;
  virtual void end(const BiasRun& run) = 0;
};

class TablePrinter : public Printer {
 public:
  TablePrinter(std::ostream& out, bool summary) : out_(out), summary_(summary) {}
  void begin(const BiasRun& run) override {
    out_ << "roundlab bias: " << run.format.name << ", " << run.rounding.describe() << ", source " << run.source.text()
         << " over " << range_text(run) << " (" << run.input_count << " inputs), method " << method_text(run)
         << ", revision " << git_revision() << "\n";
    out_ << "units: bias in target ulps (+ = away from zero), Var and MSE in ulp^2; exact rationals ('~' = "
            "rounded for display)\n";
    rows_ = {{"x", "delta", "P(away)", "bias[ulp]", "Var[ulp^2]", "MSE[ulp^2]", "E-x", "outcomes"}};
  }
  void row(const BiasRun& run, const PointBias& p) override {
    if (summary_) return;
    std::string x = to_hex_float(p.x);
    if (x.size() > 32) x = "~" + short_approx(p.x_finite ? analysis::approximate(p.x_exact) : 0.0);
    rows_.push_back({x, cell(p.delta), cell(p.p_away), cell(p.bias_ulps), cell(p.variance_ulps), cell(p.mse_ulps),
                     cell(p.error), outcomes_text(p, "; ", run.format.k, false)});
  }
  void end(const BiasRun& run) override {
    if (!summary_) print_rows();
    const BiasAggregate& a = run.aggregate;
    out_ << "aggregate over " << a.inputs << " inputs: " << a.finite_inputs << " with finite statistics, "
         << a.exact_inputs << " exact (delta = 0), " << a.non_finite_inputs << " with an infinite or NaN outcome, "
         << a.saturated_inputs << " saturated\n";
    const bool any = a.finite_inputs > 0;
    line("mean bias", a.mean_bias_ulps(), " ulp");
    line("mean |bias|", a.mean_abs_bias_ulps(), " ulp");
    line("min bias", any ? std::optional<Rational>(a.min_bias_ulps) : std::nullopt, " ulp");
    line("max bias", any ? std::optional<Rational>(a.max_bias_ulps) : std::nullopt, " ulp");
    line("max |bias|", any ? std::optional<Rational>(a.max_abs_bias_ulps) : std::nullopt, " ulp");
    if (a.argmax_abs_bias) out_ << "    (first reached at x = " << to_hex_float(*a.argmax_abs_bias) << ")\n";
    line("mean Var", a.mean_variance_ulps(), " ulp^2");
    line("mean delta(1-delta)", a.mean_exact_sr_variance(), " ulp^2 (exact SR's Var)");
    line("Var / exact SR Var", a.variance_ratio(), "");
    line("mean MSE", a.mean_mse_ulps(), " ulp^2");
    line("mean P(away)", a.mean_p_away(), "");
    if (closed_form_applies(run)) {
      const int d = run.source.grid_bits, n = run.rounding.random_bits;
      out_ << "closed forms for delta uniform on the 2^-" << d << " grid (stochastic-rounding.md 3.3; they apply "
           << "when the range covers whole binades without saturation):\n";
      line("mean bias", analysis::grid_mean_bias(run.rounding.mode, n, d), " ulp");
      line("mean Var", analysis::grid_mean_variance(run.rounding.mode, n, d), " ulp^2");
    }
  }

 private:
  void print_rows() {
    std::vector<size_t> width(rows_[0].size(), 0);
    for (const auto& r : rows_)
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows_) {
      std::string text;
      for (size_t i = 0; i < r.size(); ++i) {
        std::string c = r[i];
        if (i + 1 < r.size()) c.resize(width[i] + 2, ' ');
        text += c;
      }
      out_ << text << "\n";
    }
  }
  void line(const char* name, const std::optional<Rational>& v, const char* unit) {
    std::string label = std::string("  ") + name;
    label.resize(28, ' ');
    out_ << label;
    if (!v) {
      out_ << "n/a\n";
      return;
    }
    std::string exact = analysis::rational_text(*v);
    if (exact.size() > 60) exact = "(" + std::to_string(exact.size()) + "-character rational, see --json)";
    out_ << exact << " = " << short_approx(analysis::approximate(*v)) << unit << "\n";
  }

  std::ostream& out_;
  bool summary_;
  std::vector<std::vector<std::string>> rows_;
};

class CsvPrinter : public Printer {
 public:
  CsvPrinter(std::ostream& out, bool summary) : out_(out), summary_(summary) {}
  void begin(const BiasRun& run) override {
    out_ << "# roundlab bias,version=" << ROUNDLAB_VERSION << ",revision=" << git_revision()
         << ",format=" << run.format.name << ",mode=" << mode_name(run.rounding.mode)
         << ",random_bits=" << run.rounding.random_bits << ",saturation=" << saturation_name(run.rounding.saturation)
         << ",source=" << run.source.text() << ",range=" << range_text(run) << ",method=" << method_text(run) << "\n";
    if (!summary_)
      out_ << "x,x_exact,quantum_exponent,delta,delta_approx,p_away,p_away_approx,mean,mean_approx,error,error_approx,"
              "bias_ulps,bias_ulps_approx,variance_ulps,variance_ulps_approx,mse_ulps,mse_ulps_approx,how,outcomes\n";
  }
  void row(const BiasRun& run, const PointBias& p) override {
    if (summary_) return;
    auto pair = [&](const ExtendedRational& v) { return v.text() + "," + approx_text(v.approximate()); };
    auto fin = [&](const Rational& q) { return pair(ExtendedRational::finite(q)); };
    out_ << to_hex_float(p.x) << "," << (p.x_finite ? analysis::rational_text(p.x_exact) : to_hex_float(p.x)) << ","
         << p.quantum_exponent << "," << fin(p.delta) << "," << fin(p.p_away) << "," << pair(p.mean) << ","
         << pair(p.error) << "," << pair(p.bias_ulps) << "," << pair(p.variance_ulps) << "," << pair(p.mse_ulps) << ","
         << analysis::how_computed_name(p.how) << "," << outcomes_text(p, ";", run.format.k, true) << "\n";
  }
  void end(const BiasRun& run) override {
    const BiasAggregate& a = run.aggregate;
    out_ << "# aggregate,inputs," << a.inputs << "\n# aggregate,finite_inputs," << a.finite_inputs
         << "\n# aggregate,exact_inputs," << a.exact_inputs << "\n# aggregate,non_finite_inputs," << a.non_finite_inputs
         << "\n# aggregate,saturated_inputs," << a.saturated_inputs << "\n";
    const bool any = a.finite_inputs > 0;
    agg("mean_bias_ulps", a.mean_bias_ulps());
    agg("mean_abs_bias_ulps", a.mean_abs_bias_ulps());
    agg("min_bias_ulps", any ? std::optional<Rational>(a.min_bias_ulps) : std::nullopt);
    agg("max_bias_ulps", any ? std::optional<Rational>(a.max_bias_ulps) : std::nullopt);
    agg("max_abs_bias_ulps", any ? std::optional<Rational>(a.max_abs_bias_ulps) : std::nullopt);
    agg("mean_variance_ulps", a.mean_variance_ulps());
    agg("mean_exact_sr_variance", a.mean_exact_sr_variance());
    agg("variance_ratio", a.variance_ratio());
    agg("mean_mse_ulps", a.mean_mse_ulps());
    agg("mean_p_away", a.mean_p_away());
  }

 private:
  void agg(const char* name, const std::optional<Rational>& v) {
    out_ << "# aggregate," << name << "," << (v ? analysis::rational_text(*v) : "n/a") << ","
         << (v ? approx_text(analysis::approximate(*v)) : "n/a") << "\n";
  }
  std::ostream& out_;
  bool summary_;
};

class JsonPrinter : public Printer {
 public:
  JsonPrinter(std::ostream& out, bool summary) : out_(out), summary_(summary) {}
  void begin(const BiasRun& run) override {
    out_ << "{\"command\": \"bias\", \"version\": " << json_string(ROUNDLAB_VERSION)
         << ", \"revision\": " << json_string(git_revision()) << ",\n \"parameters\": {\"format\": "
         << json_string(run.format.name) << ", \"mode\": " << json_string(mode_name(run.rounding.mode))
         << ", \"random_bits\": " << run.rounding.random_bits
         << ", \"saturation\": " << json_string(saturation_name(run.rounding.saturation))
         << ", \"rounding\": " << json_string(run.rounding.describe())
         << ", \"source\": " << json_string(run.source.text()) << ", \"range\": "
         << (run.range ? "[" + json_string(to_hex_float(run.range->lo)) + ", " +
                             json_string(to_hex_float(run.range->hi)) + "]"
                       : std::string("null"))
         << ", \"method\": " << json_string(method_text(run))
         << ", \"units\": \"bias in target ulps (+ away from zero), variance and mse in ulp^2; mean, error, "
            "variance_abs and mse_abs in absolute units\"}";
    if (!summary_) out_ << ",\n \"inputs\": [";
  }
  void row(const BiasRun& run, const PointBias& p) override {
    if (summary_) return;
    out_ << (first_ ? "\n  " : ",\n  ") << "{\"x\": " << json_string(to_hex_float(p.x))
         << ", \"x_exact\": " << (p.x_finite ? json_string(analysis::rational_text(p.x_exact)) : "null")
         << ", \"quantum_exponent\": " << p.quantum_exponent << ", \"ulp\": " << json_pair(p.ulp)
         << ", \"delta\": " << json_pair(p.delta) << ", \"p_away\": " << json_pair(p.p_away)
         << ", \"mean\": " << json_pair(p.mean) << ", \"error\": " << json_pair(p.error)
         << ", \"bias_ulps\": " << json_pair(p.bias_ulps) << ", \"variance_ulps\": " << json_pair(p.variance_ulps)
         << ", \"mse_ulps\": " << json_pair(p.mse_ulps) << ", \"variance_abs\": " << json_pair(p.variance)
         << ", \"mse_abs\": " << json_pair(p.mse) << ", \"how\": " << json_string(analysis::how_computed_name(p.how))
         << ", \"outcomes\": [";
    first_ = false;
    for (size_t k = 0; k < p.outcomes.size(); ++k) {
      const auto& o = p.outcomes[k];
      out_ << (k ? ", " : "") << "{\"value\": " << json_string(o.no_encoding ? "no-encoding" : to_hex_float(o.value))
           << ", \"code\": " << (o.no_encoding ? "null" : json_string(hex_code(o.code, run.format.k)))
           << ", \"probability\": " << json_pair(o.probability) << ", \"away\": " << (o.away ? "true" : "false")
           << ", \"saturated\": " << (o.saturated ? "true" : "false") << "}";
    }
    out_ << "]}";
  }
  void end(const BiasRun& run) override {
    if (!summary_) out_ << "\n ]";
    const BiasAggregate& a = run.aggregate;
    const bool any = a.finite_inputs > 0;
    auto opt = [&](const Rational& q) { return any ? std::optional<Rational>(q) : std::nullopt; };
    out_ << ",\n \"aggregate\": {\"inputs\": " << a.inputs << ", \"finite_inputs\": " << a.finite_inputs
         << ", \"exact_inputs\": " << a.exact_inputs << ", \"non_finite_inputs\": " << a.non_finite_inputs
         << ", \"saturated_inputs\": " << a.saturated_inputs << ", \"mean_bias_ulps\": " << json_pair(a.mean_bias_ulps())
         << ", \"mean_abs_bias_ulps\": " << json_pair(a.mean_abs_bias_ulps())
         << ", \"min_bias_ulps\": " << json_pair(opt(a.min_bias_ulps))
         << ", \"max_bias_ulps\": " << json_pair(opt(a.max_bias_ulps))
         << ", \"max_abs_bias_ulps\": " << json_pair(opt(a.max_abs_bias_ulps)) << ", \"argmax_abs_bias\": "
         << (a.argmax_abs_bias ? json_string(to_hex_float(*a.argmax_abs_bias)) : "null")
         << ", \"mean_variance_ulps\": " << json_pair(a.mean_variance_ulps())
         << ", \"mean_exact_sr_variance\": " << json_pair(a.mean_exact_sr_variance())
         << ", \"variance_ratio\": " << json_pair(a.variance_ratio())
         << ", \"mean_mse_ulps\": " << json_pair(a.mean_mse_ulps()) << ", \"mean_p_away\": " << json_pair(a.mean_p_away())
         << "}";
    if (closed_form_applies(run)) {
      const int d = run.source.grid_bits, n = run.rounding.random_bits;
      out_ << ",\n \"closed_form\": {\"grid_bits\": " << d
           << ", \"mean_bias_ulps\": " << json_pair(analysis::grid_mean_bias(run.rounding.mode, n, d))
           << ", \"mean_variance_ulps\": " << json_pair(analysis::grid_mean_variance(run.rounding.mode, n, d)) << "}";
    }
    out_ << "}\n";
  }

 private:
  std::ostream& out_;
  bool summary_;
  bool first_ = true;
};

}  // namespace

int run_bias(const Args& args, std::ostream& out, std::ostream&) {
  Options o(args, {"format", "mode", "random-bits", "saturate", "source", "range", "max-inputs", "method"},
            {"csv", "json", "summary"});
  o.reject_positional("bias takes options only; the inputs come from --source");
  BiasRun run;
  const Format any = find_format(o.require("format"));
  const auto* ieee = std::get_if<IeeeLikeFormat>(&any);
  if (!ieee)
    throw InputError("--format '" + format_name(any) + "' is a " + format_family(any) +
                     " format; roundlab bias works on IEEE-like formats (ulps, binades), e.g. p3109_k8p4se or ocp_e5m2");
  run.format = *ieee;
  run.rounding.mode = parse_mode(o.require("mode"));
  if (run.rounding.uses_random_bits() && !o.get("random-bits"))
    throw InputError("mode " + mode_name(run.rounding.mode) + " needs --random-bits N (0..64)");
  run.rounding.random_bits = o.get_int("random-bits", 0, 0, 64);
  if (auto s = o.get("saturate")) run.rounding.saturation = parse_saturation(*s);
  run.rounding.validate();
  if (o.flag("csv") && o.flag("json")) throw InputError("--csv and --json exclude each other: pick one");

  const std::string source_text = o.require("source");
  try {
    run.source = analysis::parse_bias_source(source_text);
  } catch (const InputError& e) {
    throw InputError(std::string("--source: ") + e.what());
  }
  if (auto r = o.get("range")) {
    try {
      run.range = analysis::parse_value_range(*r);
    } catch (const InputError& e) {
      throw InputError(std::string("--range: ") + e.what());
    }
  } else if (run.source.kind == analysis::BiasSource::Kind::Grid) {
    throw InputError("--source " + source_text + " needs --range a:b (a grid is infinite without one)");
  }
  std::uint64_t max_inputs = kDefaultMaxInputs;
  if (auto m = o.get("max-inputs")) max_inputs = parse_unsigned(*m, "--max-inputs");

  std::vector<ExactValue> inputs;
  try {
    inputs = analysis::source_values(run.source, run.format, run.range, max_inputs);
  } catch (const analysis::TooManyInputs& e) {
    throw InputError(std::string(e.what()) + "; narrow --range, or raise the limit with --max-inputs N (default " +
                     std::to_string(kDefaultMaxInputs) + ")");
  }
  // An empty report would look like a result; say why there is none instead.
  if (inputs.empty())
    throw InputError("--source " + source_text + (o.get("range") ? " over --range " + *o.get("range") : std::string()) +
                     " holds no inputs");

  analysis::CountMethod requested = analysis::CountMethod::Auto;
  try {
    requested = analysis::parse_count_method(o.get("method").value_or("auto"));
  } catch (const InputError& e) {
    throw InputError(std::string("--method: ") + e.what());
  }
  run.method = requested == analysis::CountMethod::Auto ? analysis::choose_count_method(run.rounding, inputs.size())
                                                        : requested;
  if (run.method == analysis::CountMethod::Enumerate && run.rounding.uses_random_bits()) {
    const int n = run.rounding.random_bits;
    if (n > analysis::kMaxEnumeratedBits)
      throw InputError("--method enumerate needs N ≤ " + std::to_string(analysis::kMaxEnumeratedBits) +
                       " (2^N reference calls per input); --method count is exact too");
    const long double calls = static_cast<long double>(inputs.size()) * static_cast<long double>(1ULL << n);
    if (calls > static_cast<long double>(1ULL << 28))
      throw InputError("--method enumerate would make " + std::to_string(static_cast<unsigned long long>(calls)) +
                       " reference calls (more than 2^28); use --method count (exact too) or fewer inputs");
  }

  run.input_count = inputs.size();
  analysis::PointBiasEvaluator evaluator(run.format, run.rounding, run.method);
  analysis::BiasAggregator aggregator;
  const bool summary = o.flag("summary");
  std::unique_ptr<Printer> printer;
  if (o.flag("json")) printer = std::make_unique<JsonPrinter>(out, summary);
  else if (o.flag("csv")) printer = std::make_unique<CsvPrinter>(out, summary);
  else printer = std::make_unique<TablePrinter>(out, summary);
  // An input without an exact rational is the one input error evaluation can meet: refuse it before
  // printing anything, then stream.
  for (const auto& x : inputs)
    if (x.is_finite()) (void)analysis::rational_of(x);
  printer->begin(run);
  PointBias p;
  for (const auto& x : inputs) {
    evaluator.evaluate(x, p);
    aggregator.add(p);
    printer->row(run, p);
  }
  run.aggregate = aggregator.result();
  printer->end(run);
  return 0;
}

}  // namespace roundlab::cli
