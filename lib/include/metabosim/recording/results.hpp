// What a run produces, in memory: spikes, sampled state, weight statistics, the metabolic
// timeline and counters. output.hpp writes it to files; embedding code reads it directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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
    std::size_t bins = 0;                        // histogram bins over [w_min, w_max]
    std::vector<double> times, mean, stddev, fraction_at_min, fraction_at_max;
    std::vector<std::uint64_t> histogram;        // [sample * bins + bin]
    // The histogram of sample k (the last one: times.size() - 1).
    std::vector<std::uint64_t> histogram_at(std::size_t k) const {
        return {histogram.begin() + static_cast<std::ptrdiff_t>(k * bins),
                histogram.begin() + static_cast<std::ptrdiff_t>((k + 1) * bins)};
    }
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

// What an engine did: events processed by kind (the kinds are the engine's own, in its order:
// engine/event.hpp), predictions it dropped, epochs or steps, and how long it took.
struct RunCounters {
    struct EventCount {
        std::string kind;
        std::uint64_t count = 0;
    };
    std::vector<EventCount> events;
    std::uint64_t stale_predictions = 0;   // crossings and look-aheads cancelled by newer input
    std::uint64_t epochs = 0;
    double wall_seconds = 0;
    // Where the time went, in seconds of computation summed over threads, by phase (the engine's
    // own phases; empty for engines that do not time them).
    struct PhaseTime {
        std::string phase;
        double seconds = 0;
    };
    std::vector<PhaseTime> phases;

    std::uint64_t total_events() const {
        std::uint64_t n = 0;
        for (const auto& e : events) n += e.count;
        return n;
    }
    // Events of one kind; 0 when the engine has no such kind.
    std::uint64_t events_of(std::string_view kind) const {
        for (const auto& e : events)
            if (e.kind == kind) return e.count;
        return 0;
    }
};

struct Results {
    std::string engine = "event-driven";  // or "clock-driven", "event-queue"
    double dt = 0;            // ms, the clock-driven step (0 event-driven)
    double duration = 0;      // ms, the run's (see reached)
    // A run stopped before its end (interrupted, or stopped by a limit) holds what was recorded up
    // to `reached` (ms), and says why it stopped.
    bool complete = true;
    double reached = 0;       // ms; the duration when complete
    std::string stopped;
    std::uint64_t seed = 0;
    std::uint64_t synapse_count = 0;
    std::vector<PopulationSpikes> spikes;
    std::vector<StateTrace> states;
    std::vector<WeightTrace> weights;
    std::vector<StateChange> metabolic_timeline;
    std::vector<EnergyTrace> energy;
    RunCounters counters;

    // The stretch of time the outputs cover, from 0 (ms).
    double recorded_span() const { return complete ? duration : reached; }
    double real_time_factor() const {  // simulated seconds per wall second
        return counters.wall_seconds > 0 ? recorded_span() / 1000.0 / counters.wall_seconds : 0;
    }
};

}  // namespace metabosim
