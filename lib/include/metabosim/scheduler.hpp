// The event queue: a binary heap of timed events with a total order, and time that never runs
// backwards.
//
// Order of events: (time, kind, target, order, sequence).
//  - kind: simultaneous events of different kinds run in the order of EventKind (results.hpp):
//    metabolic change, end of refractoriness, spike arrival, external input, threshold crossing,
//    recording sample, end of run. So a state change at t applies to everything else at t, and a
//    sample at t sees the state after all of t's inputs.
//  - target: the neuron (or recorder, or metabolic step) the event is for.
//  - order: set by the origin, unique per (time, kind, target): the synapse id of an arrival, the
//    input stream of an external input, the neuron's version of a crossing.
//  - sequence: insertion count, a last resort that the keys above make unnecessary in practice.
// Because the key does not depend on insertion order, per-neuron results do not depend on how
// events were produced. push and pop are O(log n).
#pragma once

#include <cstdint>
#include <vector>

#include "metabosim/results.hpp"

namespace metabosim {

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

class EventQueue {
public:
    // Throws InternalError when `e` lies before the last event popped.
    void push(Event e);
    const Event& top() const { return heap_.front(); }
    // Removes and returns the earliest event; throws InternalError if time would run backwards.
    Event pop();
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    double now() const { return now_; }

private:
    std::vector<Event> heap_;
    std::uint64_t next_sequence_ = 0;
    double now_ = 0;
};

}  // namespace metabosim
