#include "analysis/sr_bias_sources.hpp"

#include <algorithm>
#include <fstream>
#include <variant>

#include "analysis/exact_rational.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"

namespace roundlab::analysis {

namespace {

Rational rational_bound(const ExactValue& v) { return rational_of(v); }

// ⌊log2 q⌋ for q > 0, exact.
long floor_log2(const Rational& q) {
  const Integer& num = boost::multiprecision::numerator(q);
  const Integer& den = boost::multiprecision::denominator(q);
  long t = static_cast<long>(mpz_sizeinbase(num.backend().data(), 2)) -
           static_cast<long>(mpz_sizeinbase(den.backend().data(), 2));
  // 2^(t−1) < q < 2^(t+1); one comparison settles which side of 2^t it is.
  return q >= pow2(t) ? t : t - 1;
}

// The grid step at magnitude m ≥ 0: 2^(Q(m) − D), Q as precision_step (formats with subnormals clamp
// the exponent at 1 − bias; m = 0 takes the smallest quantum).
Rational grid_step(const IeeeLikeFormat& f, int d, const Rational& m) {
  long e = m == 0 ? 1 - f.bias : floor_log2(m);
  if (f.has_subnormals) e = std::max(e, 1 - f.bias);
  return pow2(e - f.p + 1 - d);
}

void check_limit(std::uint64_t count, std::uint64_t max_inputs, const std::string& what) {
  if (count > max_inputs)
    throw TooManyInputs(what + " holds more than " + std::to_string(max_inputs) + " inputs (the limit)");
}

// Grid magnitudes in [lo, hi] (0 ≤ lo ≤ hi), ascending; `skip_zero` leaves 0 out.
void grid_magnitudes(const IeeeLikeFormat& f, int d, const Rational& lo, const Rational& hi, bool skip_zero,
                     std::vector<Rational>& out, std::uint64_t max_inputs, const std::string& what) {
  if (lo == 0 && !f.has_subnormals)
    throw InputError(what + ": format '" + f.name +
                     "' has no subnormals, so its grid has no smallest step near 0; use a range away from 0");
  Rational step = grid_step(f, d, lo);
  Rational m = Rational(floor_of(lo / step)) * step;
  if (m < lo) m += step;  // ceil to the grid; reaching 2^(e+1) lands on the next binade's grid too
  if (m == 0 && skip_zero) m += grid_step(f, d, m);
  while (m <= hi) {
    check_limit(out.size() + 1, max_inputs, what);
    out.push_back(m);
    m += grid_step(f, d, m);
  }
}

std::vector<ExactValue> grid_values(const IeeeLikeFormat& f, int d, const ValueRange& range, std::uint64_t max_inputs,
                                    const std::string& what) {
  const Rational a = rational_bound(range.lo), b = rational_bound(range.hi);
  std::vector<Rational> negative, positive;
  if (a < 0) {
    // Magnitudes of the negative part: [max(−b, 0), −a]; 0 belongs to the positive part when b ≥ 0.
    const Rational lo = b < 0 ? Rational(-b) : Rational(0);
    grid_magnitudes(f, d, lo, Rational(-a), b >= 0, negative, max_inputs, what);
  }
  if (b >= 0) grid_magnitudes(f, d, a > 0 ? a : Rational(0), b, false, positive, max_inputs - negative.size(), what);
  std::vector<ExactValue> out;
  out.reserve(negative.size() + positive.size());
  for (auto it = negative.rbegin(); it != negative.rend(); ++it) out.push_back(exact_value_of_dyadic(Rational(-*it)));
  for (const auto& m : positive) out.push_back(exact_value_of_dyadic(m));
  return out;
}

bool in_range(const Rational& v, const std::optional<ValueRange>& range) {
  if (!range) return true;
  return v >= rational_bound(range->lo) && v <= rational_bound(range->hi);
}

std::vector<ExactValue> format_values(const std::string& name, const std::optional<ValueRange>& range,
                                      std::uint64_t max_inputs, const std::string& what) {
  const IeeeLikeFormat f = std::get<IeeeLikeFormat>(find_format(name));
  std::vector<std::pair<Rational, ExactValue>> values;
  const std::uint64_t codes = std::uint64_t{1} << f.k;
  for (std::uint64_t code = 0; code < codes; ++code) {
    ExactValue v = f.decode(code);
    if (!v.is_finite() || (v.is_zero() && v.negative())) continue;
    Rational q = rational_of(v);
    if (!in_range(q, range)) continue;
    check_limit(values.size() + 1, max_inputs, what);
    values.emplace_back(std::move(q), std::move(v));
  }
  std::sort(values.begin(), values.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<ExactValue> out;
  out.reserve(values.size());
  for (auto& [q, v] : values) out.push_back(std::move(v));
  return out;
}

std::vector<ExactValue> file_values(const std::string& path, const std::optional<ValueRange>& range,
                                    std::uint64_t max_inputs, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw InputError("source file '" + path + "' cannot be opened");
  std::vector<ExactValue> out;
  std::string line;
  for (long line_no = 1; std::getline(in, line); ++line_no) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto last = line.find_last_not_of(" \t\r");
    const std::string token = line.substr(first, last - first + 1);
    try {
      ExactValue v = parse_number(token);
      if (v.is_finite()) {
        if (!in_range(rational_of(v), range)) continue;
      } else if (range) {
        continue;  // ±Inf and NaN lie in no finite range
      }
      check_limit(out.size() + 1, max_inputs, what);
      out.push_back(std::move(v));
    } catch (const TooManyInputs&) {
      throw;
    } catch (const InputError& e) {
      throw InputError("source file '" + path + "' line " + std::to_string(line_no) + ": " + e.what());
    }
  }
  return out;
}

}  // namespace

std::string ValueRange::text() const { return "[" + to_hex_float(lo) + ", " + to_hex_float(hi) + "]"; }

ValueRange parse_value_range(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos)
    throw InputError("range '" + std::string(text) + "': expected a:b with two numbers, e.g. 1:2 or -0x1p-3:0.5");
  ValueRange r{parse_number(text.substr(0, colon)), parse_number(text.substr(colon + 1))};
  if (!r.lo.is_finite() || !r.hi.is_finite())
    throw InputError("range '" + std::string(text) + "': both ends must be finite numbers");
  if (rational_of(r.hi) < rational_of(r.lo))
    throw InputError("range '" + std::string(text) + "': the lower end is above the upper end");
  return r;
}

