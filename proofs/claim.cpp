#include "proofs/claim.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <sstream>

#include "reference/error.hpp"

namespace roundlab::proofs {

// Defined one per file (claim_*.cpp).
Claim claim_reference_rounding_faithful();
Claim claim_round_away_count_closed_form();
Claim claim_bias_closed_forms();
Claim claim_device_equals_reference();

const std::vector<Claim>& all_claims() {
  static const std::vector<Claim> claims = {claim_reference_rounding_faithful(), claim_round_away_count_closed_form(),
                                            claim_bias_closed_forms(), claim_device_equals_reference()};
  return claims;
}

Certificate run_claim(const Claim& claim, const ClaimRun& run, const std::string& revision) {
  if (run.shard_count == 0 || run.shard_index >= run.shard_count)
    throw InputError("shard " + std::to_string(run.shard_index) + "/" + std::to_string(run.shard_count) +
                     " is not valid (expected i/n with 0 <= i < n)");
  Certificate c;
  c.claim = claim.name;
  c.statement = claim.statement;
  c.method = claim.method;
  c.domain = run.full ? claim.full_domain : claim.quick_domain;
  c.full = run.full;
  c.shard_index = run.shard_index;
  c.shard_count = run.shard_count;
  c.revision = revision;
  const auto t0 = std::chrono::steady_clock::now();
  claim.check(run, c);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace

std::string certificate_json(const Certificate& c) {
  std::ostringstream o;
  o << "{\n  \"claim\": " << quoted(c.claim) << ",\n  \"statement\": " << quoted(c.statement)
    << ",\n  \"method\": " << quoted(c.method) << ",\n  \"domain\": " << quoted(c.domain)
    << ",\n  \"mode\": " << quoted(c.full ? "full" : "quick") << ",\n  \"shard\": " << quoted(std::to_string(c.shard_index) + "/" + std::to_string(c.shard_count))
    << ",\n  \"work_units\": " << c.work_units << ",\n  \"units_checked\": " << c.units_checked
    << ",\n  \"cases_checked\": " << c.cases_checked << ",\n  \"failures\": " << c.failures
    << ",\n  \"counterexample\": " << (c.counterexample.empty() ? "null" : quoted(c.counterexample))
    << ",\n  \"status\": " << quoted(c.passed() ? "passed" : c.cases_checked == 0 ? "nothing checked" : "FAILED")
    << ",\n  \"revision\": " << quoted(c.revision) << ",\n  \"seconds\": " << c.seconds << "\n}\n";
  return o.str();
}

void record_failure(Certificate& c, const std::string& what) {
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  if (c.failures++ == 0) c.counterexample = what;
}

}  // namespace roundlab::proofs
