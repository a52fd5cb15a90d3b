// The model description: what a user says about a network, apart from how it is run.
//
// Plain values in internal units (ms, mV, nS, pF, pA, Hz, degC; see units.hpp), each with the
// default of the metaboplastic microcircuit at the reference temperature. A description is
// checked by validate() (config/validate.hpp) and lowered into scaled numbers per temperature
// (lowering.hpp); the engine never edits it. Build one in code (builtin.hpp has the two
// networks of docs/model.md) or load it from TOML (config/config.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace metabosim {

// A random or fixed value for a per-neuron or per-synapse quantity.
struct Distribution {
    enum class Kind { constant, uniform, normal_clipped };
    Kind kind = Kind::constant;
    double value = 0;       // constant
    double low = 0;         // uniform [low, high); clipping bounds of normal_clipped
    double high = 0;
    double mean = 0;        // normal_clipped: drawn again until inside [low, high]
    double stddev = 0;

    static Distribution constant(double v) { return {Kind::constant, v, v, v, v, 0}; }
    static Distribution uniform(double lo, double hi) { return {Kind::uniform, 0, lo, hi, 0, 0}; }
    static Distribution normal_clipped(double mu, double sigma, double lo, double hi) {
        return {Kind::normal_clipped, 0, lo, hi, mu, sigma};
    }
};

// Conductance-based leaky integrate-and-fire neuron, values at the reference temperature.
struct NeuronParameters {
    double C = 200;        // pF
    double gL = 10;        // nS
    double EL = -60;       // mV
    double Vth = -50;      // mV
    double Vr = -60;       // mV
    double t_ref = 5;      // ms
    double Ee = 0;         // mV
    double Ei = -80;       // mV
    double tau_e = 5;      // ms
    double tau_i = 10;     // ms
    double I_ext = 0;      // pA, constant current
};

// Q10 coefficient of every temperature-dependent quantity: phi = q10^((T - T0) / 10).
// Rates, conductances and amplitudes are multiplied by phi, time constants divided by it.
struct Q10Table {
    double gL = 1.98;
    double C = 1.0;
    double tau_e = 3.0;
    double tau_i = 2.1;
    double synaptic_efficacy = 3.0;  // every delivered conductance jump, external drive too
    double t_ref = 3.0;
    double tau_stdp = 3.0;           // tau_plus and tau_minus
    double A_plus = 3.0;
    double A_minus = 2.0;
    double poisson_rate = 1.0;       // external drive rate
};

enum class Receptor { excitatory, inhibitory };

// Independent Poisson spike train into every neuron of a population.
struct PoissonDrive {
    double rate = 600;   // Hz, at the reference temperature
    double weight = 2;   // nS, conductance jump per input spike (scaled by synaptic efficacy)
    Receptor receptor = Receptor::excitatory;
};

// A crossing of the ATP pool through `level` (a fraction of capacity) in `direction` moves the
// population to `temperature`: the metabolic state follows the energy it has.
struct EnergyThreshold {
    enum class Direction { falling, rising };
    Direction direction = Direction::falling;
    double level = 0.3;         // fraction of capacity
    double temperature = 32;    // degC
};

// The ATP pool of a population, per neuron, closing the loop between activity and metabolism:
//   dA/dt = supply * phi_P(T) - rest - per_spike * (spikes) - per_release * (vesicle releases)
// with phi_P = q10_supply^((T - T0)/10), costs from Attwell & Laughlin (2001). A release is a
// presynaptic spike of the population reaching one of its synapses. The pool is brought up to
// date every `interval`, clipped to [0, capacity], and its thresholds tested then.
struct EnergyBudget {
    double capacity = 1e10;          // ATP per neuron (our choice: seconds of supply)
    double initial_fraction = 1.0;   // of capacity, at t = 0
    double supply = 3.3e9;           // ATP/s per neuron at the reference temperature: the
                                     // consumption at a mean rate of 4 Hz (Attwell & Laughlin 2001)
    double q10_supply = 2.8;         // of cerebral O2 consumption
    double rest = 3.4e8;             // ATP/s per neuron
    double per_spike = 3.8e8;        // ATP per action potential
    double per_release = 1.4e5;      // ATP per synaptic vesicle release
    double interval = 10;            // ms between updates
    std::vector<EnergyThreshold> thresholds;
};

// A population of spike sources in place of neurons (PyNN's SpikeSourcePoisson and
// SpikeSourceArray): each source emits spikes that leave through the population's projections
// like a neuron's, but it has no membrane and receives nothing.
struct RateStep {
    double time = 0;  // ms: the rate holds from here on
    double rate = 0;  // Hz
};
struct SpikeSource {
    enum class Kind { poisson, array };
    Kind kind = Kind::poisson;
    // poisson: an independent train per source at `rate` from t = 0, then at each step's rate from
    // its time (steps ascending). Scaled by q10.poisson_rate at the population's temperature only
    // when asked: by default the rate is the experimenter's and ignores the metabolic state.
    double rate = 10;                    // Hz
    std::vector<RateStep> steps;
    bool temperature_scaled = false;
    // array: each source's spike times (ms, strictly ascending), one list per source.
    std::vector<std::vector<double>> times;
};

