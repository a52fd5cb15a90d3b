#include "engine/event.hpp"

#include <string>

#include "metabosim/model/error.hpp"

namespace metabosim {

std::string_view event_kind_name(EventKind kind) {
    switch (kind) {
        case EventKind::metabolic_change: return "metabolic_change";
        case EventKind::energy_update: return "energy_update";
        case EventKind::refractory_end: return "refractory_end";
        case EventKind::spike_arrival: return "spike_arrival";
        case EventKind::external_input: return "external_input";
        case EventKind::threshold_crossing: return "threshold_crossing";
        case EventKind::look_ahead: return "look_ahead";
        case EventKind::sample: return "sample";
        case EventKind::end_of_run: return "end_of_run";
    }
    throw InternalError("event_kind_name: unknown EventKind " + std::to_string(static_cast<unsigned>(kind)));
}

std::uint64_t EventCounts::total() const {
    std::uint64_t n = 0;
    for (auto c : by_kind) n += c;
    return n;
}

void EventCounts::report(RunCounters& counters) const {
    counters.events.clear();
    for (std::size_t k = 0; k < event_kind_count; ++k)
        counters.events.push_back({std::string(event_kind_name(static_cast<EventKind>(k))), by_kind[k]});
}

}  // namespace metabosim
