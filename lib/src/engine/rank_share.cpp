#include "engine/rank_share.hpp"

#include <algorithm>
#include <tuple>

namespace metabosim {

NeuronRange owned_range(std::uint32_t neurons, int rank, int ranks) {
    const auto at = [&](int r) {
        return static_cast<std::uint32_t>(std::uint64_t{neurons} * static_cast<std::uint64_t>(r) / static_cast<std::uint64_t>(ranks));
    };
    return {at(rank), at(rank + 1)};
}

SynapseOrder::SynapseOrder(Communicator& comm, const Model& model, const Network& net, std::uint32_t projection) {
    const Synapses& s = net.projections[projection];
    std::vector<std::size_t> counts;
    std::vector<std::uint64_t> rows = comm.gather(s.row_begin, &counts);  // every rank's row_begin
    if (comm.rank() != 0) return;
    const std::size_t ranks = counts.size(), width = s.row_begin.size(), n_pre = width - 1;
    const auto row = [&](std::size_t r, std::size_t i) -> std::uint64_t& { return rows[r * width + i]; };
    std::vector<std::uint64_t> offset(ranks + 1, 0);  // of each rank's column among all
    for (std::size_t r = 0; r < ranks; ++r) offset[r + 1] = offset[r] + row(r, n_pre);
    row_begin_.assign(width, 0);
    for (std::size_t i = 0; i < n_pre; ++i) {
        row_begin_[i + 1] = row_begin_[i];
        for (std::size_t r = 0; r < ranks; ++r) row_begin_[i + 1] += row(r, i + 1) - row(r, i);
    }
    from_.resize(offset[ranks]);
    const Connectivity& c = model.projections[projection].connectivity;
    if (c.rule != Connectivity::Rule::explicit_list) {
        std::uint64_t g = 0;
        for (std::size_t i = 0; i < n_pre; ++i)
            for (std::size_t r = 0; r < ranks; ++r)
                for (std::uint64_t q = row(r, i); q < row(r, i + 1); ++q) from_[g++] = offset[r] + q;
        return;
    }
    // An explicit list: each row in list order, each entry from the rank owning its target.
    const std::uint32_t first_post = net.populations[s.post].first, neurons = model.neuron_count();
    std::vector<std::uint64_t> next(row_begin_.begin(), row_begin_.end() - 1);
    for (std::size_t k = 0; k < c.sources.size(); ++k) {
        const std::uint32_t target = first_post + c.targets[k];
        std::size_t r = 0;
        while (!owned_range(neurons, static_cast<int>(r), static_cast<int>(ranks)).contains(target)) ++r;
        from_[next[c.sources[k]]++] = offset[r] + row(r, c.sources[k])++;
    }
}

namespace {

void gather_spikes(Communicator& comm, PopulationSpikes& spikes) {
    const std::vector<double> times = comm.gather(spikes.times);
    const std::vector<std::uint32_t> ids = comm.gather(spikes.node_ids);
    if (comm.rank() != 0) return;
    // Each rank's are in (time, neuron) order: so are one process's (engine/epoch_engine.cpp).
    std::vector<std::pair<double, std::uint32_t>> all(times.size());
    for (std::size_t k = 0; k < all.size(); ++k) all[k] = {times[k], ids[k]};
    std::sort(all.begin(), all.end());
    spikes.times.resize(all.size());
    spikes.node_ids.resize(all.size());
    for (std::size_t k = 0; k < all.size(); ++k) std::tie(spikes.times[k], spikes.node_ids[k]) = all[k];
}

// Each rank sends the samples of the neurons it owns, slot after slot.
void gather_states(Communicator& comm, const Circuit& c, std::size_t r, StateTrace& trace) {
    const std::vector<std::uint32_t>& neurons = c.recorders.recorded(r);
    const std::size_t N = neurons.size(), columns = trace.values.size() / std::max<std::size_t>(N, 1);
    std::vector<double> mine;
    for (std::size_t i = 0; i < N; ++i)
        if (c.owned.contains(neurons[i]))
            for (std::size_t col = 0; col < columns; ++col) mine.push_back(trace.values[col * N + i]);
    const std::vector<double> all = comm.gather(mine);
    if (comm.rank() != 0) return;
    std::size_t at = 0;
    for (int rank = 0; rank < comm.size(); ++rank) {
        const NeuronRange range = owned_range(c.net.neuron_count(), rank, comm.size());
        for (std::size_t i = 0; i < N; ++i)
            if (range.contains(neurons[i]))
                for (std::size_t col = 0; col < columns; ++col) trace.values[col * N + i] = all[at++];
    }
}

void gather_final_weights(Communicator& comm, const Synapses& s, const SynapseOrder& order, WeightTrace& trace) {
    trace.final_target = order.gather(comm, s.target);
    trace.final_weight = order.gather(comm, s.weights());
    trace.final_delay = order.gather(comm, s.delay.expanded(s.size()));
    trace.final_source.clear();
    const auto& rows = order.row_begin();
    for (std::uint32_t i = 0; i + 1 < rows.size(); ++i) trace.final_source.insert(trace.final_source.end(), rows[i + 1] - rows[i], i);
}

}  // namespace

void gather_results(Communicator& comm, const Circuit& c, const std::vector<SynapseOrder>& orders, Results& results) {
    std::uint64_t synapses[] = {results.synapse_count};
    comm.sum(synapses);
    results.synapse_count = synapses[0];
    for (PopulationSpikes& spikes : results.spikes) gather_spikes(comm, spikes);
    for (std::size_t r = 0; r < results.states.size(); ++r) gather_states(comm, c, r, results.states[r]);
    for (std::size_t w = 0; w < results.weights.size(); ++w)
        if (results.weights[w].has_final)
            gather_final_weights(comm, c.net.projections[c.recorders.weight_projection(w)], orders[w], results.weights[w]);
}

}  // namespace metabosim
