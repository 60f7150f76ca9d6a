// Named claims and their certificates. A claim has a name, a statement, a domain and a method; running
// it checks every case of its domain (exhaustive enumeration, or the quick mode's stated sub-domain)
// and returns a certificate: what was checked, how many cases, the first counterexample, the code
// revision and the time taken. `roundlab prove` runs them and writes one JSON certificate per claim.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace roundlab::proofs {

struct ClaimRun {
  bool full = false;                // full domain (hours, shardable) or the quick sub-domain (CI)
  std::uint64_t shard_index = 0;    // this run checks the work units u with u mod shard_count == shard_index
  std::uint64_t shard_count = 1;
  bool inject_fault = false;        // tests only: perturb the expectation so that the claim must fail
  std::function<void(double)> progress;  // fraction done, 0..1 (optional)
};

struct Certificate {
  std::string claim, statement, method, domain;
  bool full = false;
  std::uint64_t shard_index = 0, shard_count = 1;
  std::string unit;               // what one work unit is ("format x rounding x source grid", ...)
  std::uint64_t work_units = 0;   // units of this claim's whole domain (its size, in units)
  std::uint64_t units_checked = 0;  // of those, the ones in this shard
  std::uint64_t cases_checked = 0;  // individual (input, rounding, r) checks
  std::uint64_t failures = 0;
  std::string counterexample;       // the first failure, in words ("" when none)
  std::string revision;
  double seconds = 0;
  bool passed() const { return failures == 0 && cases_checked > 0; }
};

struct Claim {
  std::string name;
  std::string statement;
  std::string method;
  std::string quick_domain, full_domain;
  std::function<void(const ClaimRun&, Certificate&)> check;  // fills counts and failures
};

// Every claim, in a fixed order.
const std::vector<Claim>& all_claims();

// Runs one claim (fills the descriptive fields, revision and time). Throws InputError on a bad shard.
Certificate run_claim(const Claim& claim, const ClaimRun& run, const std::string& revision);

std::string certificate_json(const Certificate& c);

// Reads a certificate written by certificate_json (in any JSON layout). Throws InputError naming the
// field that is missing or of the wrong type, or saying the text is not JSON.
Certificate parse_certificate(const std::string& json);

// Combines the certificates of the shards of one claim run (same claim, mode, revision and shard count,
// every shard index once) into the certificate of the whole run. Throws InputError naming what is
// missing or inconsistent.
Certificate merge_shards(const std::vector<Certificate>& shards);

// Records a failure: counts it and keeps the first counterexample. Thread-safe.
void record_failure(Certificate& c, const std::string& what);

}  // namespace roundlab::proofs
