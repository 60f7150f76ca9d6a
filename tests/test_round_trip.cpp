// Exhaustive decode → encode → decode round trip over every code of every IEEE-like format with k ≤ 16,
// and exhaustive fixed points: a value of the format rounds to itself (same value, same code) under
// every mode (k ≤ 8) or under rne (k ≤ 16). stochastic-rounding.md §2.1 "Exactly representable inputs
// (δ = 0) are fixed points in every mode and for every r"; §8.1 self-consistency checks.
//
// The work is spread over the machine's cores (one format per task); failures are collected per
// worker and reported from the test thread, at most a few per format.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/reference_round.hpp"
#include "reference/round_to_precision.hpp"

using namespace roundlab;

namespace {

std::vector<IeeeLikeFormat> formats_up_to(int max_k) {
  std::vector<IeeeLikeFormat> out;
  for (const auto& e : catalogue())
    if (const auto* f = std::get_if<IeeeLikeFormat>(&e.format); f && f->k <= max_k) out.push_back(*f);
  // Two generated emulation formats (not listed in the catalogue): binary16's twin and an 8-bit one.
  for (const char* name : {"sbits10_e5", "sbits3_e4"}) {
    const auto f = std::get<IeeeLikeFormat>(find_format(name));
    if (f.k <= max_k) out.push_back(f);
  }
  return out;
}

// Runs fn(format, failures) for every format on all cores; returns the failure messages.
template <typename Fn>
std::vector<std::string> for_each_format_parallel(const std::vector<IeeeLikeFormat>& formats, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::vector<std::string> failures;
  auto worker = [&] {
    for (std::size_t i = next++; i < formats.size(); i = next++) {
      std::vector<std::string> local;
      try {
        fn(formats[i], local);
      } catch (const std::exception& e) {
        local.push_back(formats[i].name + ": exception " + e.what());
      }
      if (!local.empty()) {
        std::lock_guard<std::mutex> lock(mu);
        for (auto& s : local) failures.push_back(std::move(s));
      }
    }
  };
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < n; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  return failures;
}

void report(const std::vector<std::string>& failures) {
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures";
  for (std::size_t i = 0; i < std::min<std::size_t>(failures.size(), 40); ++i) ADD_FAILURE() << failures[i];
}

std::string hex(std::uint64_t c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(c));
  return buf;
}

// Identity of two format values (value, sign of zero, NaN == NaN).
bool same(const ExactValue& a, const ExactValue& b) { return a.identical(b); }

Rounding rnd(Mode m, int n = 0, Saturation s = Saturation::None, TieRule tie = TieRule::Even) {
  Rounding r;
  r.mode = m;
  r.random_bits = n;
  r.saturation = s;
  r.tie = tie;
  return r;
}

struct Case {
  Rounding rounding;
  RandomDraw draw;
  std::string label;
};

// Every deterministic mode; every few-bit SR mode with N ∈ {0, 1, 3, 8, 64} and a few r; exact SR with
// a few 64-bit words and a few exact u.
std::vector<Case> all_mode_cases(Saturation sat) {
  std::vector<Case> out;
  auto add = [&](Rounding r, std::uint64_t rbits, std::string label) {
    RandomDraw d;
    d.r = rbits;
    out.push_back({r, d, label});
  };
  for (Mode m : {Mode::NearestTiesToEven, Mode::NearestTiesToAway, Mode::TowardZero, Mode::TowardPositive,
                 Mode::TowardNegative, Mode::ToOdd})
    add(rnd(m, 0, sat), 0, mode_name(m));
  for (TieRule t : {TieRule::Even, TieRule::Away, TieRule::Zero, TieRule::Lower, TieRule::Upper})
    add(rnd(Mode::Nearest, 0, sat, t), 0, "rn tie=" + tie_rule_name(t));
  for (Mode m : {Mode::StochasticA, Mode::StochasticB, Mode::StochasticC, Mode::StochasticOdd, Mode::StochasticCeil}) {
    for (int n : {0, 1, 3, 8, 64}) {
      const std::uint64_t top = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
      std::vector<std::uint64_t> rs = {0, top, top / 2 + 1};
      if (n == 0) rs = {0};
      for (std::uint64_t r : rs) add(rnd(m, n, sat), r, mode_name(m) + " N=" + std::to_string(n) + " r=" + hex(r));
    }
  }
  for (std::uint64_t r : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1} << 63, ~std::uint64_t{0}})
    add(rnd(Mode::StochasticExact, 0, sat), r, "sr r=" + hex(r));
  // u = 0, 1/2 and 1 − 2^-192 (the largest u the library accepts: a multiple of 2^-192 below 1).
  for (const std::string& u : {std::string("0"), std::string("0.5"), "0x1." + std::string(47, 'f') + "ep-1"}) {
    RandomDraw d;
    d.u = parse_number(u);
    out.push_back({rnd(Mode::StochasticExact, 0, sat), d, "sr u=" + u});
  }
  return out;
}

}  // namespace

