// roundlab compare: a device kernel (ours, on cpu or cuda) or a user's arrays vs the exact reference;
// with --reference kernel, our fast CPU or CUDA launcher vs the generic CPU kernel (which the MPFR sweeps
// prove) on input spaces too large for MPFR, e.g. all 2^32 binary32 words.
#include <cstring>
#include <fstream>
#include <iterator>
#include <tuple>
#include <ostream>
#include <variant>

#include "cli/commands.hpp"
#include "reference/json_text.hpp"
#include "cli/options.hpp"
#include "proofs/compare_kernels.hpp"
#include "proofs/kernel_agreement.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::cli {

namespace {

// Reads a raw little-endian array of `width`-byte unsigned words.
std::vector<std::uint64_t> read_words(const std::string& path, int width, const char* what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(std::string(what) + " file '" + path + "' cannot be opened");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() % width != 0)
    throw InputError(std::string(what) + " file '" + path + "' has " + std::to_string(bytes.size()) +
                     " bytes, not a multiple of its " + std::to_string(width) + "-byte elements");
  std::vector<std::uint64_t> words(bytes.size() / width, 0);
  for (std::size_t i = 0; i < words.size(); ++i) std::memcpy(&words[i], bytes.data() + i * width, width);
  return words;
}

}  // namespace

