// Timed events of the event-driven engine and their total order.
//
// Order of events: (time, kind, target, order, sequence).
//  - kind: simultaneous events of different kinds run in the order of EventKind below:
//    metabolic change, energy update, end of refractoriness, spike arrival, external input,
//    threshold crossing, look-ahead, recording sample, end of run. So a state change at t applies
//    to everything else at t, and a sample at t sees the state after all of t's inputs.
//  - target: the neuron (or recorder, or metabolic step, or population) the event is for.
//  - order: set by the origin, unique per (time, kind, target): the synapse id of an arrival, the
//    input stream of an external input, the neuron's version of a crossing.
//  - sequence: insertion count, a last resort that the keys above make unnecessary in practice.
// Because the key does not depend on insertion order, per-neuron results do not depend on how
// events were produced.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "metabosim/recording/results.hpp"

namespace metabosim {

enum class EventKind : std::uint8_t {
    metabolic_change,    // a step of the metabolic schedule
    energy_update,       // a population's ATP pool brought up to date (metabolism/energy.hpp)
    refractory_end,
    spike_arrival,
    external_input,      // Poisson drive or spike generator
    threshold_crossing,  // a predicted spike
    look_ahead,          // a prediction continues where its first series segment ended
    sample,              // a recorder's sample
    end_of_run,
};
inline constexpr std::size_t event_kind_count = 9;
std::string_view event_kind_name(EventKind kind);

// Processed events, counted by kind, into RunCounters' named form.
struct EventCounts {
    std::array<std::uint64_t, event_kind_count> by_kind{};
    std::uint64_t& operator[](EventKind kind) { return by_kind[static_cast<std::size_t>(kind)]; }
    std::uint64_t total() const;
    void report(RunCounters& counters) const;
};

struct Event {
    double time = 0;           // ms
    std::uint64_t order = 0;
    std::uint64_t sequence = 0;
    std::uint32_t target = 0;
    std::uint32_t aux = 0;     // generator input: index of the spike time; sample: sample index
    EventKind kind = EventKind::end_of_run;

    friend bool operator<(const Event& a, const Event& b) {  // "a comes before b"
        if (a.time != b.time) return a.time < b.time;
        if (a.kind != b.kind) return a.kind < b.kind;
        if (a.target != b.target) return a.target < b.target;
        if (a.order != b.order) return a.order < b.order;
        return a.sequence < b.sequence;
    }
};

}  // namespace metabosim
