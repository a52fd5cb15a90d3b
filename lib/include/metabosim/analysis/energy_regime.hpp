// How a population's metabolic state went along a run under an energy loop with two thresholds
// (a falling one to a low state, a rising one to a high state): the states it visited, how often
// it switched, and the regime that follows from the hysteresis:
//   holds      no switch: the threshold that would move it out of its start state is never reached;
//   locks      one switch: it left its start state and the other threshold was never reached;
//   regulates  two or more switches: at least one full round of the hysteresis loop.
#pragma once

#include <cstddef>
#include <limits>
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

// The balance of an ATP pool per neuron (docs/model.md, "Energy loop") with a population firing at
// `rate` Hz: supply * phi - rest - cost_per_spike * rate ATP/s, cost_per_spike = per_spike +
// k per_release for k outgoing synapses.
struct PoolBalance {
    double supply = 0, phi = 1, rest = 0, cost_per_spike = 0;  // ATP/s, Q10 factor, ATP/s, ATP
    double net(double rate) const { return supply * phi - rest - cost_per_spike * rate; }  // ATP/s
    double steady_rate() const { return (supply * phi - rest) / cost_per_spike; }          // r*, Hz
    // Seconds for the pool to rise by `amount` ATP (fall, if negative) at `rate`; infinite if the
    // balance moves it the other way or not at all, NaN if the rate is.
    double seconds_to_move(double amount, double rate) const;
};

// The course of a temperature sampled at equal intervals (e.g. EnergyTrace::temperature); UserError
// if empty.
StateCourse state_course(const std::vector<double>& temperature);

}  // namespace metabosim::analysis
