// The char-level GPT (analysis/gpt/): every layer's backward and the whole model's loss gradient against
// central finite differences in double, fp32 against fp64, exact determinism, a tiny run that learns, the
// optimizer pieces, and the weight-store policies (representability, bf16 SR unbiased vs RNE stagnation).
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "analysis/gpt/adamw.hpp"
#include "analysis/gpt/char_dataset.hpp"
#include "analysis/gpt/dropout.hpp"
#include "analysis/gpt/gpt_config.hpp"
#include "analysis/gpt/gpt_layers.hpp"
#include "analysis/gpt/gpt_model.hpp"
#include "analysis/gpt/gpt_train.hpp"
#include "analysis/gpt/lr_schedule.hpp"
#include "analysis/gpt/weight_store.hpp"
#include "reference/error.hpp"
#include "reference/exact_value.hpp"
#include "reference/format_catalogue.hpp"

namespace {

using namespace roundlab::gpt;

std::vector<double> random_vector(std::size_t n, std::mt19937_64& rng, double sd = 1.0, double mean = 0.0) {
  std::vector<double> v(n);
  for (auto& x : v) x = mean + sd * standard_normal(rng);
  return v;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// max |analytic − numeric| / max |numeric| over a tensor, with the numeric gradient by central differences
// of `loss` with respect to every element of x (restored afterwards). h = 1e-5: truncation error ~h², and
// rounding error ~1e-16/h, both far below the bound the tests use.
double gradient_error(std::vector<double>& x, const std::function<double()>& loss, const std::vector<double>& analytic) {
  const double h = 1e-5;
  double max_diff = 0, max_ref = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double saved = x[i];
    x[i] = saved + h;
    const double up = loss();
    x[i] = saved - h;
    const double down = loss();
    x[i] = saved;
    const double numeric = (up - down) / (2 * h);
    max_diff = std::max(max_diff, std::fabs(numeric - analytic[i]));
    max_ref = std::max(max_ref, std::fabs(numeric));
  }
  return max_diff / std::max(max_ref, 1e-300);
}

constexpr double kLayerTol = 1e-6;  // measured ≤ ~1e-9; a wrong backward gives O(1)

void report(const std::string& what, double err) {
  std::cout << "  gradient check " << what << ": relative error " << err << "\n";
  EXPECT_LT(err, kLayerTol) << what;
  EXPECT_GE(err, 0.0) << what;  // a NaN fails here
}

// ------------------------------------------------------------------------------------------------
// Layer gradient checks, double. Each scalar loss is Σ out·G with a fixed random G, so dout = G.

TEST(GptLayerGradients, Embedding) {
  std::mt19937_64 rng(1);
  const int B = 2, T = 4, C = 6, V = 5;
  std::vector<int> tokens = {0, 3, 3, 1, 4, 2, 0, 3};
  auto wte = random_vector(V * C, rng), wpe = random_vector(T * C, rng), g = random_vector(B * T * C, rng);
  std::vector<double> out(B * T * C);
  auto loss = [&] {
    embedding_forward(out.data(), tokens.data(), wte.data(), wpe.data(), B, T, C);
    return dot(out, g);
  };
  std::vector<double> dwte(V * C, 0.0), dwpe(T * C, 0.0);
  loss();
  embedding_backward(dwte.data(), dwpe.data(), g.data(), tokens.data(), B, T, C);
  report("embedding wte", gradient_error(wte, loss, dwte));
  report("embedding wpe", gradient_error(wpe, loss, dwpe));
}

TEST(GptLayerGradients, LayerNorm) {
  std::mt19937_64 rng(2);
  const int N = 5, C = 7;
  auto inp = random_vector(N * C, rng, 2.0, 0.5), w = random_vector(C, rng, 0.5, 1.0), g = random_vector(N * C, rng);
  std::vector<double> out(N * C), mean(N), rstd(N);
  auto loss = [&] {
    layernorm_forward(out.data(), mean.data(), rstd.data(), inp.data(), w.data(), N, C);
    return dot(out, g);
  };
  loss();
  std::vector<double> dinp(N * C, 0.0), dw(C, 0.0);
  layernorm_backward(dinp.data(), dw.data(), g.data(), inp.data(), w.data(), mean.data(), rstd.data(), N, C);
  report("layernorm input", gradient_error(inp, loss, dinp));
  report("layernorm weight", gradient_error(w, loss, dw));
  // Forward: zero mean, unit (biased) variance before the weight.
  loss();
  for (int i = 0; i < N; ++i) {
    double m = 0, v = 0;
    for (int c = 0; c < C; ++c) m += out[i * C + c] / w[c];
    for (int c = 0; c < C; ++c) v += std::pow(out[i * C + c] / w[c], 2);
    EXPECT_NEAR(m / C, 0.0, 1e-12);
    EXPECT_NEAR(v / C, 1.0, 1e-4);  // eps = 1e-5 against variances ~4
  }
}

TEST(GptLayerGradients, Linear) {
  std::mt19937_64 rng(3);
  const int N = 6, C = 5, OC = 7;
  auto inp = random_vector(N * C, rng), w = random_vector(OC * C, rng), g = random_vector(N * OC, rng);
  std::vector<double> out(N * OC);
  auto loss = [&] {
    linear_forward(out.data(), inp.data(), w.data(), N, C, OC);
    return dot(out, g);
  };
  loss();
  EXPECT_NEAR(out[1 * OC + 2], dot(std::vector<double>(inp.begin() + C, inp.begin() + 2 * C),
                                   std::vector<double>(w.begin() + 2 * C, w.begin() + 3 * C)), 1e-12);  // out = inp·wᵀ
  std::vector<double> dinp(N * C, 0.0), dw(OC * C, 0.0);
  linear_backward(dinp.data(), dw.data(), g.data(), inp.data(), w.data(), N, C, OC);
  report("linear input", gradient_error(inp, loss, dinp));
  report("linear weight", gradient_error(w, loss, dw));
}

TEST(GptLayerGradients, CausalSelfAttention) {
  std::mt19937_64 rng(4);
  const int B = 2, T = 5, C = 8, NH = 2;
  auto qkv = random_vector(B * T * 3 * C, rng), g = random_vector(B * T * C, rng);
  std::vector<double> out(B * T * C), att(B * NH * T * T);
  auto loss = [&] {
    attention_forward(out.data(), att.data(), qkv.data(), B, T, C, NH);
    return dot(out, g);
  };
  loss();
  // Causal: probabilities sum to 1 over positions ≤ t and vanish above the diagonal.
  for (int bh = 0; bh < B * NH; ++bh)
    for (int t = 0; t < T; ++t) {
      double s = 0;
      for (int j = 0; j < T; ++j) {
        const double a = att[(bh * T + t) * T + j];
        if (j > t) {
          EXPECT_EQ(a, 0.0);
        }
        s += a;
      }
      EXPECT_NEAR(s, 1.0, 1e-14);
    }
  // The first position attends only to itself: out = its own v.
  const int hs = C / NH;
  for (int h = 0; h < NH; ++h)
    for (int d = 0; d < hs; ++d) EXPECT_NEAR(out[h * hs + d], qkv[2 * C + h * hs + d], 1e-14);
  std::vector<double> dqkv(B * T * 3 * C, 0.0);
  attention_backward(dqkv.data(), g.data(), qkv.data(), att.data(), B, T, C, NH);
  report("attention qkv", gradient_error(qkv, loss, dqkv));
}

TEST(GptLayerGradients, Gelu) {
  std::mt19937_64 rng(5);
  const std::size_t n = 40;
  auto inp = random_vector(n, rng, 2.0), g = random_vector(n, rng);
  std::vector<double> out(n);
  auto loss = [&] {
    gelu_forward(out.data(), inp.data(), n);
    return dot(out, g);
  };
  loss();
  for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(out[i], 0.5 * inp[i] * std::erfc(-inp[i] / std::sqrt(2.0)), 1e-15);  // exact GELU
  std::vector<double> dinp(n, 0.0);
  gelu_backward(dinp.data(), inp.data(), g.data(), n);
  report("gelu", gradient_error(inp, loss, dinp));
}

TEST(GptLayerGradients, Residual) {
  std::mt19937_64 rng(6);
  const std::size_t n = 9;
  auto a = random_vector(n, rng), b = random_vector(n, rng), g = random_vector(n, rng);
  std::vector<double> out(n);
  auto loss = [&] {
    residual_forward(out.data(), a.data(), b.data(), n);
    return dot(out, g);
  };
  loss();
  std::vector<double> da(n, 0.0), db(n, 0.0);
  residual_backward(da.data(), db.data(), g.data(), n);
  report("residual a", gradient_error(a, loss, da));
  report("residual b", gradient_error(b, loss, db));
}

TEST(GptLayerGradients, CrossEntropy) {
  std::mt19937_64 rng(7);
  const int N = 6, V = 5;
  auto logits = random_vector(N * V, rng, 3.0);
  std::vector<int> targets = {0, 4, 2, 2, 1, 3};
  std::vector<double> probs(N * V), losses(N);
  auto loss = [&] { return crossentropy_forward(probs.data(), losses.data(), logits.data(), targets.data(), N, V); };
  const double mean = loss();
  double direct = 0;
  for (int i = 0; i < N; ++i) direct -= std::log(probs[i * V + targets[i]]) / N;
  EXPECT_NEAR(mean, direct, 1e-13);
  std::vector<double> dlogits(N * V, 0.0);
  crossentropy_backward(dlogits.data(), probs.data(), targets.data(), 1.0, N, V);
  report("cross-entropy logits", gradient_error(logits, loss, dlogits));
}

// Backward passes accumulate: a second call adds the same gradient again.
TEST(GptLayerGradients, BackwardAccumulates) {
  std::mt19937_64 rng(8);
  const int N = 3, C = 4, OC = 2;
  auto inp = random_vector(N * C, rng), w = random_vector(OC * C, rng), g = random_vector(N * OC, rng);
  std::vector<double> d1(N * C, 0.0), w1(OC * C, 0.0), d2(N * C, 0.0), w2(OC * C, 0.0);
  linear_backward(d1.data(), w1.data(), g.data(), inp.data(), w.data(), N, C, OC);
  linear_backward(d2.data(), w2.data(), g.data(), inp.data(), w.data(), N, C, OC);
  linear_backward(d2.data(), w2.data(), g.data(), inp.data(), w.data(), N, C, OC);
  for (int i = 0; i < N * C; ++i) EXPECT_NEAR(d2[i], 2 * d1[i], 1e-14);
  for (int i = 0; i < OC * C; ++i) EXPECT_NEAR(w2[i], 2 * w1[i], 1e-14);
}

// ------------------------------------------------------------------------------------------------
// Whole model

GptConfig small_config() {
  GptConfig c;
  c.vocab_size = 11;
  c.block_size = 6;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 8;
  return c;
}

TEST(GptModel, ParameterLayoutMatchesNanoGpt) {
  GptConfig mini = gpt_preset("mini", 65).model;
  EXPECT_EQ(mini.num_params(), 804096u);  // nanoGPT prints 0.80M for the CPU recipe (§1.1)
  GptModel<float> m(mini);
  EXPECT_EQ(m.params().size(), 804096u);
  const auto& t = m.tensors();
  ASSERT_EQ(t.size(), 2u + 6u * 4u + 1u);
  EXPECT_EQ(t[0].name, "transformer.wte.weight");
  EXPECT_EQ(t[3].name, "transformer.h.0.attn.c_attn.weight");
  EXPECT_EQ(t[3].rows, 384u);
  EXPECT_EQ(t.back().name, "transformer.ln_f.weight");
  int two_d = 0;
  for (const auto& x : t) two_d += x.two_d;
  EXPECT_EQ(two_d, 2 + 4 * 4);
  // Init: N(0, 0.02), c_proj N(0, 0.02/sqrt(2·4)), LayerNorm weights 1.
  m.init_weights(1337);
  auto sd = [&](const ParamTensor& x) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) s += std::pow(m.params()[x.offset + i], 2);
    return std::sqrt(s / x.size());
  };
  EXPECT_NEAR(sd(t[4]), 0.02 / std::sqrt(8.0), 0.0005);  // transformer.h.0.attn.c_proj.weight
  EXPECT_NEAR(sd(t[6]), 0.02, 0.0003);                   // transformer.h.0.mlp.c_fc.weight
  EXPECT_EQ(m.params()[t[2].offset], 1.0f);              // ln_1
  EXPECT_THROW(gpt_preset("huge", 65), roundlab::InputError);
}

