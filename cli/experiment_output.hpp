// The files `roundlab experiment` writes: one JSON document per experiment (every parameter, seed and
// stream, every run's summary and every decision) and CSV tables of what the report plots.
#pragma once
#include <filesystem>
#include <ostream>
#include <vector>

#include "analysis/heat_experiment.hpp"
#include "analysis/lorenz_experiment.hpp"
#include "analysis/shallow_water_experiment.hpp"

namespace roundlab::cli {

// Each writes DIR/<model>.json and DIR/<model>_*.csv and returns the paths written.
std::vector<std::filesystem::path> write_lorenz_outputs(const analysis::LorenzExperimentResult& r,
                                                        const std::filesystem::path& dir);
std::vector<std::filesystem::path> write_heat_outputs(const analysis::HeatExperimentResult& r,
                                                      const std::filesystem::path& dir);
std::vector<std::filesystem::path> write_shallow_water_outputs(const analysis::ShallowWaterExperimentResult& r,
                                                               const std::filesystem::path& dir);

// The summary tables printed on stdout.
void print_lorenz_table(const analysis::LorenzExperimentResult& r, std::ostream& out);
void print_heat_table(const analysis::HeatExperimentResult& r, std::ostream& out);
void print_shallow_water_table(const analysis::ShallowWaterExperimentResult& r, std::ostream& out);

}  // namespace roundlab::cli
