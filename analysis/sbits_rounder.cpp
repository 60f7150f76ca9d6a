#include "analysis/sbits_rounder.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <utility>

#include "device/device_format_from_reference.hpp"
#include "device/round_to_format.hpp"
#include "device/sbits_rounding.hpp"
#include "device/source_unpack.hpp"
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/rounding.hpp"

namespace roundlab::analysis {

int exponent_bits_of(ExponentRange range) {
  switch (range) {
    case ExponentRange::Half: return 5;
    case ExponentRange::Bfloat16: return 8;
    case ExponentRange::Float64: break;
  }
  return 11;
}

ExponentRange parse_exponent_range(const std::string& name) {
  if (name == "float64" || name == "double") return ExponentRange::Float64;
  if (name == "half" || name == "binary16") return ExponentRange::Half;
  if (name == "bfloat16") return ExponentRange::Bfloat16;
  throw InputError("exponent range '" + name + "': expected float64, half or bfloat16");
}

std::string exponent_range_name(ExponentRange range) {
  switch (range) {
    case ExponentRange::Half: return "half";
    case ExponentRange::Bfloat16: return "bfloat16";
    case ExponentRange::Float64: break;
  }
  return "float64";
}

namespace {

Rounding rounding_of(const SbitsRounding& s) {
  Rounding r;
  r.mode = parse_mode(s.mode);
  r.random_bits = r.uses_random_bits() ? s.random_bits : (r.mode == Mode::StochasticExact ? 64 : 0);
  r.validate();
  return r;
}

}  // namespace

void SbitsRounding::validate() const {
  if (sbits < 1 || sbits > 52)
    throw InputError("sbits " + std::to_string(sbits) + ": expected explicit significand bits in 1..52");
  const Rounding r = rounding_of(*this);
  if (r.uses_random_bits() && random_bits < 1)
    throw InputError("rounding '" + mode + "' needs random bits N ≥ 1 (got " + std::to_string(random_bits) + ")");
  (void)sbits_format(sbits, exponent_bits_of(range));
}

std::string SbitsRounding::describe() const {
  std::string d = "sbits=" + std::to_string(sbits) + " " + mode;
  if (rounding_of(*this).uses_random_bits()) d += " N=" + std::to_string(random_bits);
  if (range != ExponentRange::Float64) d += " range=" + exponent_range_name(range);
  return d;
}

SbitsRounder::SbitsRounder(const SbitsRounding& spec) : spec_(spec) {
  spec_.validate();
  format_ = device::make_device_format(sbits_format(spec_.sbits, exponent_bits_of(spec_.range)));
  const Rounding rounding = rounding_of(spec_);
  rounding_ = device::make_device_rounding(rounding);
  stochastic_ = rounding.is_stochastic();
  round_fn_ = format_.w == 11 ? pick_word_level(rounding_.mode, std::make_integer_sequence<int, kDeviceModes>{}) : &round_general;
}

std::uint64_t SbitsRounder::random_top(std::uint64_t index) {
  const int n = rounding_.random_bits;
  // 8, 16 or 32 slots per block: a shift instead of a 64-bit division on every draw.
  const int log2_per = std::countr_zero(static_cast<unsigned>(device::random_slots_per_block(n)));
  const std::uint64_t block = index >> log2_per;
  if (block != cached_block_) {
    block_ = device::philox_at(spec_.stream, static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32));
    cached_block_ = block;
  }
  return device::random_slot_of(block_, static_cast<int>(index & ((std::uint64_t{1} << log2_per) - 1)), n);
}

double SbitsRounder::decode(std::uint64_t code) const {
  // Only the general path decodes (float64's range stays in binary64 words): w < 11, p ≤ 53.
  const int s = format_.t;
  const int w = format_.w;
  const bool negative = (code & format_.sign_bit) != 0;
  const std::uint64_t e = (code >> s) & ((std::uint64_t{1} << w) - 1);
  const std::uint64_t frac = code & ((std::uint64_t{1} << s) - 1);
  double v;
  if (e == (std::uint64_t{1} << w) - 1) {
    v = frac == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else if (e == 0) {
    v = std::ldexp(static_cast<double>(frac), static_cast<int>(1 - format_.bias - s));  // exact: p ≤ 53
  } else {
    v = std::ldexp(static_cast<double>(frac | (std::uint64_t{1} << s)), static_cast<int>(static_cast<std::int64_t>(e) - format_.bias - s));
  }
  return negative ? -v : v;
}

// Lazy draw as in device::round_element: the word's top part decides unless the smallest and the
// largest word with that top part round differently; only then is the low part drawn.
template <class At>
std::uint64_t SbitsRounder::draw_and_round(At at) {
  const std::uint64_t index = next_index_++;
  const int n = rounding_.random_bits;
  const device::RandomWordBounds b = device::random_word_bounds(static_cast<std::uint32_t>(random_top(index)), n);
  const std::uint64_t out = at(b.lo);
  if (b.hi == b.lo || at(b.hi) == out) return out;
  return at(b.lo | device::random_low_part(spec_.stream, index, n));
}

template <int kMode>
double SbitsRounder::round_word_level(SbitsRounder& self, double x) {
  device::DeviceRounding rd = self.rounding_;
  rd.mode = static_cast<device::DeviceMode>(kMode);  // a constant: round_away_bits' switch folds
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const int d = 52 - self.spec_.sbits;
  auto at = [&](std::uint64_t r) { return device::round_binary64_to_sbits(bits, d, rd, r); };
  if (!self.stochastic_) return std::bit_cast<double>(at(0));
  return std::bit_cast<double>(self.draw_and_round(at));
}

double SbitsRounder::round_general(SbitsRounder& self, double x) {
  const device::Unpacked u = device::unpack_binary64(std::bit_cast<std::uint64_t>(x));
  auto at = [&](std::uint64_t r) { return device::round_to_format(self.format_, self.rounding_, u, r).code; };
  if (!self.stochastic_) return self.decode(at(0));
  return self.decode(self.draw_and_round(at));
}

template <int... kModes>
SbitsRounder::RoundFn SbitsRounder::pick_word_level(device::DeviceMode mode, std::integer_sequence<int, kModes...>) {
  RoundFn fn = &round_general;
  ((static_cast<int>(mode) == kModes ? (void)(fn = &round_word_level<kModes>) : (void)0), ...);
  return fn;
}

}  // namespace roundlab::analysis