// The whole model's loss gradient against central differences; with dropout > 0 in train mode (one fixed
// step, so every forward of the check draws the same masks).
void check_loss_gradient(double dropout) {
  GptConfig cfg = small_config();
  cfg.dropout = dropout;
  GptModel<double> m(cfg);
  if (dropout > 0) m.train_mode(77, 5);
  std::mt19937_64 rng(11);
  m.init_weights(rng);
  // Larger weights than the init's 0.02 and LayerNorm weights away from 1, so every path carries signal
  // (×3 keeps the loss smooth enough for h = 1e-5: at ×10 the h² truncation error reaches 3e-6).
  for (auto& p : m.params()) p = p * 3 + (p == 1.0 ? 0.3 * standard_normal(rng) : 0.0);
  const int B = 2, T = cfg.block_size;
  std::vector<int> x(B * T), y(B * T);
  for (int i = 0; i < B * T; ++i) {
    x[i] = static_cast<int>(rng() % cfg.vocab_size);
    y[i] = static_cast<int>(rng() % cfg.vocab_size);
  }
  m.forward(x.data(), y.data(), B, T);
  m.zero_grad();
  m.backward();
  std::vector<double> params(m.params().begin(), m.params().end());
  const std::vector<double> grads(m.grads().begin(), m.grads().end());
  auto loss = [&] {
    std::copy(params.begin(), params.end(), m.params().begin());
    return m.forward(x.data(), y.data(), B, T);
  };
  double worst = 0;
  for (const ParamTensor& t : m.tensors()) {
    std::vector<double> sub(params.begin() + t.offset, params.begin() + t.offset + t.size());
    const std::vector<double> analytic(grads.begin() + t.offset, grads.begin() + t.offset + t.size());
    auto sub_loss = [&] {
      std::copy(sub.begin(), sub.end(), params.begin() + t.offset);
      return loss();
    };
    const double err = gradient_error(sub, sub_loss, analytic);
    std::copy(sub.begin(), sub.end(), params.begin() + t.offset);
    EXPECT_LT(err, kLayerTol) << t.name;
    worst = std::max(worst, err);
  }
  std::cout << "  whole-model gradient check (dropout " << dropout << "), worst tensor relative error " << worst << "\n";
}

