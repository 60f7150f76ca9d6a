// Codebook formats: value lists of formats.md §4 (bitsandbytes) and §5 (cornell-zhang/llm-datatypes),
// symmetric INT-k, and rounding to a list.
//
// Definition of round_codebook(format, rounding, x, draw), every edge case:
//  * NaN → NoEncodingError (no codebook has NaN). The rounding and draw are checked first (InputError).
//  * ±Inf → the last / first value, saturated = true, away = false (no codebook has Inf).
//  * x < min → min, x > max → max, in every mode: saturated = true, away = false. The clamp is the
//    sources' behaviour (llm-datatypes' where-chain, bitsandbytes' decision trees), so
//    rounding.saturation is ignored for codebooks.
//  * x equal to a value → that value (fixed point in every mode and for every r), away = false.
//    ±0 with 0 in the list → the code of +0 (bitsandbytes: sign = x < 0 is false for −0).
//    Codebooks without 0 (nf3_nz, sf3_*_nz) treat ±0 like any other x.
//  * Otherwise lo < x < hi, the neighbours in the list, and the two candidates are oriented:
//      lo ≥ 0:           near = lo, far = hi, x_positive = true   (near is toward zero)
//      hi ≤ 0:           near = hi, far = lo, x_positive = false
//      lo < 0 < hi:      near = lo, far = hi, x_positive = true   (no 0 in the list: "away" = upward,
//                        so rtz acts as rdn and tie-to-away/-zero as tie-up/-down in that bracket)
//    ν = |x − near| / |far − near| ∈ (0, 1), and round_away(rounding, draw, ν, x_positive, even(near))
//    picks far (away = true) or near: the P3109 predicate table, unchanged. So rne/rna/rn(tie)/rtz/rup/
//    rdn/rto and every SR mode (srff/srf/src/sro/srceil with N bits and r, sr with u) mean between two
//    list neighbours exactly what they mean between two neighbours of an IEEE-like grid; rn's Lower/Upper
//    ties are value order.
//  * even(v), the CodeIsEven of ties-to-even and to-odd: the parity of v's position counted outward
//    from zero on its own side (0 is position 0; the values next to it are 1, then 2, …; a list
//    without 0 starts at 1 on both sides). Not the ascending index: with it, INT-k would tie to odd
//    integers (torch.round ties to even) and fp4_basic would disagree with OCP E2M1 (0.25 → 0.5 instead
//    of 0). With this rule fp4_basic rounds exactly as ocp_e2m1, int-k as torch.round, and rounding is
//    symmetric under x → −x on symmetric lists. It does not depend on the code assignment.
//  * Negative x (not −0) that rounds to 0 in a codebook with a −0 code (bnb_fp4, bnb_int4) → −0 and
//    that code, as bitsandbytes' dQuantizeFP4 sets the sign bit from x < 0 (formats.md §4.2).
//  * RoundResult.away = the far candidate was taken (in a zero-straddling bracket: the upper one).
//
// Codes: the index in ascending value order, except bnb_fp4, bnb_int4 and af4, which keep the code
// order of bitsandbytes' get_4bit_type (the position in its `data` list). decode of an unused code or of
// a code ≥ 2^k is an InputError; encode of a value not in the list (or NaN/Inf) is a NoEncodingError.
// decode(negative_zero_code) = −0 and encode(−0) = negative_zero_code; encode(±0) is the +0 code
// in codebooks without one.
//
// Exactness: values are held as exact rationals (CodebookFormat::exact) next to their 320-bit images,
// so an exact (dyadic) x is compared and bracketed exactly, including exact ties against non-dyadic
// values (0.25 between apot4's 0.2 and 0.3 is a tie). ν is computed from the exact rationals as its
// round-to-odd image at kWorkPrecision bits, which decides every row of round_away as the exact ν does.
// A decimal x (parsed to its round-to-odd image) carries its exact rational (ExactValue::
// exact_magnitude), and comparisons and ν use it, so decimal inputs are exact too: 0.15 is a tie of
// apot4's [0.1, 0.2] and 0.45 an SR threshold of [0.4, 0.6] for N = 2. Only an inexact x without its
// rational (a decimal beyond 10^±4096) falls back to its image, which is then exact unless a threshold
// lies within the image's 2^-319-relative interval.
#include "reference/codebook_format.hpp"

