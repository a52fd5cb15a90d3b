// What each experiment finds: its measures beside the paper's claim, the criteria tested on them
// and the verdict (docs/findings.md defines every measure and threshold).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metabosim/analysis/analysis.hpp"
#include "metabosim/experiments/criteria.hpp"
#include "metabosim/experiments/run_measures.hpp"
#include "metabosim/experiments/stdp_window.hpp"

namespace metabosim::experiments {

// One value for each metabolic state.
template <class T>
struct PerState {
    T hypo{}, normo{}, hyper{};
};

using analysis::Estimate;  // mean over seeds with its 95 % confidence interval

struct Finding {
    std::string claim;
    std::vector<Criterion> criteria;

    std::string verdict() const { return experiments::verdict(criteria); }
};

// Finding 1: learning trajectories diverge with the metabolic state.
struct Bifurcation : Finding {
    PerState<Estimate> final_relative;              // w/w0 at the end
    Estimate hypo_late_slope, hyper_peak_slope;     // per second
    PerState<std::vector<WeightTrajectory>> trajectories;  // per seed
};

// Finding 2: the STDP window deformed by temperature, measured by the pairing protocol.
struct WindowAtState {
    std::string state;                              // hypo, normo, hyper
    double temperature = 0;                         // degC
    StdpWindow window;
};
struct WindowDeformation : Finding {
    unsigned pairings = 0;
    double rate = 0;                                // Hz
    std::vector<WindowAtState> curves;
};

// Finding 3: connectivity, saturation and sparse coding along a temperature sweep with patterns.
struct SweepPoint {
    double temperature = 0;                         // degC
    Estimate mean_weight, fraction_at_max, sparseness, pattern_correlation, learning_quality, rate_E;
};
struct Degradation : Finding {
    std::vector<SweepPoint> sweep;
    std::vector<double> spearman_weight_per_seed;   // rho(T, mean E->E weight)
};

// Finding 4: asynchronous or hypersynchronous activity by state.
struct StateActivity {
    Estimate chi_max, chi_run, rate_E, rate_I, cv_E, fano_E;
    std::vector<SynchronyWindows> windows;          // per seed
};
struct Topology : Finding {
    PerState<StateActivity> per_state;
};

// Finding 5: the states across seeds (the criteria: orderings per seed), the inverted U of
// learning against temperature, and findings 1 and 4 with each Q10 varied.
struct Q10Sensitivity {
    std::string q10;                                // the Q10Table member varied
    double factor = 1;
    double hypo_final_relative = NAN, hyper_final_relative = NAN, hypo_chi_max = NAN, hyper_chi_max = NAN;
    bool finding1_holds = false, finding4_holds = false;
};
struct LearningPoint {
    double temperature = 0;                         // degC
    Estimate learning_quality;                      // nS
};
struct Robustness : Finding {
    std::vector<Q10Sensitivity> sensitivity;        // empty without the sensitivity runs
    std::vector<LearningPoint> inverted_u;
    double peak_temperature = NAN;                  // where learning is best
    bool interior_peak = false;                     // neither end of the sweep
};

// The energy loop: a hyper drive with and without the ATP pool.
struct EnergyLoopRun {
    std::uint64_t seed = 0;
    RunMeasures loop_on, loop_off;
};
struct EnergyLoop : Finding {
    std::string thresholds;                         // how the pool sets the state, in words
    Estimate final_relative_loop_off, final_relative_loop_on;
    Estimate fraction_of_time_hypo;                 // of E's pool, loop on
    std::vector<double> final_temperature;          // of E's pool, per seed, loop on
    std::vector<EnergyLoopRun> runs;
};

}  // namespace metabosim::experiments
