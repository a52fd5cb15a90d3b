// Spike-source populations: Poisson and array trains, the same spikes in every engine, projections
// from them with their delays, what is refused, the exports, and the Song, Miller & Abbott example.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "compare/compared_models.hpp"
#include "metabosim/brian2/export.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/inputs/spike_sources.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/simulation.hpp"
#include "metabosim/sonata/circuit.hpp"
#include "metabosim/sonata_export/export.hpp"

using namespace metabosim;
namespace fs = std::filesystem;

namespace {

Population source_population(const std::string& name, std::uint32_t size, SpikeSource source) {
    Population p;
    p.name = name;
    p.size = size;
    p.source = std::move(source);
    return p;
}

SpikeSource poisson(double rate, std::vector<RateStep> steps = {}) {
    SpikeSource s;
    s.rate = rate;
    s.steps = std::move(steps);
    return s;
}

SpikeSource array(std::vector<std::vector<double>> times) {
    SpikeSource s;
    s.kind = SpikeSource::Kind::array;
    s.times = std::move(times);
    return s;
}

// Poisson inputs (one rate step, temperature-scaled, through a metabolic step) onto a small
// plastic E population with its own drive, and an array source into it: every path at once.
Model driven_by_sources(double duration) {
    Model m;
    m.duration = duration;
    m.seed = 7;
    SpikeSource inputs = poisson(12, {{60, 30}});
    inputs.temperature_scaled = true;
    m.populations.push_back(source_population("In", 120, inputs));
    m.populations[0].q10.poisson_rate = 2.0;
    m.populations.push_back(source_population("Probe", 2, array({{5, 40.25, 40.5}, {17.125}})));
    Population e;
    e.name = "E";
    e.size = 40;
    e.drive = PoissonDrive{300, 1.5, Receptor::excitatory};
    m.populations.push_back(e);
    Projection in;
    in.name = "InE";
    in.pre = "In";
    in.post = "E";
    in.connectivity.p = 0.3;
    in.weight = Distribution::uniform(1, 3);
    in.delay = Distribution::uniform(1, 4);
    in.stdp = StdpParameters{};
    in.stdp->w_max = 4;
    m.projections.push_back(in);
    Projection probe = in;
    probe.name = "ProbeE";
    probe.pre = "Probe";
    probe.connectivity.rule = Connectivity::Rule::all_to_all;
    probe.weight = Distribution::constant(5);
    probe.stdp.reset();
    m.projections.push_back(probe);
    m.metabolism = {{80, "In", 40}, {80, "E", 39}};
    m.recording.weights = {{"InE", 25, 10, true}};
    return m;
}

const PopulationSpikes& spikes_of(const Results& r, const std::string& name) {
    for (const PopulationSpikes& s : r.spikes)
        if (s.population == name) return s;
    FAIL("no population " << name);
    return r.spikes.front();
}

}  // namespace

TEST_CASE("a Poisson source population fires at its rate, and at each step's rate from the step on") {
    Model m;
    m.duration = 2000;
    m.populations.push_back(source_population("In", 200, poisson(20, {{1000, 50}})));
    const Results r = simulate(m);
    const PopulationSpikes& s = spikes_of(r, "In");
    std::size_t before = 0, after = 0;
    for (double t : s.times) (t < 1000 ? before : after) += 1;
    // Poisson counts: expected 200 * 20 Hz * 1 s = 4000 and 200 * 50 Hz * 1 s = 10000; five
    // standard deviations (sqrt of the mean) each way.
    CHECK(std::abs(double(before) - 4000) < 5 * std::sqrt(4000.0));
    CHECK(std::abs(double(after) - 10000) < 5 * std::sqrt(10000.0));
    // Every source fires, each on its own stream.
    std::vector<std::size_t> per_source(200);
    for (auto n : s.node_ids) ++per_source.at(n);
    for (std::size_t n = 0; n < 200; ++n) CHECK(per_source[n] > 20);
    const SourceTrain train(m, MetabolicSchedule(m), 0);
    CHECK(train.times(0) != train.times(1));
}

