// The report's sections. Each reads its result files under the data folder (see reports/README.md for
// the layout and which command writes each file) and turns them into figures and tables; none computes
// a result of its own. Each throws InputError naming a missing or malformed file.
#pragma once
#include "reference/error.hpp"
#include "reports/html_report.hpp"
#include "reports/result_files.hpp"

namespace roundlab::reports {

Section formats_section(const DataDir& d);       // formats/catalogue.json, formats/values.csv
Section bias_section(const DataDir& d);          // bias/delta/*.csv, bias/x/*.csv, bias/aggregate/*.json
Section verification_section(const DataDir& d);  // verification/certificates/*.json, verification/compare/*.json
Section drift_section(const DataDir& d);         // drift/{lorenz,heat,shallow_water}*
Section training_section(const DataDir& d);      // training/summary.csv and the per-run CSVs

}  // namespace roundlab::reports