// decode(c) → encode → c for every non-NaN code; NaN codes → the canonical NaN code, which decodes to NaN.
TEST(RoundTrip, DecodeEncodeEveryCodeUpTo16Bits) {
  const auto formats = formats_up_to(16);
  ASSERT_GT(formats.size(), 500u);
  std::atomic<std::uint64_t> codes{0};
  const auto failures = for_each_format_parallel(formats, [&](const IeeeLikeFormat& f, std::vector<std::string>& bad) {
    const std::uint64_t n = std::uint64_t{1} << f.k;
    const bool has_nan = f.has_nan();
    std::uint64_t nan_code = has_nan ? f.code_of_nan() : 0;
    if (has_nan && !f.decode(nan_code).is_nan()) bad.push_back(f.name + ": canonical NaN code does not decode to NaN");
    for (std::uint64_t c = 0; c < n && bad.size() < 4; ++c) {
      const ExactValue v = f.decode(c);
      std::uint64_t back = 0;
      try {
        back = f.encode(v);
      } catch (const std::exception& e) {
        bad.push_back(f.name + " code " + hex(c) + " (" + to_hex_float(v) + "): encode threw: " + e.what());
        continue;
      }
      if (v.is_nan()) {
        if (back != nan_code || !f.decode(back).is_nan())
          bad.push_back(f.name + " NaN code " + hex(c) + " encodes to " + hex(back) + ", not the canonical NaN " +
                        hex(nan_code));
        continue;
      }
      if (back != c) bad.push_back(f.name + " code " + hex(c) + " (" + to_hex_float(v) + ") encodes to " + hex(back));
      if (!same(f.decode(back), v)) bad.push_back(f.name + " code " + hex(c) + ": decode(encode(decode)) differs");
      if (!f.contains(v)) bad.push_back(f.name + " code " + hex(c) + ": contains(decode(c)) is false");
    }
    // ±0: +0 is code 0; −0 is the sign-bit code where the format has −0, else it encodes as +0.
    if (f.has_zero()) {
      if (f.encode(ExactValue::zero(false)) != 0) bad.push_back(f.name + ": +0 does not encode to 0");
      const std::uint64_t want = f.has_negative_zero ? (std::uint64_t{1} << (f.k - 1)) : 0;
      if (f.encode(ExactValue::zero(true)) != want) bad.push_back(f.name + ": -0 encodes to the wrong code");
      if (!f.has_negative_zero)
        for (std::uint64_t c = 0; c < n; ++c)
          if (f.decode(c).is_zero() && f.decode(c).negative()) bad.push_back(f.name + ": decodes " + hex(c) + " to -0");
    }
    codes += n;
  });
  report(failures);
  RecordProperty("codes", std::to_string(codes.load()));
}

