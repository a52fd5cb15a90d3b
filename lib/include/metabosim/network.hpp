// The built network: populations as ranges of global neuron ids and, per projection, synapses in
// compressed sparse rows (CSR) by presynaptic neuron, structure of arrays.
//
// Invariants:
//  - a row holds the synapses of one presynaptic neuron in draw order (ascending targets for
//    the random rules), so a spike's delivery walks memory forwards;
//  - plastic projections also keep a reverse index (postsynaptic neuron -> synapse ids, ascending)
//    for the STDP update on postsynaptic spikes;
//  - weights are stored at reference scale; a spike delivers phi_g(T) * w.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "metabosim/model.hpp"

namespace metabosim {

struct PopulationRange {
    std::uint32_t first = 0;  // global id of local neuron 0
    std::uint32_t size = 0;
};

struct Synapses {
    std::uint32_t pre = 0, post = 0;   // population indices
    Receptor receptor = Receptor::excitatory;
    std::vector<std::uint64_t> row_begin;   // pre.size + 1 entries
    std::vector<std::uint32_t> target;      // postsynaptic neuron, local index
    std::vector<double> weight;             // nS, reference scale
    std::vector<double> delay;              // ms, axonal
    std::optional<StdpParameters> stdp;
    std::vector<std::uint64_t> incoming_begin;  // plastic only: post.size + 1 entries
    std::vector<std::uint64_t> incoming;        // plastic only: synapse ids by postsynaptic neuron

    std::uint64_t size() const { return target.size(); }
    std::uint32_t source_of(std::uint64_t synapse) const;  // O(log n), for output only
};

struct Network {
    std::vector<PopulationRange> populations;
    std::vector<Synapses> projections;
    double min_delay = std::numeric_limits<double>::infinity();  // ms, over all synapses

    std::uint32_t neuron_count() const;
    std::uint64_t synapse_count() const;
};

// Draws connectivity, weights and delays from the model's seed (one stream per postsynaptic
// neuron and projection). The model must have passed validate().
Network build_network(const Model& model);

}  // namespace metabosim
