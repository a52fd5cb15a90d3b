// How a population's metabolic state went along a run under an energy loop with two thresholds
// (a falling one to a low state, a rising one to a high state): the states it visited, how often
// it switched, and the regime that follows from the hysteresis:
//   holds      no switch: the threshold that would move it out of its start state is never reached;
//   locks      one switch: it left its start state and the other threshold was never reached;
//   regulates  two or more switches: at least one full round of the hysteresis loop.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace metabosim::analysis {

enum class EnergyRegime { holds, locks, regulates };
std::string to_string(EnergyRegime r);

struct StateCourse {
    std::size_t switches = 0;                              // changes between consecutive samples
    std::vector<std::pair<double, double>> time_fraction;  // (temperature, fraction of samples), ascending
    double start = 0, final = 0;                           // temperature at the first and last sample
    EnergyRegime regime = EnergyRegime::holds;

    double fraction_at(double temperature) const;          // 0 if never visited
};

// The course of a temperature sampled at equal intervals (e.g. EnergyTrace::temperature); UserError
// if empty.
StateCourse state_course(const std::vector<double>& temperature);

}  // namespace metabosim::analysis