// Fixed points, k ≤ 8: every non-NaN code under every mode (deterministic, few-bit SR with several N and
// r, exact SR), for SatNone and SatPropagate; SatFinite for the finite codes (±Inf → ±max there).
TEST(RoundTrip, FixedPointsEveryModeUpTo8Bits) {
  const auto formats = formats_up_to(8);
  ASSERT_GT(formats.size(), 120u);
  const auto failures = for_each_format_parallel(formats, [&](const IeeeLikeFormat& f, std::vector<std::string>& bad) {
    for (Saturation sat : {Saturation::None, Saturation::Propagate, Saturation::Finite}) {
      const std::vector<Case> cases = all_mode_cases(sat);
      for (std::uint64_t c = 0; c < (std::uint64_t{1} << f.k) && bad.size() < 4; ++c) {
        const ExactValue v = f.decode(c);
        if (v.is_nan()) continue;
        for (const Case& k : cases) {
          RoundResult res = project(f, k.rounding, v, k.draw);
          if (v.is_infinite() && sat == Saturation::Finite) {
            const ExactValue want = v.negative() ? f.min_finite() : f.max_finite();
            if (!same(res.value, want))
              bad.push_back(f.name + " " + to_hex_float(v) + " sat=finite " + k.label + " gives " +
                            to_hex_float(res.value));
            continue;
          }
          if (!same(res.value, v) || res.code != c || res.away || res.saturated)
            bad.push_back(f.name + " code " + hex(c) + " (" + to_hex_float(v) + ") " + k.label +
                          " sat=" + saturation_name(sat) + " gives " + to_hex_float(res.value) + " code " +
                          hex(res.code) + (res.away ? " away" : "") + (res.saturated ? " saturated" : ""));
        }
      }
    }
  });
  report(failures);
}

// Fixed points, k ≤ 16, rne (SatNone): every non-NaN code rounds to itself, code included.
TEST(RoundTrip, FixedPointsRneUpTo16Bits) {
  const auto formats = formats_up_to(16);
  const Rounding r = rnd(Mode::NearestTiesToEven);
  const auto failures = for_each_format_parallel(formats, [&](const IeeeLikeFormat& f, std::vector<std::string>& bad) {
    for (std::uint64_t c = 0; c < (std::uint64_t{1} << f.k) && bad.size() < 4; ++c) {
      const ExactValue v = f.decode(c);
      if (v.is_nan()) continue;
      RoundResult res = project(f, r, v);
      if (!same(res.value, v) || res.code != c)
        bad.push_back(f.name + " code " + hex(c) + " (" + to_hex_float(v) + ") rne gives " + to_hex_float(res.value) +
                      " code " + hex(res.code));
    }
  });
  report(failures);
}

// NaN codes: rounding NaN gives the canonical NaN in every mode (formats with NaN).
TEST(RoundTrip, NaNCodesRoundToCanonicalNaN) {
  const auto formats = formats_up_to(8);
  const auto failures = for_each_format_parallel(formats, [&](const IeeeLikeFormat& f, std::vector<std::string>& bad) {
    if (!f.has_nan()) return;
    for (std::uint64_t c = 0; c < (std::uint64_t{1} << f.k); ++c) {
      const ExactValue v = f.decode(c);
      if (!v.is_nan()) continue;
      for (const Case& k : all_mode_cases(Saturation::Finite)) {
        RoundResult res = project(f, k.rounding, v, k.draw);
        if (!res.value.is_nan() || res.code != f.code_of_nan())
          bad.push_back(f.name + " NaN code " + hex(c) + " " + k.label + " gives code " + hex(res.code));
      }
    }
  });
  report(failures);
}

// Text of a non-dyadic decimal: plain while short ("0.001"), exact scientific notation past 40 characters
// (1e-300 used to print as 300 zeros), and either form parses back to the same rational.
TEST(RoundTrip, LongDecimalsPrintInExactScientificNotation) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0.001", "0.001"},       {"-0.1", "-0.1"},           {"1e-300", "1e-300"},  {"-1.25e-60", "-1.25e-60"},
      {"1e400", "1e+400"},      {"3.5e200", "3.5e+200"},    {"1.000000000000000000000000000000000000001", "1.000000000000000000000000000000000000001"},
      {"0.0000000000000000000000000000000000000001", "1e-40"},
  };
  for (const auto& [in, want] : cases) {
    const ExactValue v = parse_number(in);
    ASSERT_TRUE(v.inexact()) << in;  // a non-dyadic (or over-long) decimal: printed from its rational
    EXPECT_EQ(to_hex_float(v), want) << in;
    const ExactValue back = parse_number(to_hex_float(v));
    ASSERT_TRUE(back.exact_magnitude() && v.exact_magnitude()) << in;
    EXPECT_EQ(*back.exact_magnitude(), *v.exact_magnitude()) << in;
    EXPECT_EQ(back.negative(), v.negative()) << in;
  }
}