int run_compare(const Args& args, std::istream&, std::ostream& out, std::ostream& err) {
  Options o(args,
            {"format", "mode", "random-bits", "saturate", "tie", "source", "backend", "samples", "seed", "shard",
             "inputs", "outputs", "random", "random-bytes", "max-report", "reference", "repeats"},
            {"exhaustive", "json"});
  o.reject_positional("compare takes options only; your arrays go in --inputs FILE --outputs FILE");
  const Format any = find_format(o.require("format"));
  const auto* format = std::get_if<IeeeLikeFormat>(&any);
  if (!format) throw InputError("compare works on IEEE-like formats; '" + format_name(any) + "' is not one");
  Rounding rounding;
  rounding.mode = parse_mode(o.require("mode"));
  if (rounding.uses_random_bits() && !o.get("random-bits"))
    throw InputError("mode " + mode_name(rounding.mode) + " needs --random-bits N (0..64)");
  rounding.random_bits = o.get_int("random-bits", 0, 0, 64);
  if (auto s = o.get("saturate")) rounding.saturation = parse_saturation(*s);
  if (auto t = o.get("tie")) rounding.tie = parse_tie_rule(*t);
  rounding.validate();
  device::SourceFormat source{};
  try {
    source = analysis::source_format_from_name(o.get("source").value_or("binary32"));
  } catch (const InputError& e) {
    throw InputError(std::string("--source: ") + e.what());
  }
  const int max_report = o.get_int("max-report", 10, 0, 1000000);

  if (o.flag("exhaustive") && o.get("samples"))
    throw InputError("--exhaustive and --samples exclude each other: an exhaustive sweep takes every input");
  proofs::CompareReport rep;
  std::string what;
  std::string seed_json = "null", shard_json = "null";  // a sweep's --seed and --shard, for the JSON record
  if (auto inputs = o.get("inputs")) {
    for (const char* sweep_only : {"samples", "seed", "shard", "backend"})
      if (o.get(sweep_only))
        throw InputError(std::string("--") + sweep_only + " applies to sweeps; --inputs checks your arrays whole");
    if (o.flag("exhaustive")) throw InputError("--exhaustive applies to sweeps; --inputs checks your arrays whole");
    if (o.get("reference").value_or("mpfr") != "mpfr")
      throw InputError("--inputs checks your arrays against the exact reference; --reference kernel does not apply");
    auto outputs = o.get("outputs");
    if (!outputs) throw InputError("--inputs needs --outputs (the codes your kernel wrote)");
    const int in_bytes = device::source_bytes(source);
    const int out_bytes = format->k <= 8 ? 1 : format->k <= 16 ? 2 : format->k <= 32 ? 4 : 8;
    const int n = rounding.mode == Mode::StochasticExact ? 64 : rounding.random_bits;
    const int r_bytes = o.get_int("random-bytes", n > 32 ? 8 : 4, 1, 8);
    std::vector<std::uint64_t> random;
    if (auto r = o.get("random")) random = read_words(*r, r_bytes, "--random");
    rep = proofs::compare_arrays(*format, rounding, source, read_words(*inputs, in_bytes, "--inputs"),
                                 read_words(*outputs, out_bytes, "--outputs"), random, max_report);
    what = "user arrays";
  } else {
    const std::string backend = o.get("backend").value_or("cpu");
    proofs::Backend be = proofs::Backend::Cpu;
    if (backend == "cpu") be = proofs::Backend::Cpu;
    else if (backend == "cuda") be = proofs::Backend::Cuda;
    else throw InputError("unknown --backend '" + backend + "': expected cpu or cuda");
    const std::string reference = o.get("reference").value_or("mpfr");
    if (reference != "mpfr" && reference != "kernel")
      throw InputError("unknown --reference '" + reference + "': expected mpfr (the exact reference) or kernel (the "
                       "generic CPU kernel)");
    // The fields both sweeps share.
    auto fill = [&](auto& spec) {
      spec.format = *format;
      spec.rounding = rounding;
      spec.source = source;
      spec.backend = be;
      spec.exhaustive = o.flag("exhaustive");
      spec.samples = o.get_u64("samples", spec.samples);
      spec.seed = o.get_u64("seed", spec.seed);
      std::tie(spec.shard_index, spec.shard_count) = o.get_shard("shard");
      spec.max_reported = max_report;
      seed_json = std::to_string(spec.seed);
      shard_json = json_string(std::to_string(spec.shard_index) + "/" + std::to_string(spec.shard_count));
    };
    if (reference == "kernel") {
      proofs::AgreementSpec spec;
      fill(spec);
      spec.repeats = o.get_int("repeats", spec.repeats, 1, 1 << 16);
      if (o.get("repeats") && !(spec.exhaustive && device::source_bytes(source) == 2 && rounding.is_stochastic()))
        throw InputError("--repeats (stream words per input) applies to --exhaustive sweeps of 16-bit sources "
                         "under stochastic modes only");
      rep = proofs::compare_to_generic_kernel(spec);
      std::string isas;
      for (const auto& isa : proofs::agreement_isas(spec)) isas += (isas.empty() ? "" : ", ") + isa;
      what = (be == proofs::Backend::Cpu ? "fast cpu launcher (" + isas + ")" : std::string("cuda launcher")) +
             " vs generic cpu kernel, " + (spec.exhaustive ? "exhaustive" : "sampled") + ", philox seed " +
             std::to_string(spec.seed) +
             (spec.shard_count > 1
                  ? ", shard " + std::to_string(spec.shard_index) + "/" + std::to_string(spec.shard_count)
                  : std::string());
    } else {
      if (o.get("repeats")) throw InputError("--repeats applies to --reference kernel only");
      proofs::CompareSpec spec;
      fill(spec);
      rep = proofs::compare_kernel(spec);
      what = backend + (spec.exhaustive ? " exhaustive" : " sampled (seed " + std::to_string(spec.seed) + ")");
    }
  }
  const int bits = format->k;
  const int sbits = device::source_bytes(source) * 8;
  if (o.flag("json")) {
    out << "{\"format\": " << json_string(format->name) << ", \"rounding\": " << json_string(rounding.describe())
        << ", \"source\": " << json_string(analysis::source_format_name(source)) << ", \"what\": " << json_string(what) << ", \"inputs\": " << rep.inputs << ", \"cases\": " << rep.cases
        << ", \"mismatches\": " << rep.mismatches << ", \"ok\": " << (rep.ok() ? "true" : "false")
        << ", \"seed\": " << seed_json << ", \"shard\": " << shard_json
        << ", \"revision\": " << json_string(git_revision()) << ", \"first\": [";
    for (std::size_t i = 0; i < rep.first.size(); ++i) {
      const auto& m = rep.first[i];
      out << (i ? ", " : "") << "{\"input\": " << json_string(hex_code(m.input_bits, sbits)) << ", \"r\": " << m.r
          << ", \"expected\": " << json_string(m.expected_none ? "no-encoding" : hex_code(m.expected, bits))
          << ", \"got\": " << json_string(m.got_none ? "no-encoding" : hex_code(m.got, bits))
          << (m.note.empty() ? "" : ", \"launch\": " + json_string(m.note)) << "}";
    }
    out << "]}\n";
  } else {
    out << "compare " << format->name << " " << rounding.describe() << " (" << what << "): " << rep.inputs
        << " inputs, " << rep.cases << " cases, " << rep.mismatches << " mismatches\n";
    for (const auto& m : rep.first)
      out << "  mismatch: input " << hex_code(m.input_bits, sbits) << " r=" << m.r << " expected "
          << (m.expected_none ? "no-encoding" : hex_code(m.expected, bits)) << " got "
          << (m.got_none ? "no-encoding" : hex_code(m.got, bits)) << (m.note.empty() ? "" : " (" + m.note + ")")
          << "\n";
    if (rep.cases == 0) err << "roundlab compare: no case was checked\n";
  }
  return rep.ok() ? 0 : 1;
}

}  // namespace roundlab::cli
