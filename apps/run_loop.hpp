// Running a simulation to its end from the command line: in stretches between checkpoints, with
// Ctrl-C (SIGINT) and SIGTERM stopping it cleanly, and its outputs written at the end.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>

#include "metabosim/recording/output.hpp"
#include "metabosim/simulation.hpp"

namespace metabosim::cli {

struct RunLoop {
    OutputDirectory& out;  // reserved for the whole run
    std::optional<double> checkpoint_every;  // ms of simulated time
    std::function<void(const Progress&)> progress;
};

// Runs `sim` to its end and writes its outputs into loop.out; returns the exit status.
//  - Every checkpoint_every ms, the outputs so far (marked partial) and a checkpoint are written,
//    swapped in as one set (a kill at any instant leaves a set and its own checkpoint).
//  - A first SIGINT or SIGTERM stops at the next epoch or step: the outputs so far (partial) and a
//    checkpoint are written, and the status is 130 (143 for SIGTERM). A second one ends the
//    program at once, leaving what is on disk as it was.
//  - At the end the outputs are written, in a set without checkpoint.
int run_to_end(Simulation& sim, const RunLoop& loop);

}  // namespace metabosim::cli
