#include "reference/number_text.hpp"

#include <gmp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include "reference/error.hpp"

namespace roundlab {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Checks the literal grammar; MPFR's own parser accepts more (leading spaces, "@" exponents, ...).
bool well_formed(std::string_view s, bool& hex) {
  size_t i = 0;
  hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  if (hex) i = 2;
  auto is_digit = [&](char c) {
    return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : std::isdigit(static_cast<unsigned char>(c)) != 0;
  };
  size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i == s.size()) return true;
  char e = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  if ((hex && e != 'p') || (!hex && e != 'e')) return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t exp_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
  return exp_digits > 0 && exp_digits <= 18 && i == s.size();
}

bool has_nonzero_digit(std::string_view s, bool hex) {
  size_t i = hex ? 2 : 0;
  for (; i < s.size(); ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    if ((hex && c == 'p') || (!hex && c == 'e')) break;
    if (c != '0' && c != '.') return true;
  }
  return false;
}

// Keeps the exact rational of a decimal literal digits·10^exp, for codebooks with non-dyadic values.
// Skipped beyond |exp| > 4096 (such magnitudes are far from every codebook value and threshold).
void attach_decimal_rational(ExactValue& v, std::string_view s) {
  std::string digits;
  long exponent = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] == '.') continue;
    digits += s[i];
  }
  if (auto dot = s.find('.'); dot != std::string_view::npos && dot < i) exponent -= static_cast<long>(i - dot - 1);
  if (i < s.size()) {
    try {
      exponent += std::stol(std::string(s.substr(i + 1)));
    } catch (...) {
      return;
    }
  }
  if (exponent > 4096 || exponent < -4096) return;
  // Leading zeros would make the string octal to mpz_int's parser.
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) digits = "0";
  boost::multiprecision::mpz_int m(digits);
  boost::multiprecision::mpz_int ten = boost::multiprecision::pow(boost::multiprecision::mpz_int(10),
                                                                  static_cast<unsigned>(exponent < 0 ? -exponent : exponent));
  boost::multiprecision::mpq_rational q = exponent < 0 ? boost::multiprecision::mpq_rational(m, ten)
                                                       : boost::multiprecision::mpq_rational(m * ten);
  v.set_exact_magnitude(q);
}

}  // namespace

ExactValue parse_number(std::string_view text) {
  mpfr_setup();
  std::string_view body = text;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (iequals(body, "inf") || iequals(body, "infinity")) return ExactValue::infinity(negative);
  if (iequals(body, "nan")) return ExactValue::nan();
  bool hex = false;
  if (!well_formed(body, hex)) {
    throw InputError("malformed number '" + std::string(text) +
                     "': expected a decimal (e.g. 1.25e-3), a C99 hex float (e.g. 0x1.4p-2), inf or nan");
  }
  std::string owned(body);
  ExactValue v = ExactValue::zero(negative);
  char* end = nullptr;
  mpfr_clear_flags();
  int ternary = mpfr_strtofr(v.magnitude().get(), owned.c_str(), &end, 0, MPFR_RNDZ);
  if (end == nullptr || *end != '\0') {
    throw InputError("malformed number '" + std::string(text) + "': MPFR could not read all of it");
  }
  if (mpfr_inf_p(v.magnitude().get()) || mpfr_overflow_p()) {
    throw InputError("number '" + std::string(text) + "' is beyond MPFR's exponent range");
  }
  if (mpfr_zero_p(v.magnitude().get()) && has_nonzero_digit(body, hex)) {
    throw InputError("number '" + std::string(text) + "' is below MPFR's exponent range");
  }
  if (ternary != 0) {
    v.make_round_to_odd_image();
    if (!hex) attach_decimal_rational(v, body);
  }
  return v;
}

namespace {

// value = significand * 2^exponent with an odd significand (or zero).
void integer_form(const ExactValue& v, mpz_t significand, long& exponent) {
  mpfr_exp_t e = mpfr_get_z_2exp(significand, v.magnitude().get());
  exponent = static_cast<long>(e);
  if (mpz_sgn(significand) == 0) {
    exponent = 0;
    return;
  }
  mp_bitcnt_t tz = mpz_scan1(significand, 0);
  mpz_fdiv_q_2exp(significand, significand, tz);
  exponent += static_cast<long>(tz);
}

std::string special(const ExactValue& v) {
  if (v.is_nan()) return "nan";
  return v.negative() ? "-inf" : "inf";
}

}  // namespace

