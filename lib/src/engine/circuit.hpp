// A model set up to run: its network and the state of every part, composed. Both engines hold one
// and add only how time advances; the operations here are those that involve several parts.
//
// Each part owns its state in plain arrays: the neurons' membrane state (neuron/), the drive
// streams (inputs/), the STDP traces (synapses/), each population's scaling and ATP pool
// (metabolism/), and the recorders (recording/).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "inputs/drive_streams.hpp"
#include "inputs/source_states.hpp"
#include "metabolism/energy.hpp"
#include "metabolism/metabolic_state.hpp"
#include "metabosim/metabolism/schedule.hpp"
#include "metabosim/model/model.hpp"
#include "metabosim/neuron/glif.hpp"
#include "metabosim/recording/results.hpp"
#include "metabosim/synapses/network.hpp"
#include "recording/recorders.hpp"
#include "synapses/stdp.hpp"

namespace metabosim {

// Neurons by global id, [first, last).
struct NeuronRange {
    std::uint32_t first = 0, last = 0;
    std::uint32_t size() const { return last - first; }
    bool contains(std::uint32_t n) const { return n >= first && n < last; }
};

struct Circuit {
    const Model model;
    const NeuronRange owned;  // the neurons this process advances (all, but on several ranks)
    Network net;
    const MetabolicSchedule schedule;
    std::vector<std::uint32_t> population_of;             // per neuron
    std::vector<std::vector<std::uint32_t>> outgoing;     // population -> projections from it
    MetabolicState metabolic;
    MembraneStates neurons;
    DriveStreams drive;
    SourceStates sources;
    Plasticity plasticity;
    EnergyPools energy;
    Recorders recorders;

    // Validates the model, builds the network, draws the initial state and each neuron's first
    // drive input, prepares the recorders. Given `owned` neurons, only the synapses onto them are
    // built and only their drive is drawn (the per-neuron arrays still span every neuron).
    explicit Circuit(Model m);
    Circuit(Model m, NeuronRange owned);
    Circuit(const Circuit&) = delete;
    Circuit& operator=(const Circuit&) = delete;

    std::uint32_t local(std::uint32_t n) const { return n - net.populations[population_of[n]].first; }
    const LoweredNeuron& params(std::uint32_t n) const { return metabolic[population_of[n]].neuron; }

    bool is_source(std::uint32_t n) const { return sources.is_source(population_of[n]); }
    // Spike source n's pending spike (ms; infinity when none is left), and moving past it.
    double source_next(std::uint32_t n) const { return sources.next(population_of[n], local(n)); }
    void source_advance(std::uint32_t n) { sources.advance(population_of[n], local(n)); }

    // Draws neuron n's next drive input after `from` at its population's present rate.
    void draw_drive(std::uint32_t n, double from) { drive.draw(n, from, metabolic[population_of[n]].poisson_rate); }

    // Neuron (or spike source) n fires at t: recorded, counted against its pool, STDP at every plastic synapse onto it.
    void spike(std::uint32_t n, double t);
    // A presynaptic spike reaches synapse s of projection k at t: the conductance jump (phi_g of
    // the receiving population times the weight), then STDP. The STDP traces' reference is moved
    // first when due, unless the caller moves it itself (synapses/stdp.hpp): an engine whose
    // neurons advance on several threads does so between epochs. The caller counts the release.
    void arrive(std::uint32_t k, std::uint64_t s, double t, bool rebase_traces = true) {
        const Synapses& syn = net.projections[k];
        arrive_at(net.populations[syn.post].first + syn.target[s], k, syn.entry_of(s), t, rebase_traces);
    }
    // The same, the synapse given by its entry (network.hpp) and its postsynaptic neuron n
    // (global id), both known to the caller.
    void arrive_at(std::uint32_t n, std::uint32_t k, std::uint64_t e, double t, bool rebase_traces) {
        const Synapses& syn = net.projections[k];
        neurons.add_conductance(n, syn.receptor, metabolic[syn.post].synaptic_efficacy * syn.weight[e]);
        if (syn.stdp) plastic_arrival(k, e, n - net.populations[syn.post].first, t, rebase_traces);
    }
    // Asks the memory for what an arrival at entry e of projection k will read, ahead of time.
    void prefetch_arrival(std::uint32_t k, std::uint64_t e) const {
        const Synapses& syn = net.projections[k];
        if (syn.stdp) plasticity.projections[k].prefetch(syn, e);
    }
    // Input from outside the network into neuron n: its Poisson drive's, or a jump of `weight`
    // (nS, reference scale) through `receptor`.
    void drive_input(std::uint32_t n);
    void external_input(std::uint32_t n, Receptor receptor, double weight);

    // Population p moves to `temperature` at t: what decays with a scaled time constant is settled
    // under the old values first, so the trajectory is piecewise exact (the neurons themselves are
    // the engine's to bring to t). Returns whether its drive rate changed.
    bool change_temperature(std::uint32_t p, double temperature, double t);
    // Energy update of population p at t, recorded; the temperature it asks for, if any.
    std::optional<double> update_energy(std::uint32_t p, double t);

    // The state of every part (the network's static part is rebuilt from the model).
    void save(CheckpointWriter& out) const;
    void load(CheckpointReader& in);

private:
    // STDP at an arrival through plastic projection k.
    void plastic_arrival(std::uint32_t k, std::uint64_t e, std::uint32_t j, double t, bool rebase_traces);
};

}  // namespace metabosim
