// The bench's runs, each in a process of its own so that its peak memory is its own.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <utility>

#include "metabosim/bench/bench.hpp"
#include "metabosim/simulation.hpp"
#include "metabosim/model/model.hpp"

namespace metabosim::bench {

// Runs `work` in a forked child, so that the memory it takes is neither counted in nor left to
// the runs after it; returns whether it succeeded and the child's peak resident memory (bytes).
std::pair<bool, double> in_child(const std::function<void()>& work);

// One metabosim run in a child, which hands its measures over in `result` (JSON); nothing if it
// failed.
std::optional<MetabosimRun> run_metabosim(const Model& model, Strategy strategy, const std::filesystem::path& result);

// Brian2's C++ standalone mode on a model exported into `exported` (one build directory shared
// by the runs), its progress lines passed on indented; nothing if it failed.
std::optional<Brian2Run> run_brian2(const std::filesystem::path& exported, const std::filesystem::path& build, double dt,
                                    const std::filesystem::path& out, const std::filesystem::path& log,
                                    const processes::LineHandler& progress);

}  // namespace metabosim::bench
