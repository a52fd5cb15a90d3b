// Running a simulation to its end from the command line: in stretches between checkpoints, with
// Ctrl-C (SIGINT) and SIGTERM stopping it cleanly, and its outputs written at the end.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>

#include "metabosim/simulation.hpp"

namespace metabosim::cli {

// Where a run's checkpoint lives: beside its outputs.
std::filesystem::path checkpoint_file(const std::filesystem::path& out_dir);

struct RunLoop {
    std::filesystem::path out_dir;
    std::optional<double> checkpoint_every;  // ms of simulated time
    std::function<void(const Progress&)> progress;
};

// Runs `sim` to its end and writes its outputs into loop.out_dir; returns the exit status.
//  - Every checkpoint_every ms, the outputs so far (marked partial) and a checkpoint are written.
//  - A first SIGINT or SIGTERM stops at the next epoch or step: the outputs so far (partial) and a
//    checkpoint are written, and the status is 130 (143 for SIGTERM). A second one ends the
//    program at once, leaving what is on disk as it was.
//  - At the end the outputs are written and the checkpoint removed.
int run_to_end(Simulation& sim, const RunLoop& loop);

}  // namespace metabosim::cli
