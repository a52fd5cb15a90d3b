// What a model feeds its neurons, drawn from its seed: the initial state and the Poisson drive.
//
// Every engine and every export takes these from here, so an event-driven run, a clock-driven
// run and an exported Brian2 script see the same initial values and the same input spike times.
#pragma once

#include <cstdint>
#include <vector>

#include "metabosim/metabolism/schedule.hpp"
#include "metabosim/model/model.hpp"
#include "metabosim/inputs/rng.hpp"

namespace metabosim {

// Initial V (mV), ge and gi (nS) of every neuron of a population, by local index.
struct InitialState {
    std::vector<double> V, ge, gi;
};
InitialState initial_state(const Model& model, std::uint32_t population);

// The stream of neuron `neuron`'s Poisson drive.
Rng drive_stream(const Model& model, std::uint32_t population, std::uint32_t neuron);

// The next drive input after `from` (ms): an exponential waiting time at `rate` (Hz); infinity
// when the rate is 0. A waiting time has no memory, so when the rate changes at t the pending
// input is dropped and the next one drawn from t: the train stays exactly Poisson.
double next_drive_time(Rng& stream, double from, double rate);

// The metabolic steps that concern one population's drive, in the order the engines meet them
// (metabolism/schedule.hpp), each with the drive rate (Hz) it sets.
struct RateChange {
    double time;  // ms
    double rate;  // Hz
};
std::vector<RateChange> drive_rate_changes(const Model& model, const MetabolicSchedule& schedule,
                                           std::uint32_t population);

// One population's drive trains for an export: the rates are worked out once, each neuron's
// train drawn on demand.
class DriveTrains {
public:
    DriveTrains(const Model& model, const MetabolicSchedule& schedule, std::uint32_t population);

    // Every drive input time (ms, ascending, up to the model's duration) of one neuron,
    // replaying its rate through the model's metabolic steps exactly as the engines draw it.
    std::vector<double> times(std::uint32_t neuron) const;

private:
    const Model& model_;
    std::uint32_t population_;
    double initial_rate_;              // Hz, at t = 0
    std::vector<RateChange> changes_;  // drive_rate_changes
};

}  // namespace metabosim
