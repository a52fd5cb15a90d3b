// What the experiments measure on one network run of the microcircuit (docs/findings.md): rates,
// irregularity, synchrony along the run, the E->E weight trajectory, and with input patterns
// their sparseness, overlap and learning; and the selection of runs by condition and seed.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace metabosim::experiments {

// Synchrony and rate in consecutive windows along the run.
struct SynchronyWindows {
    double length = 0;                  // ms
    std::vector<double> start;          // ms
    std::vector<double> chi;            // Golomb chi of E's membrane potentials (NaN if undefined)
    std::vector<double> rate_E;         // Hz
};

// The E->E weights over the run, sampled 30 times and at the end.
struct WeightTrajectory {
    std::vector<double> time;           // ms
    std::vector<double> relative;       // mean weight / the first sample's
    std::vector<double> mean;           // nS
    std::vector<double> fraction_at_max;
    std::vector<std::uint64_t> final_histogram;
    double w_max = 0;                   // nS

    std::vector<double> slopes() const;  // of `relative` between samples, per second
    double late_slope() const;           // over the last half (middle sample to the end), per second
    bool accelerates() const;            // the slope rises to its peak after the first interval
};

// E's ATP pool (the energy loop's runs).
struct EnergyTrajectory {
    std::vector<double> time;           // ms
    std::vector<double> atp_fraction;   // of capacity
    std::vector<double> temperature;    // degC
    // E's rate while the population was at each temperature: (degC, Hz), ascending.
    std::vector<std::pair<double, double>> rate_E_by_state;
};

// The synchrony of one run examined on V of every E cell (sampled every 1 ms) and E's spikes.
struct ChiBySize {
    std::size_t cells = 0;
    std::vector<double> chi_run, chi_max;  // per disjoint random sample: whole run; largest 500 ms window
};
struct ChiByWindow {
    double window = 0;                  // ms; or the V sampling interval (ms) in by_interval
    double chi_max = NAN, chi_mean = NAN;  // largest and mean chi over the consecutive windows
};
struct SynchronyMeasures {
    std::size_t cells = 0;              // E cells
    double chi_all_run = NAN, chi_all_max = NAN;      // every E cell: whole run; largest window
    double chi_probe_run = NAN, chi_probe_max = NAN;  // the 100 cells of finding 4's criterion
    std::vector<ChiBySize> by_size;
    std::vector<ChiByWindow> by_window_probe, by_window_all;  // window length
    std::vector<ChiByWindow> by_interval_probe;               // V sampling interval, 500 ms windows
    std::vector<double> count_bins, count_correlation;       // ms; mean pairwise Pearson, all E cells
    std::vector<double> spectrum_frequency, spectrum_power;  // Hz; (Hz)^2/Hz, E population rate
    double peak_frequency = NAN;                             // Hz, at or above 1 Hz
    std::vector<std::pair<double, double>> bands;            // [low, high) Hz
    std::vector<double> band_fraction;                       // of the power above 0 Hz
};

struct RunMeasures {
    std::string group, label;           // e.g. "states", "hyper"
    double temperature = 0;             // degC
    std::uint64_t seed = 0;
    double wall_seconds = 0;
    double rate_E = NAN, rate_I = NAN;  // Hz over the run
    double cv_E = NAN;                  // mean CV of E's interspike intervals
    double fano_E = NAN;                // of E's spike counts in 5 ms bins
    SynchronyWindows windows;
    double chi_max = 0;                 // the largest finite windowed chi
    double chi_run = NAN;               // chi over the whole run
    WeightTrajectory weights;
    double final_relative = NAN, final_mean = NAN, final_fraction_at_max = NAN;  // at the end; nS
    // With input patterns (the temperature sweep), measured over the last third of the run:
    bool with_patterns = false;
    double sparseness = NAN;            // Vinje-Gallant, mean over patterns
    double pattern_correlation = NAN;   // between the E responses to two patterns, mean over pairs
    double learning_quality = NAN;      // nS, within-pattern minus across-pattern mean E->E weight
    std::optional<EnergyTrajectory> energy;
    std::optional<SynchronyMeasures> synchrony;  // the examination's runs only
};

// The values of `measure` over the runs of one group and label, in seed order.
std::vector<double> values(const std::vector<RunMeasures>& runs, const std::string& group, const std::string& label,
                           double RunMeasures::*measure);

// The run of one group, label and seed; InternalError if there is none.
const RunMeasures& run_of(const std::vector<RunMeasures>& runs, const std::string& group, const std::string& label,
                          std::uint64_t seed);

}  // namespace metabosim::experiments
