// Rounding of doubles to a reduced-precision "sbits" format (S explicit significand bits, float64's
// exponent range by default, or IEEE half / bfloat16 ranges) under any rounding mode of the suite,
// with the device kernels' bit-level code (device/round_to_format.hpp, proven equal to the MPFR
// reference) and, for the stochastic modes, the suite's Philox stream: the k-th rounding a rounder
// performs uses element index k of (seed, stream), exactly as the array kernels' element k would.
// Exactness: round() returns the exact rounding of its double argument (no intermediate rounding).
#pragma once
#include <cstdint>
#include <string>
#include <utility>

#include "device/device_format.hpp"
#include "device/philox.hpp"

namespace roundlab::analysis {

// Exponent range of the emulated format: float64's (11 bits, as rpe and the climate paper), or the
// IEEE half (5 bits) or bfloat16 (8 bits) range with subnormals and overflow to ±Inf.
enum class ExponentRange { Float64, Half, Bfloat16 };

int exponent_bits_of(ExponentRange range);
ExponentRange parse_exponent_range(const std::string& name);  // float64 | half | bfloat16; InputError
std::string exponent_range_name(ExponentRange range);

// What a rounder does: S sbits (1..52), a rounding mode by its CLI name (rne, sr, src, …) with N random
// bits for the few-bit modes, an exponent range, and the random stream of the stochastic modes.
struct SbitsRounding {
  int sbits = 52;
  std::string mode = "rne";
  int random_bits = 0;
  ExponentRange range = ExponentRange::Float64;
  device::RandomStream stream{};

  // e.g. "sbits=10 sr", "sbits=23 src N=4 range=half"; throws InputError naming a bad field.
  std::string describe() const;
  void validate() const;
};

class SbitsRounder {
 public:
  explicit SbitsRounder(const SbitsRounding& spec);  // throws InputError on a bad spec

  // The rounding of x (exact). NaN stays NaN; ±Inf stays ±Inf; overflow goes to ±Inf (IEEE rules).
  double round(double x) { return round_fn_(*this, x); }
  // Number of stochastic roundings done so far = the next element index of the stream.
  std::uint64_t draws() const { return next_index_; }
  const SbitsRounding& spec() const { return spec_; }
  bool stochastic() const { return stochastic_; }

 private:
  std::uint64_t random_top(std::uint64_t index);
  double decode(std::uint64_t code) const;
  // One instantiation per mode for float64's exponent range (the word-level kernel with the mode a
  // constant, so its predicate folds), and the general round_to_format for the other ranges.
  template <int kMode>
  static double round_word_level(SbitsRounder& self, double x);
  static double round_general(SbitsRounder& self, double x);
  template <class At>
  std::uint64_t draw_and_round(At at);

  using RoundFn = double (*)(SbitsRounder&, double);
  static constexpr int kDeviceModes = static_cast<int>(device::DeviceMode::RN_TIE_UPPER) + 1;
  template <int... kModes>
  static RoundFn pick_word_level(device::DeviceMode mode, std::integer_sequence<int, kModes...>);
  RoundFn round_fn_ = nullptr;

  SbitsRounding spec_;
  device::DeviceFormat format_;
  device::DeviceRounding rounding_;
  bool stochastic_ = false;
  std::uint64_t next_index_ = 0;
  // The Philox block holding the current slots (device/philox.hpp's stream definition), cached.
  std::uint64_t cached_block_ = ~std::uint64_t{0};
  device::Philox4x32 block_{};
};

}  // namespace roundlab::analysis
