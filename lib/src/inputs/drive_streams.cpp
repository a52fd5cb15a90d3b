#include "inputs/drive_streams.hpp"

namespace metabosim {

DriveStreams::DriveStreams(const Model& model) : next(model.neuron_count(), 0.0) {
    stream.reserve(model.neuron_count());
    for (std::uint32_t p = 0; p < model.populations.size(); ++p)
        for (std::uint32_t i = 0; i < model.populations[p].size; ++i) stream.push_back(drive_stream(model, p, i));
}

}  // namespace metabosim