std::string BiasSource::text() const {
  switch (kind) {
    case Kind::FormatValues: return format_name;
    case Kind::Grid: return "grid:" + std::to_string(grid_bits);
    case Kind::File: return "file:" + path;
  }
  return "?";
}

BiasSource parse_bias_source(std::string_view text) {
  const std::string expected =
      "expected bfloat16, binary16 (or another IEEE-like format of at most 16 bits), grid:D (0 ≤ D ≤ 256) or "
      "file:PATH";
  BiasSource s;
  const std::string t(text);
  if (t.rfind("grid:", 0) == 0) {
    const std::string digits = t.substr(5);
    const bool ok = !digits.empty() && digits.size() <= 3 &&
                    std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!ok || std::stoi(digits) > 256)
      throw InputError("source '" + t + "': D must be an integer in 0..256 (" + expected + ")");
    s.kind = BiasSource::Kind::Grid;
    s.grid_bits = std::stoi(digits);
    return s;
  }
  if (t.rfind("file:", 0) == 0) {
    if (t.size() == 5) throw InputError("source 'file:' needs a path (" + expected + ")");
    s.kind = BiasSource::Kind::File;
    s.path = t.substr(5);
    return s;
  }
  Format f;
  try {
    f = find_format(t);
  } catch (const InputError&) {
    throw InputError("unknown source '" + t + "': " + expected);
  }
  const auto* ieee = std::get_if<IeeeLikeFormat>(&f);
  if (!ieee || ieee->k > 16)
    throw InputError("source '" + t + "' is not an IEEE-like format of at most 16 bits: " + expected);
  s.kind = BiasSource::Kind::FormatValues;
  s.format_name = ieee->name;
  return s;
}

std::vector<ExactValue> source_values(const BiasSource& source, const IeeeLikeFormat& target,
                                      const std::optional<ValueRange>& range, std::uint64_t max_inputs) {
  mpfr_setup();
  const std::string what = "source " + source.text() + (range ? " over " + range->text() : std::string());
  switch (source.kind) {
    case BiasSource::Kind::FormatValues: return format_values(source.format_name, range, max_inputs, what);
    case BiasSource::Kind::Grid:
      if (!range) throw InputError("source " + source.text() + " needs a range (the grid is infinite)");
      return grid_values(target, source.grid_bits, *range, max_inputs, what);
    case BiasSource::Kind::File: return file_values(source.path, range, max_inputs, what);
  }
  return {};
}

}  // namespace roundlab::analysis
