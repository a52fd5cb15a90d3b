#include "metabosim/inputs/inputs.hpp"

#include <limits>

#include <boost/random/exponential_distribution.hpp>

#include "metabosim/lowering/lowering.hpp"

namespace metabosim {

InitialState initial_state(const Model& model, std::uint32_t population) {
    const Population& pop = model.populations[population];
    Rng rng = make_rng(model.seed, Stream::initial_state, population);
    InitialState state;
    for (std::uint32_t i = 0; i < pop.size; ++i) {  // V, ge, gi of one neuron after another
        state.V.push_back(draw(pop.initial_V, rng));
        state.ge.push_back(draw(pop.initial_ge, rng));
        state.gi.push_back(draw(pop.initial_gi, rng));
    }
    return state;
}

Rng drive_stream(const Model& model, std::uint32_t population, std::uint32_t neuron) {
    return make_rng(model.seed, Stream::poisson_drive, population, neuron);
}

double next_drive_time(Rng& stream, double from, double rate) {
    const double per_ms = rate / 1000.0;
    // Boost's distribution requires a positive parameter: a rate (accepted down to the smallest
    // double) whose per-ms value underflows to zero never fires.
    if (!(per_ms > 0)) return std::numeric_limits<double>::infinity();
    return from + boost::random::exponential_distribution<double>(per_ms)(stream);
}

std::vector<RateChange> drive_rate_changes(const Model& model, const MetabolicSchedule& schedule,
                                           std::uint32_t population) {
    const Population& pop = model.populations[population];
    std::vector<RateChange> changes;
    for (const MetabolicSchedule::Change& change : schedule.changes_of(population))
        changes.push_back({change.time, lower(pop, change.temperature).poisson_rate});
    return changes;
}

DriveTrains::DriveTrains(const Model& model, const MetabolicSchedule& schedule, std::uint32_t population)
    : model_(model),
      population_(population),
      initial_rate_(lower(model.populations[population], model.populations[population].temperature).poisson_rate),
      changes_(drive_rate_changes(model, schedule, population)) {}

std::vector<double> DriveTrains::times(std::uint32_t neuron) const {
    Rng stream = drive_stream(model_, population_, neuron);
    double rate = initial_rate_;
    double next = next_drive_time(stream, 0.0, rate);
    std::vector<double> times;
    // A step before an input at the same instant; a redraw only when the rate changes.
    for (const RateChange& change : changes_) {
        for (; next < change.time; next = next_drive_time(stream, next, rate)) times.push_back(next);
        if (change.rate != rate) {
            rate = change.rate;
            next = next_drive_time(stream, change.time, rate);
        }
    }
    for (; next <= model_.duration; next = next_drive_time(stream, next, rate)) times.push_back(next);
    return times;
}

}  // namespace metabosim
