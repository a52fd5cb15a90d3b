#include "metabosim/scheduler.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "metabosim/error.hpp"

namespace metabosim {
namespace {
// std heaps keep the largest element on top; we want the earliest. A function object (not a
// function pointer) so that the comparison is inlined into the heap operations.
struct Later {
    bool operator()(const Event& a, const Event& b) const { return b < a; }
};
constexpr Later later;
}  // namespace

void EventQueue::push(Event e) {
    if (!(e.time >= now_))
        throw InternalError(fmt::format("event queue: {} event at t = {} ms scheduled in the past (now {} ms)",
                                        event_kind_name(e.kind), e.time, now_));
    e.sequence = next_sequence_++;
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), later);
}

Event EventQueue::pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Event e = heap_.back();
    heap_.pop_back();
    if (!(e.time >= now_))
        throw InternalError(fmt::format("event queue: time ran backwards from {} ms to {} ms", now_, e.time));
    now_ = e.time;
    return e;
}

}  // namespace metabosim
