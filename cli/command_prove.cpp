// roundlab prove: run the named claims of proofs/ (quick sub-domains by default, --full for the whole
// domains, --shard i/n to split the work across processes or machines) and write one JSON
// certificate per claim. Exit 0 when every claim run passes, 1 when one fails, 2 on bad input.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <ostream>
#include <string>
#include <tuple>

#ifdef ROUNDLAB_HAVE_MPI
#include <mpi.h>
#endif

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "proofs/claim.hpp"
#include "reference/error.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::cli {

namespace {

void write_certificate(const std::filesystem::path& path, const proofs::Certificate& cert) {
  std::ofstream f(path);
  f << proofs::certificate_json(cert);
  if (!f) throw InputError("cannot write the certificate '" + path.string() + "'");
}

void print_line(std::ostream& out, const proofs::Certificate& cert, const std::filesystem::path& path) {
  char line[256];
  std::snprintf(line, sizeof line, "%-30s %-7s %14llu cases  %6.1f s  %s\n", cert.claim.c_str(),
                cert.passed() ? "passed" : "FAILED", static_cast<unsigned long long>(cert.cases_checked), cert.seconds,
                path.string().c_str());
  out << line;
  if (!cert.passed())
    out << "  " << cert.failures << " failures; first: "
        << (cert.counterexample.empty() ? "(no cases checked)" : cert.counterexample) << "\n";
}

// --merge FILE...: the shard certificates of one claim run (any order) into one certificate.
int merge_certificates(const Options& o, std::ostream& out) {
  if (o.positional().empty()) throw InputError("--merge needs the shard certificate files");
  std::vector<proofs::Certificate> shards;
  for (const std::string& file : o.positional()) {
    std::ifstream f(file);
    if (!f) throw InputError("cannot read the certificate '" + file + "'");
    std::stringstream ss;
    ss << f.rdbuf();
    try {
      shards.push_back(proofs::parse_certificate(ss.str()));
    } catch (const InputError& e) {
      throw InputError("'" + file + "': " + e.what());
    }
  }
  const proofs::Certificate merged = proofs::merge_shards(shards);
  const std::filesystem::path dir = o.get("out").value_or("certificates");
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / (merged.claim + (merged.full ? ".full" : ".quick") + ".json");
  write_certificate(path, merged);
  print_line(out, merged, path);
  return merged.passed() ? 0 : 1;
}

#ifdef ROUNDLAB_HAVE_MPI
// --mpi: rank i of n runs shard i/n of each claim; rank 0 gathers the certificates, merges them and
// writes one certificate per claim. Every rank returns rank 0's verdict.
int prove_under_mpi(const std::vector<const proofs::Claim*>& chosen, proofs::ClaimRun run,
                    const std::filesystem::path& dir, std::ostream& out) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(nullptr, nullptr);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  run.shard_index = static_cast<std::uint64_t>(rank);
  run.shard_count = static_cast<std::uint64_t>(size);
  int all_passed = 1;
  for (const proofs::Claim* c : chosen) {
    const std::string json = proofs::certificate_json(proofs::run_claim(*c, run, git_revision()));
    int len = static_cast<int>(json.size());
    std::vector<int> lens(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
    MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string all;
    if (rank == 0) {
      int total = 0;
      for (int i = 0; i < size; ++i) {
        offsets[static_cast<std::size_t>(i)] = total;
        total += lens[static_cast<std::size_t>(i)];
      }
      all.resize(static_cast<std::size_t>(total));
    }
    MPI_Gatherv(json.data(), len, MPI_CHAR, all.data(), lens.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
    if (rank == 0) {
      std::vector<proofs::Certificate> shards;
      for (int i = 0; i < size; ++i)
        shards.push_back(proofs::parse_certificate(
            all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(i)]), static_cast<std::size_t>(lens[static_cast<std::size_t>(i)]))));
      const proofs::Certificate merged = proofs::merge_shards(shards);
      const std::filesystem::path path = dir / (c->name + (run.full ? ".full" : ".quick") + ".json");
      write_certificate(path, merged);
      print_line(out, merged, path);
      out << "  (" << size << " MPI ranks)\n";
      all_passed = all_passed && merged.passed();
    }
  }
  MPI_Bcast(&all_passed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return all_passed ? 0 : 1;
}
#endif

}  // namespace

int run_prove(const Args& args, std::ostream& out, std::ostream& err) {
  Options o(args, {"shard", "claim", "out"}, {"quick", "full", "list", "progress", "merge", "mpi"});
  if (o.flag("quick") && o.flag("full")) throw InputError("--quick and --full exclude each other");
  if (o.flag("merge")) return merge_certificates(o, out);
  if (!o.positional().empty()) throw InputError("unexpected argument '" + o.positional().front() + "' (files are only taken with --merge)");
  const auto& claims = proofs::all_claims();
  if (o.flag("list")) {
    for (const auto& c : claims)
      out << c.name << "\n  " << c.statement << "\n  method: " << c.method << "\n  quick: " << c.quick_domain
          << "\n  full: " << c.full_domain << "\n";
    return 0;
  }
  proofs::ClaimRun run;
  run.full = o.flag("full");
  std::tie(run.shard_index, run.shard_count) = o.get_shard("shard");
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
  if (o.flag("mpi")) {
#ifdef ROUNDLAB_HAVE_MPI
    if (o.get("shard")) throw InputError("--mpi and --shard exclude each other (each MPI rank is one shard)");
    return prove_under_mpi(chosen, run, dir, out);
#else
    throw InputError("--mpi: this build has no MPI (install libopenmpi-dev and reconfigure)");
#endif
  }
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
    const proofs::Certificate cert = proofs::run_claim(*c, run, git_revision());
    if (progress) err << "\n";
    std::string file = c->name + (run.full ? ".full" : ".quick");
    if (run.shard_count > 1) file += ".shard-" + std::to_string(run.shard_index) + "-of-" + std::to_string(run.shard_count);
    const std::filesystem::path path = dir / (file + ".json");
    write_certificate(path, cert);
    print_line(out, cert, path);
    all_passed = all_passed && cert.passed();
  }
  return all_passed ? 0 : 1;
}

}  // namespace roundlab::cli
