// Claim reference-rounding-faithful: the reference rounding of every IEEE-like format of at most 16
// bits is faithful (the result is one of the two format values bracketing x), odd-symmetric
// (R(−x) = −R(x) in signed formats; RUP(−x) = −RDN(x) for the directed pair) and monotone in x, for every finite x of a 16-bit source grid
// inside the format's finite range, for every mode (SR modes at fixed r).
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <variant>

#include "proofs/claim.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"
#include "reference/round_to_precision.hpp"

namespace roundlab::proofs {

namespace {

struct ModeCase {
  Mode mode;
  int n;
  std::uint64_t r;
  bool half_u = false;  // exact SR with u = 0x1.5p-2
};

std::vector<ModeCase> mode_cases(bool full) {
  std::vector<ModeCase> c = {{Mode::NearestTiesToEven, 0, 0}, {Mode::NearestTiesToAway, 0, 0}, {Mode::TowardZero, 0, 0},
                             {Mode::TowardPositive, 0, 0},    {Mode::TowardNegative, 0, 0},    {Mode::ToOdd, 0, 0},
                             {Mode::StochasticExact, 0, 0, true}};
  const int max_n = full ? 3 : 2;
  for (Mode m : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil})
    for (int n = 1; n <= max_n; ++n)
      for (std::uint64_t r = 0; r < (std::uint64_t{1} << n); ++r)
        if (full || m == Mode::StochasticA || m == Mode::StochasticC || r == 1) c.push_back({m, n, r});
  return c;
}

std::vector<IeeeLikeFormat> formats(bool full) {
  std::vector<IeeeLikeFormat> out;
  if (!full) {
    for (const char* n : {"p3109_k8p4se", "p3109_k8p1se", "p3109_k6p3uf", "ocp_e4m3", "ocp_e5m2", "ocp_e2m1", "e4m3fnuz",
                          "binary16"})
      out.push_back(std::get<IeeeLikeFormat>(find_format(n)));
    return out;
  }
  for (const auto& e : catalogue())
    if (const auto* f = std::get_if<IeeeLikeFormat>(&e.format); f && f->k <= 16) out.push_back(*f);
  return out;
}

std::vector<ExactValue> grid(const char* source) {
  const auto f = std::get<IeeeLikeFormat>(find_format(source));
  std::vector<ExactValue> v;
  for (std::uint64_t c = 0; c < (std::uint64_t{1} << f.k); ++c) {
    ExactValue x = f.decode(c);
    if (x.is_finite()) v.push_back(x);
  }
  std::stable_sort(v.begin(), v.end(), [](const ExactValue& a, const ExactValue& b) { return a < b; });
  return v;
}

bool same_value(const ExactValue& a, const ExactValue& b) { return !(a < b) && !(b < a); }

std::string describe(const IeeeLikeFormat& f, const Rounding& r, std::uint64_t rv, const ExactValue& x,
                     const std::string& what) {
  return f.name + " " + mode_name(r.mode) + (r.uses_random_bits() ? " N=" + std::to_string(r.random_bits) + " r=" + std::to_string(rv) : "") +
         " x=" + to_hex_float(x) + ": " + what;
}

void check(const ClaimRun& run, Certificate& cert) {
  cert.unit = "format x rounding (mode, N, r) x source grid";
  const auto fmts = formats(run.full);
  const auto cases = mode_cases(run.full);
  std::vector<std::vector<ExactValue>> grids = {grid("bfloat16")};
  if (run.full) grids.push_back(grid("binary16"));
  cert.work_units = fmts.size() * cases.size() * grids.size();
  std::vector<std::uint64_t> units;
  for (std::uint64_t u = 0; u < cert.work_units; ++u)
    if (u % run.shard_count == run.shard_index) units.push_back(u);
  cert.units_checked = units.size();
  std::atomic<std::uint64_t> checked{0}, done{0};
  Mpfr u_half;
  mpfr_set_d(u_half.get(), 0x1.5p-2, MPFR_RNDN);
  const ExactValue u_value = ExactValue::from_mpfr(u_half.get());
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t ui = 0; ui < units.size(); ++ui) {
    const std::uint64_t u = units[ui];
    const IeeeLikeFormat& f = fmts[u / (cases.size() * grids.size())];
    const ModeCase& mc = cases[(u / grids.size()) % cases.size()];
    const auto& xs = grids[u % grids.size()];
    Rounding rd;
    rd.mode = mc.mode;
    rd.random_bits = mc.n;
    RandomDraw draw;
    draw.r = mc.r;
    if (mc.half_u) draw.u = u_value;
    // The format's finite values, ascending (±0 once).
    std::vector<ExactValue> values;
    for (std::uint64_t c = 0; c <= f.code_count_mask(); ++c) {
      ExactValue v = f.decode(c);
      if (v.is_finite()) values.push_back(v);
    }
    std::stable_sort(values.begin(), values.end(), [](const ExactValue& a, const ExactValue& b) { return a < b; });
    const ExactValue lo_range = f.min_finite(), hi_range = f.max_finite();
    std::uint64_t local = 0;
    std::optional<ExactValue> prev;
    for (const ExactValue& x : xs) {
      if (x < lo_range || hi_range < x) continue;
      RoundResult res;
      try {
        res = project(f, rd, x, draw);
      } catch (const std::exception& e) {
        record_failure(cert, describe(f, rd, mc.r, x, std::string("threw: ") + e.what()));
        continue;
      }
      // Faithful: lo = the largest value ≤ x, hi = the smallest ≥ x.
      auto it = std::lower_bound(values.begin(), values.end(), x, [](const ExactValue& a, const ExactValue& b) { return a < b; });
      const ExactValue& hi = *it;  // x ≤ max, so it exists
      const ExactValue& lo = same_value(hi, x) ? hi : *(it - 1);
      ExactValue expected_hi = hi;
      if (run.inject_fault && !same_value(lo, hi)) expected_hi = lo;  // tests: forget the upper neighbour
      if (!same_value(res.value, lo) && !same_value(res.value, expected_hi))
        record_failure(cert, describe(f, rd, mc.r, x, "result " + to_hex_float(res.value) + " is not " + to_hex_float(lo) + " or " + to_hex_float(hi)));
      if (prev && res.value < *prev)
        record_failure(cert, describe(f, rd, mc.r, x, "not monotone: " + to_hex_float(res.value) + " after " + to_hex_float(*prev)));
      prev = res.value;
      ++local;
      if (f.is_signed && !x.negative() && !x.is_zero()) {
        const ExactValue nx = x.negated();
        if (!(nx < lo_range)) {
          // Directed modes mirror each other: RUP(−x) = −RDN(x).
          Rounding mirror = rd;
          if (rd.mode == Mode::TowardPositive) mirror.mode = Mode::TowardNegative;
          if (rd.mode == Mode::TowardNegative) mirror.mode = Mode::TowardPositive;
          const RoundResult neg = project(f, mirror, nx, draw);
          if (!same_value(neg.value, res.value.negated()))
            record_failure(cert, describe(f, rd, mc.r, x, "R(-x) = " + to_hex_float(neg.value) + " is not -R(x) = -" + to_hex_float(res.value)));
          ++local;
        }
      }
    }
    checked += local;
    const std::uint64_t d = ++done;
    if (run.progress && omp_get_thread_num() == 0) run.progress(static_cast<double>(d) / static_cast<double>(units.size()));
  }
  cert.cases_checked = checked;
}

}  // namespace

Claim claim_reference_rounding_faithful() {
  return Claim{"reference-rounding-faithful",
               "For every finite x of the source grid within the format's finite range [min_finite, max_finite], the "
               "reference rounding returns one of the two format values bracketing x (faithful), R(-x) = -R(x) in "
               "signed formats (odd symmetry; RUP(-x) = -RDN(x) and vice versa), and R is non-decreasing in x; SR modes at each fixed r.",
               "exhaustive enumeration of the domain with the MPFR reference (project); neighbours from the sorted "
               "decoded values of every code",
               "8 formats (p3109_k8p4se, p3109_k8p1se, p3109_k6p3uf, ocp_e4m3, ocp_e5m2, ocp_e2m1, e4m3fnuz, binary16) x "
               "rne rna rtz rup rdn rto, sr (u = 0x1.5p-2), srff/src N=1,2 every r, srf/sro/srceil N=1,2 r=1 x every "
               "finite bfloat16",
               "every IEEE-like catalogue format of at most 16 bits x rne rna rtz rup rdn rto, sr (u = 0x1.5p-2), "
               "srff/srf/src/sro/srceil with N = 1..3 and every r x every finite bfloat16 and binary16",
               check};
}

}  // namespace roundlab::proofs
