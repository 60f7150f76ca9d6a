#include "analysis/gpt/weight_store.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mpfr.h>
#include <string>
#include <variant>

#include "device/array_rounding.hpp"
#include "device/device_format_from_reference.hpp"
#include "device/fast_cpu_launch.hpp"
#include "reference/error.hpp"
#include "reference/exact_value.hpp"
#include "reference/format_catalogue.hpp"

namespace roundlab::gpt {

namespace {

// Tensors smaller than this are rounded on one thread (OpenMP's fork/join costs more).
constexpr std::size_t kParallelElements = 32768;

// Exact binary32 image of a decoded code; nullopt-like NaN flag through `ok` when the value is not a float.
float exact_float(const ExactValue& v, bool& ok) {
  ok = true;
  if (v.is_nan()) return std::numeric_limits<float>::quiet_NaN();
  if (v.is_infinite()) return v.negative() ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  Mpfr m(kWorkPrecision);
  v.to_mpfr(m.get());
  const double d = mpfr_get_d(m.get(), MPFR_RNDN);
  const float f = static_cast<float>(d);
  ok = std::isfinite(f) && static_cast<double>(f) == d && mpfr_cmp_d(m.get(), d) == 0;
  return f;
}

double to_double(const ExactValue& v) {
  Mpfr m(kWorkPrecision);
  v.to_mpfr(m.get());
  return mpfr_get_d(m.get(), MPFR_RNDN);
}

// The catalogue's format of that name, when the weight stores can use it.
IeeeLikeFormat weight_format(std::string_view name) {
  const Format f = find_format(name);
  const auto* ieee = std::get_if<IeeeLikeFormat>(&f);
  if (!ieee || !ieee->is_signed || ieee->twos_complement || ieee->k > 16)
    throw InputError("weight store: format '" + std::string(name) +
                     "' is not a signed sign-magnitude IEEE-like format of at most 16 bits");
  return *ieee;
}

Rounding make_rounding(std::string_view mode, int random_bits, std::string_view saturation) {
  Rounding r;
  r.mode = parse_mode(mode);
  r.random_bits = r.uses_random_bits() ? random_bits : 0;
  r.saturation = parse_saturation(saturation);
  r.validate();
  return r;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Spec

std::string weight_store_kind_name(WeightStoreKind kind) {
  switch (kind) {
    case WeightStoreKind::Fp32: return "fp32";
    case WeightStoreKind::RoundEachStep: return "round-each-step";
    case WeightStoreKind::Bf16Sr: return "bf16-sr";
    case WeightStoreKind::Bf16Rne: return "bf16-rne";
  }
  return "?";
}

void WeightStoreSpec::validate() const {
  if (kind != WeightStoreKind::RoundEachStep) return;
  if (start_iter < 0) throw InputError("weight store: start must be ≥ 0 (got " + std::to_string(start_iter) + ")");
  if (make_rounding(mode, random_bits, saturation).uses_random_bits() && random_bits < 1)
    throw InputError("weight store: mode " + mode + " needs N ≥ 1 random bits (e.g. round-each-step:" + format + ":" + mode + ":3)");
  (void)weight_format(format);
}

std::string WeightStoreSpec::describe() const {
  std::string s = weight_store_kind_name(kind);
  if (kind == WeightStoreKind::RoundEachStep) {
    s += " " + format + " " + mode;
    if (parse_mode(mode) != Mode::StochasticExact && make_rounding(mode, random_bits, saturation).uses_random_bits())
      s += " N=" + std::to_string(random_bits);
    s += std::string(" scale=") + (dynamic_scale ? "dynamic" : "1") + " sat=" + saturation + " start=" + std::to_string(start_iter);
  }
  return s;
}

WeightStoreSpec parse_weight_store(std::string_view text) {
  WeightStoreSpec s;
  if (text == "fp32") return s;
  if (text == "bf16-sr") { s.kind = WeightStoreKind::Bf16Sr; return s; }
  if (text == "bf16-rne") { s.kind = WeightStoreKind::Bf16Rne; return s; }
  const std::string_view prefix = "round-each-step:";
  if (!text.starts_with(prefix))
    throw InputError("weight store '" + std::string(text) +
                     "': expected fp32, bf16-sr, bf16-rne or round-each-step:FORMAT:MODE[:N][:dynamic][:start=K][:sat=S]");
  s.kind = WeightStoreKind::RoundEachStep;
  std::vector<std::string> parts;
  std::string rest(text.substr(prefix.size()));
  for (std::size_t pos = 0;;) {
    const std::size_t colon = rest.find(':', pos);
    parts.push_back(rest.substr(pos, colon - pos));
    if (colon == std::string::npos) break;
    pos = colon + 1;
  }
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty())
    throw InputError("weight store '" + std::string(text) + "': round-each-step needs FORMAT:MODE");
  s.format = parts[0];
  s.mode = parts[1];
  for (std::size_t i = 2; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    try {
      if (p == "dynamic") s.dynamic_scale = true;
      else if (p.starts_with("start=")) s.start_iter = std::stoi(p.substr(6));
      else if (p.starts_with("sat=")) s.saturation = p.substr(4);
      else if (!p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) s.random_bits = std::stoi(p);
      else throw InputError("");
    } catch (const std::exception&) {
      throw InputError("weight store '" + std::string(text) + "': cannot read field '" + p + "'");
    }
  }
  s.validate();
  return s;
}

int dynamic_log2_scale(double maxabs, double max_finite, double min_normal) {
  const double vmax = std::max(maxabs, 16.0 * min_normal);
  return static_cast<int>(std::floor(std::log2(0.5 * max_finite / vmax)));
}

// ------------------------------------------------------------------------------------------------
// TensorRounder

TensorRounder::TensorRounder(std::string_view name, const Rounding& rounding) : format_(weight_format(name)) {
  dformat_ = device::make_device_format(format_);
  drounding_ = device::make_device_rounding(rounding);
  const std::uint64_t codes = std::uint64_t{1} << format_.k;
  table_.resize(codes);
  for (std::uint64_t c = 0; c < codes; ++c) {
    bool ok = true;
    table_[c] = exact_float(format_.decode(c), ok);
    if (!ok)
      throw InputError("weight store: format '" + std::string(name) + "' has values that are not binary32 values (code " +
                       std::to_string(c) + ")");
  }
  max_finite_ = to_double(format_.max_finite());
  min_normal_ = to_double(format_.min_normal());
}

int TensorRounder::round(float* values, std::size_t n, const device::RandomStream& stream, bool dynamic_scale) const {
  if (n == 0) return 0;
  const int cb = device::code_bytes(dformat_);
  std::vector<std::uint8_t> codes(n * static_cast<std::size_t>(cb)), no_encoding(n);
  const device::RandomInput random{nullptr, stream, 0};
  const std::ptrdiff_t len = static_cast<std::ptrdiff_t>(n);
  const bool threaded = n >= kParallelElements && !omp_in_parallel();
  const int threads = threaded ? 0 : 1;  // 0: OpenMP's default
  int s = 0;
  if (!dynamic_scale) {
    device::round_array_cpu_fast(dformat_, drounding_, device::SourceFormat::Binary32, values, codes.data(), n, random,
                                 no_encoding.data(), threads);
  } else {
    float maxabs = 0;
    for (std::size_t i = 0; i < n; ++i) maxabs = std::max(maxabs, std::fabs(values[i]));  // NaN is skipped
    s = dynamic_log2_scale(maxabs, max_finite_, min_normal_);
    // Scale in binary64, where v·2^s is exact for any float v and any s the formats give (a product
    // with an exact power of two: std::ldexp per element costs as much as the rounding).
    const double up = std::ldexp(1.0, s);
    std::vector<double> scaled(n);
#pragma omp parallel for schedule(static) if (threaded)
    for (std::ptrdiff_t i = 0; i < len; ++i) scaled[i] = static_cast<double>(values[i]) * up;
    device::round_array_cpu_fast(dformat_, drounding_, device::SourceFormat::Binary64, scaled.data(), codes.data(), n,
                                 random, no_encoding.data(), threads);
  }
  const float* table = table_.data();
  const std::uint8_t* c8 = codes.data();
  const auto* c16 = reinterpret_cast<const std::uint16_t*>(codes.data());
  const std::uint8_t* bad = no_encoding.data();
  const double down = std::ldexp(1.0, -s);
#pragma omp parallel for schedule(static) if (threaded)
  for (std::ptrdiff_t i = 0; i < len; ++i) {
    const float v = cb == 1 ? table[c8[i]] : table[c16[i]];
    const float out = s == 0 ? v : static_cast<float>(static_cast<double>(v) * down);  // exact: see header
    values[i] = bad[i] ? std::numeric_limits<float>::quiet_NaN() : out;
  }
  return s;
}

// ------------------------------------------------------------------------------------------------
// WeightStore

WeightStore::WeightStore(const WeightStoreSpec& spec) : spec_(spec) {
  spec_.validate();
  switch (spec_.kind) {
    case WeightStoreKind::Fp32: break;
    case WeightStoreKind::RoundEachStep:
      rounder_ = std::make_unique<TensorRounder>(spec_.format, make_rounding(spec_.mode, spec_.random_bits, spec_.saturation));
      break;
    case WeightStoreKind::Bf16Sr:
    case WeightStoreKind::Bf16Rne:
      // IEEE casting: no saturation (overflow gives ±Inf, as torch's fp32 → bf16 copy).
      rounder_ = std::make_unique<TensorRounder>("bfloat16", make_rounding(spec_.kind == WeightStoreKind::Bf16Sr ? "sr" : "rne", 0, "none"));
      init_rounder_ = std::make_unique<TensorRounder>("bfloat16", make_rounding("rne", 0, "none"));
      break;
  }
}

WeightStore::~WeightStore() = default;
WeightStore::WeightStore(WeightStore&&) noexcept = default;
WeightStore& WeightStore::operator=(WeightStore&&) noexcept = default;

bool WeightStore::stores_reduced(const ParamTensor& t) const {
  switch (spec_.kind) {
    case WeightStoreKind::Fp32: return false;
    case WeightStoreKind::RoundEachStep: return t.two_d;
    default: return true;
  }
}

device::RandomStream WeightStore::stream_for(long iter, std::size_t index) const {
  return device::RandomStream{spec_.seed, (static_cast<std::uint64_t>(iter) << 20) | static_cast<std::uint64_t>(index)};
}

void WeightStore::round_tensors(const TensorRounder& rounder, std::span<float> params, const std::vector<ParamTensor>& tensors,
                                long iter, bool two_d_only, bool dynamic_scale) const {
  std::vector<std::size_t> todo;
  std::size_t elements = 0;
  for (std::size_t k = 0; k < tensors.size(); ++k)
    if (!two_d_only || tensors[k].two_d) {
      todo.push_back(k);
      elements += tensors[k].size();
    }
  const std::ptrdiff_t count = static_cast<std::ptrdiff_t>(todo.size());
  // Each tensor's result depends only on its values and stream, not on the thread that rounds it.
#pragma omp parallel for schedule(dynamic, 1) if (elements >= kParallelElements && count > 1)
  for (std::ptrdiff_t j = 0; j < count; ++j) {
    const std::size_t k = todo[static_cast<std::size_t>(j)];
    rounder.round(params.data() + tensors[k].offset, tensors[k].size(), stream_for(iter, k), dynamic_scale);
  }
}

void WeightStore::on_init(std::span<float> params, const std::vector<ParamTensor>& tensors) {
  if (init_rounder_) round_tensors(*init_rounder_, params, tensors, 0, false, false);
}

void WeightStore::before_iteration(std::span<float> params, const std::vector<ParamTensor>& tensors, long iter) {
  if (spec_.kind == WeightStoreKind::RoundEachStep && iter >= spec_.start_iter)
    round_tensors(*rounder_, params, tensors, iter, true, spec_.dynamic_scale);
}

void WeightStore::after_update(std::span<float> params, const std::vector<ParamTensor>& tensors, long iter) {
  if (spec_.kind == WeightStoreKind::Bf16Sr || spec_.kind == WeightStoreKind::Bf16Rne)
    round_tensors(*rounder_, params, tensors, iter, false, false);
}

}  // namespace roundlab::gpt
