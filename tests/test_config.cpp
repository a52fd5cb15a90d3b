// TOML configurations, overrides and model validation (config.hpp, model.hpp).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "metabosim/config/config.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/model/model.hpp"

using namespace metabosim;

namespace {

const std::filesystem::path source_dir = METABOSIM_SOURCE_DIR;

Model parse(const std::string& text) { return parse_config(text, "test.toml"); }

// The message a config fails with, or "" when it parses.
std::string error_of(const std::string& text, const std::filesystem::path& base_dir = ".") {
    try {
        parse_config(text, "test.toml", base_dir);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

std::string override_error(Model& model, std::string_view assignment) {
    try {
        apply_override(model, assignment);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// A one-population model; `extra` is appended.
std::string minimal(const std::string& extra = "") { return "[populations.E]\nsize = 10\n" + extra; }

void check_distribution(const Distribution& a, const Distribution& b) {
    CHECK(a.kind == b.kind);
    CHECK(a.value == b.value);
    CHECK(a.low == b.low);
    CHECK(a.high == b.high);
    CHECK(a.mean == b.mean);
    CHECK(a.stddev == b.stddev);
}

void check_population(const Population& a, const Population& b) {
    INFO("population ", a.name);
    CHECK(a.name == b.name);
    CHECK(a.size == b.size);
    CHECK(a.temperature == b.temperature);
    CHECK(a.reference_temperature == b.reference_temperature);
    const NeuronParameters &n = a.neuron, &m = b.neuron;
    CHECK(n.C == m.C);
    CHECK(n.gL == m.gL);
    CHECK(n.EL == m.EL);
    CHECK(n.Vth == m.Vth);
    CHECK(n.Vr == m.Vr);
    CHECK(n.t_ref == m.t_ref);
    CHECK(n.Ee == m.Ee);
    CHECK(n.Ei == m.Ei);
    CHECK(n.tau_e == m.tau_e);
    CHECK(n.tau_i == m.tau_i);
    CHECK(n.I_ext == m.I_ext);
    const Q10Table &q = a.q10, &r = b.q10;
    CHECK(q.gL == r.gL);
    CHECK(q.C == r.C);
    CHECK(q.tau_e == r.tau_e);
    CHECK(q.tau_i == r.tau_i);
    CHECK(q.synaptic_efficacy == r.synaptic_efficacy);
    CHECK(q.t_ref == r.t_ref);
    CHECK(q.tau_stdp == r.tau_stdp);
    CHECK(q.A_plus == r.A_plus);
    CHECK(q.A_minus == r.A_minus);
    CHECK(q.poisson_rate == r.poisson_rate);
    check_distribution(a.initial_V, b.initial_V);
    check_distribution(a.initial_ge, b.initial_ge);
    check_distribution(a.initial_gi, b.initial_gi);
    REQUIRE(a.drive.has_value() == b.drive.has_value());
    if (a.drive) {
        CHECK(a.drive->rate == b.drive->rate);
        CHECK(a.drive->weight == b.drive->weight);
        CHECK(a.drive->receptor == b.drive->receptor);
    }
}

void check_projection(const Projection& a, const Projection& b) {
    INFO("projection ", a.name);
    CHECK(a.name == b.name);
    CHECK(a.pre == b.pre);
    CHECK(a.post == b.post);
    CHECK(a.receptor == b.receptor);
    CHECK(a.connectivity.rule == b.connectivity.rule);
    CHECK(a.connectivity.p == b.connectivity.p);
    CHECK(a.connectivity.autapses == b.connectivity.autapses);
    check_distribution(a.weight, b.weight);
    check_distribution(a.delay, b.delay);
    REQUIRE(a.stdp.has_value() == b.stdp.has_value());
    if (a.stdp) {
        CHECK(a.stdp->pairing == b.stdp->pairing);
        CHECK(a.stdp->update == b.stdp->update);
        CHECK(a.stdp->tau_plus == b.stdp->tau_plus);
        CHECK(a.stdp->tau_minus == b.stdp->tau_minus);
        CHECK(a.stdp->w_min == b.stdp->w_min);
        CHECK(a.stdp->w_max == b.stdp->w_max);
        CHECK(a.stdp->resolved_A_plus() == b.stdp->resolved_A_plus());
        CHECK(a.stdp->resolved_A_minus() == b.stdp->resolved_A_minus());
    }
}

void check_model(const Model& a, const Model& b) {
    CHECK(a.duration == b.duration);
    CHECK(a.seed == b.seed);
    REQUIRE(a.populations.size() == b.populations.size());
    for (std::size_t i = 0; i < a.populations.size(); ++i)
        check_population(a.populations[i], b.populations[i]);
    REQUIRE(a.projections.size() == b.projections.size());
    for (std::size_t i = 0; i < a.projections.size(); ++i)
        check_projection(a.projections[i], b.projections[i]);
    CHECK(a.generators.size() == b.generators.size());
    CHECK(a.metabolism.size() == b.metabolism.size());
    CHECK(a.recording.spikes == b.recording.spikes);
    CHECK(a.recording.rate_bin == b.recording.rate_bin);
    REQUIRE(a.recording.states.size() == b.recording.states.size());
    for (std::size_t i = 0; i < a.recording.states.size(); ++i) {
        CHECK(a.recording.states[i].population == b.recording.states[i].population);
        CHECK(a.recording.states[i].neurons == b.recording.states[i].neurons);
        CHECK(a.recording.states[i].variables == b.recording.states[i].variables);
        CHECK(a.recording.states[i].interval == b.recording.states[i].interval);
    }
    REQUIRE(a.recording.weights.size() == b.recording.weights.size());
    for (std::size_t i = 0; i < a.recording.weights.size(); ++i) {
        CHECK(a.recording.weights[i].projection == b.recording.weights[i].projection);
        CHECK(a.recording.weights[i].interval == b.recording.weights[i].interval);
        CHECK(a.recording.weights[i].histogram_bins == b.recording.weights[i].histogram_bins);
        CHECK(a.recording.weights[i].final_weights == b.recording.weights[i].final_weights);
    }
}

}  // namespace

TEST_CASE("the example configs equal the factories") {
    SUBCASE("microcircuit") {
        const Model m = load_config(source_dir / "configs/microcircuit.toml");
        check_model(m, microcircuit(37, 5000));
        // Spot checks against the documented defaults (docs/model.md), independent of the factory.
        CHECK(m.populations[0].name == "E");
        CHECK(m.populations[0].size == 4000);
        CHECK(m.populations[1].size == 1000);
        CHECK(m.populations[0].q10.gL == 1.98);
        CHECK(m.populations[0].q10.A_minus == 2.0);
        CHECK(m.projections[0].connectivity.p == 0.02);
        CHECK(m.projections[2].weight.value == 51);
        CHECK(m.projections[0].delay.low == 1);
        CHECK(m.projections[0].delay.high == 2);
        CHECK(m.projections[0].stdp->w_max == 12);
        CHECK(m.projections[0].stdp->resolved_A_plus() == doctest::Approx(0.12));
        CHECK(m.projections[0].stdp->resolved_A_minus() == doctest::Approx(-1.05 * 0.12 * 16.8 / 33.7));
    }
    SUBCASE("coba") {
        const Model m = load_config(source_dir / "configs/coba.toml");
        check_model(m, coba(1000));
        CHECK(m.populations[0].size == 3200);
        CHECK(m.projections[3].weight.value == 67);
        CHECK(m.projections[0].delay.value == 1);
        CHECK_FALSE(m.projections[0].stdp.has_value());
    }
    SUBCASE("billion: COBA at 100,000 cells and 10,000 inputs each, constants only") {
        const Model m = load_config(source_dir / "configs/billion.toml");
        CHECK_NOTHROW(validate(m));
        double expected = 0;
        for (const Projection& p : m.projections) {
            const double n_pre = m.populations[m.population_index(p.pre)].size;
            const double n_post = m.populations[m.population_index(p.post)].size;
            expected += p.connectivity.p * n_post * (p.pre == p.post && !p.connectivity.autapses ? n_pre - 1 : n_pre);
            // stored once per projection: a synapse is its target only
            CHECK(p.weight.kind == Distribution::Kind::constant);
            CHECK(p.delay.kind == Distribution::Kind::constant);
            CHECK_FALSE(p.stdp.has_value());
        }
        CHECK(expected == doctest::Approx(1e9).epsilon(1e-4));
        // COBA's mean conductance per cell: K times the weight is unchanged
        CHECK(m.projections[0].weight.value * 8000 == doctest::Approx(6.0 * 80));
        CHECK(m.projections[2].weight.value * 2000 == doctest::Approx(67.0 * 20).epsilon(1e-3));
    }
}

TEST_CASE("a config starts from an empty model with struct defaults") {
    const Model m = parse(minimal());
    REQUIRE(m.populations.size() == 1);
    CHECK(m.projections.empty());
    CHECK(m.duration == Model{}.duration);
    CHECK(m.populations[0].neuron.tau_e == 5);
    CHECK(m.populations[0].q10.tau_i == 2.1);
    CHECK_FALSE(m.populations[0].drive.has_value());
    CHECK(m.recording.spikes);
    CHECK(m.recording.rate_bin == 10);
    CHECK(m.recording.states.empty());
}

TEST_CASE("populations and projections keep file order") {
    const Model m = parse(R"(
[populations.Z]
size = 3
[populations.A]
size = 2
[projections.ZA]
pre = "Z"
post = "A"
[projections.AZ]
pre = "A"
post = "Z"
)");
    CHECK(m.populations[0].name == "Z");
    CHECK(m.populations[1].name == "A");
    CHECK(m.population_index("A") == 1);
    CHECK(m.neuron_count() == 5);
    CHECK(m.projections[0].name == "ZA");
}

TEST_CASE("distributions, connectivity rules, generators and recordings") {
    const Model m = parse(R"(
[run]
duration = "2 s"
seed = 7
[populations.E]
size = 10
initial_V = { distribution = "normal", mean = "-55 mV", stddev = "2 mV", low = "-60 mV", high = "-50 mV" }
initial_ge = { distribution = "constant", value = "1 nS" }
[projections.fixed]
pre = "E"
post = "E"
connectivity = { rule = "fixed_indegree", indegree = 9 }
weight = { distribution = "uniform", low = "1 nS", high = "3 nS" }
[projections.listed]
pre = "E"
post = "E"
receptor = "inhibitory"
connectivity = { rule = "list", sources = [0, 1], targets = [2, 3], weights = ["1 nS", "2 nS"], delays = ["1 ms", "0.5 ms"] }
[projections.listed.stdp]
pairing = "nearest_neighbour"
update = "multiplicative"
w_max = "5 nS"
A_plus = "0.1 nS"
[[generators]]
name = "pre"
target = "E"
neurons = [0]
times = ["10 ms", "0.02 s"]
[recording]
spikes = false
[[recording.states]]
population = "E"
neurons = [1, 2]
variables = ["ge", "gi"]
interval = "0.1 ms"
[[recording.weights]]
projection = "fixed"
bins = 20
final = false
)");
    CHECK(m.duration == 2000);
    CHECK(m.seed == 7);
    const auto& v = m.populations[0].initial_V;
    CHECK(v.kind == Distribution::Kind::normal_clipped);
    CHECK(v.mean == -55);
    CHECK(v.stddev == 2);
    CHECK(v.low == -60);
    CHECK(m.populations[0].initial_ge.value == 1);
    CHECK(m.projections[0].connectivity.rule == Connectivity::Rule::fixed_indegree);
    CHECK(m.projections[0].connectivity.indegree == 9);
    CHECK(m.projections[0].weight.kind == Distribution::Kind::uniform);
    CHECK(m.projections[0].weight.high == 3);
    const auto& listed = m.projections[1];
    CHECK(listed.receptor == Receptor::inhibitory);
    CHECK(listed.connectivity.rule == Connectivity::Rule::explicit_list);
    CHECK(listed.connectivity.targets == std::vector<std::uint32_t>{2, 3});
    CHECK(listed.connectivity.delays == std::vector<double>{1, 0.5});
    CHECK(listed.stdp->pairing == StdpParameters::Pairing::nearest_neighbour);
    CHECK(listed.stdp->update == StdpParameters::Update::multiplicative);
    CHECK(listed.stdp->A_plus == 0.1);
    CHECK_FALSE(listed.stdp->A_minus.has_value());
    CHECK(m.generators[0].times == std::vector<double>{10, 20});
    CHECK_FALSE(m.recording.spikes);
    CHECK(m.recording.states[0].variables == std::vector<std::string>{"ge", "gi"});
    CHECK(m.recording.states[0].interval == 0.1);
    CHECK(m.recording.weights[0].histogram_bins == 20);
    CHECK(m.recording.weights[0].interval == 100);
    CHECK_FALSE(m.recording.weights[0].final_weights);
}

TEST_CASE("a ramp expands into steps, merged with steps in time order") {
    const Model m = parse(R"(
[run]
duration = "10 s"
[populations.E]
size = 10
[[metabolism.steps]]
time = "500 ms"
temperature = "39 degC"
[[metabolism.ramps]]
start = "1 s"
stop = "10 s"
from = "32 degC"
to = "41 degC"
steps = 9
population = "E"
)");
    REQUIRE(m.metabolism.size() == 11);
    CHECK(m.metabolism[0].time == 500);
    CHECK(m.metabolism[0].population.empty());
    for (unsigned k = 0; k <= 9; ++k) {
        const auto& step = m.metabolism[1 + k];
        CHECK(step.time == doctest::Approx(1000 + 1000 * k));
        CHECK(step.temperature == doctest::Approx(32 + k));
        CHECK(step.population == "E");
    }
    CHECK(m.metabolism.back().time == 10000);
    CHECK(m.metabolism.back().temperature == 41);
}

TEST_CASE("metabolic_ramp has steps + 1 entries from (start, from) to (stop, to)") {
    const auto ramp = metabolic_ramp(0, 300, 37, 40, 3);
    REQUIRE(ramp.size() == 4);
    CHECK(ramp[0].time == 0);
    CHECK(ramp[0].temperature == 37);
    CHECK(ramp[1].time == 100);
    CHECK(ramp[2].temperature == 39);
    CHECK(ramp[3].time == 300);
    CHECK(ramp[3].temperature == 40);
    CHECK(ramp[3].population.empty());
    CHECK_THROWS_AS(metabolic_ramp(0, 300, 37, 40, 0), UserError);
}

TEST_CASE("a range error names file, line, key path, value and expectation") {
    const std::string text = R"([populations.E]
size = 10
[populations.E.neuron]
tau_e = "-5 ms"
)";
    CHECK(error_of(text) ==
          R"(test.toml:4: populations.E.neuron.tau_e = "-5 ms": expected a positive time (e.g. "5 ms"))");
}

TEST_CASE("each kind of config error names its key path and line") {
    struct Case {
        const char* text;
        std::vector<std::string_view> parts;
    };
    const Case cases[] = {
        // wrong dimension
        {"[populations.E]\nsize = 10\n[populations.E.neuron]\nC = \"200 pS\"\n",
         {"test.toml:4: populations.E.neuron.C: ", "is a conductance, expected a capacitance"}},
        // a dimensioned value without quotes
        {"[populations.E]\nsize = 10\n[populations.E.neuron]\nt_ref = 5\n",
         {"test.toml:4: populations.E.neuron.t_ref = 5: expected a positive time (e.g. \"5 ms\")"}},
        // Vr must stay below Vth
        {"[populations.E]\nsize = 10\n[populations.E.neuron]\nVr = \"-40 mV\"\n",
         {"test.toml:4: populations.E.neuron.Vr = \"-40 mV\": expected a voltage below Vth = -50 mV"}},
        // misspelled key, with a suggestion
        {"[populations.E]\nsize = 10\n[populations.E.neuron]\ntau_E = \"5 ms\"\n",
         {"test.toml:4: populations.E.neuron.tau_E: unknown key; did you mean \"tau_e\"?"}},
        {"[populations.E]\nsize = 10\n[recordng]\nspikes = true\n",
         {"test.toml:3: recordng: unknown key; did you mean \"recording\"?"}},
        // missing key, with the likely typo
        {"[populations.E]\nsise = 10\n", {"test.toml:1: populations.E.size: missing", "\"sise\""}},
        {"[populations.E]\nsize = 0\n", {"test.toml:2: populations.E.size = 0: expected a positive integer"}},
        {"[populations.E]\nsize = 10\n[populations.E.q10]\ngL = -1\n",
         {"test.toml:4: populations.E.q10.gL = -1: expected a positive dimensionless number (e.g. 1.98)"}},
        {"[populations.E]\nsize = 10\ntemperature = \"60 degC\"\n",
         {"test.toml:3: populations.E.temperature = \"60 degC\": expected a temperature in [0, 50] degC"}},
        {"[populations.E]\nsize = 10\ninitial_V = { distribution = \"uniform\", low = \"-50 mV\", high = "
         "\"-60 mV\" }\n",
         {"test.toml:3: populations.E.initial_V.high = \"-60 mV\": expected at least low = -50 mV"}},
        {"[populations.E]\nsize = 10\ninitial_V = { distribution = \"gamma\" }\n",
         {"test.toml:3: populations.E.initial_V.distribution = \"gamma\": expected one of"}},
        // projections
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"X\"\n",
         {"test.toml:5: projections.EE.post = \"X\": expected the name of a population (one of E)"}},
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"E\"\nconnectivity = { p = 1.5 "
         "}\n",
         {"test.toml:6: projections.EE.connectivity.p = 1.5: expected a probability in [0, 1]"}},
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"E\"\ndelay = \"0 ms\"\n",
         {"test.toml:6: projections.EE.delay = \"0 ms\": expected a positive time"}},
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"E\"\n"
         "delay = { distribution = \"uniform\", low = \"0 ms\", high = \"1 ms\" }\n",
         {"test.toml:6: projections.EE.delay.low = \"0 ms\": expected a positive time"}},
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"E\"\n"
         "connectivity = { rule = \"fixed_indegree\", indegree = 10 }\n",
         {"test.toml:6: projections.EE.connectivity.indegree = 10: expected an integer in [0, 9]"}},
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"E\"\n"
         "connectivity = { rule = \"list\", sources = [0, 10], targets = [1, 2] }\n",
         {"test.toml:6: projections.EE.connectivity.sources[1] = 10: expected an index below 10"}},
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"E\"\n"
         "connectivity = { rule = \"list\", sources = [0, 1], targets = [1] }\n",
         {"projections.EE.connectivity.targets = [ 1 ]: expected 2 entries, as many as sources"}},
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"E\"\n[projections.EE.stdp]\n"
         "w_min = \"5 nS\"\nw_max = \"4 nS\"\n",
         {"test.toml:8: projections.EE.stdp.w_max = \"4 nS\": expected w_min < w_max"}},
        {"[populations.E]\nsize = 10\n[projections.EE]\npre = \"E\"\npost = \"E\"\n[projections.EE.stdp]\n"
         "pairing = \"all-to-all\"\n",
         {"test.toml:7: projections.EE.stdp.pairing = \"all-to-all\": expected one of \"all_to_all\""}},
        // generators
        {"[populations.E]\nsize = 10\n[[generators]]\nname = \"g\"\ntarget = \"E\"\ntimes = [\"20 ms\", \"10 "
         "ms\"]\n",
         {"test.toml:6: generators[0].times[1] = \"10 ms\": expected times sorted ascending (after 20 ms)"}},
        {"[populations.E]\nsize = 10\n[[generators]]\nname = \"g\"\ntarget = \"E\"\n",
         {"test.toml:3: generators[0]: expected exactly one of times"}},
        // metabolism and recording
        {"[run]\nduration = \"1 s\"\n[populations.E]\nsize = 10\n[[metabolism.steps]]\ntime = \"2 s\"\n"
         "temperature = \"41 degC\"\n",
         {"test.toml:6: metabolism.steps[0].time = \"2 s\": expected a time within the run's duration (1000 "
          "ms)"}},
        {"[populations.E]\nsize = 10\n[[metabolism.ramps]]\nstart = \"0 s\"\nstop = \"1 s\"\nfrom = \"32 "
         "degC\"\n"
         "to = \"41 degC\"\nsteps = 0\n",
         {"test.toml:8: metabolism.ramps[0].steps = 0: expected a"}},
        {"[populations.E]\nsize = 10\n[[recording.states]]\npopulation = \"E\"\nneurons = [0]\nvariables = "
         "[\"v\"]\n",
         {"test.toml:6: recording.states[0].variables[0] = \"v\": expected one of \"V\", \"ge\", \"gi\""}},
        {"[populations.E]\nsize = 10\n[[recording.weights]]\nprojection = \"EE\"\n",
         {"test.toml:4: recording.weights[0].projection = \"EE\": expected the name of a projection"}},
        {"[populations.E]\nsize = 10\n[run]\nduration = \"-1 s\"\n",
         {"test.toml:4: run.duration = \"-1 s\": expected a positive time"}},
        {"[run]\nduration = \"1 s\"\n", {"test.toml: populations: missing"}},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        const auto message = error_of(c.text);
        CHECK_FALSE(message.empty());
        for (auto part : c.parts) CHECK_MESSAGE(contains(message, part), message);
    }
}

