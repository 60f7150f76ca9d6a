// Claim fast-kernels-equal-generic: the fast CPU launcher (device/fast_cpu_launch, every instruction-set
// variant this CPU has, with and without no-encoding flags) returns the generic kernel's codes and flags
// on the Philox stream, for every binary32 input of the benchmark's kernels (full mode). The generic kernel is the one device-equals-reference proves against MPFR, so together the two
// claims reach the fast path from the exact reference over whole input spaces MPFR cannot sweep.
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "analysis/kernel_sweep.hpp"
#include "proofs/claim.hpp"
#include "proofs/kernel_agreement.hpp"
#include "reference/format_catalogue.hpp"

namespace roundlab::proofs {

namespace {

constexpr std::uint64_t kSeed = 20261205;  // Philox seed of every unit (stream 0)

struct Unit {
  std::string target;
  Mode mode;
  int n;
  device::SourceFormat source;
  bool exhaustive;
  std::uint64_t samples = 0;
};

// The benchmark's kernels (cli/command_bench): six targets × rne, sr and the four few-bit modes at N = 3.
std::vector<std::pair<std::string, std::pair<Mode, int>>> bench_kernels() {
  std::vector<std::pair<std::string, std::pair<Mode, int>>> out;
  for (const char* t : {"bfloat16", "binary16", "p3109_k8p4se", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1"})
    for (auto m : {std::pair{Mode::NearestTiesToEven, 0}, std::pair{Mode::StochasticExact, 0},
                   std::pair{Mode::StochasticC, 3}, std::pair{Mode::StochasticB, 3}, std::pair{Mode::StochasticA, 3},
                   std::pair{Mode::StochasticOdd, 3}})
      out.push_back({t, m});
  return out;
}

std::vector<Unit> units_for(bool full) {
  using S = device::SourceFormat;
  std::vector<Unit> u;
  for (const auto& [t, m] : bench_kernels())
    for (S s : {S::Bfloat16, S::Binary16}) u.push_back({t, m.first, m.second, s, true});
  u.push_back({"binary32", Mode::NearestTiesToEven, 0, S::Binary64, false, full ? 1u << 24 : 1u << 18});
  u.push_back({"p3109_k8p4se", Mode::StochasticC, 3, S::Binary64, false, full ? 1u << 24 : 1u << 18});
  if (full) {
    for (const auto& [t, m] : bench_kernels()) u.push_back({t, m.first, m.second, S::Binary32, true});
  } else {
    for (auto [t, m, n] : {std::tuple{"bfloat16", Mode::NearestTiesToEven, 0}, std::tuple{"bfloat16", Mode::StochasticExact, 0},
                           std::tuple{"p3109_k8p4se", Mode::NearestTiesToEven, 0}, std::tuple{"p3109_k8p4se", Mode::StochasticC, 3}})
      u.push_back({t, m, n, S::Binary32, true});
  }
  return u;
}

// Quick mode checks one 1/1024 slice of each binary32 sweep: the inputs 0x3f000000.. (1/2 up to 2^-1 +
// 2^22 ulps), where b8p4 and bfloat16 both have normal values and every mode has work to do.
constexpr std::uint64_t kQuickSlices = 1024, kQuickSlice = 0x3f000000u / (std::uint64_t{1} << 22);

void check(const ClaimRun& run, Certificate& cert) {
  cert.unit = "fast launcher (target, rounding, source) sweep";
  const auto all = units_for(run.full);
  cert.work_units = all.size();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Unit& u = all[i];
    const bool b32 = u.source == device::SourceFormat::Binary32;
    if (!b32 && i % run.shard_count != run.shard_index) continue;  // binary32 sweeps: split across shards
    AgreementSpec spec;
    spec.format = std::get<IeeeLikeFormat>(find_format(u.target));
    spec.rounding.mode = u.mode;
    spec.rounding.random_bits = u.n;
    spec.source = u.source;
    spec.exhaustive = u.exhaustive;
    spec.samples = u.samples;
    spec.seed = kSeed;
    spec.repeats = 2;
    if (b32 && run.full) {
      spec.shard_index = run.shard_index;
      spec.shard_count = run.shard_count;
    } else if (b32) {
      if (run.shard_index != 0) continue;  // quick mode: the slice belongs to shard 0
      spec.shard_index = kQuickSlice;
      spec.shard_count = kQuickSlices;
    }
    const CompareReport rep = compare_to_generic_kernel(spec);
    ++cert.units_checked;
    cert.cases_checked += rep.cases;
    record_sweep_failures(cert,
                          u.target + " " + mode_name(u.mode) + (u.n ? " N=" + std::to_string(u.n) : "") + " from " +
                              analysis::source_format_name(u.source),
                          rep, "generic", "fast");
    if (run.inject_fault && rep.cases > 0) record_failure(cert, "injected fault (tests only)");
    if (run.progress) run.progress(static_cast<double>(i + 1) / static_cast<double>(all.size()));
  }
}

}  // namespace

Claim claim_fast_kernels_equal_generic() {
  return Claim{"fast-kernels-equal-generic",
               "The fast CPU launcher (round_array_cpu_fast), in every instruction-set variant this CPU has and with "
               "and without no-encoding flags, returns exactly the generic kernel's (round_array_cpu) codes and flags "
               "on the Philox stream (seed 20261205, stream 0).",
               "exhaustive comparison with the generic CPU kernel (proofs/kernel_agreement), which device-equals-"
               "reference proves against MPFR",
               "the benchmark's 36 kernels (bfloat16, binary16, p3109_k8p4se, ocp_e4m3, ocp_e5m2, ocp_e2m1 x rne, sr, "
               "src/srf/srff/sro N=3) from every bfloat16 and binary16 word (twice, stochastic); binary64 -> binary32 "
               "rne and -> p3109_k8p4se src N=3 on 2^18 sampled words; and the binary32 words 0x3f000000..0x3f3fffff "
               "for bfloat16 rne and sr, p3109_k8p4se rne and src N=3",
               "the same 16-bit and binary64 (2^24 samples) units, and all 2^32 binary32 inputs for each of the 36 "
               "kernels (split across shards)",
               check};
}

}  // namespace roundlab::proofs
