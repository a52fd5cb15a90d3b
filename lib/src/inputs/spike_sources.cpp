#include "metabosim/inputs/spike_sources.hpp"

#include <cmath>
#include <limits>

#include "metabosim/lowering/lowering.hpp"

namespace metabosim {
namespace {

constexpr double never = std::numeric_limits<double>::infinity();

// Appends (t, rate), a later entry at the same time replacing the earlier one.
void set_rate(std::vector<RateChange>& rates, double t, double rate) {
    if (!rates.empty() && rates.back().time == t)
        rates.back().rate = rate;
    else
        rates.push_back({t, rate});
}

}  // namespace

std::vector<RateChange> source_rates(const Model& model, const MetabolicSchedule& schedule, std::uint32_t population) {
    const Population& pop = model.populations[population];
    const SpikeSource& source = *pop.source;
    std::vector<MetabolicSchedule::Change> changes;
    if (source.temperature_scaled) changes = schedule.changes_of(population);
    const auto phi = [&](double temperature) {
        return source.temperature_scaled ? q10_factor(pop.q10.poisson_rate, temperature, pop.reference_temperature) : 1.0;
    };
    double base = source.rate, temperature = pop.temperature;
    std::vector<RateChange> rates{{0.0, base * phi(temperature)}};
    // Both lists are in time order; at equal times the temperature applies after the step.
    std::size_t s = 0, c = 0;
    while (s < source.steps.size() || c < changes.size()) {
        if (c == changes.size() || (s < source.steps.size() && source.steps[s].time <= changes[c].time)) {
            base = source.steps[s].rate;
            set_rate(rates, source.steps[s++].time, base * phi(temperature));
        } else {
            temperature = changes[c].temperature;
            set_rate(rates, changes[c++].time, base * phi(temperature));
        }
    }
    return rates;
}

SourceTrain::SourceTrain(const Model& model, const MetabolicSchedule& schedule, std::uint32_t population)
    : model_(model), population_(population) {
    if (model.populations[population].source->kind == SpikeSource::Kind::poisson)
        rates_ = source_rates(model, schedule, population);
}

// The rate is constant within a segment; a waiting time that ends beyond the segment is dropped
// and drawn again from its end at the next rate, which keeps the train exactly Poisson.
double SourceTrain::poisson_after(SourceCursor& c, double from) const {
    while (true) {
        const double boundary = c.cursor + 1 < rates_.size() ? rates_[c.cursor + 1].time : never;
        const double t = next_drive_time(c.stream, from, rates_[c.cursor].rate);
        if (t < boundary) return t;
        if (boundary > model_.duration) return never;
        from = boundary;
        ++c.cursor;
    }
}

SourceCursor SourceTrain::start(std::uint32_t i) const {
    SourceCursor c{make_rng(model_.seed, Stream::spike_source, population_, i), 0, 0.0};
    const SpikeSource& source = *model_.populations[population_].source;
    if (source.kind == SpikeSource::Kind::poisson) {
        c.next = poisson_after(c, 0.0);
    } else {
        const auto& times = source.times[i];
        c.next = times.empty() ? never : times[0];
    }
    if (c.next > model_.duration) c.next = never;
    return c;
}

void SourceTrain::advance(std::uint32_t i, SourceCursor& c) const {
    const SpikeSource& source = *model_.populations[population_].source;
    if (source.kind == SpikeSource::Kind::poisson) {
        c.next = poisson_after(c, c.next);
    } else {
        const auto& times = source.times[i];
        c.next = ++c.cursor < times.size() ? times[c.cursor] : never;
    }
    if (c.next > model_.duration) c.next = never;
}

std::vector<double> SourceTrain::times(std::uint32_t i) const {
    std::vector<double> out;
    for (SourceCursor c = start(i); c.next != never; advance(i, c)) out.push_back(c.next);
    return out;
}

}  // namespace metabosim
