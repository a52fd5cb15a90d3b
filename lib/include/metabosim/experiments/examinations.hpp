// Examinations of the findings' own protocols (docs/findings.md): not findings with a claim and a
// verdict, but the measures a reader needs to judge one. The synchrony of finding 4 measured
// several ways, and the energy loop mapped over its supply and costs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metabosim/analysis/analysis.hpp"
#include "metabosim/analysis/energy_regime.hpp"
#include "metabosim/experiments/run_measures.hpp"

namespace metabosim::experiments {

// Finding 4's chi beside chi over every cell and over disjoint samples, its dependence on the
// sample size, window and sampling interval, the spike-count correlation and the spectrum of the
// population rate, at one state. Means over seeds with their 95 % CI.
struct SynchronyAtState {
    std::string state;                       // hypo, normo, hyper
    double temperature = 0;                  // degC
    analysis::Estimate chi_probe_max;        // the criterion's measure (100 evenly spaced cells)
    analysis::Estimate chi_all_max, chi_all_run;  // every E cell
    analysis::Estimate chi_sample_max_mean;  // disjoint random 100-cell samples: mean of their largest chi(t)
    analysis::Estimate chi_sample_max_sd;    // ... and their standard deviation
    std::vector<analysis::Estimate> count_correlation;  // per bin of SynchronyExamination::count_bins
    analysis::Estimate peak_frequency;       // Hz
    std::vector<SynchronyMeasures> runs;     // per seed
};
struct SynchronyExamination {
    double threshold = 0.2;                  // finding 4's criterion for hypo, unchanged
    std::size_t sample_cells = 100;          // the criterion's sample size
    std::vector<std::uint64_t> seeds;
    std::vector<SynchronyAtState> states;    // hypo, normo, hyper
};

// The energy loop (a hyper start with the loop's thresholds) at one supply and cost scale.
struct EnergyMapPoint {
    double supply_factor = 1, cost_scale = 1;       // x the budget's supply; x per_spike and per_release
    double supply = 0, per_spike = 0, per_release = 0;  // E's budget (ATP/s, ATP, ATP)
    analysis::StateCourse course;                   // of E's pool
    std::string regime;                             // observed: "regulates", "holds hyper", "locks hypo", ...
    std::string predicted;                          // from the steady-state balance (EnergyMap), for ever
    std::string predicted_in_run;                   // ... within the run's duration, from the times below
    // From the balance at the median rates: seconds for E's pool to fall from its initial fraction
    // to the falling threshold in hyper, to rise from the falling to the rising one in hypo, and to
    // fall back in hyper; infinite where the balance does not move the pool that way.
    double first_drain_s = NAN, refill_s = NAN, redrain_s = NAN;
    double rate_hypo = NAN, rate_hyper = NAN;       // E's rate in each state (Hz), NaN if not visited
    double r_star_hypo = NAN, r_star_hyper = NAN;   // Hz: the rate E's pool affords in each state
    double final_atp = NAN, min_atp = NAN;          // fraction of capacity
    double final_relative = NAN;                    // w/w0 at the end
    EnergyTrajectory energy;
};
struct EnergyMap {
    std::uint32_t neurons = 0;
    double duration = 0;                            // ms
    std::uint64_t seed = 0;
    double hypo = 0, hyper = 0;                     // degC
    double falling = 0.3, rising = 0.7;             // the thresholds, fractions of capacity
    double capacity = 0, initial_fraction = 1;      // E's pool: ATP per neuron; at the start
    std::vector<double> supply_factors, cost_scales;
    // The steady-state balance of E's pool: c = per_spike + k per_release per spike (k outgoing
    // synapses per E cell), r*(T) = (supply phi(T) - rest) / c the rate the supply affords.
    double out_degree = 0, rest = 0, supply = 0, cost_per_spike = 0;  // base budget, ATP
    double phi_hypo = 1, phi_hyper = 1;             // supply's Q10 factors
    double rate_hypo = NAN, rate_hyper = NAN;       // Hz, median over the points visiting the state
    // For each cost scale: the least supply (x the base) at which the pool refills in hypo, and
    // the most at which it drains in hyper; regulation lies between.
    std::vector<double> supply_refills_hypo, supply_drains_hyper;
    std::vector<EnergyMapPoint> points;             // supply-major: [supply][cost]
};

}  // namespace metabosim::experiments
