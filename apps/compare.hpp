// `metabosim compare`: the event-driven engine beside the clock-driven engine and Brian2.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "metabosim/model/model.hpp"

namespace metabosim::app {

struct CompareOptions {
    std::filesystem::path output = "metabosim-compare";
    std::vector<std::uint64_t> seeds{1, 2, 3, 4, 5};
    std::vector<double> dts{0.1, 0.05, 0.01};          // ms, clock-driven network runs
    std::vector<double> brian2_dts{0.1};               // ms, Brian2 network runs
    std::vector<double> convergence_dts{0.1, 0.05, 0.02, 0.01, 0.005};  // ms, small models
    bool brian2 = true;
    std::string brian2_device = "cpp_standalone";   // network runs; its compile time is kept apart
    std::string brian2_codegen = "cython";           // with the runtime device
    bool figures = true;
    bool quiet = false;
};

// Runs every comparison, writes compare.json, the runs' outputs, figures and report.md into
// options.output, and returns the exit status.
int compare(const Model& model, const std::string& config_name, const CompareOptions& options);

}  // namespace metabosim::app
