#include "proofs/claim.hpp"

#include <chrono>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "reference/error.hpp"
#include "reference/json_text.hpp"

namespace roundlab::proofs {

// Defined one per file (claim_*.cpp).
Claim claim_reference_rounding_faithful();
Claim claim_round_away_count_closed_form();
Claim claim_bias_closed_forms();
Claim claim_device_equals_reference();
Claim claim_fast_kernels_equal_generic();

const std::vector<Claim>& all_claims() {
  static const std::vector<Claim> claims = {claim_reference_rounding_faithful(), claim_round_away_count_closed_form(),
                                            claim_bias_closed_forms(), claim_device_equals_reference(),
                                            claim_fast_kernels_equal_generic()};
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

std::string certificate_json(const Certificate& c) {
  std::ostringstream o;
  o << "{\n  \"claim\": " << json_string(c.claim) << ",\n  \"statement\": " << json_string(c.statement)
    << ",\n  \"method\": " << json_string(c.method) << ",\n  \"domain\": " << json_string(c.domain)
    << ",\n  \"mode\": " << json_string(c.full ? "full" : "quick") << ",\n  \"shard\": " << json_string(std::to_string(c.shard_index) + "/" + std::to_string(c.shard_count))
    << ",\n  \"unit\": " << json_string(c.unit) << ",\n  \"work_units\": " << c.work_units << ",\n  \"units_checked\": " << c.units_checked
    << ",\n  \"cases_checked\": " << c.cases_checked << ",\n  \"failures\": " << c.failures
    << ",\n  \"counterexample\": " << (c.counterexample.empty() ? "null" : json_string(c.counterexample))
    << ",\n  \"status\": " << json_string(c.passed() ? "passed" : c.cases_checked == 0 ? "nothing checked" : "FAILED")
    << ",\n  \"revision\": " << json_string(c.revision) << ",\n  \"seconds\": " << c.seconds << "\n}\n";
  return o.str();
}

Certificate parse_certificate(const std::string& text) {
  // Any JSON layout (a certificate passed through jq or an editor still reads); each field checked for
  // its type, so a damaged file is refused naming the field.
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(std::string("certificate is not JSON (") + e.what() + ")");
  }
  if (!j.is_object()) throw InputError("certificate is not a JSON object");
  auto at = [&](const char* key) -> const nlohmann::json& {
    if (!j.contains(key)) throw InputError(std::string("certificate has no \"") + key + "\" field");
    return j.at(key);
  };
  auto text_of = [&](const char* key) {
    const nlohmann::json& v = at(key);
    if (!v.is_string()) throw InputError(std::string("certificate field \"") + key + "\" is not a string");
    return v.get<std::string>();
  };
  auto count = [&](const char* key) {
    const nlohmann::json& v = at(key);
    if (!v.is_number_unsigned()) throw InputError(std::string("certificate field \"") + key + "\" is not a count: " + v.dump());
    return v.get<std::uint64_t>();
  };
  Certificate c;
  c.claim = text_of("claim");
  c.statement = text_of("statement");
  c.method = text_of("method");
  c.domain = text_of("domain");
  c.full = text_of("mode") == "full";
  const std::string shard = text_of("shard");
  const auto slash = shard.find('/');
  auto digits = [](const std::string& t) {
    return !t.empty() && t.size() <= 19 && t.find_first_not_of("0123456789") == std::string::npos;
  };
  if (slash == std::string::npos || !digits(shard.substr(0, slash)) || !digits(shard.substr(slash + 1)))
    throw InputError("certificate shard '" + shard + "' is not i/n");
  c.shard_index = std::stoull(shard.substr(0, slash));
  c.shard_count = std::stoull(shard.substr(slash + 1));
  c.unit = text_of("unit");
  c.work_units = count("work_units");
  c.units_checked = count("units_checked");
  c.cases_checked = count("cases_checked");
  c.failures = count("failures");
  const nlohmann::json& ce = at("counterexample");
  if (!ce.is_null() && !ce.is_string()) throw InputError("certificate field \"counterexample\" is neither null nor a string");
  c.counterexample = ce.is_null() ? "" : ce.get<std::string>();
  c.revision = text_of("revision");
  const nlohmann::json& seconds = at("seconds");
  if (!seconds.is_number()) throw InputError("certificate field \"seconds\" is not a number");
  c.seconds = seconds.get<double>();
  return c;
}

Certificate merge_shards(const std::vector<Certificate>& shards) {
  if (shards.empty()) throw InputError("merge: no certificates");
  Certificate m = shards.front();
  std::vector<bool> seen(m.shard_count, false);
  m.units_checked = m.cases_checked = m.failures = 0;
  m.counterexample.clear();
  m.seconds = 0;
  for (const Certificate& c : shards) {
    if (c.claim != m.claim || c.full != m.full || c.revision != m.revision || c.shard_count != m.shard_count ||
        c.work_units != m.work_units)
      throw InputError("merge: certificate of '" + c.claim + "' shard " + std::to_string(c.shard_index) + "/" +
                       std::to_string(c.shard_count) + " (revision " + c.revision +
                       ") does not belong to the same run as '" + m.claim + "' (revision " + m.revision + ")");
    if (c.shard_index >= seen.size() || seen[c.shard_index])
      throw InputError("merge: shard " + std::to_string(c.shard_index) + " of '" + c.claim + "' appears twice or is out of range");
    seen[c.shard_index] = true;
    m.units_checked += c.units_checked;
    m.cases_checked += c.cases_checked;
    if (m.failures == 0 && c.failures > 0) m.counterexample = c.counterexample;
    m.failures += c.failures;
    m.seconds += c.seconds;
  }
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (!seen[i]) throw InputError("merge: shard " + std::to_string(i) + "/" + std::to_string(seen.size()) + " of '" + m.claim + "' is missing");
  m.shard_index = 0;
  m.shard_count = 1;
  return m;
}

void record_failure(Certificate& c, const std::string& what) {
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  if (c.failures++ == 0) c.counterexample = what;
}

}  // namespace roundlab::proofs