#include <gmp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>
#include <utility>

#include "reference/error.hpp"
#include "reference/round_away.hpp"

namespace roundlab {
namespace {

using boost::multiprecision::mpq_rational;

class Mpz {
 public:
  Mpz() { mpz_init(v_); }
  ~Mpz() { mpz_clear(v_); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  mpz_ptr get() { return v_; }
  mpz_srcptr get() const { return v_; }

 private:
  mpz_t v_;
};

std::string hex(std::uint64_t code) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(code));
  return buf;
}

std::string where(const CodebookFormat& f) { return "codebook '" + f.name + "'"; }

// "[-]digits[.digits]" (exact decimal) or "[-]p/q".
mpq_rational parse_rational(std::string_view text) {
  std::string s(text);
  if (s.find('/') != std::string::npos) {
    mpq_rational r;
    if (mpq_set_str(r.backend().data(), s.c_str(), 10) != 0 || mpz_sgn(mpq_denref(r.backend().data())) == 0)
      throw InputError("codebook literal '" + s + "' is not a rational p/q");
    mpq_canonicalize(r.backend().data());
    return r;
  }
  bool negative = !s.empty() && s[0] == '-';
  std::string digits;
  size_t fraction_digits = 0;
  bool seen_point = false;
  for (size_t i = negative ? 1 : 0; i < s.size(); ++i) {
    if (s[i] == '.' && !seen_point) {
      seen_point = true;
    } else if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits += s[i];
      if (seen_point) ++fraction_digits;
    } else {
      throw InputError("codebook literal '" + s + "' is not a plain decimal");
    }
  }
  if (digits.empty()) throw InputError("codebook literal '" + s + "' has no digits");
  mpq_rational r;
  mpq_ptr q = r.backend().data();
  mpz_set_str(mpq_numref(q), digits.c_str(), 10);
  mpz_ui_pow_ui(mpq_denref(q), 10, fraction_digits);
  mpq_canonicalize(q);
  if (negative) mpq_neg(q, q);
  return r;
}

// The value held for an exact rational: itself when it fits kWorkPrecision bits, else its round-to-odd
// image (inexact). Zero is +0.
ExactValue image_of(const mpq_rational& r) {
  Mpfr t(kWorkPrecision);
  const int ternary = mpfr_set_q(t.get(), r.backend().data(), MPFR_RNDZ);
  ExactValue v = ExactValue::from_mpfr(t.get());
  if (v.is_zero()) v.set_negative(false);
  if (ternary != 0) {
    v.make_round_to_odd_image();
    v.set_exact_magnitude(r < 0 ? mpq_rational(-r) : r);
  }
  return v;
}

// Exact rational of a dyadic ExactValue.
mpq_rational rational_of(const ExactValue& v) {
  mpq_rational r;
  if (v.is_zero()) return r;
  mpq_ptr q = r.backend().data();
  Mpz m;
  const mpfr_exp_t e = mpfr_get_z_2exp(m.get(), v.magnitude().get());
  mpq_set_z(q, m.get());
  if (e >= 0) mpq_mul_2exp(q, q, static_cast<mp_bitcnt_t>(e));
  else mpq_div_2exp(q, q, static_cast<mp_bitcnt_t>(-e));
  if (v.negative()) mpq_neg(q, q);
  return r;
}

mpq_rational exact_of(const CodebookFormat& f, size_t i) {
  return f.exact.empty() ? rational_of(f.values[i]) : f.exact[i];
}

// Round-to-odd marking after a RNDZ operation with the given ternary value.
void mark_odd(mpfr_ptr v, int ternary) {
  if (ternary == 0 || mpfr_zero_p(v)) return;
  Mpz m;
  mpfr_get_z_2exp(m.get(), v);
  if (mpz_even_p(m.get())) {
    if (mpfr_sgn(v) > 0) mpfr_nextabove(v);
    else mpfr_nextbelow(v);
  }
}

// x as a signed MPFR value at its own precision (exact).
Mpfr signed_mpfr(const ExactValue& x) {
  Mpfr out(mpfr_get_prec(x.magnitude().get()));
  x.to_mpfr(out.get());
  return out;
}