// Exact text of a non-dyadic value from its rational: a terminating decimal when the denominator is
// 2^a·5^b (in scientific notation, still exact, when the plain form would pass 40 characters and that is shorter), else p/q.
std::string rational_text(const ExactValue& v) {
  const auto& q = *v.exact_magnitude();
  boost::multiprecision::mpz_int den = boost::multiprecision::denominator(q);
  unsigned twos = 0, fives = 0;
  while (den % 2 == 0) den /= 2, ++twos;
  while (den % 5 == 0) den /= 5, ++fives;
  std::string sign = v.negative() ? "-" : "";
  if (den != 1) return sign + boost::multiprecision::numerator(q).str() + "/" + boost::multiprecision::denominator(q).str();
  const unsigned places = std::max(twos, fives);
  boost::multiprecision::mpz_int scaled = boost::multiprecision::numerator(q) *
      boost::multiprecision::pow(boost::multiprecision::mpz_int(10), places) / boost::multiprecision::denominator(q);
  std::string digits = scaled.str();
  // value = digits · 10^-places. Long plain forms (1e-300 has 300 zeros) in exact scientific notation.
  const std::size_t plain_size = places == 0 ? digits.size() : std::max<std::size_t>(digits.size(), places + 1) + 1;
  if (plain_size > 40) {
    std::size_t significant = digits.size();
    while (significant > 1 && digits[significant - 1] == '0') --significant;
    const long exponent = static_cast<long>(digits.size()) - 1 - static_cast<long>(places);
    std::string scientific = digits.substr(0, 1);
    if (significant > 1) scientific += "." + digits.substr(1, significant - 1);
    scientific += std::string("e") + (exponent < 0 ? "-" : "+") + std::to_string(exponent < 0 ? -exponent : exponent);
    if (scientific.size() < plain_size) return sign + scientific;
  }
  if (places > 0) {
    if (digits.size() <= places) digits = std::string(places - digits.size() + 1, '0') + digits;
    digits.insert(digits.size() - places, ".");
  }
  return sign + digits;
}

std::string to_hex_float(const ExactValue& v) {
  if (!v.is_finite()) return special(v);
  if (v.inexact() && v.exact_magnitude()) return rational_text(v);
  std::string sign = v.negative() ? "-" : "";
  if (v.is_zero()) return sign + "0x0p+0";
  mpz_t m;
  mpz_init(m);
  long e = 0;
  integer_form(v, m, e);
  size_t bits = mpz_sizeinbase(m, 2);
  long exponent = e + static_cast<long>(bits) - 1;
  // Fraction = m without its leading 1, left-aligned to whole hex digits.
  mpz_clrbit(m, bits - 1);
  size_t frac_bits = bits - 1;
  size_t pad = (4 - frac_bits % 4) % 4;
  mpz_mul_2exp(m, m, pad);
  size_t hex_digits = (frac_bits + pad) / 4;
  std::string frac;
  if (hex_digits > 0) {
    std::vector<char> buf(mpz_sizeinbase(m, 16) + 2);
    mpz_get_str(buf.data(), 16, m);
    frac = buf.data();
    if (frac == "0") frac.clear();
    frac = std::string(hex_digits - frac.size(), '0') + frac;
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
  }
  mpz_clear(m);
  std::string out = sign + "0x1";
  if (!frac.empty()) out += "." + frac;
  out += "p";
  out += exponent >= 0 ? "+" : "-";
  out += std::to_string(exponent >= 0 ? exponent : -exponent);
  if (v.inexact()) out += "~";  // the round-to-odd image of a value with no exact hex form
  return out;
}

std::string to_exact_decimal(const ExactValue& v) {
  if (!v.is_finite()) return special(v);
  if (v.inexact() && v.exact_magnitude()) return rational_text(v);
  std::string sign = v.negative() ? "-" : "";
  if (v.is_zero()) return sign + "0";
  mpz_t m;
  mpz_init(m);
  long e = 0;
  integer_form(v, m, e);
  std::string digits;
  size_t point = 0;  // digits after the decimal point
  if (e >= 0) {
    mpz_mul_2exp(m, m, static_cast<mp_bitcnt_t>(e));
  } else {
    // m / 2^k = m * 5^k / 10^k
    mpz_t five;
    mpz_init(five);
    mpz_ui_pow_ui(five, 5, static_cast<unsigned long>(-e));
    mpz_mul(m, m, five);
    mpz_clear(five);
    point = static_cast<size_t>(-e);
  }
  std::vector<char> buf(mpz_sizeinbase(m, 10) + 2);
  mpz_get_str(buf.data(), 10, m);
  digits = buf.data();
  mpz_clear(m);
  if (point > 0) {
    if (digits.size() <= point) digits = std::string(point - digits.size() + 1, '0') + digits;
    digits.insert(digits.size() - point, ".");
  }
  std::string out = sign + digits;
  if (v.inexact()) out += "~";
  return out;
}

std::string to_short_decimal(const ExactValue& v, int digits) {
  if (!v.is_finite()) return special(v);
  Mpfr tmp(kWorkPrecision);
  v.to_mpfr(tmp.get());
  char* s = nullptr;
  mpfr_asprintf(&s, "%.*Rg", digits, tmp.get());
  std::string out(s);
  mpfr_free_str(s);
  if (v.is_zero() && v.negative()) out = "-0";
  return out;
}

std::string hex_code(std::uint64_t code, int bits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "0x%0*llx", (bits + 3) / 4, static_cast<unsigned long long>(code));
  return buf;
}

}  // namespace roundlab
