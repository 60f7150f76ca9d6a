// The soil-column heat-diffusion drift experiment (climate.md §5, §8.3): RN at 23 sbits stagnates,
// SR does not, and the few-bit SR variants fall in between in the order their bias predicts.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "analysis/heat_experiment.hpp"
#include "reference/error.hpp"

using namespace roundlab;
using namespace roundlab::analysis;

// One run of the experiment (ctest runs every TEST in its own process, so the relations share one
// TEST): double, RN, SR and SRFF/SRC with N = 2, 4, 8, all at 23 sbits, 60 years, seed 7.
TEST(HeatDiffusion, DriftExperimentRelations) {
  HeatExperimentSpec spec;  // 60 cells, 60 years, Δt = 1800 s
  spec.members = 1;
  spec.seed = 7;
  std::vector<DriftConfig> configs = expand_drift_configs({23}, {"rn", "sr"}, {});
  for (const DriftConfig& c : expand_drift_configs({23}, {"srff", "src"}, {2, 4, 8})) configs.push_back(c);
  const HeatExperimentResult r = run_heat_experiment(spec, configs);
  auto find = [&](const std::string& label) -> const HeatConfigResult& {
    for (const auto& c : r.configs)
      if (c.config.label() == label) return c;
    throw std::runtime_error("no configuration " + label);
  };

  // The double reference warms the whole column (about 276.4 K at 60 m after 60 years, climate.md §5),
  // monotonically from the surface down.
  const std::vector<double>& t = r.reference.final_profile;
  ASSERT_EQ(t.size(), 60u);
  EXPECT_NEAR(t[59], 276.43, 0.05);
  EXPECT_NEAR(t[0], 279.91, 0.05);
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_LT(t[i], t[i - 1]) << "cell " << i;
  EXPECT_EQ(r.reference.yearly_profile.size(), 60u);

  // RN at 23 sbits stagnates: the deep cells never leave 273.15 K.
  const HeatConfigResult& rn = find("rn23");
  EXPECT_NEAR(rn.mean_profile[39], 273.15, 0.01);  // 40 m
  EXPECT_NEAR(rn.mean_profile[59], 273.15, 0.01);  // 60 m
  EXPECT_GT(rn.stagnant_cells, 10);
  EXPECT_GT(rn.max_abs_error, 3.0);

  // SR at 23 sbits stays within a hundredth of a kelvin of double at every depth.
  const HeatConfigResult& sr = find("sr23");
  EXPECT_LT(sr.max_abs_error, 0.01);
  EXPECT_EQ(sr.stagnant_cells, 0);
  EXPECT_GT(sr.members[0].random_draws, 0u);

  // Few-bit SR: SRFF's P(away) = ⌊δ2^N⌋/2^N drops increments below 2^-N ulp, so it stagnates at N = 2
  // and its error shrinks with N; SRC rounds δ2^N to nearest first and is closer than SRFF at every N.
  EXPECT_GT(find("srff2@23").stagnant_cells, 0);
  EXPECT_GT(find("srff2@23").max_abs_error, find("srff4@23").max_abs_error);
  EXPECT_GT(find("srff4@23").max_abs_error, find("srff8@23").max_abs_error);
  EXPECT_GT(find("src2@23").max_abs_error, find("src4@23").max_abs_error);
  EXPECT_GT(find("src4@23").max_abs_error, find("src8@23").max_abs_error);
  for (int n : {2, 4, 8}) {
    const std::string s = std::to_string(n);
    EXPECT_LT(find("src" + s + "@23").max_abs_error, find("srff" + s + "@23").max_abs_error) << "N = " << n;
  }
  EXPECT_LT(find("src8@23").max_abs_error, 0.01);
  EXPECT_GT(rn.max_abs_error, find("srff2@23").max_abs_error);
}

TEST(HeatDiffusion, UnstableOrEmptySpecsAreRejected) {
  HeatExperimentSpec spec;
  spec.model.dt = 1e6;  // ξ = 0.7 > 1/2
  EXPECT_THROW(run_heat_experiment(spec, {}), InputError);
  spec = HeatExperimentSpec{};
  spec.model.years = 0;
  EXPECT_THROW(run_heat_experiment(spec, {}), InputError);
}