TEST_CASE("syntax errors give file, line and column") {
    const auto message = error_of("[populations.E]\nsize = = 10\n");
    CHECK(contains(message, "test.toml:2:"));
}

TEST_CASE("missing files are named") {
    const auto missing = source_dir / "configs/no-such-config.toml";
    try {
        load_config(missing);
        FAIL("no error for a missing config");
    } catch (const UserError& e) {
        CHECK(contains(e.what(), missing.string()));
    }
    const auto message =
        error_of(minimal("[[generators]]\nname = \"g\"\ntarget = \"E\"\ntimes_file = \"absent.txt\"\n"));
    CHECK(contains(message, "test.toml:6: generators[0].times_file = \"absent.txt\""));
    CHECK(contains(message, "absent.txt"));
}

TEST_CASE("spike times from a file, relative to the config") {
    const auto dir = std::filesystem::temp_directory_path() / "metabosim_test_config";
    std::filesystem::create_directories(dir);
    const std::string generator =
        "[[generators]]\nname = \"g\"\ntarget = \"E\"\ntimes_file = \"spikes.txt\"\n";
    {
        std::ofstream(dir / "spikes.txt") << "# pairing protocol\n10\n\n20.5  # second\n1e3\n";
        const Model m = parse_config(minimal(generator), "test.toml", dir);
        CHECK(m.generators[0].times == std::vector<double>{10, 20.5, 1000});
    }
    {
        std::ofstream(dir / "spikes.txt") << "10\n5\n";
        const auto message = error_of(minimal(generator), dir);
        CHECK(contains(message, "spikes.txt:2: 5 ms: expected times sorted ascending"));
    }
    {
        std::ofstream(dir / "spikes.txt") << "10\n12 ms\n";
        const auto message = error_of(minimal(generator), dir);
        CHECK(contains(message, "spikes.txt:2: \"12 ms\": expected a non-negative time in ms"));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("overrides set values") {
    Model m = microcircuit(37, 1000);
    apply_override(m, "run.duration=5 s");
    apply_override(m, "run.seed = 3");
    apply_override(m, "populations.E.temperature=41 degC");
    apply_override(m, "populations.I.size=800");
    apply_override(m, "populations.E.neuron.tau_e=4 ms");
    apply_override(m, "populations.E.q10.gL=2.5");
    apply_override(m, "populations.I.drive.rate=0.7 kHz");
    apply_override(m, "projections.EI.weight=5 nS");
    apply_override(m, "projections.EI.delay=1.5 ms");
    apply_override(m, "projections.EE.connectivity.p=0.1");
    apply_override(m, "projections.EE.stdp.w_max=10 nS");
    apply_override(m, "projections.EE.stdp.A_minus=-0.05 nS");
    CHECK(m.duration == 5000);
    CHECK(m.seed == 3);
    CHECK(m.populations[0].temperature == 41);
    CHECK(m.populations[1].temperature == 37);
    CHECK(m.populations[1].size == 800);
    CHECK(m.populations[0].neuron.tau_e == 4);
    CHECK(m.populations[0].q10.gL == 2.5);
    CHECK(m.populations[1].drive->rate == 700);
    CHECK(m.projections[1].weight.kind == Distribution::Kind::constant);
    CHECK(m.projections[1].weight.value == 5);
    CHECK(m.projections[1].delay.value == 1.5);
    CHECK(m.projections[0].connectivity.p == 0.1);
    CHECK(m.projections[0].stdp->w_max == 10);
    CHECK(m.projections[0].stdp->resolved_A_minus() == -0.05);
}

TEST_CASE("bad overrides throw and leave the model unchanged") {
    Model m = microcircuit(37, 1000);
    CHECK(contains(override_error(m, "run.length=5 s"), "unknown setting; settable are run.duration"));
    CHECK(contains(override_error(m, "populations.E.neuron.tau=5 ms"), "populations.<name>.neuron.{C, gL"));
    CHECK(contains(override_error(m, "run.duration"), "expected key.path=value"));
    CHECK(override_error(m, "populations.E.neuron.tau_e=-5 ms") ==
          R"(--set: populations.E.neuron.tau_e = "-5 ms": expected a positive time (e.g. "5 ms"))");
    CHECK(contains(override_error(m, "populations.E.temperature=41 mV"),
                   "is a voltage, expected a temperature"));
    CHECK(contains(override_error(m, "populations.X.temperature=41 degC"),
                   "no population \"X\" (known: E, I)"));
    CHECK(contains(override_error(m, "projections.EI.stdp.w_max=5 nS"),
                   "projection \"EI\" has no [stdp] table"));
    CHECK(contains(override_error(m, "run.seed=three"),
                   "run.seed = \"three\": expected a non-negative integer"));
    CHECK(contains(override_error(m, "populations.E.size=-1"), "expected a positive integer"));
    // Initial states are distributions, not settable by --set.
    CHECK(contains(override_error(m, "populations.E.initial_V=-55 mV"), "unknown setting"));
    // Valid on its own but not with the rest: E neurons 0..4 are recorded.
    CHECK(contains(override_error(m, "populations.E.size=3"), "recording: states[0].neurons[3] = 3"));
    CHECK(m.populations[0].size == 4000);
    CHECK(m.populations[0].neuron.tau_e == 5);
}

TEST_CASE("validate names object, field, value with unit and expectation") {
    CHECK_NOTHROW(validate(microcircuit(41, 10000)));
    CHECK_NOTHROW(validate(coba()));

    const auto error = [](const Model& m) -> std::string {
        try {
            validate(m);
        } catch (const UserError& e) {
            return e.what();
        }
        return "";
    };
    Model m = microcircuit();
    m.populations[0].neuron.tau_e = -5;
    CHECK(error(m) == R"(population "E": neuron.tau_e = -5 ms, expected a positive time)");

    m = microcircuit();
    m.projections[0].delay = Distribution::uniform(0, 2);
    CHECK(error(m) == R"(projection "EE": delay.low = 0 ms, expected a positive time)");

    m = microcircuit();
    m.projections[1].name = "EE";
    CHECK(error(m) == R"(projection #1: name = "EE", expected a unique name)");

    m = microcircuit();
    m.metabolism = metabolic_ramp(0, 2000, 37, 41, 4);
    CHECK(contains(error(m), "metabolic step #3: time = 1500 ms, expected a time in [0, 1000 ms]"));

    m = microcircuit();
    m.generators.push_back({"g", "E", {0}, {5, 1}, 2, Receptor::excitatory});
    CHECK(contains(error(m), "generator \"g\": times[1] = 1 ms"));

    m = microcircuit();
    m.projections[0].stdp->w_min = 13;
    CHECK(contains(error(m), "stdp.w_max = 12 nS, expected more than stdp.w_min = 13 nS"));

    m = microcircuit();
    m.populations[1].initial_gi = Distribution::normal_clipped(200, 120, -100, 500);
    CHECK(contains(error(m),
                   "population \"I\": initial_gi.low = -100 nS, expected a non-negative conductance"));

    // Models that would otherwise fail after the run, or never finish, are refused up front.
    m = microcircuit();
    m.populations[0].name = "E/x";  // would become nested HDF5 groups
    CHECK(contains(error(m), "expected a name without '/'"));

    m = microcircuit();
    m.populations[0].q10.gL = 1e-300;  // (1e-300)^1.3 underflows: gL would be 0 at 50 degC
    m.populations[0].temperature = 50;
    CHECK(contains(error(m), "population \"E\" at 50 degC: Q10-scaled gL = 0 nS"));

    m = microcircuit();
    m.populations[0].neuron.I_ext = 1e13;
    CHECK(contains(error(m), "neuron.I_ext"));

    m = microcircuit();
    m.recording.weights.push_back(m.recording.weights[0]);
    CHECK(contains(error(m), "each projection recorded once"));

    m = microcircuit();
    m.recording.rate_bin = 1e-9;
    CHECK(contains(error(m), "recording: rate_bin"));

    CHECK_THROWS_AS(microcircuit().population("X"), UserError);
}

TEST_CASE("the full example in docs/config.md parses") {
    std::ifstream in(source_dir / "docs/config.md");
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto start = doc.find("```toml\n", doc.find("## A full example"));
    REQUIRE(start != std::string::npos);
    const auto begin = start + 8;
    const std::string example = doc.substr(begin, doc.find("```", begin) - begin);
    const Model m = parse_config(example, "docs/config.md");
    CHECK(m.populations.size() == 2);
    CHECK(m.projections.size() == 4);
    CHECK(m.metabolism.size() == 10);
    CHECK(m.metabolism.back().temperature == 41);
}
