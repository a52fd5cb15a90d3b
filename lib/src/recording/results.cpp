#include "metabosim/recording/results.hpp"

#include "metabosim/model/error.hpp"

namespace metabosim {

const char* event_kind_name(EventKind kind) {
    switch (kind) {
        case EventKind::metabolic_change: return "metabolic_change";
        case EventKind::refractory_end: return "refractory_end";
        case EventKind::spike_arrival: return "spike_arrival";
        case EventKind::external_input: return "external_input";
        case EventKind::threshold_crossing: return "threshold_crossing";
        case EventKind::look_ahead: return "look_ahead";
        case EventKind::sample: return "sample";
        case EventKind::end_of_run: return "end_of_run";
    }
    throw InternalError("event_kind_name: unknown EventKind " +
                        std::to_string(static_cast<unsigned>(kind)));
}

}  // namespace metabosim