TEST(GptModel, LossGradientMatchesFiniteDifferences) { check_loss_gradient(0.0); }

TEST(GptModel, LossGradientWithDropoutMatchesFiniteDifferences) { check_loss_gradient(0.3); }

TEST(GptModel, Fp32AgreesWithFp64) {
  GptConfig cfg = gpt_preset("tiny", 20).model;
  GptModel<double> md(cfg);
  md.init_weights(5);
  GptModel<float> mf(cfg);
  mf.copy_params_from(md);
  md.copy_params_from(mf);  // the same (float) weights in both
  const int B = 4, T = cfg.block_size;
  std::mt19937_64 rng(9);
  std::vector<int> x(B * T), y(B * T);
  for (int i = 0; i < B * T; ++i) x[i] = static_cast<int>(rng() % 20), y[i] = static_cast<int>(rng() % 20);
  const double ld = md.forward(x.data(), y.data(), B, T), lf = mf.forward(x.data(), y.data(), B, T);
  std::cout << "  fp32 vs fp64 loss: " << lf << " vs " << ld << " (relative " << std::fabs(lf - ld) / ld << ")\n";
  EXPECT_LT(std::fabs(lf - ld) / ld, 1e-6);
  md.zero_grad();
  md.backward();
  mf.zero_grad();
  mf.backward();
  double worst = 0;
  for (const ParamTensor& t : md.tensors()) {
    double diff = 0, ref = 0;
    for (std::size_t i = t.offset; i < t.offset + t.size(); ++i) {
      diff = std::max(diff, std::fabs(static_cast<double>(mf.grads()[i]) - md.grads()[i]));
      ref = std::max(ref, std::fabs(md.grads()[i]));
    }
    EXPECT_LT(diff / ref, 1e-4) << t.name;
    worst = std::max(worst, diff / ref);
  }
  std::cout << "  fp32 vs fp64 gradients: worst tensor relative error " << worst << "\n";
}

