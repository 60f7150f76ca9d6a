// nanoGPT's dropout (train mode only; model.eval() turns it off) at its four sites: the embedding sum,
// the attention probabilities, and the outputs of attn.c_proj and mlp.c_proj. Masks come from the
// counter-based Philox4x32-10 of device/philox.hpp, so the CPU and CUDA paths draw the same mask from
// (seed, step, site, element) and a backward regenerates it instead of storing it.
//
// Definition: element i (row-major index in the whole batch's tensor) of site s at training step k is
// kept iff word (i mod 4) of Philox(ctr = {⌊i/4⌋ lo, ⌊i/4⌋ hi, stream lo, stream hi}, key = seed) is ≥
// ⌊p·2^32⌉ (keep probability 1 − p to within 2^-33), stream = k·2^16 + s; kept values are scaled by
// 1/(1 − p) as torch does. Sites: 0 the embedding; in layer l, 1 + 3l the attention probabilities,
// 2 + 3l attn.c_proj's output, 3 + 3l mlp.c_proj's output.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "device/philox.hpp"
#include "device/portability.hpp"

namespace roundlab::gpt {

inline constexpr int kDropoutSiteEmbedding = 0;
RL_HD int dropout_site_attention(int layer) { return 1 + 3 * layer; }
RL_HD int dropout_site_attn_proj(int layer) { return 2 + 3 * layer; }
RL_HD int dropout_site_mlp_proj(int layer) { return 3 + 3 * layer; }

struct DropoutMask {
  device::RandomStream stream{};
  std::uint32_t threshold = 0;  // keep iff the element's word ≥ threshold
  double scale = 1.0;           // 1 / (1 − p)

  RL_HD bool keep(std::uint64_t i) const {
    const std::uint64_t block = i >> 2;
    const device::Philox4x32 r =
        device::philox_at(stream, static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32));
    return r.v[i & 3] >= threshold;
  }
};

// The Philox key of a run's dropout masks: the run's seed with a fixed tweak, so the masks' streams never
// meet the weight stores' (which are keyed by the seed itself).
inline std::uint64_t dropout_seed(std::uint64_t run_seed) { return run_seed ^ 0x64726f706f757421ull; }  // "dropout!"

// The mask of `site` at training step `step` for dropout probability p in [0, 1).
inline DropoutMask dropout_mask(double p, std::uint64_t seed, std::uint64_t step, int site) {
  DropoutMask m;
  m.stream = device::RandomStream{seed, (step << 16) + static_cast<std::uint64_t>(site)};
  m.threshold = static_cast<std::uint32_t>(std::min(std::llround(p * 4294967296.0), 4294967295LL));
  m.scale = 1.0 / (1.0 - p);
  return m;
}

}  // namespace roundlab::gpt
