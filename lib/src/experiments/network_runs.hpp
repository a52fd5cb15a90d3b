// The experiments' network runs: the microcircuit of the settings at one temperature and seed
// (optionally with input patterns), run and measured, many at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metabosim/experiments/findings.hpp"
#include "metabosim/experiments/run_measures.hpp"
#include "metabosim/model/model.hpp"
#include "metabosim/recording/results.hpp"

namespace metabosim::experiments {

// Fixed parts of the protocols (docs/findings.md).
inline constexpr double chi_window = 500;           // ms, synchrony measured in windows along the run
inline constexpr std::uint32_t pattern_count = 8;   // each drives a distinct 10 % of E cells
inline constexpr std::uint32_t voltage_probes = 100;  // E cells whose V finding 4's chi uses

// The E cells (local ids) whose V finding 4's chi uses: voltage_probes evenly spaced of e_size.
std::vector<std::uint32_t> probe_cells(std::uint32_t e_size);

struct Job {
    std::string group, label;  // e.g. "states", "hyper"
    double temperature;        // degC
    std::uint64_t seed;
    Model model;
    bool patterns = false;
    bool write = false;        // keep its outputs (one seed per condition)
    bool examine_synchrony = false;  // the model records V of every E cell as its second trace
};

// `base` resized to the settings' neurons at one temperature and seed, without metabolic steps or
// energy budgets, recording what the measures need; with `patterns`, the input patterns in turn.
Model network(const Model& base, const Settings& s, double temperature, std::uint64_t seed, bool patterns);

RunMeasures measure(const Job& job, const Results& results);

// Finding 4's synchrony measured several ways, from V of every E cell (results.states[1]) and
// E's spikes (synchrony_examination.cpp).
SynchronyMeasures measure_synchrony(const Model& model, const Results& results);

// Runs and measures every job on s.threads threads, in the jobs' order; writes the outputs of
// those marked `write` under s.output/runs/GROUP/LABEL-seedN, and reports each run to s.progress.
std::vector<RunMeasures> run_jobs(std::vector<Job> jobs, const Settings& s);

}  // namespace metabosim::experiments