// The batch is cut into one shard per OpenMP thread; the loss and gradients must not depend on the cut
// beyond rounding (checked in double).
// With dropout in train mode too: the masks are indexed over the whole batch, not the shard.
void check_sharding(double dropout) {
  GptConfig cfg = small_config();
  cfg.dropout = dropout;
  GptModel<double> m(cfg);
  m.init_weights(21);
  if (dropout > 0) m.train_mode(3, 9);
  const int B = 5, T = cfg.block_size;
  std::mt19937_64 rng(4);
  std::vector<int> x(B * T), y(B * T);
  for (int i = 0; i < B * T; ++i) x[i] = static_cast<int>(rng() % 11), y[i] = static_cast<int>(rng() % 11);
  const int saved = omp_get_max_threads();
  std::vector<double> losses, grads1;
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    const double loss = m.forward(x.data(), y.data(), B, T);
    EXPECT_EQ(m.shards(), threads);
    m.zero_grad();
    m.backward();
    if (threads == 1) {
      grads1.assign(m.grads().begin(), m.grads().end());
      losses.push_back(loss);
      continue;
    }
    EXPECT_NEAR(loss, losses[0], 1e-14);
    double diff = 0, ref = 0;
    for (std::size_t i = 0; i < grads1.size(); ++i) {
      diff = std::max(diff, std::fabs(m.grads()[i] - grads1[i]));
      ref = std::max(ref, std::fabs(grads1[i]));
    }
    EXPECT_LT(diff / ref, 1e-13) << threads << " shards";
  }
  omp_set_num_threads(saved);
}

TEST(GptModel, ShardedBatchMatchesOneShard) { check_sharding(0.0); }

TEST(GptModel, ShardedBatchWithDropoutMatchesOneShard) { check_sharding(0.2); }

