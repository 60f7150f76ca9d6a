// roundlab stattest: sample a stochastic-rounding kernel (the device fast path with its Philox stream)
// on seeded inputs and test the outputs against the exact round-away probabilities (analysis/
// sampled_rounding_test). Exit 0 when nothing is rejected, 1 when the kernel is rejected, 2 on bad input.
#include <mpfr.h>

#include <cmath>
#include <cstdio>
#include <ostream>
#include <random>
#include <string>
#include <variant>

#include "analysis/sampled_rounding_test.hpp"
#include "analysis/sr_bias_sources.hpp"
#include "cli/commands.hpp"
#include "reference/json_text.hpp"
#include "cli/options.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::cli {

namespace {

Rounding rounding_from(const Options& o, const std::string& mode_opt, const std::string& bits_opt,
                       const Rounding* fallback) {
  Rounding r;
  r.mode = parse_mode(o.require(mode_opt));
  if (r.uses_random_bits()) {
    if (o.get(bits_opt)) r.random_bits = o.get_int(bits_opt, 0, 0, 64);
    else if (fallback && fallback->uses_random_bits()) r.random_bits = fallback->random_bits;
    else throw InputError("mode " + mode_name(r.mode) + " needs --" + bits_opt + " N (0..64)");
  }
  if (auto s = o.get("saturate")) r.saturation = parse_saturation(*s);
  r.validate();
  return r;
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

int run_stattest(const Args& args, std::ostream& out, std::ostream& err) {
  (void)err;
  Options o(args,
            {"format", "mode", "random-bits", "saturate", "kernel-mode", "kernel-random-bits", "range", "inputs",
             "samples", "seed", "input-seed", "alpha", "threads"},
            {"json"});
  o.reject_positional("stattest takes options only");
  const Format format = find_format(o.require("format"));
  const auto* ieee = std::get_if<IeeeLikeFormat>(&format);
  if (!ieee) throw InputError("format '" + format_name(format) + "' is not an IEEE-like format (stattest needs one)");
  analysis::SampledTestSpec spec;
  spec.format = *ieee;
  spec.claimed = rounding_from(o, "mode", "random-bits", nullptr);
  spec.kernel = o.get("kernel-mode") ? rounding_from(o, "kernel-mode", "kernel-random-bits", &spec.claimed) : spec.claimed;
  const std::string range = o.get("range").value_or("1:2");
  const analysis::ValueRange bounds = analysis::parse_value_range(range);
  const double a = mpfr_get_d(bounds.lo.magnitude().get(), MPFR_RNDN) * (bounds.lo.negative() ? -1 : 1);
  const double b = mpfr_get_d(bounds.hi.magnitude().get(), MPFR_RNDN) * (bounds.hi.negative() ? -1 : 1);
  if (!(a < b) || !std::isfinite(b - a)) throw InputError("--range '" + range + "': expected a:b with a < b, both within binary64");
  const std::uint64_t m = o.get_u64("inputs", 64);
  if (m == 0 || m > 100000) throw InputError("--inputs must be in 1..100000");
  spec.samples = o.get_u64("samples", 4096);
  spec.seed = o.get_u64("seed", 1);
  const std::uint64_t input_seed = o.get_u64("input-seed", 1);
  spec.alpha = o.get_double("alpha", 1e-3);
  spec.threads = o.get_int("threads", 0, 0, 1024);
  // Inputs: uniform reals in [a, b], rounded to binary32 (seeded; recorded below).
  std::mt19937_64 rng(input_seed);
  std::uniform_real_distribution<double> dist(a, b);
  for (std::uint64_t i = 0; i < m; ++i) {
    const float x = static_cast<float>(dist(rng));
    if (!std::isfinite(x)) throw InputError("--range '" + range + "' reaches beyond binary32's finite range");
    spec.inputs.push_back(x);
  }
  const analysis::SampledTestResult res = analysis::run_sampled_test(spec);
  const std::string kernel_text = mode_name(spec.kernel.mode) + (spec.kernel.uses_random_bits() ? " N=" + std::to_string(spec.kernel.random_bits) : "");
  const std::string claimed_text = mode_name(spec.claimed.mode) + (spec.claimed.uses_random_bits() ? " N=" + std::to_string(spec.claimed.random_bits) : "");
  if (o.flag("json")) {
    out << "{\"format\": " << json_string(format_name(format)) << ", \"claimed\": " << json_string(claimed_text)
        << ", \"kernel\": " << json_string(kernel_text) << ", \"saturation\": " << json_string(saturation_name(spec.claimed.saturation))
        << ", \"range\": " << json_string(range) << ", \"samples_per_input\": " << spec.samples
        << ", \"philox_seed\": " << spec.seed << ", \"philox_stream\": " << spec.stream << ", \"input_seed\": " << input_seed
        << ", \"alpha\": " << spec.alpha << ", \"revision\": " << json_string(git_revision())
        << ", \"not_neighbour\": " << res.not_neighbour << ", \"rejected\": " << (res.rejected ? "true" : "false")
        << ", \"samples_for_half_bit_bias\": " << res.samples_for_half_bit_bias << ", \"global\": [";
    for (std::size_t i = 0; i < res.global.size(); ++i)
      out << (i ? ", " : "") << "{\"test\": " << json_string(res.global[i].name) << ", \"statistic\": " << res.global[i].statistic
          << ", \"p_value\": " << res.global[i].p_value << ", \"rejected\": " << (res.global[i].rejected ? "true" : "false") << "}";
    out << "], \"inputs\": [";
    for (std::size_t i = 0; i < res.inputs.size(); ++i) {
      const auto& in = res.inputs[i];
      out << (i ? ", " : "") << "{\"x\": " << json_string(to_hex_float(ExactValue::from_float(in.x)))
          << ", \"p_away\": " << json_string(in.p_exact) << ", \"away\": " << in.away << ", \"toward\": " << in.toward
          << ", \"neither\": " << in.neither << ", \"p_value\": " << in.p_value << ", \"rejected\": " << (in.rejected ? "true" : "false") << "}";
    }
    out << "]}\n";
  } else {
    out << "stattest " << format_name(format) << ", claimed " << claimed_text << ", kernel " << kernel_text
        << ", saturation " << saturation_name(spec.claimed.saturation) << "\n"
        << m << " binary32 inputs uniform in [" << range << "] (input seed " << input_seed << "), " << spec.samples
        << " samples each (Philox seed " << spec.seed << ", stream " << spec.stream << "), family-wise alpha "
        << spec.alpha << " (Holm)\n\n";
    out << "x                      P(away) exact            away/samples   binomial p   rejected\n";
    std::size_t shown = 0;
    for (const auto& in : res.inputs) {
      if (shown >= 20 && !in.rejected) continue;
      ++shown;
      char line[256];
      std::snprintf(line, sizeof line, "%-22s %-24s %-14s %-12s %s\n", to_hex_float(ExactValue::from_float(in.x)).c_str(),
                    in.p_exact.substr(0, 24).c_str(), (std::to_string(in.away) + "/" + std::to_string(spec.samples)).c_str(),
                    fmt(in.p_value).c_str(), in.rejected ? "YES" : "no");
      out << line;
    }
    if (shown < res.inputs.size()) out << "(" << res.inputs.size() - shown << " more inputs, none rejected; --json lists all)\n";
    out << "\n";
    for (const auto& g : res.global)
      out << g.name << ": statistic " << fmt(g.statistic) << ", p " << fmt(g.p_value) << (g.rejected ? "  REJECTED" : "") << "\n";
    if (res.not_neighbour > 0) out << res.not_neighbour << " results are neither neighbour of their input\n";
    if (res.samples_for_half_bit_bias > 0)
      out << "samples per input to detect a bias of 2^-" << spec.claimed.random_bits + 1 << " ulp (power 0.9, this alpha): "
          << fmt(std::ceil(res.samples_for_half_bit_bias)) << "\n";
    out << (res.rejected ? "REJECTED: the kernel's outputs are not consistent with " : "not rejected: consistent with ")
        << claimed_text << "\n";
  }
  return res.rejected ? 1 : 0;
}

}  // namespace roundlab::cli
