// roundlab prove: run the named claims of proofs/ (quick sub-domains by default, --full for the whole
// domains, --shard i/n to split the work across processes or machines) and write one JSON
// certificate per claim. Exit 0 when every claim run passes, 1 when one fails, 2 on bad input.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "proofs/claim.hpp"
#include "reference/error.hpp"

namespace roundlab::cli {

namespace {

void parse_shard(const std::string& text, proofs::ClaimRun& run) {
  const auto slash = text.find('/');
  auto number = [&](const std::string& s) -> std::uint64_t {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 12)
      throw InputError("--shard '" + text + "' is not of the form i/n (0 <= i < n)");
    return std::stoull(s);
  };
  if (slash == std::string::npos) throw InputError("--shard '" + text + "' is not of the form i/n (0 <= i < n)");
  run.shard_index = number(text.substr(0, slash));
  run.shard_count = number(text.substr(slash + 1));
  if (run.shard_count == 0 || run.shard_index >= run.shard_count)
    throw InputError("--shard '" + text + "' is not of the form i/n (0 <= i < n)");
}

}  // namespace

int run_prove(const Args& args, std::ostream& out, std::ostream& err) {
  Options o(args, {"shard", "claim", "out"}, {"quick", "full", "list", "progress"});
  if (o.flag("quick") && o.flag("full")) throw InputError("--quick and --full exclude each other");
  const auto& claims = proofs::all_claims();
  if (o.flag("list")) {
    for (const auto& c : claims)
      out << c.name << "\n  " << c.statement << "\n  method: " << c.method << "\n  quick: " << c.quick_domain
          << "\n  full: " << c.full_domain << "\n";
    return 0;
  }
  proofs::ClaimRun run;
  run.full = o.flag("full");
  if (auto s = o.get("shard")) parse_shard(*s, run);
  std::vector<const proofs::Claim*> chosen;
  const std::string wanted = o.get("claim").value_or("");
  for (const auto& c : claims)
    if (wanted.empty() || c.name == wanted) chosen.push_back(&c);
  if (chosen.empty()) {
    std::string names;
    for (const auto& c : claims) names += (names.empty() ? "" : ", ") + c.name;
    throw InputError("--claim '" + wanted + "' is not a claim (claims: " + names + ")");
  }
  const std::filesystem::path dir = o.get("out").value_or("certificates");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError("--out '" + dir.string() + "': cannot create the directory (" + ec.message() + ")");
  const bool progress = o.flag("progress") || run.full;
  bool all_passed = true;
  for (const proofs::Claim* c : chosen) {
    if (progress) {
      run.progress = [&err, c](double f) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "\r%s: %5.1f%%", c->name.c_str(), 100 * f);
        err << buf << std::flush;
      };
    }
    const proofs::Certificate cert = proofs::run_claim(*c, run, ROUNDLAB_GIT_REVISION);
    if (progress) err << "\n";
    std::string file = c->name + (run.full ? ".full" : ".quick");
    if (run.shard_count > 1) file += ".shard-" + std::to_string(run.shard_index) + "-of-" + std::to_string(run.shard_count);
    const std::filesystem::path path = dir / (file + ".json");
    std::ofstream f(path);
    f << proofs::certificate_json(cert);
    if (!f) throw InputError("cannot write the certificate '" + path.string() + "'");
    char line[256];
    std::snprintf(line, sizeof line, "%-30s %-7s %14llu cases  %6.1f s  %s\n", c->name.c_str(),
                  cert.passed() ? "passed" : "FAILED", static_cast<unsigned long long>(cert.cases_checked), cert.seconds,
                  path.string().c_str());
    out << line;
    if (!cert.passed()) {
      all_passed = false;
      out << "  " << cert.failures << " failures; first: " << (cert.counterexample.empty() ? "(no cases checked)" : cert.counterexample) << "\n";
    }
  }
  return all_passed ? 0 : 1;
}

}  // namespace roundlab::cli
