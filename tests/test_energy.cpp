// The energy loop: the ATP pool follows its balance exactly, thresholds change the state.
#include <doctest/doctest.h>

#include <cmath>

#include "metabosim/lowering/lowering.hpp"
#include "metabosim/simulation.hpp"

using namespace metabosim;

namespace {

Model resting_population(double duration) {
    Model m;
    m.duration = duration;
    Population p;
    p.name = "cells";
    p.size = 10;
    p.initial_V = Distribution::constant(p.neuron.EL);
    EnergyBudget e;
    e.capacity = 1e9;
    e.supply = 0;
    e.rest = 2e8;       // 20 % of capacity per second
    e.interval = 50;
    p.energy = e;
    m.populations.push_back(p);
    return m;
}

}  // namespace

TEST_CASE("without activity the pool drains at the resting cost, in both engines") {
    const Model m = resting_population(1000);
    for (const Strategy strategy : {Strategy::event_driven(), Strategy::clock_driven(0.1)}) {
        const Results r = simulate(m, strategy);
        REQUIRE(r.energy.size() == 1);
        const EnergyTrace& trace = r.energy[0];
        REQUIRE(trace.times.size() == 21);  // 0, 50, ..., 1000 ms
        for (std::size_t k = 0; k < trace.times.size(); ++k) {
            CHECK(trace.times[k] == doctest::Approx(50.0 * k));
            CHECK(trace.atp_fraction[k] == doctest::Approx(1.0 - 0.2 * trace.times[k] / 1000).epsilon(1e-12));
        }
    }
}

TEST_CASE("a falling threshold moves the population at the first update below it, and supply follows its Q10") {
    Model m = resting_population(3000);
    EnergyBudget& e = *m.populations[0].energy;
    e.supply = 1e8;  // net drain 1e8/s = 10 %/s at 37 degC
    e.thresholds.push_back({.direction = EnergyThreshold::Direction::falling, .level = 0.87, .temperature = 32});
    const Results r = simulate(m);
    // 13 % at 10 %/s: crossed at 1300 ms, an update time, where the fraction is 0.87 - not below.
    // Below from 1350 ms on: the change happens there.
    REQUIRE(r.metabolic_timeline.size() == 2);
    CHECK(r.metabolic_timeline[1].time == doctest::Approx(1350));
    CHECK(r.metabolic_timeline[1].temperature == 32);
    // At 32 degC the supply is 1e8 * 2.8^-0.5: the drain steepens.
    const double supply_cold = 1e8 * std::pow(2.8, -0.5);
    const EnergyTrace& trace = r.energy[0];
    const double at_change = 1.0 - 0.1 * 1.35;
    const double expected_end = at_change - (2e8 - supply_cold) / 1e9 * (3000 - 1350) / 1000;
    CHECK(trace.atp_fraction.back() == doctest::Approx(expected_end).epsilon(1e-12));
    CHECK(trace.temperature.back() == 32);
}

TEST_CASE("every spike costs per_spike, shared over the population; the pool stays within [0, capacity]") {
    Model m = resting_population(200);
    Population& p = m.populations[0];
    p.size = 1;
    p.neuron.I_ext = 300;  // regular firing
    EnergyBudget& e = *p.energy;
    e.rest = 0;
    e.per_spike = 1e7;
    e.interval = 200;
    const Results r = simulate(m);
    const double spikes = static_cast<double>(r.spikes[0].times.size());
    REQUIRE(spikes > 3);
    CHECK(r.energy[0].atp_fraction.back() == doctest::Approx(1.0 - spikes * 1e7 / 1e9).epsilon(1e-12));

    e.per_spike = 1e9;  // more than the pool holds
    CHECK(simulate(m).energy[0].atp_fraction.back() == 0.0);
}

TEST_CASE("across a metabolic step between updates, the supply follows each temperature for its share") {
    Model m = resting_population(200);
    EnergyBudget& e = *m.populations[0].energy;
    e.supply = 1e8;
    e.rest = 0;
    e.initial_fraction = 0.5;
    m.metabolism.push_back({.time = 125, .population = "cells", .temperature = 41});
    const double warm = 1e8 * std::pow(2.8, 0.4);
    for (const Strategy strategy : {Strategy::event_driven(), Strategy::clock_driven(0.125)}) {
        const Results results = simulate(m, strategy);  // held: the trace is a reference into it
        const EnergyTrace& trace = results.energy[0];
        REQUIRE(trace.times.size() == 5);
        const double expected = 0.5 + (1e8 * 0.125 + warm * 0.025) / 1e9;  // at 150 ms
        CHECK(trace.atp_fraction[3] == doctest::Approx(expected).epsilon(1e-12));
    }
}
