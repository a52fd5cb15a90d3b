// The event queue: timed events popped in their total order (event.hpp), time never running
// backwards.
//
// A binary heap holds events pushed one at a time (O(log n) each); push_all adds a sorted run (an
// epoch's spike arrivals), merged with the heap as it is popped, which costs far less than a heap
// entry each. Spent runs keep their storage for the next one, so a run's events are not allocated
// anew each epoch.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/event.hpp"

namespace metabosim {

class EventQueue {
public:
    // Throws InternalError when `e` lies before the last event popped.
    void push(Event e);
    // Storage for the next run, empty, with the capacity of a spent one if there is one.
    std::vector<Event> take_run_buffer();
    // Adds many events at once (sorted here); throws like push.
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
    std::vector<Run> runs_;                   // a few at a time: those still in flight
    std::vector<std::vector<Event>> spent_;   // storage of popped runs, for reuse
    std::uint64_t next_sequence_ = 0;
    double now_ = 0;
};

}  // namespace metabosim
