// Embedding metabosim: describe a small model in code, run it, and read the results in memory.
// A single neuron is driven by a spike train; a metabolic step at 200 ms warms it from 37 to
// 41 degC, which shortens its time constants and strengthens its synapses.
#include <algorithm>

#include <fmt/format.h>

#include "metabosim/model/model.hpp"
#include "metabosim/simulation.hpp"

int main() {
    using namespace metabosim;
    Model model;
    model.duration = 400;  // ms
    Population cell;
    cell.name = "cell";
    cell.size = 1;
    cell.initial_V = Distribution::constant(-60);
    model.populations.push_back(cell);

    SpikeGenerator input;
    input.name = "input";
    input.target = "cell";
    for (double t = 5; t < model.duration; t += 5) input.times.push_back(t);  // 200 Hz
    input.weight = 12;  // nS
    model.generators.push_back(input);

    model.metabolism.push_back({.time = 200, .population = "cell", .temperature = 41});
    model.recording.states.push_back({.population = "cell", .neurons = {0}, .variables = {"V"}, .interval = 1});

    const Results results = simulate(model);
    const auto& spikes = results.spikes[0].times;
    const auto before = std::count_if(spikes.begin(), spikes.end(), [](double t) { return t < 200; });
    fmt::print("spikes at 37 degC (0-200 ms): {}, at 41 degC (200-400 ms): {}\n", before,
               static_cast<long>(spikes.size()) - before);
    fmt::print("V at 100 ms: {:.3f} mV; {} events processed\n", results.states[0].at(100, 0, 0),
               results.counters.total_events());
    return 0;
}
