// A model on several ranks (metabosim/distribution/ranks.hpp): each rank owns a contiguous range
// of neurons and holds only the synapses onto them, rows in the whole network's order. What a
// rank's share needs from the others to give the outputs of one process is here: the order of a
// projection's synapses in the whole network, and the results gathered onto rank 0.
#pragma once

#include <cstdint>
#include <vector>

#include "distribution/communicator.hpp"
#include "engine/circuit.hpp"

namespace metabosim {

// Rank r of `ranks` owns neurons [neurons * r / ranks, neurons * (r + 1) / ranks).
NeuronRange owned_range(std::uint32_t neurons, int rank, int ranks);

// Where each synapse of one projection sits in the whole network's rows, for gathering a column
// (one value per synapse) of every rank's share onto rank 0. A row of the whole network is the
// ranks' rows one after another (the random rules draw by ascending target), or, for an explicit
// list, its entries in list order. Built collectively; rank 0 holds the plan.
class SynapseOrder {
public:
    SynapseOrder(Communicator& comm, const Model& model, const Network& net, std::uint32_t projection);

    // Rank 0: every rank's `local` column (in the order of its share), in the whole network's
    // order; the other ranks: empty. Collective.
    template <class T>
    std::vector<T> gather(Communicator& comm, const std::vector<T>& local) const {
        const std::vector<T> all = comm.gather(local);
        std::vector<T> out(from_.size());
        for (std::size_t g = 0; g < from_.size(); ++g) out[g] = all[from_[g]];
        return out;
    }
    // Rank 0: the whole network's synapse count and rows (by presynaptic neuron).
    std::uint64_t size() const { return from_.size(); }
    const std::vector<std::uint64_t>& row_begin() const { return row_begin_; }

private:
    std::vector<std::uint64_t> from_;       // per synapse in the whole order: its place among the ranks' columns
    std::vector<std::uint64_t> row_begin_;
};

// Turns rank 0's `results` (its own share's) into the whole run's: spikes of every rank merged
// in (time, neuron) order, state samples taken from the rank that owns each neuron, final weights
// in the whole network's order (orders[w] for weight recorder w), the synapse count summed.
// Collective; the other ranks' results are left as they were.
void gather_results(Communicator& comm, const Circuit& c, const std::vector<SynapseOrder>& orders, Results& results);

}  // namespace metabosim