// The masks: the drop rate is p (binomial, 5σ), kept values are scaled by 1/(1 − p), a mask repeats for the
// same (seed, step, site) and changes with each; the model in eval mode, or with p = 0, applies none, and in
// train mode with p > 0 its loss differs.
TEST(GptModel, DropoutMasksHaveRateAndScaleAndRepeat) {
  const double p = 0.2;
  const DropoutMask m = dropout_mask(p, dropout_seed(1), 4, dropout_site_mlp_proj(1));
  const std::size_t n = 1 << 20;
  std::vector<double> x(n, 1.0);
  dropout_forward(x.data(), n, m, 12345);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < n; ++i) {
    dropped += x[i] == 0.0 ? 1 : 0;
    if (x[i] != 0.0) {
      EXPECT_DOUBLE_EQ(x[i], 1.0 / (1.0 - p));
    }
    if (i < 4096) {
      EXPECT_EQ(x[i] != 0.0, m.keep(12345 + i)) << i;  // the pass draws the mask's own bits
    }
  }
  const double sd = std::sqrt(n * p * (1 - p));
  EXPECT_LT(std::fabs(static_cast<double>(dropped) - n * p), 5 * sd) << dropped;
  auto agree = [&](const DropoutMask& a, const DropoutMask& b) {
    std::size_t same = 0;
    for (std::uint64_t i = 0; i < 10000; ++i) same += a.keep(i) == b.keep(i) ? 1 : 0;
    return same;
  };
  EXPECT_EQ(agree(m, dropout_mask(p, dropout_seed(1), 4, dropout_site_mlp_proj(1))), 10000u);
  EXPECT_LT(agree(m, dropout_mask(p, dropout_seed(1), 5, dropout_site_mlp_proj(1))), 9000u);  // ~6800 expected
  EXPECT_LT(agree(m, dropout_mask(p, dropout_seed(1), 4, dropout_site_attention(1))), 9000u);
  EXPECT_LT(agree(m, dropout_mask(p, dropout_seed(2), 4, dropout_site_mlp_proj(1))), 9000u);

  GptConfig cfg = small_config();
  GptModel<double> plain(cfg);
  plain.init_weights(8);
  cfg.dropout = p;
  GptModel<double> dropping(cfg);
  dropping.copy_params_from(plain);
  const int B = 2, T = cfg.block_size;
  std::vector<int> xs(B * T), ys(B * T);
  for (int i = 0; i < B * T; ++i) xs[i] = i % 11, ys[i] = (3 * i + 1) % 11;
  const double reference = plain.forward(xs.data(), ys.data(), B, T);
  EXPECT_EQ(dropping.forward(xs.data(), ys.data(), B, T), reference);  // eval mode: the default
  plain.train_mode(1, 0);
  EXPECT_EQ(plain.forward(xs.data(), ys.data(), B, T), reference);  // p = 0
  dropping.train_mode(1, 0);
  EXPECT_NE(dropping.forward(xs.data(), ys.data(), B, T), reference);
  dropping.eval_mode();
  EXPECT_EQ(dropping.forward(xs.data(), ys.data(), B, T), reference);
}

TEST(GptModel, RejectsBadInput) {
  GptModel<float> m(small_config());
  std::vector<int> x(7, 0), y(7, 0);
  EXPECT_THROW(m.forward(x.data(), y.data(), 1, 7), roundlab::InputError);  // T > block_size
  x[2] = 11;
  EXPECT_THROW(m.forward(x.data(), y.data(), 1, 6), roundlab::InputError);  // id ≥ vocab
  GptConfig bad = small_config();
  bad.n_head = 3;
  EXPECT_THROW(GptModel<float>{bad}, roundlab::InputError);
}

// ------------------------------------------------------------------------------------------------
// Data, schedule, optimizer

// A small text with structure to learn: sentences from a few words, chosen by a fixed generator.
std::string made_up_text(std::size_t chars) {
  const char* subjects[] = {"the cat", "a dog", "my bird", "the old fox"};
  const char* verbs[] = {" sat on", " ran to", " looked at", " jumped over"};
  const char* objects[] = {" the mat.\n", " a tree.\n", " the red door.\n", " my hat.\n"};
  std::mt19937_64 rng(2024);
  std::string s;
  while (s.size() < chars) s += std::string(subjects[rng() % 4]) + verbs[rng() % 4] + objects[rng() % 4];
  return s;
}

TEST(GptData, CharDatasetFollowsPrepareScript) {
  const CharDataset d = CharDataset::from_text("hello world\nhello there, world!");
  EXPECT_EQ(d.chars(), std::string("\n !,dehlortw"));  // sorted distinct characters
  EXPECT_EQ(d.vocab_size(), 12);
  const std::size_t n = 31;
  EXPECT_EQ(d.train().size(), static_cast<std::size_t>(n * 0.9));
  EXPECT_EQ(d.train().size() + d.val().size(), n);
  EXPECT_EQ(d.decode(d.train()) + d.decode(d.val()), "hello world\nhello there, world!");
  EXPECT_THROW(d.encode("xyz"), roundlab::InputError);
  EXPECT_THROW(CharDataset::from_text("aaaa"), roundlab::InputError);
  EXPECT_THROW(CharDataset::from_file("/nonexistent/input.txt"), roundlab::InputError);
}

