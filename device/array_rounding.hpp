// Rounding of whole arrays: the element loop shared by the CPU launcher and the CUDA kernel.
// Inputs are raw little-endian IEEE words of the source format; outputs are codes of the target,
// stored in the smallest unsigned word that holds k bits (1, 2, 4 or 8 bytes).
#pragma once
#include <cstddef>
#include <cstdint>

#include "device/device_format.hpp"
#include "device/philox.hpp"
#include "device/round_to_format.hpp"
#include "device/source_unpack.hpp"

namespace roundlab::device {

enum class SourceFormat : std::uint8_t { Binary32, Binary64, Bfloat16, Binary16 };

RL_HD int source_bytes(SourceFormat s) {
  switch (s) {
    case SourceFormat::Binary32: return 4;
    case SourceFormat::Binary64: return 8;
    default: return 2;
  }
}

RL_HD int code_bytes(const DeviceFormat& f) { return f.k <= 8 ? 1 : f.k <= 16 ? 2 : f.k <= 32 ? 4 : 8; }

RL_HD Unpacked unpack_source(SourceFormat s, const void* in, std::size_t i) {
  switch (s) {
    case SourceFormat::Binary32: return unpack_binary32(static_cast<const std::uint32_t*>(in)[i]);
    case SourceFormat::Binary64: return unpack_binary64(static_cast<const std::uint64_t*>(in)[i]);
    case SourceFormat::Bfloat16: return unpack_bfloat16(static_cast<const std::uint16_t*>(in)[i]);
    case SourceFormat::Binary16: return unpack_binary16(static_cast<const std::uint16_t*>(in)[i]);
  }
  return Unpacked{};
}

// The raw word of element i of a source array (zero-extended).
RL_HD std::uint64_t source_word(SourceFormat s, const void* in, std::size_t i) {
  switch (s) {
    case SourceFormat::Binary32: return static_cast<const std::uint32_t*>(in)[i];
    case SourceFormat::Binary64: return static_cast<const std::uint64_t*>(in)[i];
    default: return static_cast<const std::uint16_t*>(in)[i];
  }
}

RL_HD void store_code(const DeviceFormat& f, void* out, std::size_t i, std::uint64_t code) {
  switch (code_bytes(f)) {
    case 1: static_cast<std::uint8_t*>(out)[i] = static_cast<std::uint8_t>(code); break;
    case 2: static_cast<std::uint16_t*>(out)[i] = static_cast<std::uint16_t>(code); break;
    case 4: static_cast<std::uint32_t*>(out)[i] = static_cast<std::uint32_t>(code); break;
    default: static_cast<std::uint64_t*>(out)[i] = code; break;
  }
}

// Where the random word of each element comes from: an explicit array, or the Philox stream at
// element index first_index + i.
struct RandomInput {
  const std::uint64_t* explicit_r = nullptr;
  RandomStream stream{};
  std::uint64_t first_index = 0;
};

RL_HD bool needs_random(const DeviceRounding& rd) {
  switch (rd.mode) {
    case DeviceMode::SR: case DeviceMode::SRFF: case DeviceMode::SRF: case DeviceMode::SRC:
    case DeviceMode::SRO: case DeviceMode::SRCEIL: return true;
    default: return false;
  }
}

// The lazy draw of a word whose top part gives the bounds b: round(b.lo) decides unless round(b.hi)
// differs (rounding is monotone in r, so every word between gives one of the two); only then is the
// low part drawn (low()) and the whole word rounded. Same result as rounding with the whole word.
template <class Round, class Low>
RL_HD DeviceResult round_with_top_part(const RandomWordBounds& b, Round round, Low low) {
  DeviceResult res = round(b.lo);
  if (b.hi != b.lo) {
    const DeviceResult at_hi = round(b.hi);
    if (at_hi.code != res.code || at_hi.no_encoding != res.no_encoding) res = round(b.lo | low());
  }
  return res;
}

// One element; `no_encoding` (optional) receives 1 where the result is NaN in a format without NaN.
// With the Philox stream the element's word is drawn lazily (round_with_top_part): the same result as
// with random_bits_for's whole word.
RL_HD void round_element(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat s, const void* in,
                         void* out, std::uint8_t* no_encoding, const RandomInput& rnd, std::size_t i) {
  const Unpacked u = unpack_source(s, in, i);
  DeviceResult res;
  if (!needs_random(rd)) {
    res = round_to_format(f, rd, u, 0);
  } else if (rnd.explicit_r) {
    res = round_to_format(f, rd, u, rnd.explicit_r[i]);
  } else {
    const std::uint64_t index = rnd.first_index + i;
    const RandomWordBounds b = random_word_bounds(random_top_part(rnd.stream, index, rd.random_bits), rd.random_bits);
    res = round_with_top_part(
        b, [&](std::uint64_t r) { return round_to_format(f, rd, u, r); },
        [&] { return random_low_part(rnd.stream, index, rd.random_bits); });
  }
  store_code(f, out, i, res.code);
  if (no_encoding) no_encoding[i] = res.no_encoding ? 1 : 0;
}

}  // namespace roundlab::device
