// What the event-driven and the clock-driven engines share (internal): the model and network,
// the parameters lowered at each population's current temperature, the neuron state, STDP, the
// Poisson drive and the recorders. An engine adds only how time advances.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "metabosim/lowering/lowering.hpp"
#include "metabosim/model/model.hpp"
#include "metabosim/synapses/network.hpp"
#include "metabosim/neuron/propagator.hpp"
#include "metabosim/recording/results.hpp"
#include "metabosim/inputs/rng.hpp"
#include "metabosim/engine/simulation.hpp"

namespace metabosim::detail {

// STDP state of one projection (pre trace per synapse, post trace per postsynaptic neuron).
// Traces decay exponentially between updates and are read exactly at any later time.
// A pre trace is stored without its time, as a(t) exp((t - pre_reference) / tau+), which stays
// constant while it decays: 8 bytes per synapse instead of 16, and a postsynaptic spike needs one
// exp() for all its synapses. The reference moves forward before the factor grows large.
struct Plasticity {
    LoweredStdp lowered{};
    std::vector<double> pre_scaled;             // per synapse
    double pre_reference = 0;                   // ms
    std::vector<double> post_value, post_time;  // per postsynaptic neuron

    // exp(-(t - pre_reference) / tau+): a pre trace at t is pre_scaled[s] times this.
    double pre_decay(double t) const;
    // Moves the reference to t (traces unchanged) when the factor could grow beyond e^32.
    void rebase_pre(double t);
};

// A population's ATP pool and the activity since its last update.
struct EnergyPool {
    double atp = 0;                // per neuron
    double updated = 0;            // ms
    std::uint64_t spikes = 0, releases = 0;
};

struct EngineCore {
    Model model;
    Network net;
    std::vector<LoweredPopulation> lowered;  // per population, at its current temperature
    std::vector<Plasticity> plasticity;      // per projection, empty vectors when static
    std::vector<std::vector<std::uint32_t>> outgoing;          // population -> projections from it
    std::vector<std::vector<std::uint32_t>> incoming_plastic;  // population -> plastic projections into it
    std::vector<std::uint32_t> weight_projection;               // weight recorder -> projection

    // Neuron state, structure of arrays by global id.
    std::vector<double> V, ge, gi;
    std::vector<std::uint32_t> population_of;
    std::vector<double> next_drive;  // time of the pending Poisson input (ms)
    std::vector<Rng> drive_rng;
    std::vector<EnergyPool> energy;  // per population; used only by those with an energy budget

    Results results;

    // Validates the model, builds the network, draws the initial state, prepares the recorders.
    explicit EngineCore(Model m);
    virtual ~EngineCore() = default;
    EngineCore(const EngineCore&) = delete;
    EngineCore& operator=(const EngineCore&) = delete;

    // Runs the whole duration once and leaves the outcome in `results`.
    virtual void run(const std::function<void(const Progress&)>& progress, double progress_interval) = 0;

    std::uint32_t local(std::uint32_t n) const { return n - net.populations[population_of[n]].first; }
    const LoweredNeuron& params(std::uint32_t n) const { return lowered[population_of[n]].neuron; }
    void add_conductance(std::uint32_t n, Receptor r, double g) { (r == Receptor::excitatory ? ge : gi)[n] += g; }
    // Conductance one input delivers: phi_g of the receiving population times the weight.
    double efficacy(std::uint32_t population, double weight) const { return lowered[population].synaptic_efficacy * weight; }

    // Draws neuron n's next drive input after `from` at its population's current rate.
    void draw_drive(std::uint32_t n, double from);

    void record_spike(std::uint32_t n, double t);
    // STDP of a presynaptic spike arriving at synapse s of projection k, and of a spike of
    // neuron n at every plastic synapse onto it.
    void stdp_on_arrival(std::uint32_t k, std::uint64_t s, double t);
    void stdp_on_spike(std::uint32_t n, double t);

    // Brings traces of plastic projections into p to t under the old constants, lowers p at
    // `temperature` and notes the change; returns whether the drive rate changed.
    bool change_temperature(std::uint32_t p, double temperature, double t);

    // Brings population p's ATP pool to t and records it; returns the temperature of the
    // threshold it crossed, if any (and if that is not the current one).
    std::optional<double> update_energy(std::uint32_t p, double t);
    // Energy update k of every population with a budget falls at k * interval, k = 0 .. last.
    std::uint32_t last_energy_update(std::uint32_t p) const;

    // Sample k of recorder r (states first, then weights) falls at k * interval, k = 0 .. last.
    std::size_t recorder_count() const { return results.states.size() + results.weights.size(); }
    double recorder_interval(std::size_t r) const;
    std::uint32_t last_sample(std::size_t r) const;
    // Appends sample k of state recorder r from each recorded neuron's state at that time.
    void sample_state(std::size_t r, const std::function<MembraneState(std::uint32_t n)>& state);
    void sample_weights(std::size_t r, double t);

    // Final weights, duration, seed, synapse count and wall time into `results`.
    void finish(double wall_seconds);
};

// Calls a progress callback about every `interval` wall-clock seconds.
class ProgressReporter {
public:
    ProgressReporter(const std::function<void(const Progress&)>& callback, double interval, double duration)
        : callback_(callback), interval_(interval), duration_(duration), start_(clock::now()), last_(start_) {}
    void maybe_report(double simulated, std::uint64_t events) {
        if (!callback_ || seconds_since(last_) < interval_) return;
        last_ = clock::now();
        callback_({std::min(simulated, duration_), duration_, seconds_since(start_), events});
    }
    double elapsed() const { return seconds_since(start_); }

private:
    using clock = std::chrono::steady_clock;
    static double seconds_since(clock::time_point t0) {
        return std::chrono::duration<double>(clock::now() - t0).count();
    }
    const std::function<void(const Progress&)>& callback_;
    double interval_, duration_;
    clock::time_point start_, last_;
};

std::unique_ptr<EngineCore> make_event_engine(Model model);
std::unique_ptr<EngineCore> make_clock_engine(Model model, double dt);

}  // namespace metabosim::detail
