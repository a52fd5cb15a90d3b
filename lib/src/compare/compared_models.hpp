// The models a comparison runs, drawn from the user's model, and what its network runs record.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "metabosim/model/model.hpp"

namespace metabosim::compare {

// Single neurons: `count` unconnected cells of the first population of neurons (spike sources
// are skipped), each with its own external inputs (independent repetitions of one cell, so that
// the error statistics are not those of one train); a population without inputs gets the
// standard drive (600 Hz x 2 nS) so it fires.
Model single_neurons(Model model, std::uint32_t count, double duration);

// The model with at most `max_neurons` neurons for a short run, recording nothing of its own.
Model shrink(Model model, std::uint32_t max_neurons, double duration);

// What every compared network run records beyond the model's own recordings: V of up to 100
// neurons per population (for synchrony) and the weights of every plastic projection.
struct Probes {
    static constexpr double interval = 0.5;                      // ms
    std::map<std::string, std::vector<std::uint32_t>> voltage;   // population -> neurons sampled
    std::vector<std::string> plastic;                            // projections
};

Probes add_probes(Model& model);

}  // namespace metabosim::compare
