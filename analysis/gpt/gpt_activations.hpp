// The per-layer activations the backward needs, and how they are laid out in one buffer: shared by the
// CPU model (one set per batch shard) and the CUDA model (one set for the whole batch), so both keep the
// same tensors in the same order.
#pragma once
#include <cstddef>

namespace roundlab::gpt {

template <class S>
struct LayerActs {
  S *ln1, *ln1_mean, *ln1_rstd, *qkv, *att, *atty, *res_mid, *ln2, *ln2_mean, *ln2_rstd, *fch, *fch_gelu;
};

// Elements of one layer's activations for BT rows of width C and `att_size` = B·NH·T·T attention weights.
inline std::size_t layer_acts_size(std::size_t BT, std::size_t C, std::size_t att_size) {
  return BT * C + BT * 3 * C + att_size + 3 * BT * C + 2 * BT * 4 * C + 4 * BT;
}

// Carves one layer's activations from `p` (advanced past them), in layer_acts_size's count.
template <class S>
LayerActs<S> take_layer_acts(S*& p, std::size_t BT, std::size_t C, std::size_t att_size) {
  auto take = [&p](std::size_t n) {
    S* q = p;
    p += n;
    return q;
  };
  LayerActs<S> a;
  a.ln1 = take(BT * C);
  a.ln1_mean = take(BT);
  a.ln1_rstd = take(BT);
  a.qkv = take(BT * 3 * C);
  a.att = take(att_size);
  a.atty = take(BT * C);
  a.res_mid = take(BT * C);
  a.ln2 = take(BT * C);
  a.ln2_mean = take(BT);
  a.ln2_rstd = take(BT);
  a.fch = take(BT * 4 * C);
  a.fch_gelu = take(BT * 4 * C);
  return a;
}

}  // namespace roundlab::gpt
