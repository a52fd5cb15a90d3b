// What a run produces, in memory: spikes, sampled state, weight statistics, the metabolic
// timeline and counters. output.hpp writes it to files; embedding code reads it directly.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace metabosim {

// Spikes of one population in emission order (so sorted by time), node ids local.
struct PopulationSpikes {
    std::string population;
    std::uint32_t size = 0;
    std::vector<double> times;            // ms
    std::vector<std::uint32_t> node_ids;  // local to the population
};

// Variables of chosen neurons sampled at start + k * interval, k = 0 .. samples - 1.
struct StateTrace {
    std::string population;
    std::vector<std::uint32_t> neurons;
    std::vector<std::string> variables;   // V (mV), ge (nS), gi (nS)
    double start = 0, interval = 1;       // ms
    std::size_t samples = 0;
    // values[(k * variables.size() + v) * neurons.size() + n]
    std::vector<double> values;
    double at(std::size_t k, std::size_t variable, std::size_t neuron) const {
        return values[(k * variables.size() + variable) * neurons.size() + neuron];
    }
};

// Weights of one plastic or static projection over time (nS, reference scale).
struct WeightTrace {
    std::string projection;
    double w_min = 0, w_max = 0;                 // histogram range
    std::vector<double> times, mean, stddev, fraction_at_min, fraction_at_max;
    std::vector<std::vector<std::uint64_t>> histogram;  // [sample][bin]
    bool has_final = false;
    std::vector<std::uint32_t> final_source, final_target;  // local indices
    std::vector<double> final_weight, final_delay;           // nS, ms
};

struct StateChange {
    double time;          // ms
    std::string population;
    double temperature;   // degC
};

// A population's ATP pool over time (model.hpp, EnergyBudget), sampled at every update.
struct EnergyTrace {
    std::string population;
    std::vector<double> times;          // ms
    std::vector<double> atp_fraction;   // of capacity
    std::vector<double> temperature;    // degC, after the update's threshold test
};

// Order matters: it is the tie order of simultaneous events (scheduler.hpp).
enum class EventKind : std::uint8_t {
    metabolic_change,
    refractory_end,
    spike_arrival,
    external_input,
    threshold_crossing,
    look_ahead,  // event-driven: a prediction continues where its first series segment ended
    sample,
    end_of_run,
};
inline constexpr std::size_t event_kind_count = 8;
const char* event_kind_name(EventKind kind);

struct RunCounters {
    std::array<std::uint64_t, event_kind_count> events{};  // processed, per kind
    std::uint64_t stale_predictions = 0;   // crossings and look-aheads cancelled by newer input
    std::uint64_t epochs = 0;
    double wall_seconds = 0;
    std::uint64_t total_events() const {
        std::uint64_t n = 0;
        for (auto e : events) n += e;
        return n;
    }
};

struct Results {
    std::string engine = "event-driven";  // or "clock-driven"
    double dt = 0;            // ms, the clock-driven step (0 event-driven)
    double duration = 0;      // ms simulated
    std::uint64_t seed = 0;
    std::uint64_t synapse_count = 0;
    std::vector<PopulationSpikes> spikes;
    std::vector<StateTrace> states;
    std::vector<WeightTrace> weights;
    std::vector<StateChange> metabolic_timeline;
    std::vector<EnergyTrace> energy;
    RunCounters counters;

    double real_time_factor() const {  // simulated seconds per wall second
        return counters.wall_seconds > 0 ? duration / 1000.0 / counters.wall_seconds : 0;
    }
};

}  // namespace metabosim
