// The event-driven engine beside the clock-driven engine and Brian2 (docs/comparison.md):
//  - convergence: spike-time errors against the exact (event-driven) solution versus dt, in
//    unconnected single neurons and in a small network drawn from the model, with the order;
//  - network runs over seeds: rates, CV, synchrony chi, Fano factor and weights of each engine,
//    and wall times.
// Every run's outputs are kept under Settings::output; compare_output.hpp writes compare.json and
// the figures and report.md made from it.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "metabosim/model/model.hpp"
#include "metabosim/processes/brian2_runs.hpp"

namespace metabosim::compare {

struct Settings {
    std::filesystem::path output = "metabosim-compare";
    std::vector<std::uint64_t> seeds{1, 2, 3, 4, 5};
    std::vector<double> dts{0.1, 0.05, 0.01};          // ms, clock-driven network runs
    std::vector<double> brian2_dts{0.1};               // ms, Brian2 network runs
    std::vector<double> convergence_dts{0.1, 0.05, 0.02, 0.01, 0.005};  // ms, small models
    bool brian2 = true;
    std::string brian2_device = "cpp_standalone";   // network runs; its compile time is kept apart
    std::string brian2_codegen = "cython";           // with the runtime device
    // Called with each line of progress; never empty.
    std::function<void(const std::string&)> progress = [](const std::string&) {};
};

// The median |t - t_exact| of the first spikes of every neuron at one step.
struct StepError {
    double dt = 0;                      // ms
    double median = 0;                  // ms
    std::size_t spikes = 0;             // compared
};

// Brian2 beside the clock-driven engine at one step: spikes in the same step (within dt / 2).
struct StepAgreement {
    double dt = 0;                      // ms
    std::size_t same_step = 0, spikes = 0;
};

struct Convergence {
    std::uint32_t neurons = 0;
    double duration = 0;                // ms
    std::size_t spikes_per_neuron = 0;  // compared, at most
    std::size_t exact_spikes = 0;       // of the event-driven run
    std::vector<StepError> clock;
    double order_clock = NAN;           // slope of log error against log dt
    std::vector<StepError> brian2;      // empty if Brian2 was not run
    double order_brian2 = NAN;
    std::vector<StepAgreement> brian2_vs_clock;
};

struct PopulationStatistics {
    std::string population;
    double rate = NAN;                  // Hz
    double cv_isi = NAN;
    double chi = NAN;                   // Golomb synchrony of up to 100 neurons' V
    double fano = NAN;                  // of the population count in 5 ms bins
};

struct WeightStatistics {
    std::string projection;
    std::vector<double> time, mean, fraction_at_max;  // ms, nS
    double w_min = 0, w_max = 0;        // nS
    std::vector<std::uint64_t> final_histogram;
};

struct NetworkRun {
    std::string label;                  // "event", "clock-dtX", "brian2-dtX"
    std::string engine;                 // "event", "clock", "brian2"
    std::optional<double> dt;           // ms
    std::uint64_t seed = 0;
    double wall_seconds = 0;            // the simulation alone (Brian2: its run time)
    std::string directory;              // its outputs, relative to Settings::output
    std::vector<PopulationStatistics> populations;
    std::vector<WeightStatistics> weights;  // of the plastic projections
    std::optional<processes::Brian2Timing> brian2;
};

struct Comparison {
    std::string config;                 // where the model came from
    std::uint32_t neurons = 0;
    double duration = 0;                // ms
    std::vector<std::uint64_t> seeds;
    Convergence single_neurons, small_network;
    std::vector<NetworkRun> runs;
    std::string brian2_note;            // why Brian2 was not run, if it was not
    double wall_seconds = 0;
};

// Runs every comparison of `model` (described as `config_name` in the results). Throws UserError
// before any run for steps outside (0, min(duration, 100 ms)), no seeds, or an unwritable output.
Comparison run_comparison(const Model& model, const std::string& config_name, const Settings& settings);

}  // namespace metabosim::compare
