// Stopping and going on: run_until, results so far, checkpoints that resume to the same outputs.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "metabosim/config/config.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/simulation.hpp"

using namespace metabosim;
namespace fs = std::filesystem;

namespace {

// Plastic, driven through metabolic steps and an energy pool, recorded: every kind of state.
Model busy(double duration) {
    Model m = microcircuit(37, duration);
    m.populations[0].size = 200;
    m.populations[1].size = 50;
    for (auto& p : m.projections) p.connectivity.p = 0.08;
    m.populations[0].q10.poisson_rate = 1.3;
    EnergyBudget budget;
    budget.capacity = 2e8;
    budget.initial_fraction = 0.5;
    budget.interval = 5;
    budget.thresholds = {{EnergyThreshold::Direction::falling, 0.3, 34}, {EnergyThreshold::Direction::rising, 0.45, 40}};
    m.populations[1].energy = budget;
    m.metabolism = {{37.5, "E", 40}, {90, "", 36}};
    m.generators.push_back({"kick", "E", {0, 7}, {12, 55.25, 130}, 30, Receptor::excitatory});
    m.recording.states = {{"E", {0, 3}, {"V", "ge"}, 0.9}};
    m.recording.weights = {{"EE", 20, 10, true}};
    m.seed = 4;
    return m;
}

struct TempFile {
    fs::path path = fs::temp_directory_path() / ("metabosim-checkpoint-" + std::to_string(::getpid()) + ".msc");
    ~TempFile() { fs::remove(path); }
};

void check_same(const Results& a, const Results& b) {
    REQUIRE(a.spikes.size() == b.spikes.size());
    for (std::size_t p = 0; p < a.spikes.size(); ++p) {
        CHECK(a.spikes[p].times == b.spikes[p].times);
        CHECK(a.spikes[p].node_ids == b.spikes[p].node_ids);
    }
    for (std::size_t r = 0; r < a.states.size(); ++r) CHECK(a.states[r].values == b.states[r].values);
    for (std::size_t w = 0; w < a.weights.size(); ++w) {
        CHECK(a.weights[w].mean == b.weights[w].mean);
        CHECK(a.weights[w].histogram == b.weights[w].histogram);
        CHECK(a.weights[w].final_weight == b.weights[w].final_weight);
    }
    REQUIRE(a.energy.size() == b.energy.size());
    for (std::size_t e = 0; e < a.energy.size(); ++e) CHECK(a.energy[e].atp_fraction == b.energy[e].atp_fraction);
    REQUIRE(a.metabolic_timeline.size() == b.metabolic_timeline.size());
    for (std::size_t k = 0; k < a.metabolic_timeline.size(); ++k)
        CHECK(a.metabolic_timeline[k].time == b.metabolic_timeline[k].time);
    for (std::size_t k = 0; k < a.counters.events.size(); ++k)
        CHECK(a.counters.events[k].count == b.counters.events[k].count);
    CHECK(a.counters.epochs == b.counters.epochs);
}

}  // namespace

TEST_CASE("a run in stretches is the run in one go") {
    const Model m = busy(150);
    for (const Strategy strategy : {Strategy::event_driven(2), Strategy::clock_driven(0.1), Strategy::event_queue()}) {
        const Results whole = simulate(m, strategy);
        Simulation sim(m, strategy);
        for (double t : {0.0, 0.3, 41.7, 41.7, 100.0}) {
            sim.run_until(t);
            CHECK(sim.time() >= t);
            CHECK(!sim.finished());
            const Results partial = sim.results();
            CHECK(!partial.complete);
            CHECK(partial.reached == sim.time());
            for (double s : partial.spikes[0].times) CHECK(s < sim.time());
        }
        const Results staged = sim.run();
        CHECK(staged.complete);
        CHECK(sim.finished());
        check_same(whole, staged);
    }
}

TEST_CASE("a run whose end falls on an epoch's start ends complete, also in stretches") {
    const Model m = coba(100);  // the end is a whole number of shortest delays
    for (const Strategy strategy : {Strategy::event_driven(2), Strategy::clock_driven(0.1), Strategy::event_queue()}) {
        const Results whole = simulate(m, strategy);
        CHECK(whole.complete);
        CHECK(whole.reached == 100);
        Simulation sim(m, strategy);
        sim.run_until(50);
        CHECK(!sim.finished());
        sim.run_until(100);
        CHECK(sim.finished());
        CHECK(sim.results().complete);
        check_same(whole, sim.results());
    }
}

