// The field tables of lib/src/model/schema.hpp: every field of every table is held to the same
// bound by the TOML reader, by --set and by validate() on a model changed in code.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "metabosim/config/config.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"
#include "model/schema.hpp"

using namespace metabosim;
using schema::Bound;
using schema::Field;

namespace {

const std::filesystem::path source_dir = METABOSIM_SOURCE_DIR;

// A TOML document as sections of key = value lines, so that one key can be replaced.
struct Toml {
    struct Section {
        std::string header;  // "[name]" or "[[name]]"
        std::vector<std::pair<std::string, std::string>> entries;
    };
    std::vector<Section> sections;

    void set(std::string_view header, std::string_view key, std::string value) {
        for (auto& s : sections) {
            if (s.header != header) continue;
            for (auto& [k, v] : s.entries)
                if (k == key) {
                    v = std::move(value);
                    return;
                }
            s.entries.emplace_back(key, std::move(value));
            return;
        }
        FAIL("no section ", header);
    }

    std::string text() const {
        std::string out;
        for (const auto& s : sections) {
            out += s.header + "\n";
            for (const auto& [k, v] : s.entries) out += fmt::format("{} = {}\n", k, v);
        }
        return out;
    }
};

// A model with one of every struct the tables describe; every value valid.
Toml base_toml() {
    return {{
        {"[run]", {{"duration", "\"1000 ms\""}}},
        {"[populations.E]", {{"size", "10"}}},
        {"[populations.E.neuron]", {}},
        {"[populations.E.q10]", {}},
        {"[populations.E.drive]", {}},
        {"[populations.E.energy]", {}},
        {"[[populations.E.energy.thresholds]]", {{"level", "0.3"}, {"temperature", "\"32 degC\""}}},
        {"[populations.In]", {{"size", "2"}}},
        {"[populations.In.source]", {{"kind", "\"poisson\""}}},
        {"[[populations.In.source.steps]]", {{"time", "\"100 ms\""}, {"rate", "\"20 Hz\""}}},
        {"[projections.EE]", {{"pre", "\"E\""}, {"post", "\"E\""}}},
        {"[projections.EE.connectivity]", {{"rule", "\"probability\""}}},
        {"[projections.EE.stdp]", {{"A_plus", "\"0.1 nS\""}, {"A_minus", "\"-0.05 nS\""}}},
        {"[projections.EL]", {{"pre", "\"E\""}, {"post", "\"E\""}}},
        {"[projections.EL.connectivity]",
         {{"rule", "\"list\""},
          {"sources", "[0]"},
          {"targets", "[1]"},
          {"weights", "[\"1 nS\"]"},
          {"delays", "[\"1 ms\"]"}}},
        {"[[generators]]", {{"name", "\"g\""}, {"target", "\"E\""}, {"times", "[\"10 ms\"]"}}},
        {"[[metabolism.steps]]", {{"time", "\"500 ms\""}, {"temperature", "\"39 degC\""}}},
        {"[recording]", {}},
        {"[[recording.states]]", {{"population", "\"E\""}, {"neurons", "[0]"}}},
        {"[[recording.weights]]", {{"projection", "\"EE\""}}},
        {"[limits]", {{"max_rate", "\"1000 Hz\""}}},
    }};
}

// Finite values each bound refuses (TOML and --set can write only these), and what only code can set.
std::vector<double> finite_outside(Bound bound) {
    switch (bound) {
        case Bound::finite: return {};
        case Bound::positive: return {0, -1};
        case Bound::non_negative: return {-1};
        case Bound::temperature: return {-1, 51};
        case Bound::probability:
        case Bound::fraction: return {-0.5, 1.5};
        case Bound::connection_probability: return {1e-13, 1.5, -0.5};
        case Bound::current: return {2e6, -2e6};
        case Bound::conductance_jump: return {-1, 2e6};
        case Bound::voltage: return {2e4, -2e4};
        case Bound::cell_time: return {0, 5e-4, 2e7};
        case Bound::capacitance: return {0, 5e-4, 2e9};
        case Bound::leak: return {0, 5e-4, 2e6};
        case Bound::rate: return {-1, 2e6};
        case Bound::window: return {0, 0.5, 2e7};
        case Bound::duration: return {0, -1, 2e10};
    }
    return {};
}
const double non_finite[] = {std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity()};

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

// As TOML writes the value: a plain number when dimensionless, else a string with its unit.
std::string toml_value(double v, Dimension d) {
    return d == Dimension::dimensionless ? fmt::format("{}", v)
                                         : fmt::format("\"{}\"", format_quantity(v, d));
}

// Where one table's struct sits in the base model, and how each way in names it.
template <class Struct>
struct Host {
    std::string header;                   // its TOML section in base_toml()
    std::string toml_path;                // key path prefix in reader messages
    std::string object;                   // what validate() messages start with
    std::string prefix;                   // field prefix in validate() messages
    std::optional<std::string> set_path;  // --set prefix, when --set reaches the table
    std::function<Struct&(Model&)> in;
};

std::set<std::string> checked;  // "<toml path><key>" of every field checked

// Every field of `fields` (those in `keys`, or all) set outside its bound three ways.
template <class Struct, std::size_t N>
void check_table(const Field<Struct> (&fields)[N], const Host<Struct>& host,
                 std::set<std::string_view> keys = {}) {
    const Model base = parse_config(base_toml().text(), "t.toml");
    for (const auto& f : fields) {
        if (!keys.empty() && !keys.count(f.key)) continue;
        const auto [d, bound, example] = f.quantity;
        const bool list = std::holds_alternative<std::vector<double> Struct::*>(f.member);
        const std::string index = list ? "[0]" : "";
        INFO("field ", host.toml_path, f.key);
        checked.insert(host.toml_path + std::string(f.key));
        CHECK(schema::within(example, bound));

        // --set takes the example where the field is settable, and knows no such setting elsewhere.
        const bool settable = f.settable == schema::Settable::yes && !list;
        if (host.set_path) {
            Model changed = base;
            const auto assignment =
                fmt::format("{}{}={}", *host.set_path, f.key, format_quantity(example, d));
            const auto set = error_of([&] { apply_override(changed, assignment); });
            if (settable)
                CHECK_MESSAGE(set.empty(), set);
            else
                CHECK_MESSAGE(set.find("unknown setting") != std::string::npos, set);
        }

        std::vector<double> outside = finite_outside(bound);
        const auto finite_count = outside.size();
        outside.insert(outside.end(), std::begin(non_finite), std::end(non_finite));
        for (std::size_t k = 0; k < outside.size(); ++k) {
            const double v = outside[k];
            INFO("value ", v);
            const auto expected = "expected " + schema::expectation(d, bound, v);

            // In code: validate() refuses it.
            Model m = base;
            schema::visit(f, host.in(m),
                          schema::Overloaded{
                              [&](double& x) { x = v; },
                              [&](std::optional<double>& x) { x = v; },
                              [&](Distribution& x) { x = Distribution::constant(v); },
                              [&](std::vector<double>& x) { x = {v}; },
                          });
            const auto code = error_of([&] { validate(m); });
            CHECK_MESSAGE(
                code.starts_with(fmt::format("{}: {}{}{} = ", host.object, host.prefix, f.key, index)), code);
            CHECK_MESSAGE(code.find(expected) != std::string::npos, code);
            if (k >= finite_count) continue;  // TOML and --set cannot write a non-finite quantity

            // In TOML: the reader refuses it, at its line.
            Toml text = base_toml();
            const auto written = toml_value(v, d);
            text.set(host.header, f.key, list ? "[" + written + "]" : written);
            const auto toml = error_of([&] { parse_config(text.text(), "t.toml"); });
            CHECK_MESSAGE(
                toml.find(fmt::format("{}{}{} = ", host.toml_path, f.key, index)) != std::string::npos, toml);
            CHECK_MESSAGE(toml.find(expected) != std::string::npos, toml);
            CHECK_MESSAGE(toml.starts_with("t.toml:"), toml);

            // With --set, where the field is settable: refused likewise.
            if (!host.set_path || !settable) continue;
            Model changed = base;
            const auto assignment = fmt::format("{}{}={}", *host.set_path, f.key, format_quantity(v, d));
            const auto set = error_of([&] { apply_override(changed, assignment); });
            CHECK_MESSAGE(set.starts_with(fmt::format("--set: {}{} = ", *host.set_path, f.key)), set);
            CHECK_MESSAGE(set.find(expected) != std::string::npos, set);
        }
    }
}

Population& population(Model& m) { return m.populations[0]; }
Projection& plastic(Model& m) { return m.projections[0]; }
Projection& listed(Model& m) { return m.projections[1]; }

}  // namespace