TEST_CASE("an array source emits exactly its given times, none after the run") {
    Model m;
    m.duration = 50;
    m.populations.push_back(source_population("Probe", 3, array({{0, 7.5, 50}, {}, {0.25, 49.999, 50.5}})));
    for (const Strategy strategy : {Strategy::event_driven(2), Strategy::event_queue(), Strategy::clock_driven(0.1)}) {
        const Results r = simulate(m, strategy);
        const PopulationSpikes& s = spikes_of(r, "Probe");
        CHECK(s.times == std::vector<double>{0, 0.25, 7.5, 49.999, 50});
        CHECK(s.node_ids == std::vector<std::uint32_t>{0, 2, 0, 2, 0});
    }
}

TEST_CASE("source spikes are drawn, not integrated: the same in the epoch, queue and clock engines") {
    const Model m = driven_by_sources(150);
    const Results epochs = simulate(m, Strategy::event_driven(3));
    const Results queue = simulate(m, Strategy::event_queue());
    const Results clock = simulate(m, Strategy::clock_driven(0.1));
    for (const std::string name : {"In", "Probe"}) {
        const PopulationSpikes& a = spikes_of(epochs, name);
        CHECK(a.times.size() > (name == "In" ? 200u : 3u));
        CHECK(a.times == spikes_of(queue, name).times);
        CHECK(a.node_ids == spikes_of(queue, name).node_ids);
        CHECK(a.times == spikes_of(clock, name).times);
        CHECK(a.node_ids == spikes_of(clock, name).node_ids);
    }
    // And what they drive fires alike in both exact engines, weights included.
    const PopulationSpikes &e = spikes_of(epochs, "E"), &q = spikes_of(queue, "E");
    REQUIRE(e.times.size() == q.times.size());
    CHECK(e.times.size() > 50);
    for (std::size_t k = 0; k < e.times.size(); ++k) CHECK(e.times[k] == doctest::Approx(q.times[k]).epsilon(1e-12));
    for (std::size_t s = 0; s < epochs.weights[0].final_weight.size(); ++s)
        CHECK(epochs.weights[0].final_weight[s] == doctest::Approx(queue.weights[0].final_weight[s]).epsilon(1e-9));
    // The source population's rate follows the step (x 2.5) and then the temperature (x 2^0.3).
    const Model longer = driven_by_sources(150);
    const auto rates = source_rates(longer, MetabolicSchedule(longer), 0);
    REQUIRE(rates.size() == 3);
    CHECK(rates[0].rate == doctest::Approx(12));
    CHECK(rates[1].time == 60);
    CHECK(rates[1].rate == doctest::Approx(30));
    CHECK(rates[2].rate == doctest::Approx(30 * std::pow(2.0, 0.3)));
}

TEST_CASE("a source's spike reaches its target after the projection's delay") {
    for (double delay : {0.5, 3.0}) {
        Model m;
        m.duration = 30;
        m.populations.push_back(source_population("Probe", 1, array({{10}})));
        Population cell;
        cell.name = "Cell";
        cell.size = 1;
        cell.initial_V = Distribution::constant(-60);
        m.populations.push_back(cell);
        Projection p;
        p.name = "ProbeCell";
        p.pre = "Probe";
        p.post = "Cell";
        p.connectivity.rule = Connectivity::Rule::all_to_all;
        p.weight = Distribution::constant(40);
        p.delay = Distribution::constant(delay);
        m.projections.push_back(p);
        m.recording.states = {{"Cell", {0}, {"ge"}, 0.05}};
        for (const Strategy strategy : {Strategy::event_driven(), Strategy::event_queue()}) {
            const Results r = simulate(m, strategy);
            const StateTrace& ge = r.states[0];
            const auto sample = [&](double t) { return ge.at(static_cast<std::size_t>(std::lround(t / 0.05)), 0, 0); };
            CHECK(sample(10 + delay - 0.05) == 0);
            CHECK(sample(10 + delay) == doctest::Approx(40));
            const PopulationSpikes& fired = spikes_of(r, "Cell");
            REQUIRE(!fired.times.empty());  // 40 nS fires the cell shortly after the arrival, not before
            CHECK(fired.times[0] > 10 + delay);
            CHECK(fired.times[0] < 10 + delay + 2);
        }
    }
}

