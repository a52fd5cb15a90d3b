// Brian2 as a helper program: running a model exported by export_brian2() (brian2/export.hpp)
// through its run_brian2.py, with a Python that has Brian2 (python.hpp: find_python with
// brian2_modules()), and what that run reports in its summary.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "metabosim/processes/processes.hpp"

namespace metabosim::processes {

struct Brian2Settings {
    double dt = 0.1;                         // ms
    std::string codegen;                     // the runtime device with this code generation,
                                             // or C++ standalone when empty
    std::filesystem::path standalone_dir;    // C++ standalone: the project, shared by runs so that
                                             // later ones recompile little
    LineHandler progress;                    // the run's own progress lines, if given
};

// Runs `export_dir`/run_brian2.py writing its outputs into `out`; returns its exit status (as
// run_process; -1 with the reason in `log` when no Python has Brian2). Its progress lines (the
// runner's, and Brian2's "... simulated in ..." every few seconds) go to settings.progress.
int run_brian2_export(const std::filesystem::path& export_dir, const Brian2Settings& settings,
                      const std::filesystem::path& out, const std::filesystem::path& log);

// The "brian2" object of a run's summary.json: its version, step, device and wall-clock seconds.
// What the run leaves null with the runtime device is NaN (compile time) or nothing (peak memory).
struct Brian2Timing {
    std::string version;
    double dt = 0;                  // ms
    std::string device, codegen;
    double build_seconds = 0;       // building the network in Python and generating code
    double compile_seconds = 0;     // C++ standalone only
    double run_seconds = 0;         // the simulation alone
    std::optional<std::uint64_t> peak_rss_bytes;  // C++ standalone only: the compiled program's run
};

struct Brian2Summary {
    Brian2Timing brian2;
    std::uint64_t spikes = 0;       // over all populations
    double neurons = 0, duration = 0;  // ms
};

// The summary.json a run wrote into `out`; nothing if it is missing or has no "brian2" object.
std::optional<Brian2Summary> read_brian2_summary(const std::filesystem::path& out);

}  // namespace metabosim::processes