TEST_CASE("the base model of these tests is valid") {
    const Model m = parse_config(base_toml().text(), "t.toml");
    CHECK_NOTHROW(validate(m));
    REQUIRE(m.populations[0].energy.has_value());
    REQUIRE(m.populations[0].energy->thresholds.size() == 1);
    REQUIRE(m.projections[0].stdp.has_value());
    CHECK(m.projections[1].connectivity.rule == Connectivity::Rule::explicit_list);
}

TEST_CASE("every field of every table: the reader, --set and validate() refuse the same values") {
    const std::string pop = "population \"E\"";
    check_table(schema::run_fields,
                Host<Model>{"[run]", "run.", "model", "", "run.", [](Model& m) -> Model& { return m; }});
    check_table(schema::population_fields,
                Host<Population>{"[populations.E]", "populations.E.", pop, "", "populations.E.", population});
    check_table(schema::neuron_fields,
                Host<NeuronParameters>{"[populations.E.neuron]", "populations.E.neuron.", pop, "neuron.",
                                       "populations.E.neuron.",
                                       [](Model& m) -> NeuronParameters& { return population(m).neuron; }});
    check_table(schema::q10_fields,
                Host<Q10Table>{"[populations.E.q10]", "populations.E.q10.", pop, "q10.", "populations.E.q10.",
                               [](Model& m) -> Q10Table& { return population(m).q10; }});
    check_table(schema::drive_fields,
                Host<PoissonDrive>{"[populations.E.drive]", "populations.E.drive.", pop, "drive.",
                                   "populations.E.drive.",
                                   [](Model& m) -> PoissonDrive& { return *population(m).drive; }});
    check_table(schema::energy_fields,
                Host<EnergyBudget>{"[populations.E.energy]", "populations.E.energy.", pop, "energy.",
                                   "populations.E.energy.",
                                   [](Model& m) -> EnergyBudget& { return *population(m).energy; }});
    check_table(schema::threshold_fields,
                Host<EnergyThreshold>{
                    "[[populations.E.energy.thresholds]]", "populations.E.energy.thresholds[0].", pop,
                    "energy.thresholds[0].", std::nullopt,
                    [](Model& m) -> EnergyThreshold& { return population(m).energy->thresholds[0]; }});
    const std::string source = "population \"In\"";
    check_table(schema::source_fields,
                Host<SpikeSource>{"[populations.In.source]", "populations.In.source.", source, "source.",
                                  "populations.In.source.",
                                  [](Model& m) -> SpikeSource& { return *m.populations[1].source; }});
    check_table(schema::rate_step_fields,
                Host<RateStep>{"[[populations.In.source.steps]]", "populations.In.source.steps[0].", source,
                               "source.steps[0].", std::nullopt,
                               [](Model& m) -> RateStep& { return m.populations[1].source->steps[0]; }});
    check_table(schema::projection_fields,
                Host<Projection>{"[projections.EE]", "projections.EE.", "projection \"EE\"", "",
                                 "projections.EE.", plastic});
    check_table(schema::connectivity_fields,
                Host<Connectivity>{"[projections.EE.connectivity]", "projections.EE.connectivity.",
                                   "projection \"EE\"", "connectivity.", "projections.EE.connectivity.",
                                   [](Model& m) -> Connectivity& { return plastic(m).connectivity; }},
                {"p"});
    check_table(schema::connectivity_fields,
                Host<Connectivity>{"[projections.EL.connectivity]", "projections.EL.connectivity.",
                                   "projection \"EL\"", "connectivity.", "projections.EL.connectivity.",
                                   [](Model& m) -> Connectivity& { return listed(m).connectivity; }},
                {"weights", "delays"});
    check_table(schema::stdp_fields,
                Host<StdpParameters>{"[projections.EE.stdp]", "projections.EE.stdp.", "projection \"EE\"",
                                     "stdp.", "projections.EE.stdp.",
                                     [](Model& m) -> StdpParameters& { return *plastic(m).stdp; }});
    check_table(schema::generator_fields,
                Host<SpikeGenerator>{"[[generators]]", "generators[0].", "generator \"g\"", "", std::nullopt,
                                     [](Model& m) -> SpikeGenerator& { return m.generators[0]; }});
    check_table(
        schema::step_fields,
        Host<MetabolicStep>{"[[metabolism.steps]]", "metabolism.steps[0].", "metabolic step #0", "",
                            std::nullopt, [](Model& m) -> MetabolicStep& { return m.metabolism[0]; }});
    check_table(schema::recording_fields,
                Host<Recording>{"[recording]", "recording.", "recording", "", std::nullopt,
                                [](Model& m) -> Recording& { return m.recording; }});
    check_table(schema::state_recording_fields,
                Host<StateRecording>{"[[recording.states]]", "recording.states[0].", "recording",
                                     "states[0].", std::nullopt,
                                     [](Model& m) -> StateRecording& { return m.recording.states[0]; }});
    check_table(schema::limits_fields, Host<Limits>{"[limits]", "limits.", "limits", "", "limits.",
                                                   [](Model& m) -> Limits& { return m.limits; }});
    check_table(schema::weight_recording_fields,
                Host<WeightRecording>{"[[recording.weights]]", "recording.weights[0].", "recording",
                                      "weights[0].", std::nullopt,
                                      [](Model& m) -> WeightRecording& { return m.recording.weights[0]; }});

    // Each table above, every key of it (connectivity in two hosts).
    const std::size_t fields =
        std::size(schema::run_fields) + std::size(schema::population_fields) +
        std::size(schema::neuron_fields) + std::size(schema::q10_fields) + std::size(schema::drive_fields) +
        std::size(schema::energy_fields) + std::size(schema::threshold_fields) +
        std::size(schema::source_fields) + std::size(schema::rate_step_fields) +
        std::size(schema::projection_fields) + std::size(schema::connectivity_fields) +
        std::size(schema::stdp_fields) + std::size(schema::generator_fields) +
        std::size(schema::step_fields) + std::size(schema::recording_fields) +
        std::size(schema::state_recording_fields) + std::size(schema::weight_recording_fields) +
        std::size(schema::limits_fields);
    CHECK(checked.size() == fields);
}

