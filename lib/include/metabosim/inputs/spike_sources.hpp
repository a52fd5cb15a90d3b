// The spike trains of spike-source populations (model.hpp, SpikeSource), drawn from the seed.
//
// A train is a function of the model alone: a Poisson source's from its own stream
// (seed, spike_source, population, source) and its rate over time, an array source's from its
// list. Every engine and export takes them from here, so the source spikes of an event-driven, a
// queue and a clock-driven run are the same spikes.
#pragma once

#include <cstdint>
#include <vector>

#include "metabosim/inputs/inputs.hpp"
#include "metabosim/metabolism/schedule.hpp"
#include "metabosim/model/model.hpp"

namespace metabosim {

// The rate of a Poisson source population over time, as (time, rate) from t = 0: its steps, and
// when it is temperature-scaled each metabolic change of the population's temperature too.
std::vector<RateChange> source_rates(const Model& model, const MetabolicSchedule& schedule, std::uint32_t population);

// Where one source's train stands: its stream, its cursor (a Poisson source's rate segment, an
// array source's next entry) and its pending spike (ms; infinity once the train is over).
struct SourceCursor {
    Rng stream;
    std::uint32_t cursor = 0;
    double next = 0;
};

// One source population's trains: how a train starts and moves on.
class SourceTrain {
public:
    SourceTrain(const Model& model, const MetabolicSchedule& schedule, std::uint32_t population);

    // Source i's cursor at the start, its first spike pending.
    SourceCursor start(std::uint32_t i) const;
    // Moves source i past its pending spike to the next (infinity after the run's end).
    void advance(std::uint32_t i, SourceCursor& c) const;
    // Every spike time (ms, ascending, up to the model's duration) of source i.
    std::vector<double> times(std::uint32_t i) const;

private:
    double poisson_after(SourceCursor& c, double from) const;

    const Model& model_;
    std::uint32_t population_;
    std::vector<RateChange> rates_;  // poisson
};

}  // namespace metabosim
