// The bench's runs as JSON: in bench.json, and from a forked run to the bench (runs/NN/*.json).
#pragma once

#include <nlohmann/json.hpp>

#include "metabosim/bench/bench.hpp"

namespace metabosim::bench {

nlohmann::ordered_json to_json(const MetabosimRun& run);
MetabosimRun metabosim_run_from(const nlohmann::ordered_json& json);

nlohmann::ordered_json to_json(const Brian2Run& run);

}  // namespace metabosim::bench