TEST(GptData, BatchesAreShiftedRandomOffsets) {
  const CharDataset d = CharDataset::from_text(made_up_text(5000));
  const int B = 16, T = 10;
  std::vector<int> x(B * T), y(B * T), x2(B * T), y2(B * T);
  std::mt19937_64 r1(3), r2(3);
  sample_batch(r1, d.train(), B, T, x.data(), y.data());
  sample_batch(r2, d.train(), B, T, x2.data(), y2.data());
  EXPECT_EQ(x, x2);  // a seed fixes the batches
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t + 1 < T; ++t) EXPECT_EQ(y[b * T + t], x[b * T + t + 1]);
    // x is a contiguous window of the split
    const auto it = std::search(d.train().begin(), d.train().end(), x.begin() + b * T, x.begin() + (b + 1) * T);
    EXPECT_NE(it, d.train().end());
  }
  // bounded_draw is uniform over [0, bound): every value of a small range appears, none outside.
  std::vector<int> hits(7, 0);
  for (int i = 0; i < 7000; ++i) ++hits[bounded_draw(r1, 7)];
  for (int h : hits) EXPECT_GT(h, 850);
  std::vector<int> short_split(10, 0);
  EXPECT_THROW(sample_batch(r1, short_split, 1, 10, x.data(), y.data()), roundlab::InputError);
}

TEST(GptOptim, LearningRateScheduleIsNanoGpts) {
  TrainConfig c;  // lr 1e-3, min 1e-4, warmup 100, decay 2000
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0), 1e-3 * 1 / 101);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 99), 1e-3 * 100 / 101);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 100), 1e-3);
  EXPECT_NEAR(learning_rate_at(c, 1050), 0.5 * (1e-3 + 1e-4), 1e-15);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 2000), 1e-4);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 2001), 1e-4);
  c.decay_lr = false;
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 5), 1e-3);
}

TEST(GptOptim, AdamWMatchesTorchFormulaAndDecaysOnly2D) {
  std::vector<ParamTensor> t = {{"w", 0, 1, 2, true}, {"ln", 2, 1, 1, false}};
  AdamWHyper h;
  h.beta1 = 0.9, h.beta2 = 0.99, h.eps = 1e-8, h.weight_decay = 0.1;
  AdamW<double> opt(t, h);
  std::vector<double> p = {0.5, -0.25, 1.0};
  const std::vector<double> g = {0.1, -0.2, 0.3};
  const double lr = 0.01;
  std::vector<double> expect = p, m(3, 0), v(3, 0);
  for (int step = 1; step <= 3; ++step) {
    opt.step(p, g, lr);
    for (int i = 0; i < 3; ++i) {
      const double wd = i < 2 ? 0.1 : 0.0;
      expect[i] *= 1 - lr * wd;
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
      const double mhat = m[i] / (1 - std::pow(0.9, step)), denom = std::sqrt(v[i]) / std::sqrt(1 - std::pow(0.99, step)) + 1e-8;
      expect[i] -= lr * mhat / denom;
    }
  }
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(p[i], expect[i], 1e-15);
  // Global-norm clip: norm 5 → scaled to 1 (torch: max_norm / (norm + 1e-6)).
  std::vector<double> grads = {3.0, 4.0};
  EXPECT_DOUBLE_EQ(clip_grad_norm<double>(grads, 1.0), 5.0);
  EXPECT_NEAR(grads[0], 3.0 / (5.0 + 1e-6), 1e-15);
  std::vector<double> small = {0.3, 0.4};
  clip_grad_norm<double>(small, 1.0);
  EXPECT_EQ(small[0], 0.3);  // below the bound: unchanged
}

// ------------------------------------------------------------------------------------------------
// Training runs

GptPreset tiny_run(int vocab, int iters) {
  GptPreset p = gpt_preset("tiny", vocab);
  p.train.max_iters = iters;
  p.train.lr_decay_iters = std::max(iters, p.train.warmup_iters + 1);
  return p;
}

TEST(GptTrain, TinyPresetLearnsAMadeUpText) {
  const CharDataset data = CharDataset::from_text(made_up_text(20000));
  const GptPreset p = gpt_preset("tiny", data.vocab_size());
  const TrainResult r = train_gpt(p, WeightStoreSpec{}, data, 1337);
  ASSERT_EQ(r.iters.size(), static_cast<std::size_t>(p.train.max_iters + 1));
  ASSERT_EQ(r.evals.size(), 4u);  // iterations 0, 100, 200, 300
  const double uniform = std::log(static_cast<double>(data.vocab_size()));
  std::cout << "  tiny: ln(vocab) " << uniform << ", val loss";
  for (const auto& e : r.evals) std::cout << " @" << e.iter << " " << e.val_loss;
  double ms = 0;
  for (const auto& it : r.iters) ms += it.ms;
  std::cout << ", " << ms / r.iters.size() << " ms/iter, " << r.seconds << " s in all\n";
  EXPECT_NEAR(r.evals.front().val_loss, uniform, 0.1);  // the init predicts nearly uniformly
  EXPECT_LT(r.evals.back().val_loss, 0.6 * uniform);
  EXPECT_LT(r.evals.back().train_loss, 0.6 * uniform);
  for (const auto& it : r.iters) EXPECT_TRUE(std::isfinite(it.loss));
}

