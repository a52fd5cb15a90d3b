// What a run records while it goes on, gathered into Results: spikes, sampled neuron state,
// weight statistics, the metabolic timeline and the energy pools.
//
// Recorders r = 0 .. count() - 1 are the state recorders, then the weight recorders, each sampling
// at k * interval(r), k = 0 .. last_sample(r) (no running sum, no drift). Storage for every sample
// is reserved at the start: recording allocates nothing while the run goes on.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "metabosim/model/model.hpp"
#include "metabosim/neuron/glif.hpp"
#include "metabosim/recording/results.hpp"
#include "metabosim/synapses/network.hpp"

namespace metabosim {

class Recorders {
public:
    Recorders(const Model& model, const Network& net);

    void spike(std::uint32_t population, std::uint32_t local, double t) {
        results_.spikes[population].times.push_back(t);
        results_.spikes[population].node_ids.push_back(local);
    }
    // Spikes of `population` recorded before t (the times are sorted).
    std::uint64_t spikes_before(std::uint32_t population, double t) const {
        const auto& times = results_.spikes[population].times;
        return static_cast<std::uint64_t>(std::lower_bound(times.begin(), times.end(), t) - times.begin());
    }
    void metabolic_change(std::uint32_t population, double temperature, double t);
    void energy(std::uint32_t population, double t, double atp_fraction, double temperature);

    std::size_t count() const { return results_.states.size() + results_.weights.size(); }
    bool is_state(std::size_t r) const { return r < results_.states.size(); }
    double interval(std::size_t r) const;
    std::uint32_t last_sample(std::size_t r) const;

    // The neurons state recorder r records (global ids, in the recorder's order).
    const std::vector<std::uint32_t>& recorded(std::size_t r) const { return states_[r].neurons; }
    // Sample k of state recorder r for its i-th neuron. Samples may come in any order: every
    // slot is reserved from the start.
    void record_state(std::size_t r, std::uint32_t k, std::size_t i, const MembraneState& s) {
        StateTrace& trace = results_.states[r];
        const std::size_t V = trace.variables.size(), N = trace.neurons.size();
        for (std::size_t v = 0; v < V; ++v) trace.values[(k * V + v) * N + i] = s.*(states_[r].variables[v]);
    }
    // Sample k of state recorder r for all its neurons: `state_of(n)` gives neuron n's (global id)
    // state now.
    template <class StateOf>
    void sample_state(std::size_t r, std::uint32_t k, StateOf&& state_of) {
        for (std::size_t i = 0; i < states_[r].neurons.size(); ++i) record_state(r, k, i, state_of(states_[r].neurons[i]));
    }
    // The next sample of weight recorder r at t: of its projection's weights in `net`, or of
    // `weights`, `count` synapses in the whole network's order (gathered from several ranks).
    void sample_weights(std::size_t r, double t, const Network& net);
    void sample_weights(std::size_t r, double t, const SynapseValues& weights, std::uint64_t count);
    // The histogram range of weight recorder w (of a static projection, the weights' extremes
    // over the whole network: ranks that hold a share of it set them).
    void set_weight_range(std::size_t w, double min, double max) {
        results_.weights[w].w_min = min;
        results_.weights[w].w_max = max;
    }
    std::uint32_t weight_projection(std::size_t w) const { return weight_projection_[w]; }

    // What was recorded so far, every weight of the recorded projections as it is now (where
    // asked), the run's identity and the counters given.
    Results snapshot(const Network& net, RunCounters counters) const;

    // What was recorded so far.
    void save(CheckpointWriter& out) const;
    void load(CheckpointReader& in);

private:
    struct StateRecorder {
        std::vector<std::uint32_t> neurons;                 // global ids
        std::vector<double MembraneState::*> variables;
    };

    const Model& model_;
    Results results_;
    std::vector<StateRecorder> states_;
    std::vector<std::uint32_t> weight_projection_;  // per weight recorder
    std::vector<std::size_t> energy_trace_;          // per population: its energy trace, if it has a budget
};

}  // namespace metabosim
