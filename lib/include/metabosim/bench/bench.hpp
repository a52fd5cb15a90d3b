// metabosim beside Brian2's C++ standalone mode on the same networks, measured in the same
// invocation: COBA, the microcircuit with and without STDP at 37 and 41 degC, and a scaling
// series; every run in its own process, so that its peak memory is its own. The runs' files are
// kept under Settings::output/runs; bench_output.hpp writes the rest.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metabosim/processes/brian2_runs.hpp"

namespace metabosim::bench {

struct Settings {
    std::filesystem::path output = "metabosim-bench";
    bool quick = false;   // fewer and shorter workloads
    bool brian2 = true;
    // Every timed run this many times, interleaved (event, clock, Brian2, then again); the run
    // of median time is reported. One run's time varies by tens of percent on a busy or
    // frequency-scaling machine.
    unsigned repeat = 1;
    // Called with each line of progress; never empty.
    std::function<void(const std::string&)> progress = [](const std::string&) {};
};

struct MetabosimRun {
    unsigned threads = 1;                     // of the event-driven engine
    double wall_seconds = 0;                  // the simulation, network building excluded
    std::vector<double> repeat_seconds;       // every repeat's wall_seconds, in the order run
    std::uint64_t synapses = 0, spikes = 0;
    double mean_rate = 0;                     // Hz, spikes / neurons / duration
    std::uint64_t synaptic_events = 0;        // spike arrivals
    std::uint64_t inputs = 0;                 // what the neurons walk through: spike arrivals and external inputs
    // The event-driven engine's seconds per phase (summed over threads) in ns per input; empty
    // for the other engines.
    std::vector<std::pair<std::string, double>> phase_ns_per_input;
    // What the synapses take (Synapses::bytes(), plus the engines' presynaptic STDP trace per
    // plastic synapse), over all projections and over the plastic ones.
    double synapse_storage_bytes = 0, plastic_synapse_storage_bytes = 0;
    std::uint64_t plastic_synapses = 0;
    double peak_rss_bytes = 0;                // the process's peak resident memory
};

struct Brian2Run {
    processes::Brian2Timing timing;
    std::uint64_t spikes = 0;
    double mean_rate = 0;                     // Hz
    std::vector<double> repeat_seconds;       // every repeat's run_seconds, in the order run
};

struct Brian2Attempt {
    double dt = 0;                            // ms
    std::optional<Brian2Run> run;             // nothing if it failed
};

struct Row {
    std::string workload;
    std::uint32_t neurons = 0;
    double duration = 0;                      // ms
    double synapses_per_neuron = 0;           // the scaling series' K; 0 outside it
    std::optional<MetabosimRun> event, clock; // event-driven on 1 thread, clock-driven at 0.1 ms; nothing if a run failed
    std::optional<MetabosimRun> event_2;      // event-driven on 2 threads, for the workloads that have it
    std::vector<Brian2Attempt> brian2;        // at 0.1 ms (and 0.01 ms for some), when Brian2 runs
    // (peak resident memory - the baseline's) / the event-driven run's synapses; NaN if unknown.
    double bytes_per_synapse_event = NAN, bytes_per_synapse_clock = NAN, bytes_per_synapse_brian2 = NAN;

    const Brian2Run* brian2_at(double dt) const;  // null if not attempted or failed
};

// A goal of the project, met or missed by a measure.
struct Target {
    std::string what;
    double measured = NAN;                    // NaN: not measured
    std::string unit, goal;
    bool at_most = true;                      // met when measured <= bound, else >= bound
    double bound = 0;
    std::string note;                         // shown with a measured value

    std::optional<bool> met() const;          // nothing when not measured
};

// The machine and the build, for the top of the table.
struct Machine {
    std::string cpu, compiler, metabosim_version;
    unsigned cores = 0;
    bool optimized = false;
};

struct Bench {
    Machine machine;
    std::string brian2_version;               // empty without Brian2
    unsigned repeat = 1;                      // runs per reported time (Settings::repeat)
    // Peak resident memory of a run of one neuron without synapses: subtracted before dividing
    // by synapses (Brian2's: its compiled program on that model; NaN without Brian2).
    double baseline_rss_bytes = NAN, brian2_baseline_rss_bytes = NAN;
    std::vector<Row> rows;
    std::vector<Target> targets;
};

// Runs every workload (fewer with `quick`). Throws UserError if the output is not writable.
Bench run_bench(const Settings& settings);

}  // namespace metabosim::bench