TEST(GptTrain, RunsAreBitReproducible) {
  const CharDataset data = CharDataset::from_text(made_up_text(8000));
  for (const char* policy : {"fp32", "round-each-step:b8p4:src:3", "bf16-sr"}) {
    WeightStoreSpec spec = parse_weight_store(policy);
    spec.seed = 42;
    const GptPreset p = tiny_run(data.vocab_size(), 6);
    const TrainResult a = train_gpt(p, spec, data, 7), b = train_gpt(p, spec, data, 7);
    ASSERT_EQ(a.iters.size(), b.iters.size());
    for (std::size_t i = 0; i < a.iters.size(); ++i) {
      EXPECT_EQ(a.iters[i].loss, b.iters[i].loss) << policy << " iter " << i;  // bit-identical
      EXPECT_EQ(a.iters[i].grad_norm, b.iters[i].grad_norm) << policy;
    }
    ASSERT_EQ(a.final_params.size(), b.final_params.size());
    EXPECT_EQ(std::memcmp(a.final_params.data(), b.final_params.data(), a.final_params.size() * sizeof(float)), 0) << policy;
    // Another seed gives another run.
    const TrainResult c = train_gpt(p, spec, data, 8);
    EXPECT_NE(c.iters[0].loss, a.iters[0].loss) << policy;
  }
}

// ------------------------------------------------------------------------------------------------
// Weight stores

bool in_format(const roundlab::Format& f, float v) {
  return std::get<roundlab::IeeeLikeFormat>(f).contains(roundlab::ExactValue::from_float(v));
}

TEST(GptWeightStore, ParsesPolicies) {
  EXPECT_EQ(parse_weight_store("fp32").kind, WeightStoreKind::Fp32);
  EXPECT_EQ(parse_weight_store("bf16-sr").kind, WeightStoreKind::Bf16Sr);
  EXPECT_EQ(parse_weight_store("bf16-rne").kind, WeightStoreKind::Bf16Rne);
  const WeightStoreSpec s = parse_weight_store("round-each-step:b8p4:srff:3:dynamic:start=100");
  EXPECT_EQ(s.kind, WeightStoreKind::RoundEachStep);
  EXPECT_EQ(s.format, "b8p4");
  EXPECT_EQ(s.mode, "srff");
  EXPECT_EQ(s.random_bits, 3);
  EXPECT_TRUE(s.dynamic_scale);
  EXPECT_EQ(s.start_iter, 100);
  EXPECT_EQ(s.describe(), "round-each-step b8p4 srff N=3 scale=dynamic sat=finite start=100");
  EXPECT_THROW(parse_weight_store("fp16"), roundlab::InputError);
  EXPECT_THROW(parse_weight_store("round-each-step:nosuchformat:rne"), roundlab::InputError);
  EXPECT_THROW(parse_weight_store("round-each-step:b8p4:nosuchmode"), roundlab::InputError);
  EXPECT_THROW(parse_weight_store("round-each-step:binary32:rne"), roundlab::InputError);  // > 16 bits
  EXPECT_THROW(parse_weight_store("round-each-step:b8p4:rne:x"), roundlab::InputError);
  EXPECT_THROW(parse_weight_store("round-each-step:b8p4:src"), roundlab::InputError);  // few-bit SR without N
}

TEST(GptWeightStore, RoundEachStepMakesEvery2DTensorRepresentable) {
  const GptConfig cfg = gpt_preset("tiny", 30).model;
  for (const char* policy : {"round-each-step:b8p4:src:3", "round-each-step:e4m3:rne", "round-each-step:b8p4:srff:3:dynamic",
                             "round-each-step:float16:rne:start=2"}) {
    WeightStoreSpec spec = parse_weight_store(policy);
    spec.seed = 3;
    WeightStore store(spec);
    GptModel<float> m(cfg);
    m.init_weights(1);
    const std::vector<float> before(m.params().begin(), m.params().end());
    const auto fmt = roundlab::find_format(spec.format);
    store.before_iteration(m.params(), m.tensors(), 1);
    if (spec.start_iter > 1) {
      EXPECT_TRUE(std::equal(before.begin(), before.end(), m.params().begin())) << policy << ": rounded before start";
      store.before_iteration(m.params(), m.tensors(), spec.start_iter);
    }
    std::size_t changed = 0;
    for (const ParamTensor& t : m.tensors()) {
      const float* p = m.params().data() + t.offset;
      const float* q = before.data() + t.offset;
      if (!t.two_d) {
        EXPECT_TRUE(std::equal(p, p + t.size(), q)) << policy << " touched 1-D " << t.name;
        continue;
      }
      int s = 0;
      if (spec.dynamic_scale) {
        float maxabs = 0;
        for (std::size_t i = 0; i < t.size(); ++i) maxabs = std::max(maxabs, std::fabs(q[i]));
        TensorRounder probe(spec.format, roundlab::Rounding{});
        s = dynamic_log2_scale(maxabs, probe.max_finite(), probe.min_normal());
      }
      std::size_t bad = 0;
      for (std::size_t i = 0; i < t.size(); ++i) {
        bad += !in_format(fmt, std::ldexp(p[i], s));
        changed += p[i] != q[i];
      }
      EXPECT_EQ(bad, 0u) << policy << " " << t.name << " scale 2^" << s;
    }
    EXPECT_GT(changed, 0u) << policy;
  }
}

