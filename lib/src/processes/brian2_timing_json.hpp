// Brian2Timing (processes/brian2_runs.hpp) as the JSON object run_brian2.py writes, for the
// files that pass it on (compare.json, bench.json).
#pragma once

#include <nlohmann/json.hpp>

#include "metabosim/processes/brian2_runs.hpp"

namespace metabosim::processes {

nlohmann::ordered_json to_json(const Brian2Timing& timing);

}  // namespace metabosim::processes
