// Training: loss curves of the char-level GPT under each weight-store policy (the Figure-3 sweep: fp16
// RNE, b8p4 RNE / SRC / SRF / SRFF with 3 random bits, fp32; and bfloat16 weights with SR stores against
// fp32). With several seeds a line is the mean over seeds and the band their range (min to max): the
// per-iteration training loss is gathered from the per-seed files, the evaluations come from train-gpt's
// own bands.csv (mean, sd, min, max over seeds), so the report and the CLI's table cannot disagree.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "reports/report_sections.hpp"
#include "reports/svg_plot.hpp"

namespace roundlab::reports {

namespace {

const char* kTrainWriter = "roundlab train-gpt --preset P --sweep figure3 --seeds K --out training";

struct Curve {
  std::vector<double> x, mean, lo, hi;
  int seeds = 0;
};

// Columns `y` of the per-seed files, on the iterations every seed has.
Curve across_seeds(const DataDir& d, const std::string& label, const std::vector<std::string>& seeds, const std::string& kind,
                   const std::string& y, std::vector<std::string>& links) {
  std::vector<std::map<double, double>> per_seed;
  for (const auto& seed : seeds) {
    const std::string file = "training/" + label + "_seed" + seed + "_" + kind + ".csv";
    const CsvTable t = read_csv(d, file, kTrainWriter);
    links.push_back(d.link(file));
    std::map<double, double> m;
    for (std::size_t r = 0; r < t.rows().size(); ++r) m[t.number(r, "iter")] = t.number(r, y);
    per_seed.push_back(std::move(m));
  }
  Curve c;
  c.seeds = static_cast<int>(seeds.size());
  for (const auto& [iter, v0] : per_seed.front()) {
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    bool all = true;
    for (const auto& m : per_seed) {
      auto it = m.find(iter);
      if (it == m.end() || !std::isfinite(it->second)) {
        all = false;
        break;
      }
      sum += it->second;
      lo = std::min(lo, it->second);
      hi = std::max(hi, it->second);
    }
    if (!all) continue;
    c.x.push_back(iter);
    c.mean.push_back(sum / static_cast<double>(per_seed.size()));
    c.lo.push_back(lo);
    c.hi.push_back(hi);
  }
  return c;
}

// One label's evaluations over the seeds, from bands.csv: `prefix` is "val" or "train".
Curve from_bands(const CsvTable& bands, const std::string& label, const std::string& prefix) {
  Curve c;
  for (std::size_t r = 0; r < bands.rows().size(); ++r) {
    if (bands.cell(r, "label") != label) continue;
    c.x.push_back(bands.number(r, "iter"));
    c.mean.push_back(bands.number(r, prefix + "_mean"));
    c.lo.push_back(bands.number(r, prefix + "_min"));
    c.hi.push_back(bands.number(r, prefix + "_max"));
    c.seeds = static_cast<int>(bands.number(r, "seeds"));
  }
  return c;
}

void add_curve(Plot& p, const std::string& label, const Curve& c, int colour) {
  if (c.x.empty()) return;
  if (c.seeds > 1) {
    Series& band = p.add_band(label + " (seed range)", c.x, c.lo, c.hi);
    band.colour = colour;
    band.in_legend = false;
  }
  p.add_line(c.seeds > 1 ? label + " (mean of " + std::to_string(c.seeds) + ")" : label, c.x, c.mean).colour = colour;
}

}  // namespace

Section training_section(const DataDir& d) {
  Section s{"training", "Training", {}};
  const CsvTable sum = read_csv(d, "training/summary.csv", kTrainWriter);
  if (sum.rows().empty()) throw InputError("'" + sum.name() + "' lists no runs (expected the output of `" + kTrainWriter + "`)");
  std::vector<std::string> labels;
  std::map<std::string, std::vector<std::string>> seeds;
  std::set<std::string> all_seeds;
  for (std::size_t r = 0; r < sum.rows().size(); ++r) {
    const std::string& l = sum.cell(r, "label");
    if (!seeds.count(l)) labels.push_back(l);
    seeds[l].push_back(sum.cell(r, "seed"));
    all_seeds.insert(sum.cell(r, "seed"));
  }
  std::string seed_text;
  for (const auto& x : all_seeds) seed_text += (seed_text.empty() ? "" : ", ") + x;
  std::string preset;
  {
    const std::string first_json = "training/" + labels.front() + "_seed" + seeds[labels.front()].front() + ".json";
    const nlohmann::json j = read_json(d, first_json, kTrainWriter);
    if (j.contains("preset")) {
      const auto& pr = j["preset"];
      preset = json_text(pr, "name") + " preset (" + json_text(pr, "n_layer") + " layers, " + json_text(pr, "n_embd") +
               "-wide, block " + json_text(pr, "block_size") + ", batch " + json_text(pr, "batch_size") + ", " +
               json_text(pr, "max_iters") + " iterations), revision " + json_text(j, "revision");
    }
  }
  s.paragraph("nanoGPT's character-level GPT trained on CPU, " + preset + ", seeds " + seed_text +
              ". Each run's 2-D weights are stored through the named policy at every iteration. Lines are the mean over "
              "seeds, shaded bands the range over seeds.");

  const std::set<std::string> bf16 = {"bf16-sr", "bf16-rne"};
  const bool sweep = std::any_of(labels.begin(), labels.end(), [&](const auto& l) { return bf16.count(l) > 0; });
  const CsvTable bands = read_csv(d, "training/bands.csv", kTrainWriter);
  // kind "evals" draws from bands.csv; "iters" from the per-seed files.
  auto figure = [&](const std::string& title, const std::vector<std::string>& which, const std::string& kind,
                    const std::string& column, const std::string& ylabel, const std::string& caption) {
    Plot p(title);
    p.x_axis = {"iteration", ""};
    p.y_axis = {ylabel, "nats/char"};
    std::vector<std::string> links;
    if (kind == "evals") links.push_back(d.link("training/bands.csv"));
    for (std::size_t i = 0; i < which.size(); ++i)
      add_curve(p, which[i],
                kind == "evals" ? from_bands(bands, which[i], column) : across_seeds(d, which[i], seeds[which[i]], kind, column, links),
                static_cast<int>(std::find(labels.begin(), labels.end(), which[i]) - labels.begin()));
    if (p.series().empty()) return;
    s.figure({p.svg(), caption, links});
  };
  std::vector<std::string> fig3, cmp;
  for (const auto& l : labels) {
    if (!bf16.count(l)) fig3.push_back(l);
    if (bf16.count(l) || l == "fp32") cmp.push_back(l);
  }
  figure(sweep ? "Figure-3 sweep: training loss" : "Training loss", fig3, "iters", "loss", "training loss (per batch)",
         "Training loss per iteration of each weight policy (float16 RNE, b8p4 with RNE and with SRC/SRF/SRFF at 3 random "
         "bits, fp32).");
  figure(sweep ? "Figure-3 sweep: validation loss" : "Validation loss", fig3, "evals", "val", "validation loss",
         "Validation loss at each evaluation.");
  if (sweep && cmp.size() > 1)
    figure("bfloat16 weights with SR stores against fp32: training loss", cmp, "iters", "loss", "training loss (per batch)",
           "bfloat16 weights updated with stochastic rounding (bf16-sr), against fp32 weights.");

  Table t;
  t.caption = "Runs (final evaluation)";
  t.header = {"label", "weights", "seed", "final iter", "train loss", "val loss", "ms/iter"};
  for (std::size_t r = 0; r < sum.rows().size(); ++r)
    t.rows.push_back({sum.cell(r, "label"), sum.cell(r, "weights"), sum.cell(r, "seed"), sum.cell(r, "final_iter"),
                      fixed_text(sum.number(r, "train_loss"), 4), fixed_text(sum.number(r, "val_loss"), 4),
                      fixed_text(sum.number(r, "median_ms_per_iter"), 1)});
  t.data_files = {d.link("training/summary.csv")};
  s.table(std::move(t));

  // Spread over seeds at each label's last evaluation: is a gap between policies larger than the seeds' own?
  Table b;
  b.caption = "Validation loss over the seeds at the last evaluation";
  b.header = {"label", "iter", "seeds", "mean", "sd", "min", "max"};
  for (std::size_t r = 0; r < bands.rows().size(); ++r) {
    if (r + 1 < bands.rows().size() && bands.cell(r + 1, "label") == bands.cell(r, "label")) continue;
    b.rows.push_back({bands.cell(r, "label"), bands.cell(r, "iter"), bands.cell(r, "seeds"),
                      fixed_text(bands.number(r, "val_mean"), 4), fixed_text(bands.number(r, "val_sd"), 4),
                      fixed_text(bands.number(r, "val_min"), 4), fixed_text(bands.number(r, "val_max"), 4)});
  }
  b.data_files = {d.link("training/bands.csv")};
  if (!b.rows.empty()) s.table(std::move(b));
  return s;
}

}  // namespace roundlab::reports