TEST_CASE("outputs with sources are the same on 1 and 2 threads, to the last bit") {
    const Model m = driven_by_sources(120);
    const Results one = simulate(m, Strategy::event_driven(1));
    const Results two = simulate(m, Strategy::event_driven(2));
    for (std::size_t p = 0; p < one.spikes.size(); ++p) {
        CHECK(one.spikes[p].times == two.spikes[p].times);
        CHECK(one.spikes[p].node_ids == two.spikes[p].node_ids);
    }
    CHECK(one.weights[0].final_weight == two.weights[0].final_weight);
    CHECK(one.weights[0].histogram == two.weights[0].histogram);
}

TEST_CASE("a spike source takes no input and has no state: refused with the file and the key") {
    const std::string head = "[run]\nduration = \"100 ms\"\n[populations.In]\nsize = 3\n"
                             "source = { kind = \"poisson\", rate = \"15 Hz\" }\n[populations.E]\nsize = 2\n";
    const auto refused = [&](const std::string& tail, const std::string& words) {
        CHECK_THROWS_WITH_AS(parse_config(head + tail, "sources.toml"), doctest::Contains(words.c_str()), UserError);
        CHECK_THROWS_WITH_AS(parse_config(head + tail, "sources.toml"), doctest::Contains("sources.toml"), UserError);
    };
    refused("[projections.EIn]\npre = \"E\"\npost = \"In\"\n", "post");
    refused("[projections.EIn]\npre = \"E\"\npost = \"In\"\n", "spike source");
    refused("[[generators]]\nname = \"g\"\ntarget = \"In\"\ntimes = [\"1 ms\"]\n", "target");
    refused("[[recording.states]]\npopulation = \"In\"\nneurons = [0]\n", "states[0].population");
    CHECK_THROWS_WITH_AS(parse_config("[populations.In]\nsize = 1\nsource = { kind = \"poisson\" }\n"
                                      "drive = { rate = \"5 Hz\" }\n",
                                      "d.toml"),
                         doctest::Contains("populations.In.drive"), UserError);
    CHECK_THROWS_WITH_AS(parse_config("[populations.In]\nsize = 2\nsource = { kind = \"array\", times = [[\"1 ms\"]] }\n",
                                      "a.toml"),
                         doctest::Contains("one entry per source"), UserError);
    CHECK_THROWS_WITH_AS(parse_config("[populations.In]\nsize = 1\n"
                                      "source = { kind = \"array\", times = [[\"2 ms\", \"2 ms\"]] }\n",
                                      "a.toml"),
                         doctest::Contains("strictly ascending"), UserError);
    CHECK_THROWS_WITH_AS(parse_config("[populations.In]\nsize = 1\nsource = { kind = \"burst\" }\n", "k.toml"),
                         doctest::Contains("populations.In.source.kind"), UserError);
    // Sources on the other side of a projection are what they are for.
    CHECK_NOTHROW(parse_config(head + "[projections.InE]\npre = \"In\"\npost = \"E\"\n", "sources.toml"));
}

