// A network that runs away stops at its [limits]: at the same point for any threads, stretches
// or checkpoint on the way, with the outputs so far and the reason.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "metabosim/model/builtin.hpp"
#include "metabosim/simulation.hpp"

using namespace metabosim;
namespace fs = std::filesystem;

namespace {

// COBA with its excitation twenty times too strong: every E cell fires at its refractory limit
// (200 Hz) within a few ms.
Model runaway(double max_rate) {
    Model m = coba(300);
    for (auto& p : m.projections)
        if (p.receptor == Receptor::excitatory) p.weight = Distribution::constant(120);
    m.limits.max_rate = max_rate;
    m.limits.rate_window = 20;
    return m;
}

void check_stopped_at_limit(const Simulation& sim, const Results& r) {
    CHECK_FALSE(sim.finished());
    CHECK_FALSE(r.complete);
    CHECK(r.reached == sim.time());
    CHECK(r.stopped.starts_with("runaway: population \""));
    CHECK(r.stopped.find("above limits.max_rate = 100 Hz") != std::string::npos);
    CHECK(r.stopped == "runaway: " + sim.limit_exceeded());
    for (const auto& s : r.spikes)
        for (double t : s.times) CHECK(t < r.reached);
}

}  // namespace

TEST_CASE("a population above max_rate stops the run at the first window's end, its spikes kept") {
    Simulation sim(runaway(100));
    const Results r = sim.run();
    check_stopped_at_limit(sim, r);
    // The first window (0 to 20 ms) already runs away; the engine stops at the first epoch end after it.
    CHECK(r.stopped.find("from 0 ms to 20 ms") != std::string::npos);
    CHECK(sim.time() >= 20);
    CHECK(sim.time() < 21);
    std::size_t spikes = 0;
    for (const auto& s : r.spikes) spikes += s.times.size();
    CHECK(spikes >= 2 * 800);  // above 100 Hz over 20 ms: 2 spikes a cell in the smaller population
}

TEST_CASE("the stop point is the same for any threads, stretches, engine restart from a checkpoint") {
    Simulation one(runaway(100), Strategy::event_driven(1));
    const Results a = one.run();
    Simulation two(runaway(100), Strategy::event_driven(2));
    // In stretches that do not fall on the windows' ends.
    while (!two.finished() && two.limit_exceeded().empty()) two.run_until(two.time() + 7);
    const Results b = two.results();
    CHECK(one.time() == two.time());
    CHECK(a.stopped == b.stopped);
    REQUIRE(a.spikes.size() == b.spikes.size());
    for (std::size_t p = 0; p < a.spikes.size(); ++p) CHECK(a.spikes[p].times == b.spikes[p].times);

    // Saved at 13 ms, before the first window's end, and resumed on other threads.
    const fs::path file = fs::temp_directory_path() / ("metabosim-limits-" + std::to_string(::getpid()) + ".msc");
    Simulation first(runaway(100));
    first.run_until(13);
    REQUIRE(first.limit_exceeded().empty());
    first.save(file);
    Simulation resumed = Simulation::load(file, 2);
    fs::remove(file);
    resumed.run();
    CHECK(resumed.time() == one.time());
    CHECK(resumed.limit_exceeded() == one.limit_exceeded());
    CHECK(resumed.results().spikes[0].times == a.spikes[0].times);
}

TEST_CASE("the clock-driven engine stops alike") {
    Simulation sim(runaway(100), Strategy::clock_driven(0.1));
    check_stopped_at_limit(sim, sim.run());
}

TEST_CASE("max_spikes stops a run that records more spikes than allowed") {
    Model m = runaway(1e6);
    m.limits.max_spikes = 1000;
    Simulation sim(m);
    const Results r = sim.run();
    CHECK_FALSE(r.complete);
    CHECK(r.stopped.find("more than limits.max_spikes = 1000") != std::string::npos);
}

TEST_CASE("a run within its limits ends complete; called again after a stop, run_until goes on") {
    Model usual = coba(100);
    usual.limits.rate_window = 10;
    const Results r = Simulation(usual).run();
    CHECK(r.complete);
    CHECK(r.stopped.empty());

    Simulation sim(runaway(100));
    sim.run_until(300);
    const double first = sim.time();
    REQUIRE_FALSE(sim.limit_exceeded().empty());
    sim.run_until(300);
    CHECK(sim.time() > first);  // the next window checked, and exceeded too
    CHECK_FALSE(sim.limit_exceeded().empty());
}

TEST_CASE("a spike source's given rate is no runaway; the cells it drives still are") {
    Model m = coba(100);
    m.limits.rate_window = 20;
    m.limits.max_rate = 100;
    Population input;
    input.name = "Input";
    input.size = 10;
    input.source = SpikeSource{};
    input.source->rate = 500;  // Hz, above max_rate by choice
    m.populations.insert(m.populations.begin(), input);
    Projection weak;
    weak.name = "InputE";
    weak.pre = "Input";
    weak.post = m.populations[1].name;
    weak.weight = Distribution::constant(0.001);
    weak.connectivity.rule = Connectivity::Rule::all_to_all;
    weak.delay = Distribution::constant(1);
    m.projections.push_back(weak);
    const Results quiet = Simulation(m).run();
    CHECK(quiet.complete);
    CHECK(quiet.spikes.front().times.size() > 10 * 500 * m.duration / 1000 / 2);  // the source did fire fast

    m.projections.back().weight = Distribution::constant(200);
    const Results driven = Simulation(m).run();
    CHECK_FALSE(driven.complete);
    CHECK(driven.stopped.find("population \"" + m.populations[1].name + "\"") != std::string::npos);
}