TEST_CASE("a checkpoint resumes to the same outputs, on any number of threads") {
    const Model m = busy(150);
    for (const Strategy strategy : {Strategy::event_driven(1), Strategy::event_driven(3), Strategy::clock_driven(0.1)}) {
        const Results whole = simulate(m, strategy);
        for (double at : {0.0, 63.3, 149.0}) {
            TempFile file;
            {
                Simulation sim(m, strategy);
                sim.run_until(at);
                sim.save(file.path);
                sim.run_until(120);  // what happens after the save does not matter
            }
            for (unsigned threads : {1u, 2u}) {
                Simulation resumed = Simulation::load(file.path, threads);
                CHECK(resumed.time() >= at);
                check_same(whole, resumed.run());
            }
        }
    }
}

namespace {

// Poisson inputs (with a rate step) and given spike times into the busy network, STDP from them:
// the sources' streams and cursors are state too.
Model with_sources(double duration) {
    Model m = busy(duration);
    Population inputs;
    inputs.name = "Inputs";
    inputs.size = 60;
    inputs.source = SpikeSource{};
    inputs.source->rate = 25;
    inputs.source->steps = {{70, 5}};
    Population probe;
    probe.name = "Probe";
    probe.size = 2;
    probe.source = SpikeSource{SpikeSource::Kind::array, 0, {}, false, {{3, 63.3, 63.4, 140}, {149.5}}};
    m.populations.push_back(inputs);
    m.populations.push_back(probe);
    Projection p = m.projections[0];  // EE: plastic
    p.name = "InputsE";
    p.pre = "Inputs";
    p.connectivity.p = 0.2;
    m.projections.push_back(p);
    p.name = "ProbeE";
    p.pre = "Probe";
    m.projections.push_back(p);
    m.recording.weights.push_back({"InputsE", 20, 10, true});
    return m;
}

}  // namespace

TEST_CASE("a checkpoint with spike sources resumes to the same outputs") {
    const Model m = with_sources(150);
    for (const Strategy strategy : {Strategy::event_driven(2), Strategy::clock_driven(0.1)}) {
        const Results whole = simulate(m, strategy);
        CHECK(whole.spikes[2].times.size() > 100);  // the Poisson inputs
        for (double at : {0.0, 63.3, 100.0}) {
            TempFile file;
            {
                Simulation sim(m, strategy);
                sim.run_until(at);
                sim.save(file.path);
            }
            for (unsigned threads : {1u, 3u}) check_same(whole, Simulation::load(file.path, threads).run());
        }
    }
}

TEST_CASE("a finished run's checkpoint loads finished") {
    TempFile file;
    Simulation sim(busy(150), Strategy::event_driven());
    const Results done = sim.run();
    sim.save(file.path);
    Simulation loaded = Simulation::load(file.path);
    CHECK(loaded.finished());
    check_same(done, loaded.results());
}

TEST_CASE("damaged, foreign or unsupported checkpoints are refused with a message") {
    TempFile file;
    {
        Simulation sim(busy(150), Strategy::event_driven());
        sim.run_until(10);
        sim.save(file.path);
    }
    std::string bytes;
    {
        std::ifstream in(file.path, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const auto rewrite = [&](const std::string& content) {
        std::ofstream(file.path, std::ios::binary | std::ios::trunc) << content;
    };
    rewrite(bytes.substr(0, bytes.size() / 2));
    CHECK_THROWS_WITH_AS(Simulation::load(file.path), doctest::Contains("truncated"), UserError);
    std::string flipped = bytes;
    flipped[flipped.size() / 3] ^= 0x20;
    rewrite(flipped);
    CHECK_THROWS_WITH_AS(Simulation::load(file.path), doctest::Contains("corrupted"), UserError);
    rewrite("not a checkpoint at all");
    CHECK_THROWS_WITH_AS(Simulation::load(file.path), doctest::Contains("not a metabosim checkpoint"), UserError);
    CHECK_THROWS_WITH_AS(Simulation::load(file.path.string() + ".missing"), doctest::Contains("cannot open"), UserError);
    Simulation queue(busy(150), Strategy::event_queue());
    CHECK_THROWS_WITH_AS(queue.save(file.path), doctest::Contains("queue engine"), UserError);
}

TEST_CASE("a model survives its configuration text") {
    Model m = busy(150);
    m.projections[0].weight = Distribution::normal_clipped(4.1, 0.3, 3, 5.5);
    m.projections[1].connectivity = Connectivity{Connectivity::Rule::explicit_list, 0, 0, false, {0, 3, 3}, {1, 2, 2}, {1.5, 2.5, 1.0 / 3}, {}};
    const std::string text = to_toml(m);
    const Model back = parse_config(text, "written");
    CHECK(to_toml(back) == text);
    const Results a = simulate(m), b = simulate(back);
    CHECK(a.spikes[0].times == b.spikes[0].times);
}