TEST_CASE("a model with sources survives its configuration text, and Brian2 takes it") {
    const Model m = driven_by_sources(100);
    const Model back = parse_config(to_toml(m), "generated.toml");
    REQUIRE(back.populations[0].source);
    CHECK(back.populations[0].source->temperature_scaled);
    CHECK(back.populations[0].source->steps.size() == 1);
    CHECK(back.populations[1].source->times == m.populations[1].source->times);
    CHECK(simulate(back).spikes[0].times == simulate(m).spikes[0].times);
    const fs::path dir = fs::temp_directory_path() / ("metabosim-sources-" + std::to_string(::getpid()));
    CHECK_NOTHROW(export_brian2(m, dir / "brian2"));
    CHECK(fs::exists(dir / "brian2" / "network.h5"));
    fs::remove_all(dir);
}

TEST_CASE("SONATA: sources leave as virtual nodes with their drawn trains and come back as array sources") {
    const Model m = driven_by_sources(100);
    const fs::path dir = fs::temp_directory_path() / ("metabosim-sources-sonata-" + std::to_string(::getpid()));
    export_sonata(m, dir);
    const Model back = read_sonata_circuit(dir / "circuit_config.json");
    fs::remove_all(dir);
    REQUIRE(back.populations.size() == 3);
    const MetabolicSchedule schedule(m);
    for (std::uint32_t p : {0u, 1u}) {
        REQUIRE(back.populations[p].source);
        CHECK(back.populations[p].name == m.populations[p].name);
        CHECK(back.populations[p].source->kind == SpikeSource::Kind::array);
        // A Poisson source's train through its step and the temperature, to the last bit.
        const SourceTrain train(m, schedule, p);
        REQUIRE(back.populations[p].source->times.size() == m.populations[p].size);
        for (std::uint32_t i = 0; i < m.populations[p].size; ++i) CHECK(back.populations[p].source->times[i] == train.times(i));
    }
    CHECK(back.populations[0].q10.poisson_rate == 2.0);  // metabolism_params of virtual nodes too
    CHECK_FALSE(back.populations[2].source);
    CHECK(back.projections.size() == m.projections.size());
    const Results original = simulate(m), again = simulate(back);
    for (const std::string name : {"In", "Probe"}) {
        CHECK(spikes_of(again, name).times == spikes_of(original, name).times);
        CHECK(spikes_of(again, name).node_ids == spikes_of(original, name).node_ids);
    }
}

TEST_CASE("the Song, Miller & Abbott config validates and runs") {
    Model m = load_config(fs::path(METABOSIM_SOURCE_DIR) / "configs" / "song_abbott.toml");
    CHECK(m.populations[0].source);
    CHECK(m.populations[0].size == 1000);
    apply_override(m, "run.duration=2 s");
    const Results r = simulate(m, Strategy::event_driven(2));
    const PopulationSpikes& inputs = spikes_of(r, "Input");
    CHECK(std::abs(double(inputs.times.size()) - 20000) < 5 * std::sqrt(20000.0));  // 1000 x 10 Hz x 2 s
    CHECK(spikes_of(r, "Cell").times.size() > 10);  // driven hard by weights that start at g_max
    REQUIRE(r.weights.size() == 1);
    CHECK(r.weights[0].final_weight.size() == 1000);
    double mean = 0;
    for (double w : r.weights[0].final_weight) mean += w / 1000;
    CHECK(mean < 0.15);  // depression wins while the cell fires fast
}

TEST_CASE("compare measures neurons: its single-neuron model and probes leave the sources out") {
    const Model m = load_config(fs::path(METABOSIM_SOURCE_DIR) / "configs" / "song_abbott.toml");
    const Model single = compare::single_neurons(m, 10, 100);
    REQUIRE(single.populations.size() == 1);
    CHECK(single.populations[0].name == "Cell");
    CHECK(single.populations[0].drive);  // its inputs gone, the standard drive makes it fire
    Model probed = m;
    const compare::Probes probes = compare::add_probes(probed);
    CHECK(probes.voltage.at("Input").empty());
    REQUIRE(probed.recording.states.size() == 1);
    CHECK(probed.recording.states[0].population == "Cell");
    CHECK_NOTHROW(validate(probed));
}
