#include "inputs/source_states.hpp"

#include <sstream>

namespace metabosim {

SourceStates::SourceStates(const Model& model, const MetabolicSchedule& schedule)
    : trains_(model.populations.size()), cursors_(model.populations.size()) {
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        if (!model.populations[p].source) continue;
        trains_[p].emplace(model, schedule, p);
        for (std::uint32_t i = 0; i < model.populations[p].size; ++i) cursors_[p].push_back(trains_[p]->start(i));
    }
}

// A stream's state as its own text form (three words of taus88), as for the drive.
void SourceStates::save(CheckpointWriter& out) const {
    std::vector<double> next;
    std::vector<std::uint32_t> cursor;
    std::ostringstream states;
    for (const auto& population : cursors_)
        for (const SourceCursor& c : population) {
            next.push_back(c.next);
            cursor.push_back(c.cursor);
            states << c.stream << ' ';
        }
    out.put(next);
    out.put(cursor);
    out.put(states.str());
}

void SourceStates::load(CheckpointReader& in) {
    std::size_t count = 0;
    for (const auto& population : cursors_) count += population.size();
    std::vector<double> next;
    std::vector<std::uint32_t> cursor;
    in.get_exactly(next, count, "spike sources");
    in.get_exactly(cursor, count, "spike sources");
    std::istringstream states(in.get_string());
    std::size_t k = 0;
    for (auto& population : cursors_)
        for (SourceCursor& c : population) {
            c.next = next[k];
            c.cursor = cursor[k++];
            if (!(states >> c.stream)) in.fail("a spike source's stream state is malformed");
        }
}

}  // namespace metabosim
