// Every neuron's Poisson drive while a run goes on: its own random stream and the time of its
// next input. Plain arrays by global neuron id, so that a range of neurons can be handed to whoever
// advances them and the whole saved with the rest of the state.
#pragma once

#include <cstdint>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "metabosim/inputs/inputs.hpp"

namespace metabosim {

struct DriveStreams {
    std::vector<Rng> stream;   // per neuron
    std::vector<double> next;  // ms, the pending input; infinity when the rate is 0

    // The streams of every neuron of `model` (populations in order), nothing drawn yet.
    explicit DriveStreams(const Model& model);

    // Draws neuron n's next input after `from` (ms) at `rate` (Hz).
    void draw(std::uint32_t n, double from, double rate) { next[n] = next_drive_time(stream[n], from, rate); }

    void save(CheckpointWriter& out) const;
    void load(CheckpointReader& in);
};

}  // namespace metabosim
