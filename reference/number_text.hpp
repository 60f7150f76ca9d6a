// Text <-> ExactValue: exact parsing of decimal and C99 hex-float literals, exact printing.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "reference/exact_value.hpp"

namespace roundlab {

// Parses [+|-] (decimal | hexfloat | inf | infinity | nan), case-insensitive for inf/nan/x/p/e.
// Decimal: digits [. digits] [e [+|-] digits]; hex: 0x hexdigits [. hexdigits] [p [+|-] digits].
// Exact when the literal is a dyadic rational of at most kWorkPrecision bits; otherwise the result
// is the round-to-odd image (see exact_value.hpp) with inexact() set. Throws InputError naming the
// text on anything else (empty, trailing characters, exponent beyond MPFR's range).
ExactValue parse_number(std::string_view text);

// Exact C99 hex float of a dyadic value: "0x1.8p+0", "-0x0p+0", "inf", "-inf", "nan". A non-dyadic
// value (a codebook value such as APoT4's 0.1) has no hex form: it prints exactly from its rational as
// a terminating decimal ("0.1"; "1e-300" where the plain form would pass 40 characters) or p/q ("1/6"); an inexact value without its rational prints as its
// round-to-odd image with a trailing "~" (never silently as if exact).
std::string to_hex_float(const ExactValue& value);

// Exact decimal expansion of a dyadic value ("0.001953125", "-448", "inf", "nan").
std::string to_exact_decimal(const ExactValue& value);

// Short human-readable decimal (17 significant digits), e.g. for tables.
std::string to_short_decimal(const ExactValue& value, int digits = 17);

// A code word as hex, zero-padded to ⌈bits/4⌉ digits ("0x7e", "0x0011"). Exact.
std::string hex_code(std::uint64_t code, int bits);

}  // namespace roundlab