// sign(x − values[i]) for finite x. An inexact x whose image equals the value's image is that value.
int compare_to_value(const CodebookFormat& f, const ExactValue& x, size_t i) {
  const ExactValue& v = f.values[i];
  if (x < v) return -1;
  if (v < x) return 1;
  if (x.inexact() && x.exact_magnitude()) {
    // Equal images: a decimal x carries its exact rational, so compare the rationals.
    mpq_rational xq = *x.exact_magnitude();
    if (x.negative()) xq = -xq;
    const mpq_rational vq = exact_of(f, i);
    return xq < vq ? -1 : (vq < xq ? 1 : 0);
  }
  if (x.inexact() || !v.inexact()) return 0;
  // x is a dyadic that happens to equal the image of a non-dyadic value: compare with the rational.
  const mpq_rational r = exact_of(f, i);
  mpq_srcptr q = r.backend().data();
  Mpfr xs = signed_mpfr(x);
  Mpfr scaled(mpfr_get_prec(xs.get()) + static_cast<mpfr_prec_t>(mpz_sizeinbase(mpq_denref(q), 2)) + 1);
  mpfr_mul_z(scaled.get(), xs.get(), mpq_denref(q), MPFR_RNDN);  // exact
  return mpfr_cmp_z(scaled.get(), mpq_numref(q));
}

// ν = (x − near)/(far − near) as its round-to-odd image at kWorkPrecision bits.
// With near = a/b and far − near = c/d: ν = (x·bd − ad)/(bc). Z = x·bd − ad is rounded to odd at
// q ≥ kWorkPrecision + bits(bc) + 2 bits; then Z/(bc) rounded to odd at kWorkPrecision equals the
// round-to-odd image of the exact ν, since every kWorkPrecision-bit number times bc is a (q − 1)-bit
// number and so cannot fall between Z and its image.
Mpfr compute_nu(const CodebookFormat& f, const ExactValue& x, size_t near, size_t far) {
  const mpq_rational n = exact_of(f, near);
  const mpq_rational w = exact_of(f, far) - n;
  if (x.inexact() && x.exact_magnitude()) {
    // A decimal x with its exact rational: ν is an exact rational; keep its round-to-odd image.
    mpq_rational xq = *x.exact_magnitude();
    if (x.negative()) xq = -xq;
    mpq_rational q = (xq - n) / w;
    if (q < 0) q = -q;
    Mpfr nu(kWorkPrecision);
    mark_odd(nu.get(), mpfr_set_q(nu.get(), q.backend().data(), MPFR_RNDZ));
    return nu;
  }
  mpq_srcptr nq = n.backend().data();
  mpq_srcptr wq = w.backend().data();
  Mpz bd, ad, bc;
  mpz_mul(bd.get(), mpq_denref(nq), mpq_denref(wq));
  mpz_mul(ad.get(), mpq_numref(nq), mpq_denref(wq));
  mpz_mul(bc.get(), mpq_denref(nq), mpq_numref(wq));
  Mpfr xs = signed_mpfr(x);
  Mpfr xbd(mpfr_get_prec(xs.get()) + static_cast<mpfr_prec_t>(mpz_sizeinbase(bd.get(), 2)) + 1);
  mpfr_mul_z(xbd.get(), xs.get(), bd.get(), MPFR_RNDN);  // exact
  Mpfr z(kWorkPrecision + static_cast<mpfr_prec_t>(mpz_sizeinbase(bc.get(), 2)) + 8);
  mark_odd(z.get(), mpfr_sub_z(z.get(), xbd.get(), ad.get(), MPFR_RNDZ));
  Mpfr nu(kWorkPrecision);
  mark_odd(nu.get(), mpfr_div_z(nu.get(), z.get(), bc.get(), MPFR_RNDZ));
  mpfr_abs(nu.get(), nu.get(), MPFR_RNDN);
  return nu;
}

bool is_negative_value(const ExactValue& v) { return v.negative() && !v.is_zero(); }

// Index of the first value ≥ 0 (= the number of negative values).
size_t first_non_negative(const CodebookFormat& f) {
  return static_cast<size_t>(std::partition_point(f.values.begin(), f.values.end(), is_negative_value) -
                             f.values.begin());
}

