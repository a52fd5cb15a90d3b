// Each experiment's protocol: the runs it needs, its measures, its criteria (docs/findings.md).
#pragma once

#include "experiments/run_sets.hpp"
#include "metabosim/experiments/examinations.hpp"
#include "metabosim/experiments/finding_results.hpp"

namespace metabosim::experiments {

Bifurcation bifurcation(RunSets& runs);             // states.cpp
Topology topology(RunSets& runs);                   // states.cpp
WindowDeformation stdp_window(const RunSets& runs);  // window_deformation.cpp
Degradation degradation(RunSets& runs);             // degradation.cpp
Robustness robustness(RunSets& runs);               // robustness.cpp
EnergyLoop energy_loop(RunSets& runs);              // energy_loop.cpp
SynchronyExamination synchrony_examination(RunSets& runs);  // synchrony_examination.cpp
EnergyMap energy_map(RunSets& runs);                // energy_map.cpp

// The energy loop's budget for a population: the model's own (a config's) with its thresholds,
// else the defaults with falling 0.3 -> hypo and rising 0.7 -> hyper (energy_loop.cpp).
EnergyBudget loop_budget(const Population& base, const Settings& s);

}  // namespace metabosim::experiments
