#include "inputs/drive_streams.hpp"

#include <sstream>

namespace metabosim {

DriveStreams::DriveStreams(const Model& model) : next(model.neuron_count(), 0.0) {
    stream.reserve(model.neuron_count());
    for (std::uint32_t p = 0; p < model.populations.size(); ++p)
        for (std::uint32_t i = 0; i < model.populations[p].size; ++i) stream.push_back(drive_stream(model, p, i));
}

// A stream's state as its own text form (three words of taus88).
void DriveStreams::save(CheckpointWriter& out) const {
    out.put(next);
    std::ostringstream states;
    for (const Rng& s : stream) states << s << ' ';
    out.put(states.str());
}

void DriveStreams::load(CheckpointReader& in) {
    in.get_exactly(next, stream.size(), "drive streams");
    std::istringstream states(in.get_string());
    for (Rng& s : stream)
        if (!(states >> s)) in.fail("a drive stream's state is malformed");
}

}  // namespace metabosim
