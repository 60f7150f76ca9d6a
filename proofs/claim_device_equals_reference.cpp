// Claim device-equals-reference: the device kernel (device/round_to_format.hpp through the CPU
// launcher) returns the reference's code and no-encoding flag for every input word of the source
// (and, for N ≤ 8, every r) — the full 16-bit sweeps, and in full mode every binary32 input for the
// kernels the device issue names (bfloat16 rne/sr, p3109_k8p4se rne/src N=3), sharded.
#include <cstdio>
#include <variant>

#include "proofs/claim.hpp"
#include "analysis/kernel_sweep.hpp"
#include "proofs/compare_kernels.hpp"
#include "reference/format_catalogue.hpp"

namespace roundlab::proofs {

namespace {

struct Unit {
  std::string target;
  Mode mode;
  int n;
  device::SourceFormat source;
};

std::vector<Unit> units_for(bool full) {
  using S = device::SourceFormat;
  std::vector<Unit> u = {{"p3109_k8p4se", Mode::NearestTiesToEven, 0, S::Bfloat16},
                         {"p3109_k8p4se", Mode::StochasticC, 3, S::Bfloat16},
                         {"p3109_k8p4se", Mode::StochasticExact, 0, S::Binary16},
                         {"ocp_e4m3", Mode::StochasticA, 2, S::Bfloat16},
                         {"ocp_e5m2", Mode::StochasticB, 1, S::Binary16},
                         {"ocp_e2m1", Mode::ToOdd, 0, S::Bfloat16},
                         {"bfloat16", Mode::NearestTiesToEven, 0, S::Binary16}};
  if (!full) return u;
  u.clear();
  std::vector<std::string> targets;
  for (const auto& e : catalogue())
    if (const auto* f = std::get_if<IeeeLikeFormat>(&e.format); f && f->k <= 8) targets.push_back(f->name);
  for (const auto& t : targets)
    for (S s : {S::Bfloat16, S::Binary16}) {
      for (Mode m : {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::TowardPositive,
                     Mode::TowardNegative, Mode::ToOdd, Mode::StochasticExact})
        u.push_back({t, m, 0, s});
      for (Mode m : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil})
        for (int n : {1, 4, 8}) u.push_back({t, m, n, s});
    }
  for (S s : {S::Bfloat16, S::Binary16}) {
    u.push_back({"bfloat16", Mode::NearestTiesToEven, 0, s});
    u.push_back({"binary16", Mode::NearestTiesToEven, 0, s});
  }
  // The binary32 sweeps (2^32 inputs each; the shard splits every one of them).
  u.push_back({"bfloat16", Mode::NearestTiesToEven, 0, S::Binary32});
  u.push_back({"bfloat16", Mode::StochasticExact, 0, S::Binary32});
  u.push_back({"p3109_k8p4se", Mode::NearestTiesToEven, 0, S::Binary32});
  u.push_back({"p3109_k8p4se", Mode::StochasticC, 3, S::Binary32});
  return u;
}

void check(const ClaimRun& run, Certificate& cert) {
  cert.unit = "kernel (target, rounding, source) sweep";
  const auto all = units_for(run.full);
  cert.work_units = all.size();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Unit& u = all[i];
    const bool b32 = u.source == device::SourceFormat::Binary32;
    // 16-bit sweeps are split by unit; each binary32 sweep is split across every shard.
    if (!b32 && i % run.shard_count != run.shard_index) continue;
    CompareSpec spec;
    spec.format = std::get<IeeeLikeFormat>(find_format(u.target));
    spec.rounding.mode = u.mode;
    spec.rounding.random_bits = u.n;
    spec.source = u.source;
    spec.exhaustive = true;
    spec.random_per_input = 4;
    if (b32) {
      spec.shard_index = run.shard_index;
      spec.shard_count = run.shard_count;
    }
    const CompareReport rep = compare_kernel(spec);
    ++cert.units_checked;
    cert.cases_checked += rep.cases;
    record_sweep_failures(cert,
                          u.target + " " + mode_name(u.mode) + (u.n ? " N=" + std::to_string(u.n) : "") + " from " +
                              analysis::source_format_name(u.source),
                          rep, "expected", "got");
    if (run.inject_fault && rep.cases > 0) record_failure(cert, "injected fault (tests only)");
    if (run.progress) run.progress(static_cast<double>(i + 1) / static_cast<double>(all.size()));
  }
}

}  // namespace

Claim claim_device_equals_reference() {
  return Claim{"device-equals-reference",
               "The device kernel (round_to_format through the CPU launcher) returns exactly the reference's code and "
               "no-encoding flag for every input word of the source and, for N <= 8, every r (otherwise r = 0, 2^N - 1 "
               "and seeded random r per input).",
               "exhaustive comparison with the MPFR reference (proofs/compare_kernels)",
               "7 kernels: p3109_k8p4se rne and src N=3 from bfloat16, sr from binary16; ocp_e4m3 srff N=2, ocp_e2m1 "
               "rto from bfloat16; ocp_e5m2 srf N=1 from binary16; bfloat16 rne from binary16",
               "every IEEE-like format of at most 8 bits x 7 deterministic/exact modes and the 5 few-bit modes with N in "
               "{1, 4, 8} x bfloat16 and binary16 sources; bfloat16 and binary16 rne; and all 2^32 binary32 inputs "
               "for bfloat16 rne and sr, p3109_k8p4se rne and src N=3 (split across shards)",
               check};
}

}  // namespace roundlab::proofs