std::optional<size_t> zero_index(const CodebookFormat& f) {
  const size_t z = first_non_negative(f);
  if (z < f.values.size() && f.values[z].is_zero()) return z;
  return std::nullopt;
}

RoundResult result_at(const CodebookFormat& f, size_t i, bool away, bool saturated) {
  RoundResult r;
  r.value = f.values[i];
  r.code = f.codes[i];
  r.away = away;
  r.saturated = saturated;
  return r;
}

// Builders for the catalogue.
CodebookFormat make(std::string name, std::string family, std::string source, int k, TieRule tie) {
  CodebookFormat f;
  f.name = std::move(name);
  f.family = std::move(family);
  f.source = std::move(source);
  f.k = k;
  f.default_tie = tie;
  return f;
}

// Ascending literals, code = index.
CodebookFormat ascending(std::string name, std::string family, std::string source, int k, TieRule tie,
                         const std::vector<std::string>& literals) {
  CodebookFormat f = make(std::move(name), std::move(family), std::move(source), k, tie);
  for (size_t i = 0; i < literals.size(); ++i) {
    f.exact.push_back(parse_rational(literals[i]));
    f.values.push_back(image_of(f.exact.back()));
    f.codes.push_back(i);
  }
  return f;
}

// (code, literal) pairs in any order; "-0" names the −0 code.
CodebookFormat coded(std::string name, std::string family, std::string source, int k, TieRule tie,
                     const std::vector<std::pair<std::uint64_t, std::string_view>>& entries) {
  CodebookFormat f = make(std::move(name), std::move(family), std::move(source), k, tie);
  std::vector<std::pair<mpq_rational, std::uint64_t>> sorted;
  for (const auto& [code, literal] : entries) {
    if (literal == "-0") {
      f.negative_zero_code = code;
      continue;
    }
    sorted.emplace_back(parse_rational(literal), code);
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [value, code] : sorted) {
    f.values.push_back(image_of(value));
    f.exact.push_back(std::move(value));
    f.codes.push_back(code);
  }
  return f;
}

// ±magnitudes and 0, plus extra positive values (llm-datatypes FP4 family, formats.md §5.1 table).
std::vector<std::string> symmetric(const std::vector<std::string>& magnitudes,
                                   const std::vector<std::string>& extra_positive = {}) {
  std::vector<std::pair<mpq_rational, std::string>> all;
  for (const auto& m : magnitudes) {
    all.emplace_back(parse_rational(m), m);
    all.emplace_back(-parse_rational(m), "-" + m);
  }
  for (const auto& m : extra_positive) all.emplace_back(parse_rational(m), m);
  all.emplace_back(mpq_rational(0), "0");
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& e : all) out.push_back(std::move(e.second));
  return out;
}

}  // namespace

void CodebookFormat::validate() const {
  const std::string w = where(*this);
  if (name.empty()) throw InputError("codebook with an empty name");
  if (k < 1 || k > 63) throw InputError(w + ": k = " + std::to_string(k) + " bits is outside 1..63");
  if (values.empty()) throw InputError(w + ": has no values");
  if (codes.size() != values.size())
    throw InputError(w + ": " + std::to_string(values.size()) + " values but " + std::to_string(codes.size()) +
                     " codes");
  if (!exact.empty() && exact.size() != values.size())
    throw InputError(w + ": " + std::to_string(values.size()) + " values but " + std::to_string(exact.size()) +
                     " exact rationals");
  const std::uint64_t limit = std::uint64_t{1} << k;
  std::vector<std::uint64_t> used;
  for (size_t i = 0; i < values.size(); ++i) {
    const ExactValue& v = values[i];
    const std::string at = w + ": value " + std::to_string(i);
    if (v.is_nan()) throw InputError(at + " is NaN (codebooks hold finite values only)");
    if (v.is_infinite()) throw InputError(at + " is infinite (codebooks hold finite values only)");
    if (v.is_zero() && v.negative()) throw InputError(at + " is −0 (hold +0; a −0 code is negative_zero_code)");
    if (!exact.empty() && !image_of(exact[i]).identical(v))
      throw InputError(at + " is not the image of its exact rational " + exact[i].str());
    if (i > 0) {
      const bool ascending = exact.empty() ? values[i - 1] < v : exact[i - 1] < exact[i];
      if (!ascending) throw InputError(at + " is not greater than value " + std::to_string(i - 1));
    }
    if (codes[i] >= limit) throw InputError(at + ": code " + hex(codes[i]) + " needs more than k = " +
                                            std::to_string(k) + " bits");
    used.push_back(codes[i]);
  }
  if (negative_zero_code) {
    if (!zero_index(*this)) throw InputError(w + ": has a −0 code but no 0 value");
    if (*negative_zero_code >= limit)
      throw InputError(w + ": −0 code " + hex(*negative_zero_code) + " needs more than k = " + std::to_string(k) +
                       " bits");
    used.push_back(*negative_zero_code);
  }
  std::sort(used.begin(), used.end());
  auto dup = std::adjacent_find(used.begin(), used.end());
  if (dup != used.end()) throw InputError(w + ": code " + hex(*dup) + " is used twice");
}

