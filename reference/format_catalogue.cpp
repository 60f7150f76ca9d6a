#include "reference/format_catalogue.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "reference/error.hpp"

namespace roundlab {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

IeeeLikeFormat ieee(std::string name, std::string family, int k, int p, long bias, Domain domain,
                    bool negative_zero, std::uint64_t high_nans, std::string source) {
  IeeeLikeFormat f;
  f.name = std::move(name);
  f.family = std::move(family);
  f.k = k;
  f.p = p;
  f.bias = bias;
  f.domain = domain;
  f.has_negative_zero = negative_zero;
  f.num_high_nans = high_nans;
  f.source = std::move(source);
  return f;
}

std::vector<CatalogueEntry> build() {
  std::vector<CatalogueEntry> out;
  auto add = [&](IeeeLikeFormat f, std::vector<std::string> aliases) {
    f.validate();
    std::string name = f.name;
    out.push_back({name, std::move(aliases), Format{std::move(f)}});
  };
  const auto E = Domain::Extended;
  const auto F = Domain::Finite;
  add(ieee("binary16", "ieee754", 16, 11, 15, E, true, 1023, "IEEE 754-2019"), {"float16", "fp16", "half"});
  add(ieee("binary32", "ieee754", 32, 24, 127, E, true, (1 << 23) - 1, "IEEE 754-2019"),
      {"float32", "fp32", "single"});
  add(ieee("binary64", "ieee754", 64, 53, 1023, E, true, (std::uint64_t{1} << 52) - 1, "IEEE 754-2019"),
      {"float64", "fp64", "double"});
  add(ieee("bfloat16", "ieee754", 16, 8, 127, E, true, 127, "Google Brain bfloat16"), {"bf16"});
  add(ieee("ocp_e5m2", "ocp", 8, 3, 15, E, true, 3, "OCP OFP8 rev 1.0"), {"e5m2", "fp8_e5m2", "float8_e5m2"});
  {
    IeeeLikeFormat f = ieee("ocp_e4m3", "ocp", 8, 4, 7, F, true, 1, "OCP OFP8 rev 1.0 (E4M3FN)");
    f.finite_overflow = FiniteOverflow::NaN;  // OFP8 non-saturating conversion: overflow and ±Inf → NaN
    add(f, {"e4m3", "e4m3fn", "fp8_e4m3", "float8_e4m3fn"});
  }
  add(ieee("ocp_e3m2", "ocp", 6, 3, 3, F, true, 0, "OCP MX v1.0 FP6"), {"e3m2", "fp6_e3m2"});
  add(ieee("ocp_e2m3", "ocp", 6, 4, 1, F, true, 0, "OCP MX v1.0 FP6"), {"e2m3", "fp6_e2m3"});
  add(ieee("ocp_e2m1", "ocp", 4, 2, 1, F, true, 0, "OCP MX v1.0 FP4"), {"e2m1", "fp4_e2m1_ocp"});
  {
    IeeeLikeFormat f = ieee("ocp_e8m0", "ocp", 8, 1, 127, F, false, 1, "OCP MX v1.0 scale (E8M0)");
    f.is_signed = false;
    f.has_subnormals = false;
    f.finite_overflow = FiniteOverflow::NaN;
    add(f, {"e8m0", "float8_e8m0fnu"});
  }
  {
    IeeeLikeFormat f = ieee("ocp_int8", "ocp", 8, 8, 0, F, false, 0, "OCP MX v1.0 INT8 element (k/64)");
    f.twos_complement = true;
    add(f, {"mx_int8", "mxint8_element"});
  }
  {
    IeeeLikeFormat f = ieee("ocp_ue4m3", "ocp", 7, 4, 7, F, false, 1, "NVFP4 block scale (E4M3, sign 0)");
    f.is_signed = false;
    f.finite_overflow = FiniteOverflow::NaN;
    add(f, {"ue4m3"});
  }
  {
    IeeeLikeFormat f = ieee("e4m3fnuz", "fnuz", 8, 4, 8, F, false, 0, "LLVM Float8E4M3FNUZ (AMD MI300, Graphcore)");
    f.finite_overflow = FiniteOverflow::NaN;
    add(f, {"float8_e4m3fnuz", "fp8_e4m3fnuz"});
  }
  {
    IeeeLikeFormat f = ieee("e5m2fnuz", "fnuz", 8, 3, 16, F, false, 0, "LLVM Float8E5M2FNUZ (AMD MI300, Graphcore)");
    f.finite_overflow = FiniteOverflow::NaN;
    add(f, {"float8_e5m2fnuz", "fp8_e5m2fnuz"});
  }
  for (int k = 3; k <= 16; ++k) {
    for (int sign = 1; sign >= 0; --sign) {
      for (int p = 1; p <= (sign ? k - 1 : k); ++p) {
        for (int ext = 1; ext >= 0; --ext) {
          IeeeLikeFormat f = p3109_format(k, p, sign == 1, ext == 1);
          std::vector<std::string> aliases = {"Binary" + std::to_string(k) + "p" + std::to_string(p) +
                                              (sign ? "s" : "u") + (ext ? "e" : "f")};
          if (k == 8 && sign == 1 && ext == 1 && p <= 7) {
            aliases.push_back("b8p" + std::to_string(p));
            aliases.push_back("binary8p" + std::to_string(p));
          }
          add(f, aliases);
        }
      }
    }
  }
  for (auto& c : codebook_catalogue()) {
    c.validate();
    std::string name = c.name;
    out.push_back({name, {}, Format{std::move(c)}});
  }
  for (auto& b : block_catalogue()) {
    std::string name = b.name;
    out.push_back({name, {}, Format{std::move(b)}});
  }
  return out;
}

}  // namespace