TEST(GptWeightStore, Bf16PoliciesStoreBfloat16Values) {
  const GptConfig cfg = gpt_preset("tiny", 30).model;
  for (const char* policy : {"bf16-sr", "bf16-rne"}) {
    WeightStoreSpec spec = parse_weight_store(policy);
    spec.seed = 5;
    WeightStore store(spec);
    GptModel<float> m(cfg);
    m.init_weights(2);
    store.on_init(m.params(), m.tensors());
    auto all_bf16 = [&] {
      return std::all_of(m.params().begin(), m.params().end(),
                         [](float v) { return (std::bit_cast<std::uint32_t>(v) & 0xFFFFu) == 0; });
    };
    EXPECT_TRUE(all_bf16()) << policy << " after init";
    for (auto& v : m.params()) v += 1e-4f;  // an "update"
    store.after_update(m.params(), m.tensors(), 0);
    EXPECT_TRUE(all_bf16()) << policy << " after a store";
  }
}

// Many stores of the same value: SR's mean is the value; RNE drops updates below half an ulp for good.
TEST(GptWeightStore, Bf16SrIsUnbiasedWhileRneStagnates) {
  const std::size_t n = 1 << 16;
  const std::vector<ParamTensor> tensors = {{"w", 0, 1, n, true}};
  // One store of x = 1 + 2^-10 (1/8 of bfloat16's ulp 2^-7 at 1): P(up) = 1/8 exactly.
  {
    WeightStoreSpec spec = parse_weight_store("bf16-sr");
    spec.seed = 99;
    WeightStore store(spec);
    std::vector<float> p(n, 1.0f + 0x1p-10f);
    store.after_update(p, tensors, 0);
    std::size_t up = 0;
    for (float v : p) {
      ASSERT_TRUE(v == 1.0f || v == 1.0f + 0x1p-7f) << v;
      up += v != 1.0f;
    }
    const double frac = static_cast<double>(up) / n, se = std::sqrt(0.125 * 0.875 / n);
    EXPECT_LT(std::fabs(frac - 0.125), 5 * se) << "P(up) " << frac;  // mean of p = x within 5 standard errors
  }
  // 64 updates of +2^-10 each from 1.0 (each a quarter of half an ulp): expected 1 + 64·2^-10 = 1.0625.
  for (const char* policy : {"bf16-sr", "bf16-rne"}) {
    WeightStoreSpec spec = parse_weight_store(policy);
    spec.seed = 7;
    WeightStore store(spec);
    std::vector<float> p(n, 1.0f);
    for (int k = 0; k < 64; ++k) {
      for (float& v : p) v += 0x1p-10f;
      store.after_update(p, tensors, k);
    }
    double mean = 0;
    for (float v : p) mean += v;
    mean /= n;
    if (std::string(policy) == "bf16-sr") {
      // Per element the rounding errors are independent, zero-mean, variance ≤ ulp²/4 per store.
      const double se = std::sqrt(64 * std::pow(0x1p-7, 2) / 4 / n);
      EXPECT_LT(std::fabs(mean - 1.0625), 5 * se) << "SR mean " << mean;
    } else {
      EXPECT_EQ(mean, 1.0) << "RNE kept an update below half an ulp";
    }
  }
}

TEST(GptWeightStore, StochasticRoundingUsesFreshBitsPerIterationAndTensor) {
  WeightStoreSpec spec = parse_weight_store("round-each-step:b8p4:src:3");
  spec.seed = 1;
  WeightStore store(spec);
  EXPECT_NE(store.stream_for(0, 1).stream, store.stream_for(1, 1).stream);
  EXPECT_NE(store.stream_for(0, 1).stream, store.stream_for(0, 2).stream);
  const std::size_t n = 4096;
  const std::vector<ParamTensor> tensors = {{"a", 0, 1, n, true}, {"b", n, 1, n, true}};
  // Halfway between the b8p4 neighbours 11·2^-10 and 12·2^-10: SRC with N = 3 rounds up with probability 1/2.
  std::vector<float> p(2 * n, 11.5f * 0x1p-10f);
  std::vector<float> q = p;
  store.before_iteration(p, tensors, 0);
  store.before_iteration(q, tensors, 1);
  EXPECT_FALSE(std::equal(p.begin(), p.begin() + n, p.begin() + n));  // tensors a and b differ
  EXPECT_FALSE(std::equal(p.begin(), p.end(), q.begin()));            // iterations differ
}

}  // namespace
