// A model scaled to another number of neurons, each neuron keeping its expected inputs
// (docs/model.md, "Resizing").
#pragma once

#include <cstdint>

#include "metabosim/model/model.hpp"

namespace metabosim {

// The model with `neurons` neurons in all, populations in proportion (at least one each), every
// neuron keeping its expected number of inputs: connection probabilities grow as populations
// shrink (capped at 1), fixed in-degrees are capped by the new sizes, explicit synapses,
// generator targets, recorded neurons and array sources' trains outside the new sizes are dropped
// (array sources added are silent).
Model resize(Model model, std::uint32_t neurons);

}  // namespace metabosim
