// The event-driven engine in epochs against the queue engine (an independent exact engine: one
// global queue, predicted crossings), and its outputs for any number of threads.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "metabosim/model/builtin.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/simulation.hpp"

using namespace metabosim;

namespace {

// A plastic E/I network with everything that stops every neuron at once: metabolic steps (one
// at t = 0, one at the very end), a ramp, an energy pool whose thresholds switch the state,
// weight samples, and inputs from generators at shared times; recorded neurons.
Model busy_network(double duration) {
    Model m = microcircuit(37, duration);
    m.populations[0].size = 300;
    m.populations[1].size = 75;
    for (auto& p : m.projections) p.connectivity.p = 0.06;
    m.populations[0].q10.poisson_rate = 1.4;
    EnergyBudget budget;
    budget.capacity = 3e8;
    budget.initial_fraction = 0.5;
    budget.interval = 7;
    budget.thresholds = {{EnergyThreshold::Direction::falling, 0.3, 33}, {EnergyThreshold::Direction::rising, 0.45, 39}};
    m.populations[1].energy = budget;
    m.metabolism = {{0, "E", 39}, {60, "", 41}, {duration, "I", 35}};
    const auto ramp = metabolic_ramp(90, 150, 41, 34, 4, "E");
    m.metabolism.insert(m.metabolism.end(), ramp.begin(), ramp.end());
    m.generators.push_back({"kick", "E", {0, 1, 2, 3, 299}, {20, 20, 35.5, 100}, 25, Receptor::excitatory});
    m.generators.push_back({"hush", "I", {}, {50, 120}, 40, Receptor::inhibitory});
    m.recording.states = {{"E", {0, 5, 299}, {"V", "ge", "gi"}, 0.7}, {"I", {3}, {"gi"}, 2.5}};
    m.recording.weights = {{"EE", 25, 20, true}, {"IE", 50, 5, true}};
    m.seed = 11;
    return m;
}

// Spike times per neuron of one population.
std::map<std::uint32_t, std::vector<double>> trains(const PopulationSpikes& s) {
    std::map<std::uint32_t, std::vector<double>> out;
    for (std::size_t k = 0; k < s.times.size(); ++k) out[s.node_ids[k]].push_back(s.times[k]);
    return out;
}

}  // namespace

TEST_CASE("the epoch engine fires as the queue engine: every neuron, every spike, to 1e-9 ms") {
    const Model m = busy_network(200);
    const Results epochs = simulate(m, Strategy::event_driven());
    const Results queue = simulate(m, Strategy::event_queue());
    REQUIRE(epochs.spikes.size() == queue.spikes.size());
    std::size_t compared = 0;
    for (std::size_t p = 0; p < epochs.spikes.size(); ++p) {
        const auto a = trains(epochs.spikes[p]), b = trains(queue.spikes[p]);
        CHECK(a.size() == b.size());
        for (const auto& [n, times] : a) {
            REQUIRE(b.count(n));
            REQUIRE(times.size() == b.at(n).size());
            for (std::size_t k = 0; k < times.size(); ++k) CHECK(std::abs(times[k] - b.at(n)[k]) <= 1e-9);
            compared += times.size();
        }
    }
    CHECK(compared > 1000);
    // The same metabolic history (the energy pool switched the state) and the same weights.
    REQUIRE(epochs.metabolic_timeline.size() == queue.metabolic_timeline.size());
    CHECK(epochs.metabolic_timeline.size() > 11);  // 11 from the schedule, the rest from the pool
    for (std::size_t k = 0; k < epochs.metabolic_timeline.size(); ++k) {
        CHECK(epochs.metabolic_timeline[k].time == queue.metabolic_timeline[k].time);
        CHECK(epochs.metabolic_timeline[k].temperature == queue.metabolic_timeline[k].temperature);
    }
    for (std::size_t w = 0; w < epochs.weights.size(); ++w)
        for (std::size_t s = 0; s < epochs.weights[w].final_weight.size(); ++s)
            CHECK(epochs.weights[w].final_weight[s] == doctest::Approx(queue.weights[w].final_weight[s]).epsilon(1e-9));
    for (std::size_t r = 0; r < epochs.states.size(); ++r) {
        REQUIRE(epochs.states[r].values.size() == queue.states[r].values.size());
        for (std::size_t k = 0; k < epochs.states[r].values.size(); ++k)
            CHECK(std::abs(epochs.states[r].values[k] - queue.states[r].values[k]) <= 1e-8);
    }
}

TEST_CASE("the outputs are the same on 1, 2, 3 and 4 threads, to the last bit") {
    const Model m = busy_network(150);
    const Results one = simulate(m, Strategy::event_driven(1));
    for (unsigned threads : {2u, 3u, 4u}) {
        const Results many = simulate(m, Strategy::event_driven(threads));
        for (std::size_t p = 0; p < one.spikes.size(); ++p) {
            CHECK(many.spikes[p].times == one.spikes[p].times);
            CHECK(many.spikes[p].node_ids == one.spikes[p].node_ids);
        }
        for (std::size_t r = 0; r < one.states.size(); ++r) CHECK(many.states[r].values == one.states[r].values);
        for (std::size_t w = 0; w < one.weights.size(); ++w) {
            CHECK(many.weights[w].mean == one.weights[w].mean);
            CHECK(many.weights[w].stddev == one.weights[w].stddev);
            CHECK(many.weights[w].histogram == one.weights[w].histogram);
            CHECK(many.weights[w].final_weight == one.weights[w].final_weight);
        }
        REQUIRE(many.energy.size() == 1);
        CHECK(many.energy[0].atp_fraction == one.energy[0].atp_fraction);
        CHECK(many.energy[0].temperature == one.energy[0].temperature);
        for (std::size_t k = 0; k < one.counters.events.size(); ++k)
            CHECK(many.counters.events[k].count == one.counters.events[k].count);
    }
}

TEST_CASE("more threads than neurons, and a network without synapses, run") {
    Model m = microcircuit(37, 50);
    m.populations[0].size = 3;
    m.populations[1].size = 1;
    m.projections.clear();
    m.recording = {};
    const Results one = simulate(m, Strategy::event_driven(1));
    const Results eight = simulate(m, Strategy::event_driven(8));
    CHECK(eight.spikes[0].times == one.spikes[0].times);
    CHECK(one.spikes[0].times.size() > 3);
}

TEST_CASE("a thread count outside 1 .. 1024 is refused") {
    const Model m = microcircuit(37, 10);
    CHECK_THROWS_AS(Simulation(m, Strategy::event_driven(0)), UserError);
    CHECK_THROWS_AS(Simulation(m, Strategy::event_driven(1025)), UserError);
}
