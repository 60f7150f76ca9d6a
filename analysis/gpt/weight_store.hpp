// How the trainer stores its weights between steps (the precision experiments of the GPT issue):
//
//   fp32             plain fp32 parameters (the baseline).
//   round-each-step  arith25's QAT semantics (graphcore-research/arith25-stochastic-rounding train.py,
//                    shared/reference/gpt-training.md §2.2): at the start of every iteration ≥ start, every
//                    2-D parameter (Linear weights, tied wte, wpe) is replaced in place by its rounding to
//                    format F with mode M and N random bits, scale 1 or a per-tensor dynamic power of two;
//                    no master copy, so AdamW (fp32) updates the rounded values. 1-D tensors stay fp32.
//   bf16-sr          torchao's / llm.c's full-bf16 training without master weights: every parameter holds a
//                    bfloat16 value (in float storage), AdamW computes in fp32 from it, and the new value is
//                    stored back to bfloat16 with exact stochastic rounding (P(up) = the exact fraction).
//   bf16-rne         the same with round-to-nearest-even on store (updates below half an ulp are lost).
//
// Every rounding runs the device fast kernels (round_array_cpu_fast) from binary32 (binary64 with dynamic
// scaling, so the scaling is exact) and decodes the codes back to float with a table built from the
// reference's exact decoder. Random bits come from the Philox stream (seed, stream = iteration·2^20 +
// tensor index), element index = position in the tensor: a run is reproducible, and the same on any
// thread count and on the GPU kernels. Mode names are roundlab's (reference/rounding.hpp): arith25's
// qat_rnd "tne", "sr", "srf", "srff" are rne, src, srf, srff here ("sr" here is exact SR).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/gpt/gpt_model.hpp"
#include "device/device_format.hpp"
#include "device/philox.hpp"
#include "reference/ieee_like_format.hpp"
#include "reference/rounding.hpp"

namespace roundlab::gpt {

enum class WeightStoreKind { Fp32, RoundEachStep, Bf16Sr, Bf16Rne };

struct WeightStoreSpec {
  WeightStoreKind kind = WeightStoreKind::Fp32;
  // round-each-step only:
  std::string format = "b8p4";        // any catalogue name of an IEEE-like format of ≤ 16 bits
  std::string mode = "rne";           // reference/rounding.hpp names: rne, src, srf, srff, sr, …
  int random_bits = 0;                // N for the few-bit SR modes
  bool dynamic_scale = false;         // false: scale 1; true: arith25's qat_scale = 0 (see dynamic_log2_scale)
  std::string saturation = "finite";  // arith25 rounds with sat=True
  int start_iter = 0;                 // arith25's qat_start_iter
  // Philox key of every stochastic rounding (round-each-step and bf16-sr).
  std::uint64_t seed = 0;

  void validate() const;          // InputError naming the bad field
  std::string describe() const;   // e.g. "round-each-step b8p4 src N=3 scale=dynamic start=0"
};

// Parses "fp32", "bf16-sr", "bf16-rne", or "round-each-step:FORMAT:MODE[:N][:dynamic][:start=K][:sat=S]"
// (e.g. "round-each-step:b8p4:src:3"). The seed stays 0. Throws InputError.
WeightStoreSpec parse_weight_store(std::string_view text);
std::string weight_store_kind_name(WeightStoreKind kind);

// arith25's per-tensor power-of-two scale exponent: floor(log2(0.5·max_finite / max(maxabs, 16·min_normal))).
// The tensor is rounded as v·2^s and stored as round(v·2^s)·2^-s.
int dynamic_log2_scale(double maxabs, double max_finite, double min_normal);

// Rounds float arrays in place to an element format: the device kernel, then the exact decode.
class TensorRounder {
 public:
  // format: a catalogue name of a signed IEEE-like format of ≤ 16 bits whose finite values are all
  // binary32 values. Throws InputError otherwise.
  TensorRounder(std::string_view format, const Rounding& rounding);

  // values[i] ← round(values[i]) (scale 1) or round(values[i]·2^s)·2^-s (dynamic), random word of
  // element i = element i of `stream`. Returns s (0 with scale 1). Thread-safe; single-threaded when
  // called inside a parallel region or for small arrays.
  int round(float* values, std::size_t n, const device::RandomStream& stream, bool dynamic_scale) const;
  float decode(std::uint64_t code) const { return table_[code]; }
  const IeeeLikeFormat& format() const { return format_; }
  double max_finite() const { return max_finite_; }
  double min_normal() const { return min_normal_; }

 private:
  IeeeLikeFormat format_;
  device::DeviceFormat dformat_;
  device::DeviceRounding drounding_;
  std::vector<float> table_;  // code → value, 2^k entries
  double max_finite_ = 0, min_normal_ = 0;
};

class WeightStore {
 public:
  explicit WeightStore(const WeightStoreSpec& spec);  // throws InputError on a bad spec
  ~WeightStore();
  WeightStore(WeightStore&&) noexcept;
  WeightStore& operator=(WeightStore&&) noexcept;

  const WeightStoreSpec& spec() const { return spec_; }
  // Whether the policy keeps this tensor in reduced precision.
  bool stores_reduced(const ParamTensor& t) const;

  // After the weight init: the bf16 policies round every parameter to bfloat16 (RNE, as model.bfloat16()).
  void on_init(std::span<float> params, const std::vector<ParamTensor>& tensors);
  // Start of iteration `iter`, before the forward: round-each-step rounds every 2-D tensor from start_iter on.
  void before_iteration(std::span<float> params, const std::vector<ParamTensor>& tensors, long iter);
  // After the optimizer step of iteration `iter`: the bf16 policies store the new fp32 values to bfloat16.
  void after_update(std::span<float> params, const std::vector<ParamTensor>& tensors, long iter);

  // The Philox stream of tensor `index` at iteration `iter`.
  device::RandomStream stream_for(long iter, std::size_t index) const;

 private:
  // Rounds the selected tensors, one tensor per task on OpenMP's threads (one fork/join per store).
  void round_tensors(const TensorRounder& rounder, std::span<float> params, const std::vector<ParamTensor>& tensors,
                     long iter, bool two_d_only, bool dynamic_scale) const;

  WeightStoreSpec spec_;
  std::unique_ptr<TensorRounder> rounder_;       // round-each-step's format, or bfloat16 SR / RNE
  std::unique_ptr<TensorRounder> init_rounder_;  // bfloat16 RNE (bf16 policies)
};

}  // namespace roundlab::gpt