TEST_CASE("a bound's expectation names the part a value fails") {
    using schema::expectation;
    CHECK(expectation(Dimension::time, Bound::positive) == "a positive time");
    CHECK(expectation(Dimension::voltage, Bound::finite) == "a voltage");  // a value of the wrong type
    CHECK(expectation(Dimension::voltage, Bound::finite, NAN) == "a finite voltage");
    CHECK(expectation(Dimension::current, Bound::current, 2e6) == "at most 1000000 pA in magnitude");
    CHECK(expectation(Dimension::conductance, Bound::conductance_jump, -1) == "a non-negative conductance");
    CHECK(expectation(Dimension::conductance, Bound::conductance_jump, 2e6) == "at most 1000000 nS");
    CHECK(expectation(Dimension::dimensionless, Bound::connection_probability, 1e-13) ==
          "0 or a probability in [1e-12, 1]");
    CHECK(expectation(Dimension::dimensionless, Bound::connection_probability, 1.5) ==
          "a probability in [0, 1]");
    CHECK(expectation(Dimension::temperature, Bound::temperature, 51) == "a temperature in [0, 50] degC");
    // The edges are inside.
    CHECK(schema::within(schema::max_temperature, Bound::temperature));
    CHECK(schema::within(schema::min_probability, Bound::connection_probability));
    CHECK(schema::within(0, Bound::connection_probability));
    CHECK(schema::within(-schema::max_current, Bound::current));
    CHECK(schema::within(schema::max_conductance, Bound::conductance_jump));
    CHECK_FALSE(schema::within(std::nextafter(schema::max_conductance, INFINITY), Bound::conductance_jump));
}

TEST_CASE("keys are unique within a table and each is documented in docs/config.md") {
    std::ifstream in(source_dir / "docs/config.md");
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto check = [&](const auto& fields) {
        std::set<std::string_view> keys;
        for (const auto& f : fields) {
            INFO("key ", f.key);
            CHECK(keys.insert(f.key).second);
            CHECK(doc.find(fmt::format("`{}`", f.key)) != std::string::npos);
        }
    };
    check(schema::run_fields);
    check(schema::population_fields);
    check(schema::neuron_fields);
    check(schema::q10_fields);
    check(schema::drive_fields);
    check(schema::energy_fields);
    check(schema::threshold_fields);
    check(schema::source_fields);
    check(schema::rate_step_fields);
    check(schema::projection_fields);
    check(schema::connectivity_fields);
    check(schema::stdp_fields);
    check(schema::generator_fields);
    check(schema::step_fields);
    check(schema::recording_fields);
    check(schema::state_recording_fields);
    check(schema::weight_recording_fields);
    check(schema::limits_fields);
}
