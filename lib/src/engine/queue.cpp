#include "engine/queue.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim {
namespace {
// std heaps keep the largest element on top; we want the earliest. A function object (not a
// function pointer) so that the comparison is inlined into the heap operations.
struct Later {
    bool operator()(const Event& a, const Event& b) const { return b < a; }
};
constexpr Later later;
}  // namespace

void EventQueue::check_not_past(const Event& e) const {
    if (!(e.time >= now_))
        throw InternalError(fmt::format("event queue: {} event at t = {} ms scheduled in the past (now {} ms)",
                                        event_kind_name(e.kind), e.time, now_));
}

void EventQueue::push(Event e) {
    check_not_past(e);
    e.sequence = next_sequence_++;
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), later);
}

std::vector<Event> EventQueue::take_run_buffer() {
    if (spent_.empty()) return {};
    std::vector<Event> buffer = std::move(spent_.back());
    spent_.pop_back();
    buffer.clear();
    return buffer;
}

void EventQueue::push_all(std::vector<Event> events) {
    if (events.empty()) {
        spent_.push_back(std::move(events));
        return;
    }
    for (const Event& e : events) check_not_past(e);
    std::sort(events.begin(), events.end());
    for (Event& e : events) e.sequence = next_sequence_++;
    runs_.push_back({std::move(events), 0});
}

std::size_t EventQueue::size() const {
    std::size_t n = heap_.size();
    for (const Run& run : runs_) n += run.events.size() - run.next;
    return n;
}

EventQueue::Source EventQueue::earliest() const {
    Source best{heap_.empty() ? nullptr : &heap_.front(), runs_.size()};
    for (std::size_t r = 0; r < runs_.size(); ++r) {
        const Event& head = runs_[r].events[runs_[r].next];
        if (!best.event || head < *best.event) best = {&head, r};
    }
    return best;
}

Event EventQueue::pop() {
    const Source source = earliest();
    const Event e = *source.event;
    if (source.run == runs_.size()) {
        std::pop_heap(heap_.begin(), heap_.end(), later);
        heap_.pop_back();
    } else if (++runs_[source.run].next == runs_[source.run].events.size()) {
        spent_.push_back(std::move(runs_[source.run].events));
        runs_.erase(runs_.begin() + static_cast<std::ptrdiff_t>(source.run));
    }
    if (!(e.time >= now_))
        throw InternalError(fmt::format("event queue: time ran backwards from {} ms to {} ms", now_, e.time));
    now_ = e.time;
    return e;
}

}  // namespace metabosim
