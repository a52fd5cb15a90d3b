// Pair-based spike-timing-dependent plasticity (model.hpp, StdpParameters): traces and weight
// updates, the one plasticity rule metabosim has.
//
//   presynaptic spike arriving at synapse s:  a_pre(s) += A+,   w(s) += a_post(post)
//   postsynaptic spike of neuron j:           a_post(j) += A-,  w(s) += a_pre(s) for every s onto j
// (nearest-neighbour pairing sets a trace to the amplitude instead of adding it; multiplicative
// updates scale by the room left to the bound). Both updates touch only synapses onto the
// postsynaptic neuron, so the rule is local to whoever advances that neuron.
//
// A pre trace is kept beside its synapse's weight, by entry (network.hpp: by postsynaptic neuron),
// so a postsynaptic spike's update reads and writes one stretch of memory in order.
//
// Traces decay exponentially between updates and are read exactly at any later time. A pre trace
// is stored without its time, as a(t) exp((t - pre_reference) / tau+), which stays constant while
// it decays: 8 bytes per synapse instead of 16, and a postsynaptic spike needs one exp() for all
// its synapses. The reference moves forward before the factor grows large.
#pragma once

#include <cstdint>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "metabosim/lowering/lowering.hpp"
#include "metabosim/synapses/network.hpp"

namespace metabosim {

// The STDP state of one plastic projection.
struct StdpTraces {
    LoweredStdp lowered{};
    std::vector<double> pre_scaled;             // by entry
    double pre_reference = 0;                   // ms
    std::vector<double> post_value, post_time;  // per postsynaptic neuron

    StdpTraces() = default;  // a static projection's: empty
    StdpTraces(const Synapses& synapses, const LoweredPopulation& post);

    // exp(-(t - pre_reference) / tau+): a pre trace at t is pre_scaled[s] times this.
    double pre_decay(double t) const;
    // Moves the reference to t (traces unchanged) when the factor could grow beyond e^32. The
    // caller does so before an arrival at t, or at times of its own choosing (the factor must stay
    // far from overflow: e^(t - reference) / tau+ below e^700).
    void rebase_pre(double t);

    // An arrival at the synapse of entry e onto postsynaptic neuron j (the caller knows both).
    void on_arrival(Synapses& synapses, std::uint64_t e, std::uint32_t j, double t);
    // Asks the memory for what on_arrival(e) will read, ahead of time.
    void prefetch(const Synapses& synapses, std::uint64_t e) const {
        __builtin_prefetch(&synapses.weight.each[e]);
        __builtin_prefetch(&pre_scaled[e]);
    }
    void on_post_spike(Synapses& synapses, std::uint32_t j, double t);
    // Brings every trace to t under the present constants, before they change.
    void settle(double t);
};

// The STDP state of every projection of a network.
struct Plasticity {
    std::vector<StdpTraces> projections;                 // per projection, empty when static
    std::vector<std::vector<std::uint32_t>> incoming;    // population -> plastic projections into it

    Plasticity(const Network& net, const std::vector<LoweredPopulation>& lowered);

    // A spike of local neuron j of population p, at every plastic synapse onto it.
    void on_spike(Network& net, std::uint32_t p, std::uint32_t j, double t);
    // Population p changes temperature at t: traces into it settled under the old constants,
    // then lowered at `post`, its new scaling.
    void settle(std::uint32_t p, double t);
    void relower(const Network& net, std::uint32_t p, const LoweredPopulation& post);

    // The traces and the plastic weights (the only weights that change).
    void save(const Network& net, CheckpointWriter& out) const;
    void load(Network& net, CheckpointReader& in);
};

}  // namespace metabosim
