// Each experiment's protocol: the runs it needs, its measures, its criteria (docs/findings.md).
#pragma once

#include "experiments/run_sets.hpp"
#include "metabosim/experiments/finding_results.hpp"

namespace metabosim::experiments {

Bifurcation bifurcation(RunSets& runs);             // states.cpp
Topology topology(RunSets& runs);                   // states.cpp
WindowDeformation stdp_window(const RunSets& runs);  // window_deformation.cpp
Degradation degradation(RunSets& runs);             // degradation.cpp
Robustness robustness(RunSets& runs);               // robustness.cpp
EnergyLoop energy_loop(RunSets& runs);              // energy_loop.cpp

}  // namespace metabosim::experiments
