// Running a simulation to its end from the command line: in stretches between checkpoints, with
// Ctrl-C (SIGINT) and SIGTERM stopping it cleanly, and its outputs written at the end.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>

#include "metabosim/recording/output.hpp"
#include "metabosim/simulation.hpp"

namespace metabosim::cli {

// The exit status of a run stopped by a limit of its model's [limits].
inline constexpr int limit_exit_status = 3;

struct RunLoop {
    std::filesystem::path dir;  // the outputs' directory, for messages
    OutputDirectory* out;       // reserved for the whole run by the rank that writes (0); null on the others
    std::optional<double> checkpoint_every;  // ms of simulated time
    std::function<void(const Progress&)> progress;
    double progress_interval = 1.0;  // wall-clock seconds between calls of progress
    // Ends the progress display's line before a message (a bar is drawn in place); may be empty.
    std::function<void()> end_progress_line;
};

// Runs `sim` to its end and writes its outputs into loop.out; returns the exit status.
//  - Every checkpoint_every ms, the outputs so far (marked partial) and a checkpoint are written,
//    swapped in as one set (a kill at any instant leaves a set and its own checkpoint).
//  - A first SIGINT or SIGTERM stops at the next epoch or step: the outputs so far (partial) and a
//    checkpoint are written, and the status is 130 (143 for SIGTERM). A second one ends the
//    program at once, leaving what is on disk as it was.
//  - A network that exceeds one of its model's [limits] (runs away) stops there: the outputs so
//    far (partial, "stopped": "runaway: ...") and a checkpoint are written, one message says
//    which limit, and the status is limit_exit_status.
//  - At the end the outputs are written, in a set without checkpoint.
// On several ranks (mpirun), rank 0 writes, and no checkpoint is written.
int run_to_end(Simulation& sim, const RunLoop& loop);

}  // namespace metabosim::cli
