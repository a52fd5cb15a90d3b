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
// events were produced. push and pop are O(log n); push_all adds a sorted run, merged as popped.
#pragma once

#include <cstdint>
#include <vector>

#include "metabosim/recording/results.hpp"

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
    // Adds many events at once: they are sorted into a run that is merged with the heap as it is
    // popped, which costs far less than a heap entry each (an epoch's spike arrivals). Throws
    // like push.
    void push_all(std::vector<Event> events);
    const Event& top() const { return *earliest().event; }
    // Removes and returns the earliest event; throws InternalError if time would run backwards.
    Event pop();
    bool empty() const { return heap_.empty() && runs_.empty(); }  // a run leaves when popped to its end
    std::size_t size() const;
    double now() const { return now_; }

private:
    struct Run {
        std::vector<Event> events;  // sorted
        std::size_t next = 0;       // the first not yet popped
    };
    struct Source {
        const Event* event;
        std::size_t run;  // runs_.size() for the heap
    };
    Source earliest() const;
    void check_not_past(const Event& e) const;

    std::vector<Event> heap_;
    std::vector<Run> runs_;  // a few at a time: those still in flight
    std::uint64_t next_sequence_ = 0;
    double now_ = 0;
};

}  // namespace metabosim