IeeeLikeFormat p3109_format(int k, int p, bool is_signed, bool extended) {
  IeeeLikeFormat f;
  f.name = "p3109_k" + std::to_string(k) + "p" + std::to_string(p) + (is_signed ? "s" : "u") +
           (extended ? "e" : "f");
  f.family = "p3109";
  f.source = "IEEE P3109 Interim Report v4.0 §4.7";
  f.k = k;
  f.p = p;
  f.is_signed = is_signed;
  f.domain = extended ? Domain::Extended : Domain::Finite;
  f.has_negative_zero = false;   // one NaN, no −0
  f.num_high_nans = is_signed ? 0 : 1;  // signed: NaN in the −0 slot 2^(K−1); unsigned: 2^K − 1
  f.has_subnormals = true;
  const int exponent_shift = is_signed ? k - p - 1 : k - p;  // B = 2^(K−P−1) signed, 2^(K−P) unsigned
  if (exponent_shift < 0 || exponent_shift > 62)
    throw InputError("P3109 format " + f.name + ": needs 0 < P < K (signed) or 0 < P ≤ K (unsigned)");
  f.bias = 1L << exponent_shift;
  f.finite_overflow = FiniteOverflow::Clamp;  // v4.0: SatNone on a Finite format saturates
  f.validate();
  return f;
}

IeeeLikeFormat sbits_format(int sbits, int exponent_bits) {
  if (exponent_bits < 2 || exponent_bits > 15)
    throw InputError("sbits format: exponent width " + std::to_string(exponent_bits) + " must be in 2..15");
  if (sbits < 1 || 1 + exponent_bits + sbits > 64)
    throw InputError("sbits format: " + std::to_string(sbits) + " significand bits must be in 1.." +
                     std::to_string(63 - exponent_bits) + " with a " + std::to_string(exponent_bits) +
                     "-bit exponent");
  IeeeLikeFormat f;
  f.name = exponent_bits == 11 ? "sbits" + std::to_string(sbits)
                               : "sbits" + std::to_string(sbits) + "_e" + std::to_string(exponent_bits);
  f.family = "sbits";
  f.source = "rpe-style reduced significand (explicit bits), IEEE 754 exponent range";
  f.k = 1 + exponent_bits + sbits;
  f.p = sbits + 1;
  f.bias = (1L << (exponent_bits - 1)) - 1;
  f.domain = Domain::Extended;
  f.has_negative_zero = true;
  f.num_high_nans = (std::uint64_t{1} << sbits) - 1;  // all-ones exponent, non-zero significand
  f.validate();
  return f;
}

const std::vector<CatalogueEntry>& catalogue() {
  static const std::vector<CatalogueEntry> entries = build();
  return entries;
}

Format find_format(std::string_view name) {
  const std::string key = lower(name);
  for (const auto& e : catalogue()) {
    if (lower(e.name) == key) return e.format;
    for (const auto& a : e.aliases)
      if (lower(a) == key) return e.format;
  }
  std::smatch m;
  const std::string s(key);
  // A parameter of the parametric names; digits beyond int are refused like any out-of-range value.
  auto parameter = [&](const std::string& digits, const char* what) {
    if (digits.size() > 4) throw InputError("format '" + std::string(name) + "': " + what + " = " + digits + " is out of range");
    return std::stoi(digits);
  };
  static const std::regex p3109(R"((?:p3109_k|binary)(\d+)p(\d+)([su])([ef]))");
  static const std::regex sbits(R"(sbits(\d+)(?:_e(\d+))?)");
  if (std::regex_match(s, m, p3109)) {
    const int k = parameter(m[1], "K");
    if (k < 2 || k > 64) throw InputError("format '" + std::string(name) + "': K must be in 2..64");
    const int p = parameter(m[2], "P");
    return p3109_format(k, p, m[3] == "s", m[4] == "e");
  }
  if (std::regex_match(s, m, sbits)) {
    const int w = m[2].matched ? parameter(m[2], "the exponent width") : 11;
    return sbits_format(parameter(m[1], "the significand bits"), w);
  }
  // Suggest names that share a prefix, so a typo gets a useful answer.
  std::string suggestions;
  int shown = 0;
  for (const auto& e : catalogue()) {
    std::string n = lower(e.name);
    if (key.size() >= 2 && (n.find(key.substr(0, std::min<size_t>(key.size(), 4))) != std::string::npos) &&
        shown < 8) {
      suggestions += (shown++ ? ", " : "") + e.name;
    }
  }
  throw InputError("unknown format '" + std::string(name) + "'" +
                   (suggestions.empty() ? "" : " (did you mean: " + suggestions + "?)") +
                   "; `roundlab formats` lists the named formats; parametric ones are Binary{K}p{P}{s|u}{e|f} (P3109) "
                   "and sbits{S}[_e{E}] (S significand, E exponent bits)");
}

const std::string& format_name(const Format& f) {
  return std::visit([](const auto& x) -> const std::string& { return x.name; }, f);
}

std::string format_family(const Format& f) {
  return std::visit([](const auto& x) { return x.family; }, f);
}

}  // namespace roundlab