ExactValue CodebookFormat::decode(std::uint64_t code) const {
  if (k < 64 && code >= (std::uint64_t{1} << k))
    throw InputError(where(*this) + ": code " + hex(code) + " needs more than its k = " + std::to_string(k) +
                     " bits");
  if (negative_zero_code && code == *negative_zero_code) return ExactValue::zero(true);
  auto it = std::find(codes.begin(), codes.end(), code);
  if (it == codes.end()) throw InputError(where(*this) + ": code " + hex(code) + " is unused (encodes no value)");
  return values[static_cast<size_t>(it - codes.begin())];
}

std::uint64_t CodebookFormat::encode(const ExactValue& v) const {
  if (v.is_nan()) throw NoEncodingError(where(*this) + " has no NaN");
  if (v.is_infinite()) throw NoEncodingError(where(*this) + " has no infinities");
  if (v.is_zero()) {
    if (v.negative() && negative_zero_code) return *negative_zero_code;
    if (auto z = zero_index(*this)) return codes[*z];
    throw NoEncodingError(where(*this) + " has no zero");
  }
  auto it = std::lower_bound(values.begin(), values.end(), v);
  if (it == values.end() || !it->equals(v) || it->inexact() != v.inexact())
    throw NoEncodingError("value is not in " + where(*this) + " (codebooks encode their listed values only)");
  return codes[static_cast<size_t>(it - values.begin())];
}

bool codebook_code_is_even(const CodebookFormat& f, size_t index) {
  const size_t z = first_non_negative(f);
  if (index < z) return (z - index) % 2 == 0;
  const size_t offset = zero_index(f) ? 0 : 1;
  return (index - z + offset) % 2 == 0;
}

RoundResult round_codebook(const CodebookFormat& f, const Rounding& rounding, const ExactValue& x,
                           const RandomDraw& draw) {
  mpfr_setup();  // x may come from another thread; the intermediates need the wide exponent range
  rounding.validate();
  validate_random_draw(rounding, draw);
  if (f.values.empty()) throw InputError(where(f) + ": has no values");
  if (x.is_nan()) throw NoEncodingError("NaN input has no encoding in " + where(f) + " (the codebook has no NaN)");
  const size_t last = f.values.size() - 1;
  if (x.is_infinite()) return result_at(f, x.negative() ? 0 : last, false, true);
  ExactValue xv = x;
  if (xv.is_zero()) {
    xv.set_negative(false);
    if (auto z = zero_index(f)) return result_at(f, *z, false, false);
  }
  if (compare_to_value(f, xv, 0) < 0) return result_at(f, 0, false, true);
  if (compare_to_value(f, xv, last) > 0) return result_at(f, last, false, true);
  // First value ≥ x.
  size_t lo = 0, hi = last;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (compare_to_value(f, xv, mid) > 0) lo = mid + 1;
    else hi = mid;
  }
  if (compare_to_value(f, xv, hi) == 0) return result_at(f, hi, false, false);
  lo = hi - 1;
  size_t near = lo, far = hi;
  bool x_positive = true;
  if (is_negative_value(f.values[lo]) && !is_negative_value(f.values[hi]) && !f.values[hi].is_zero()) {
    // Straddles zero: near = lo, "away" = upward (see the top of this file).
  } else if (is_negative_value(f.values[lo])) {
    near = hi;
    far = lo;
    x_positive = false;
  }
  const Mpfr nu = compute_nu(f, xv, near, far);
  const bool away = round_away(rounding, draw, nu.get(), x_positive, codebook_code_is_even(f, near));
  RoundResult r = result_at(f, away ? far : near, away, false);
  if (r.value.is_zero() && is_negative_value(xv) && f.negative_zero_code) {
    r.value = ExactValue::zero(true);
    r.code = *f.negative_zero_code;
  }
  return r;
}

