// roundlab train-gpt: the char-level GPT trainer of analysis/gpt under one weight-store policy, or the
// Figure-3 sweep of "On Stochastic Rounding with Few Random Bits" (float16 RNE and b8p4 RNE / SRC / SRF /
// SRFF at N = 3, every 2-D weight rounded at the start of each iteration) plus fp32 and bf16-sr, over
// several seeds. Progress with ms/iter and loss on stderr; loss curves, evaluations and per-tensor
// statistics of the stored weights (zeros, distinct values) in CSV and JSON under --out.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <omp.h>
#include <ostream>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "analysis/gpt/char_dataset.hpp"
#include "analysis/gpt/gpt_config.hpp"
#include "analysis/gpt/gpt_model.hpp"
#include "analysis/gpt/gpt_train.hpp"
#include "analysis/gpt/weight_store.hpp"
#if ROUNDLAB_HAVE_GPT_CUDA
#include "analysis/gpt/cuda/train_gpt_cuda.hpp"
#endif
#include "cli/commands.hpp"
#include "reference/json_text.hpp"
#include "cli/options.hpp"
#include "reference/error.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::cli {

namespace {

using namespace roundlab::gpt;

const char* kTrainUsage =
    "usage: roundlab train-gpt --preset tiny|mini|baby [--weights fp32|round-each-step|bf16-sr|bf16-rne]\n"
    "         [--format F --mode M --random-bits N --scale 1|dynamic --start K] [--data FILE] [--seed S]\n"
    "         [--iters N] [--backend cpu|cuda] [--out DIR] [--progress|--no-progress]\n"
    "       roundlab train-gpt --preset P --sweep figure3 [--seeds K] [--backend cpu|cuda] [--data FILE] [--out DIR]\n"
    "  --data defaults to ../shared/data/tinyshakespeare.txt (90/10 train/val split, as nanoGPT)\n";

// Zeros and distinct values of one tensor of the stored weights.
struct TensorStats {
  std::string name;
  std::size_t size = 0, zeros = 0, distinct = 0;
};

std::vector<TensorStats> tensor_stats(std::span<const float> params, const std::vector<ParamTensor>& tensors) {
  std::vector<TensorStats> out;
  for (const ParamTensor& t : tensors) {
    if (!t.two_d) continue;
    TensorStats s;
    s.name = t.name;
    s.size = t.size();
    std::unordered_set<float> seen;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const float v = params[t.offset + i];
      s.zeros += v == 0.0f ? 1 : 0;
      seen.insert(v == 0.0f ? 0.0f : v);  // +0 and −0 count as one value
    }
    s.distinct = seen.size();
    out.push_back(s);
  }
  return out;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// Where the forward and backward run; the loop, AdamW and the weight stores are the same code on both.
struct Backend {
  bool cuda = false;
  std::string description;  // recorded in the outputs: results depend on it (and on the CPU thread count)
};

Backend backend_from(const Options& o) {
  const std::string name = o.get("backend").value_or("cpu");
  if (name == "cpu") return Backend{false, "cpu, " + std::to_string(omp_get_max_threads()) + " OpenMP threads"};
  if (name != "cuda") throw InputError("--backend '" + name + "': expected cpu or cuda");
#if ROUNDLAB_HAVE_GPT_CUDA
  try {
    return Backend{true, "cuda, " + gpt_cuda_device_name()};
  } catch (const std::exception& e) {
    throw InputError(std::string("--backend cuda: ") + e.what());
  }
#else
  throw InputError("--backend cuda: this roundlab was built without CUDA (nvcc was not found when it was configured)");
#endif
}

struct RunOutput {
  std::string label;
  std::string backend;
  WeightStoreSpec policy;
  std::uint64_t seed = 0;
  TrainResult result;
  std::vector<std::pair<int, std::vector<TensorStats>>> stats;  // per evaluation
};

// One training run with a progress line on stderr and the evaluations on `out`.
RunOutput train_one(const std::string& label, const GptPreset& preset, WeightStoreSpec policy, const CharDataset& data,
                    std::uint64_t seed, const Backend& backend, bool progress, std::ostream& out) {
  RunOutput r;
  r.label = label;
  r.backend = backend.description;
  policy.seed = seed;
  r.policy = policy;
  r.seed = seed;
  GptConfig shape = preset.model;
  shape.vocab_size = data.vocab_size();
  const std::vector<ParamTensor> tensors = gpt_param_tensors(shape);
  double ms_sum = 0;
  int ms_count = 0;
  out << label << " (" << policy.describe() << ", seed " << seed << ")\n";
  const TrainCallback report = [&](const IterPoint& it, const EvalPoint* eval, std::span<const float> params) {
    ms_sum += it.ms;
    ++ms_count;
    if (eval) {
      r.stats.emplace_back(eval->iter, tensor_stats(params, tensors));
      out << "  iter " << std::setw(5) << eval->iter << ": train " << std::fixed << std::setprecision(4) << eval->train_loss
          << ", val " << eval->val_loss << std::defaultfloat << "\n";
    }
    if (progress && (it.iter % 10 == 0 || it.iter == preset.train.max_iters)) {
      std::fprintf(stderr, "\r%s: iter %d/%d  loss %.4f  lr %.2e  %.1f ms/iter   ", label.c_str(), it.iter,
                   preset.train.max_iters, it.loss, it.lr, ms_sum / std::max(ms_count, 1));
      if (it.iter == preset.train.max_iters) std::fprintf(stderr, "\n");
    }
  };
#if ROUNDLAB_HAVE_GPT_CUDA
  if (backend.cuda) {
    r.result = train_gpt_cuda(preset, policy, data, seed, report);
    return r;
  }
#endif
  r.result = train_gpt(preset, policy, data, seed, report);
  return r;
}

double median_ms(const TrainResult& r) {
  std::vector<double> ms;
  for (const IterPoint& p : r.iters) ms.push_back(p.ms);
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// `label`: the run's label as it appears in file names (no spaces, '=' or ':').
void write_run(const RunOutput& r, const std::string& label, const GptPreset& preset, const std::string& data_path,
               const std::filesystem::path& dir) {
  const std::string stem = label + "_seed" + std::to_string(r.seed);
  auto open = [&](const std::string& name) {
    std::ofstream f(dir / name);
    if (!f) throw InputError("--out: cannot write '" + (dir / name).string() + "'");
    return f;
  };
  {
    std::ofstream f = open(stem + "_iters.csv");
    f << "iter,loss,lr,grad_norm,ms\n";
    for (const IterPoint& p : r.result.iters)
      f << p.iter << "," << num(p.loss) << "," << num(p.lr) << "," << num(p.grad_norm) << "," << num(p.ms) << "\n";
  }
  {
    std::ofstream f = open(stem + "_evals.csv");
    f << "iter,train_loss,val_loss\n";
    for (const EvalPoint& e : r.result.evals) f << e.iter << "," << num(e.train_loss) << "," << num(e.val_loss) << "\n";
  }
  {
    std::ofstream f = open(stem + "_tensors.csv");
    f << "iter,tensor,size,zeros,distinct\n";
    for (const auto& [iter, stats] : r.stats)
      for (const TensorStats& s : stats) f << iter << "," << s.name << "," << s.size << "," << s.zeros << "," << s.distinct << "\n";
  }
  std::ofstream f = open(stem + ".json");
  const GptConfig& m = preset.model;
  const TrainConfig& t = preset.train;
  f << "{\"command\": \"train-gpt\", \"roundlab_version\": " << json_string(ROUNDLAB_VERSION) << ", \"revision\": "
    << json_string(git_revision()) << ", \"label\": " << json_string(label) << ", \"seed\": " << r.seed
    << ", \"weights\": " << json_string(r.policy.describe()) << ", \"backend\": " << json_string(r.backend)
    << ", \"data\": " << json_string(data_path)
    << ",\n \"preset\": {\"name\": " << json_string(preset.name) << ", \"n_layer\": " << m.n_layer << ", \"n_head\": "
    << m.n_head << ", \"n_embd\": " << m.n_embd << ", \"block_size\": " << m.block_size << ", \"batch_size\": "
    << t.batch_size << ", \"max_iters\": " << t.max_iters << ", \"learning_rate\": " << num(t.learning_rate)
    << ", \"min_lr\": " << num(t.min_lr) << ", \"warmup_iters\": " << t.warmup_iters << ", \"weight_decay\": "
    << num(t.weight_decay) << ", \"beta2\": " << num(t.beta2) << ", \"eval_interval\": " << t.eval_interval
    << ", \"eval_iters\": " << t.eval_iters << ", \"dropout\": " << num(m.dropout) << "},\n \"random\": "
    << json_string("std::mt19937_64(seed): weight init, then every batch; weight-store roundings: Philox4x32-10 key = "
                   "seed, stream = iteration*2^20 + tensor index, element = position in the tensor; dropout masks (presets with "
                   "dropout): Philox4x32-10 key = seed ^ 0x64726f706f757421, stream = iteration*2^16 + site, element = "
                   "index in the batch's tensor")
    << ",\n \"evals\": [";
  for (std::size_t i = 0; i < r.result.evals.size(); ++i) {
    const EvalPoint& e = r.result.evals[i];
    f << (i ? ", " : "") << "{\"iter\": " << e.iter << ", \"train_loss\": " << num(e.train_loss) << ", \"val_loss\": "
      << num(e.val_loss) << "}";
  }
  f << "],\n \"median_ms_per_iter\": " << num(median_ms(r.result)) << ", \"seconds\": " << num(r.result.seconds) << "}\n";
}

// Labels of single runs are descriptions with spaces: file names and CSV label columns use a simple form.
std::string file_label_of(std::string label) {
  std::replace_if(label.begin(), label.end(), [](char c) { return c == ' ' || c == '=' || c == ':' || c == ','; }, '_');
  return label;
}

// Seed bands: per label and evaluation, the mean, sample standard deviation, min and max over the seeds
// (runs of one label share their evaluation iterations).
struct Band {
  std::string label;
  int iter = 0, seeds = 0;
  double train_mean = 0, train_min = 0, train_max = 0, val_mean = 0, val_sd = 0, val_min = 0, val_max = 0;
};

std::vector<Band> seed_bands(const std::vector<RunOutput>& runs) {
  std::vector<std::string> labels;
  for (const RunOutput& r : runs)
    if (std::find(labels.begin(), labels.end(), r.label) == labels.end()) labels.push_back(r.label);
  std::vector<Band> out;
  for (const std::string& label : labels) {
    std::vector<const RunOutput*> mine;
    for (const RunOutput& r : runs)
      if (r.label == label) mine.push_back(&r);
    for (std::size_t e = 0; e < mine.front()->result.evals.size(); ++e) {
      Band b;
      b.label = label;
      b.iter = mine.front()->result.evals[e].iter;
      std::vector<double> tr, va;
      for (const RunOutput* r : mine) {
        if (e >= r->result.evals.size()) continue;
        tr.push_back(r->result.evals[e].train_loss);
        va.push_back(r->result.evals[e].val_loss);
      }
      b.seeds = static_cast<int>(va.size());
      auto mean = [](const std::vector<double>& v) {
        double s = 0;
        for (double x : v) s += x;
        return s / static_cast<double>(v.size());
      };
      b.train_mean = mean(tr);
      b.val_mean = mean(va);
      double ss = 0;
      for (double x : va) ss += (x - b.val_mean) * (x - b.val_mean);
      b.val_sd = va.size() > 1 ? std::sqrt(ss / static_cast<double>(va.size() - 1)) : 0.0;
      b.train_min = *std::min_element(tr.begin(), tr.end());
      b.train_max = *std::max_element(tr.begin(), tr.end());
      b.val_min = *std::min_element(va.begin(), va.end());
      b.val_max = *std::max_element(va.begin(), va.end());
      out.push_back(b);
    }
  }
  return out;
}

WeightStoreSpec policy_from(const Options& o) {
  const std::string kind = o.get("weights").value_or("fp32");
  if (kind != "round-each-step") {
    for (const char* opt : {"format", "mode", "random-bits", "scale", "start"})
      if (o.get(opt)) throw InputError(std::string("--") + opt + " applies to --weights round-each-step only");
    return parse_weight_store(kind);
  }
  std::string text = "round-each-step:" + o.require("format") + ":" + o.require("mode");
  if (auto n = o.get("random-bits")) text += ":" + *n;
  const std::string scale = o.get("scale").value_or("1");
  if (scale == "dynamic") text += ":dynamic";
  else if (scale != "1") throw InputError("--scale '" + scale + "': expected 1 or dynamic");
  if (auto k = o.get("start")) text += ":start=" + *k;
  return parse_weight_store(text);
}

}  // namespace

int run_train_gpt(const Args& args, std::ostream& out, std::ostream& err) {
  const Options o(args,
                  {"preset", "weights", "format", "mode", "random-bits", "scale", "start", "data", "seed", "seeds", "iters",
                   "out", "sweep", "backend"},
                  {"progress", "no-progress", "help"});
  if (o.flag("help")) {
    out << kTrainUsage;
    return 0;
  }
  if (!o.positional().empty()) {
    err << "roundlab train-gpt: error: unexpected argument '" << o.positional()[0] << "'\n" << kTrainUsage;
    return 2;
  }
  // A wrong preset or an --out that cannot be written fails here, before the data is read or any training.
  const std::string preset_name = o.require("preset");
  (void)gpt_preset(preset_name, 2);  // 2: the smallest vocabulary a dataset can have
  if (auto dir = o.get("out")) {
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    if (ec) throw InputError("--out: cannot create directory '" + *dir + "': " + ec.message());
    if (!std::ofstream(std::filesystem::path(*dir) / "summary.csv"))  // rewritten after the runs
      throw InputError("--out: cannot write in directory '" + *dir + "'");
  }
  const std::string data_path = o.get("data").value_or("../shared/data/tinyshakespeare.txt");
  const CharDataset data = CharDataset::from_file(data_path);  // InputError naming the path
  GptPreset preset = gpt_preset(preset_name, data.vocab_size());
  if (auto iters = o.get("iters")) {
    preset.train.max_iters = o.get_int("iters", 0, 0, 10000000);
    // The cosine decays over the run (nanoGPT sets lr_decay_iters = max_iters), after the warmup.
    preset.train.lr_decay_iters = std::max(preset.train.max_iters, preset.train.warmup_iters + 1);
    preset.train.validate();
  }
  const bool progress = o.flag("progress") || (!o.flag("no-progress") && isatty(STDERR_FILENO) != 0);
  const std::uint64_t seed = o.get_u64("seed", 1);
  const Backend backend = backend_from(o);
  std::vector<RunOutput> runs;
  if (auto sweep = o.get("sweep")) {
    if (*sweep != "figure3") throw InputError("--sweep '" + *sweep + "': expected figure3");
    if (o.get("weights")) throw InputError("--sweep figure3 chooses the weight policies itself; drop --weights");
    const int seeds = o.get_int("seeds", 1, 1, 1000);
    const std::pair<const char*, const char*> variants[] = {
        {"fp16-rne", "round-each-step:binary16:rne"}, {"b8p4-rne", "round-each-step:b8p4:rne"},
        {"b8p4-src3", "round-each-step:b8p4:src:3"},  {"b8p4-srf3", "round-each-step:b8p4:srf:3"},
        {"b8p4-srff3", "round-each-step:b8p4:srff:3"}, {"fp32", "fp32"}, {"bf16-sr", "bf16-sr"}};
    for (int s = 0; s < seeds; ++s)
      for (const auto& [label, spec] : variants)
        runs.push_back(train_one(label, preset, parse_weight_store(spec), data, seed + static_cast<std::uint64_t>(s), backend,
                                       progress, out));
  } else {
    const WeightStoreSpec policy = policy_from(o);
    runs.push_back(train_one(policy.describe(), preset, policy, data, seed, backend, progress, out));
  }

  out << "\n" << std::left << std::setw(44) << "run" << std::right << std::setw(6) << "seed" << std::setw(12) << "train"
      << std::setw(10) << "val" << std::setw(12) << "ms/iter" << "\n";
  for (const RunOutput& r : runs) {
    const EvalPoint last = r.result.evals.empty() ? EvalPoint{} : r.result.evals.back();
    out << std::left << std::setw(44) << r.label << std::right << std::setw(6) << r.seed << std::setw(12) << std::fixed
        << std::setprecision(4) << last.train_loss << std::setw(10) << last.val_loss << std::setw(12) << std::setprecision(1)
        << median_ms(r.result) << std::defaultfloat << "\n";
  }
  const std::vector<Band> bands = seed_bands(runs);
  const bool several_seeds = std::any_of(bands.begin(), bands.end(), [](const Band& b) { return b.seeds > 1; });
  if (several_seeds) {
    out << "\nover the seeds, at the last evaluation:\n" << std::left << std::setw(44) << "run" << std::right
        << std::setw(6) << "seeds" << std::setw(12) << "val mean" << std::setw(10) << "val sd" << std::setw(10) << "min"
        << std::setw(10) << "max" << "\n";
    for (std::size_t i = 0; i < bands.size(); ++i) {
      if (i + 1 < bands.size() && bands[i + 1].label == bands[i].label) continue;  // the label's last evaluation
      const Band& b = bands[i];
      out << std::left << std::setw(44) << b.label << std::right << std::setw(6) << b.seeds << std::fixed
          << std::setprecision(4) << std::setw(12) << b.val_mean << std::setw(10) << b.val_sd << std::setw(10)
          << b.val_min << std::setw(10) << b.val_max << std::defaultfloat << "\n";
    }
  }
  if (auto dir = o.get("out")) {
    std::ofstream summary(std::filesystem::path(*dir) / "summary.csv");
    summary << "label,weights,seed,final_iter,train_loss,val_loss,median_ms_per_iter\n";
    for (const RunOutput& r : runs) {
      const std::string file_label = file_label_of(r.label);
      write_run(r, file_label, preset, data_path, *dir);
      const EvalPoint last = r.result.evals.empty() ? EvalPoint{} : r.result.evals.back();
      summary << file_label << "," << json_string(r.policy.describe()) << "," << r.seed << "," << last.iter << ","
              << num(last.train_loss) << "," << num(last.val_loss) << "," << num(median_ms(r.result)) << "\n";
    }
    std::ofstream band_file(std::filesystem::path(*dir) / "bands.csv");
    band_file << "label,iter,seeds,train_mean,train_min,train_max,val_mean,val_sd,val_min,val_max\n";
    for (const Band& b : bands)
      band_file << file_label_of(b.label) << "," << b.iter << "," << b.seeds << "," << num(b.train_mean) << "," << num(b.train_min) << ","
                << num(b.train_max) << "," << num(b.val_mean) << "," << num(b.val_sd) << "," << num(b.val_min) << ","
                << num(b.val_max) << "\n";
    out << "wrote " << runs.size() << " run(s) to " << *dir
        << " (summary.csv, bands.csv, *_iters.csv, *_evals.csv, *_tensors.csv, *.json)\n";
  }
  return 0;
}

}  // namespace roundlab::cli
