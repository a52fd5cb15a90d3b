// The built network: populations as ranges of global neuron ids and, per projection, synapses in
// compressed sparse rows (CSR) by presynaptic neuron, structure of arrays.
//
// Invariants:
//  - a row holds the synapses of one presynaptic neuron in draw order (ascending targets for
//    the random rules), so a spike's delivery walks memory forwards;
//  - a plastic projection stores its weights by postsynaptic neuron instead: those onto neuron j
//    at entries [incoming_begin[j], incoming_begin[j + 1]) in ascending synapse order, and each
//    synapse knows its entry; so the STDP update at j's spikes walks memory forwards, and the
//    arrivals at one neuron read one stretch of it;
//  - weights are stored at reference scale; a spike delivers phi_g(T) * w;
//  - a weight or delay that the projection draws as a constant is stored once, not per synapse
//    (plastic weights are always per synapse): a large static network then stores 4 bytes per
//    synapse, its target.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "metabosim/model/model.hpp"

namespace metabosim {

struct PopulationRange {
    std::uint32_t first = 0;  // global id of local neuron 0
    std::uint32_t size = 0;
};

// One value per synapse, or one shared by all (`each` empty).
struct SynapseValues {
    std::vector<double> each;
    double shared = 0;

    double operator[](std::uint64_t synapse) const { return each.empty() ? shared : each[synapse]; }
    std::vector<double> expanded(std::uint64_t synapses) const;  // per synapse, for output
};

struct Synapses {
    std::uint32_t pre = 0, post = 0;   // population indices
    Receptor receptor = Receptor::excitatory;
    std::vector<std::uint64_t> row_begin;   // pre.size + 1 entries
    std::vector<std::uint32_t> target;      // postsynaptic neuron, local index
    SynapseValues weight;                   // nS, reference scale, at entry_of(synapse); per synapse when plastic
    SynapseValues delay;                    // ms, axonal
    std::optional<StdpParameters> stdp;
    std::vector<std::uint64_t> incoming_begin;  // plastic only: post.size + 1 entries
    std::vector<std::uint32_t> entry;           // plastic only: per synapse, its entry in weight.each

    std::uint64_t size() const { return target.size(); }
    std::uint32_t source_of(std::uint64_t synapse) const;  // O(log n), for output only
    // Where a synapse's weight (and the STDP state kept beside it) is stored.
    std::uint64_t entry_of(std::uint64_t synapse) const { return entry.empty() ? synapse : entry[synapse]; }
    double weight_of(std::uint64_t synapse) const { return weight[entry_of(synapse)]; }
    std::vector<double> weights() const;  // per synapse, in synapse order (for output)
    // Bytes its arrays hold (their capacity): row pointers, targets, the weights and delays kept
    // per synapse, the entries of a plastic projection. A shared value is not counted.
    std::uint64_t bytes() const;
};

struct Network {
    std::vector<PopulationRange> populations;
    std::vector<Synapses> projections;
    double min_delay = std::numeric_limits<double>::infinity();  // ms, over all synapses

    std::uint32_t neuron_count() const;
    std::uint64_t synapse_count() const;
};

// The synapses a projection's rule asks for, in expectation.
double expected_synapse_count(const Model& model, const Projection& proj);

// The least memory the network can take, in bytes, from the expected synapse counts and the
// layout: a target index per synapse, a weight and an entry index per plastic one, a row
// start per presynaptic neuron and projection, a state per neuron.
double minimum_network_bytes(const Model& model);

// Draws connectivity, weights and delays from the model's seed (one stream per postsynaptic
// neuron and projection). The model must have passed validate(). Throws UserError, before
// anything is drawn, when minimum_network_bytes() exceeds the memory this process may use (the
// machine's, or less under an address-space limit), and when a plastic projection has 2^32
// synapses or more (its entries are 32-bit).
Network build_network(const Model& model);
// Only the synapses onto neurons with global ids in [first, last), as they are in the whole
// network's rows (a rank's share: each row keeps its order; min_delay is over these synapses).
Network build_network(const Model& model, std::uint32_t first, std::uint32_t last);

}  // namespace metabosim