CodebookFormat symmetric_int_codebook(int bits) {
  if (bits < 2 || bits > 16)
    throw InputError("symmetric INT-k codebook: k = " + std::to_string(bits) + " must be in 2..16");
  const long m = (1L << (bits - 1)) - 1;
  CodebookFormat f = make("int" + std::to_string(bits), "int",
                          "symmetric INT-k, integers −(2^(k−1)−1)..2^(k−1)−1; cornell-zhang/llm-datatypes "
                          "weight_only.py qdq_weight_sym (torch.round, ties to even) (formats.md §5.3)",
                          bits, TieRule::Even);
  for (long v = -m; v <= m; ++v) {
    f.exact.emplace_back(v);
    f.values.push_back(image_of(f.exact.back()));
    f.codes.push_back(static_cast<std::uint64_t>(v + m));
  }
  return f;
}

std::vector<CodebookFormat> codebook_catalogue() {
  const std::string bnb = "bitsandbytes";
  const std::string llm = "llm-datatypes";
  const std::string bnb_src = "bitsandbytes-foundation/bitsandbytes@95f9af3 bitsandbytes/functional.py ";
  const std::string llm_src =
      "cornell-zhang/llm-datatypes@b0f1a17 neural_compressor/adaptor/torch_utils/weight_only.py ";
  const auto L = TieRule::Lower;
  std::vector<CodebookFormat> out;

  // §4.1: the stored binary32 values are the definition; these are their exact decimal expansions.
  out.push_back(ascending(
      "nf4", bnb, bnb_src + "get_4bit_type('nf4') (binary32 values; formats.md §4.1)", 4, L,
      {"-1", "-0.696192800998687744140625", "-0.52507305145263671875", "-0.39491748809814453125",
       "-0.2844413816928863525390625", "-0.18477343022823333740234375", "-0.091050036251544952392578125", "0",
       "0.079580299556255340576171875", "0.16093020141124725341796875", "0.24611230194568634033203125",
       "0.337915241718292236328125", "0.4407098293304443359375", "0.562617003917694091796875",
       "0.722956836223602294921875", "1"}));
  {
    // §4.2: bnb stores the list reversed (code 0 = +1.0). Values are the decimal literals; bnb holds
    // their float32 roundings, but only NF4 is defined by its binary32 values (§4.1).
    std::vector<const char*> af4 = {"-1.0",       "-0.69441008", "-0.51243739", "-0.3736951",
                                         "-0.25607552", "-0.14982478", "-0.04934812", "0.0",
                                         "0.04273164", "0.12934483",  "0.21961274",  "0.31675666",
                                         "0.42563882", "0.55496234",  "0.72424863",  "1.0"};
    std::vector<std::pair<std::uint64_t, std::string_view>> entries;  // views of literals
    for (size_t i = 0; i < af4.size(); ++i) entries.emplace_back(15 - i, af4[i]);
    out.push_back(coded("af4", bnb, bnb_src + "get_4bit_type('af4'), arXiv 2306.06965 (formats.md §4.2)", 4, L,
                        entries));
  }
  // §4.2: raw {0, 0.0625, 2, 3, 4, 6, 8, 12}/12 in bnb's code order, sign bit 0b1000. dQuantizeFP4 works on
  // |x| with `|x| > threshold`, so ties go to the smaller magnitude (TieRule::Zero).
  out.push_back(coded("bnb_fp4", bnb,
                      bnb_src + "get_4bit_type('fp4'), csrc/kernels.cu dQuantizeFP4 (formats.md §4.2)", 4,
                      TieRule::Zero,
                      {{0b0000, "0"},     {0b0001, "1/192"},  {0b0010, "2/3"},  {0b0011, "1"},
                       {0b0100, "1/3"},   {0b0101, "1/2"},    {0b0110, "1/6"},  {0b0111, "1/4"},
                       {0b1000, "-0"},    {0b1001, "-1/192"}, {0b1010, "-2/3"}, {0b1011, "-1"},
                       {0b1100, "-1/3"},  {0b1101, "-1/2"},   {0b1110, "-1/6"}, {0b1111, "-1/4"}}));
  // §4.2: data = [7, …, 1, 0, −0, −1, …, −7] / 7, code = position in that list.
  out.push_back(coded("bnb_int4", bnb, bnb_src + "get_4bit_type('int4') (formats.md §4.2)", 4, L,
                      {{0, "1"},     {1, "6/7"},   {2, "5/7"},   {3, "4/7"},   {4, "3/7"},   {5, "2/7"},
                       {6, "1/7"},   {7, "0"},     {8, "-0"},    {9, "-1/7"},  {10, "-2/7"}, {11, "-3/7"},
                       {12, "-4/7"}, {13, "-5/7"}, {14, "-6/7"}, {15, "-1"}}));

  // §5.1, verbatim source literals.
  auto add = [&](const char* name, const char* key, int k, const std::vector<std::string>& literals) {
    out.push_back(ascending(name, llm, llm_src + key + " (formats.md §5.1)", k, L, literals));
  };
  add("nf3", "NF3", 3,
      {"-1.0", "-0.5350227084855379", "-0.24693143181157517", "0.0", "0.18333748033548752", "0.3819939543209139",
       "0.6229857417143423", "1.0"});
  add("nf3_nz", "NF3_NZ", 3,
      {"-1.0", "-0.5840457615163138", "-0.3225133196607414", "-0.10387883073852357", "0.10387883073852357",
       "0.3225133196607414", "0.5840457615163137", "1.0"});
  add("sf4_3", "SF4_3", 4,
      {"-1.0", "-0.575725", "-0.403755", "-0.29162", "-0.204868", "-0.131054", "-0.064036", "0.0", "0.055934",
       "0.113835", "0.176078", "0.246078", "0.329642", "0.438727", "0.60598", "1.0"});
  add("sf4_4", "SF4_4", 4,
      {"-1.0", "-0.608729", "-0.435845", "-0.318393", "-0.225229", "-0.144689", "-0.070863", "0.0", "0.061908",
       "0.125773", "0.193936", "0.269711", "0.358617", "0.471724", "0.638231", "1.0"});
  add("sf4_5", "SF4_5", 4,
      {"-1.0", "-0.627781", "-0.454736", "-0.334331", "-0.237434", "-0.152899", "-0.074982", "0.0", "0.065513",
       "0.132965", "0.204661", "0.283835", "0.375805", "0.491076", "0.656781", "1.0"});
  add("sf4_6", "SF4_6", 4,
      {"-1.0", "-0.640101", "-0.467104", "-0.344838", "-0.245517", "-0.15835", "-0.077722", "0.0", "0.067911",
       "0.137742", "0.211771", "0.293169", "0.387111", "0.503714", "0.66875", "1.0"});
  add("sf4_7", "SF4_7", 4,
      {"-1.0", "-0.648695668605137", "-0.4758049192191136", "-0.35226650560941064", "-0.25124728719118344",
       "-0.16222176644114206", "-0.07967003587244491", "0.0", "0.06961628484673037", "0.1411376777420972",
       "0.21681690757912492", "0.2997785136806453", "0.39509153065438735", "0.5125912352606964",
       "0.6770872505232854", "1.0"});
  add("sf3_3", "SF3_3", 3,
      {"-1.0", "-0.3622475096628733", "-0.15466881612248634", "0.0", "0.11383526480516333", "0.24607773854836362",
       "0.43872699492795214", "1.0"});
  add("sf3_3_nz", "SF3_3_NZ", 3,
      {"-1.0", "-0.5015162581807956", "-0.2628875575162947", "-0.08299175634976376", "0.08299175634976376",
       "0.2628875575162947", "0.5015162581807955", "1.0"});
  add("sf3_4", "SF3_4", 3,
      {"-1.0", "-0.39278935395019254", "-0.1705619364387109", "0.0", "0.1257725217978133", "0.26971116287994534",
       "0.4717241438815071", "1.0"});
  add("sf3_4_nz", "SF3_4_NZ", 3,
      {"-1.0", "-0.5238993613586714", "-0.27862916172493263", "-0.08844753653560009", "0.08844753653560009",
       "0.27862916172493263", "0.5238993613586711", "1.0"});
  add("sf3_5", "SF3_5", 3,
      {"-1.0", "-0.41084770299806544", "-0.1801188154332576", "0.0", "0.1329647268004446", "0.2838347036415534",
       "0.49107557131011725", "1.0"});
  add("sf3_5_nz", "SF3_5_NZ", 3,
      {"-1.0", "-0.5368359642710748", "-0.2878651877735525", "-0.09166749796557234", "0.09166749796557234",
       "0.2878651877735525", "0.5368359642710749", "1.0"});
  add("sf3_6", "SF3_6", 3,
      {"-1.0", "-0.4227024811287854", "-0.18645957091951085", "0.0", "0.1377424733823289", "0.29316883983286",
       "0.5037142212421039", "1.0"});
  add("sf3_6_nz", "SF3_6_NZ", 3,
      {"-1.0", "-0.5452285431525636", "-0.2939135955820373", "-0.09378393351237442", "0.09378393351237442",
       "0.2939135955820373", "0.5452285431525635", "1.0"});
  add("en_25", "EN_25", 4,
      {"-0.787862", "-0.609476", "-0.459471", "-0.333333", "-0.227264", "-0.138071", "-0.063069", "0.0",
       "0.063069", "0.138071", "0.227264", "0.333333", "0.459471", "0.609476", "0.787862", "1.0"});
  const std::vector<std::string> e2m1 = {"0.5", "1", "1.5", "2", "3", "4", "6"};
  add("fp4_basic", "FP4_BASIC", 4, symmetric(e2m1));
  add("fp4_range", "FP4_RANGE", 4, symmetric(e2m1, {"8"}));
  add("fp4_prec1", "FP4_PREC1", 4, symmetric(e2m1, {"2.5"}));
  add("fp4_prec2", "FP4_PREC2", 4, symmetric(e2m1, {"5"}));
  add("fp4_no_sub", "FP4_NO_SUB", 4, symmetric({"0.75", "1", "1.5", "2", "3", "4", "6"}));
  add("fp4_e2m1", "FP4_E2M1 (bnb-style, not OCP)", 4, symmetric({"0.0625", "1", "1.5", "2", "3", "4", "6"}));
  add("fp4_bnb", "FP4_BNB (keys fp4, fp4_e2m1_bnb)", 4, symmetric({"0.0625", "2", "3", "4", "6", "8", "12"}));
  add("fp4_e1m2", "FP4_E1M2", 4, symmetric({"1.25", "1.5", "1.75", "2", "2.5", "3", "3.5"}));
  add("fp4_log", "FP4_LOG", 4, symmetric({"0.25", "0.5", "1", "2", "4", "8", "16"}));
  add("fp3_log", "FP3_LOG", 3, symmetric({"1", "2", "4"}));
  add("mokey", "MOKEY", 4, symmetric({"1", "2", "3", "4", "6", "8", "16"}));
  add("denorm4", "DENORM4", 4,
      {"-7", "-6", "-5", "-4", "-3", "-2", "-1", "-0.5", "0", "0.5", "1", "2", "3", "4", "5", "6"});
  add("apot4", "APOT4", 4,
      {"-1.0", "-0.8", "-0.6", "-0.4", "-0.3", "-0.2", "-0.1", "0.", "0.1", "0.2", "0.3", "0.4", "0.6", "0.8", "1.0"});
  add("apot4_sp", "APOT4_SP (key apot4-sp)", 4,
      {"-1.0", "-0.8", "-0.6", "-0.4", "-0.3", "-0.2", "-0.1", "0.", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.8",
       "1.0"});

  for (int bits = 2; bits <= 8; ++bits) out.push_back(symmetric_int_codebook(bits));
  return out;
}

}  // namespace roundlab
