// Random streams. Every random quantity is drawn from a stream named by (seed, purpose, index):
// one stream per postsynaptic neuron of a projection, per population's initial state, per
// neuron's Poisson drive. A stream's draws therefore do not depend on how many other streams
// exist or in which order they are used, which keeps results identical however the neurons are
// split among threads or ranks. taus88 (L'Ecuyer 1996) keeps each stream's state in 12 bytes,
// so a per-neuron stream is affordable and can be saved with the rest of the state.
#pragma once

#include <cstdint>

#include <boost/random/taus88.hpp>

#include "metabosim/model/model.hpp"

namespace metabosim {

using Rng = boost::random::taus88;

enum class Stream : std::uint32_t { connectivity = 1, initial_state = 2, poisson_drive = 3, spike_source = 4 };

Rng make_rng(std::uint64_t seed, Stream purpose, std::uint64_t a, std::uint64_t b = 0);

// A draw from `d`; the clipped normal is drawn again until it falls inside [low, high].
double draw(const Distribution& d, Rng& rng);

}  // namespace metabosim