struct Population {
    std::string name;
    std::uint32_t size = 0;
    NeuronParameters neuron;
    Q10Table q10;
    double reference_temperature = 37;  // degC, T0 of the Q10 law
    double temperature = 37;            // degC at t = 0
    Distribution initial_V = Distribution::uniform(-60, -50);  // mV
    Distribution initial_ge = Distribution::constant(0);       // nS
    Distribution initial_gi = Distribution::constant(0);       // nS
    std::optional<PoissonDrive> drive;
    std::optional<EnergyBudget> energy;
    std::optional<SpikeSource> source;  // set: a population of spike sources, not of neurons
};

struct Connectivity {
    enum class Rule { probability, fixed_indegree, one_to_one, all_to_all, explicit_list };
    Rule rule = Rule::probability;
    double p = 0.02;               // probability
    std::uint32_t indegree = 0;    // fixed_indegree: sources drawn without replacement
    bool autapses = false;         // i -> i allowed when pre and post are the same population
    // explicit_list: one synapse per entry, local indices; weight and delay may be given per
    // entry (empty vectors mean: draw from the projection's distributions).
    std::vector<std::uint32_t> sources, targets;
    std::vector<double> weights, delays;
};

// Spike-timing-dependent plasticity of a projection (by default pair-based, additive,
// all-to-all traces, hard bounds [w_min, w_max]).
struct StdpParameters {
    enum class Pairing { all_to_all, nearest_neighbour };
    enum class Update { additive, multiplicative };
    Pairing pairing = Pairing::all_to_all;
    Update update = Update::additive;
    double tau_plus = 16.8;          // ms, presynaptic trace
    double tau_minus = 33.7;         // ms, postsynaptic trace
    double w_min = 0;                // nS
    double w_max = 12;               // nS
    std::optional<double> A_plus;    // nS; default 0.01 * w_max
    std::optional<double> A_minus;   // nS; default -1.05 * A_plus * tau_plus / tau_minus

    double resolved_A_plus() const { return A_plus.value_or(0.01 * w_max); }
    double resolved_A_minus() const {
        return A_minus.value_or(-1.05 * resolved_A_plus() * tau_plus / tau_minus);
    }
};

struct Projection {
    std::string name;
    std::string pre, post;  // population names
    Connectivity connectivity;
    Receptor receptor = Receptor::excitatory;
    Distribution weight = Distribution::constant(4);            // nS, at reference scale
    Distribution delay = Distribution::uniform(1, 2);           // ms, axonal
    std::optional<StdpParameters> stdp;
};

// Spikes at given times into chosen neurons (e.g. a pairing protocol).
struct SpikeGenerator {
    std::string name;
    std::string target;                    // population
    std::vector<std::uint32_t> neurons;    // local indices; empty means all
    std::vector<double> times;             // ms, sorted ascending
    double weight = 2;                     // nS
    Receptor receptor = Receptor::excitatory;
};

// At `time` the population (empty: every population) moves to `temperature`.
struct MetabolicStep {
    double time = 0;          // ms
    std::string population;   // empty: all
    double temperature = 37;  // degC
};

// A ramp as a sequence of steps: `steps` equal steps from `from` (at start) to `to` (at stop),
// returned as steps + 1 entries, entry k at start + k (stop - start) / steps with temperature
// from + k (to - from) / steps; the first is exactly (start, from), the last (stop, to).
// Throws UserError when steps is 0.
std::vector<MetabolicStep> metabolic_ramp(double start, double stop, double from, double to,
                                          unsigned steps, const std::string& population = {});

struct StateRecording {
    std::string population;
    std::vector<std::uint32_t> neurons;        // local indices
    std::vector<std::string> variables{"V"};   // any of V, ge, gi
    double interval = 1;                       // ms
};

struct WeightRecording {
    std::string projection;
    double interval = 100;      // ms
    unsigned histogram_bins = 50;
    bool final_weights = true;
};

struct Recording {
    bool spikes = true;
    double rate_bin = 10;   // ms, population rate histogram
    std::vector<StateRecording> states;
    std::vector<WeightRecording> weights;
};

// What stops a run that has run away (docs/config.md, [limits]): checked at the end of every
// window of simulated time, so the same model stops at the same point on any number of threads.
struct Limits {
    double max_rate = 1000;      // Hz, a population's mean rate over one window
    double rate_window = 100;    // ms
    // Spikes recorded in all; unset: as many as half of this machine's memory holds
    // (Simulation, recorded_spike_bytes per spike).
    std::optional<std::uint64_t> max_spikes;
};

struct Model {
    std::vector<Population> populations;
    std::vector<Projection> projections;
    std::vector<SpikeGenerator> generators;
    std::vector<MetabolicStep> metabolism;
    Recording recording;
    Limits limits;
    double duration = 1000;      // ms
    std::uint64_t seed = 1;

    const Population& population(const std::string& name) const;
    std::uint32_t population_index(const std::string& name) const;
    std::uint32_t neuron_count() const;
};

// Every temperature the population can take during a run: its initial one, its metabolic steps'
// and its energy thresholds'.
std::set<double> temperatures_visited(const Model& model, const Population& population);

}  // namespace metabosim
