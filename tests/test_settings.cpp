// Settings by key path through an API (config/settings.hpp) and configs written by a program
// (parse_generated_config): the same readers and bounds as --set and TOML, worded without them.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "metabosim/config/config.hpp"
#include "metabosim/config/settings.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/model/error.hpp"

using namespace metabosim;

namespace {

std::string set_error(Model& model, std::string_view path, std::string_view value, std::string_view name) {
    try {
        set_value(model, path, value, name);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

const Setting* find(const std::vector<Setting>& all, std::string_view path) {
    const auto it = std::find_if(all.begin(), all.end(), [&](const Setting& s) { return s.path == path; });
    return it == all.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("settings() lists every settable value with the model's names and values") {
    Model m = microcircuit(41, 2000);
    m.populations[0].energy.reset();
    const auto all = settings(m);
    REQUIRE(find(all, "run.duration"));
    CHECK(find(all, "run.duration")->value == 2000);
    CHECK(find(all, "run.duration")->dimension == Dimension::time);
    CHECK(find(all, "run.seed")->kind == Setting::Kind::integer);
    CHECK(find(all, "run.seed")->integer == 1);
    CHECK(find(all, "populations.I.size")->integer == 1000);
    CHECK(find(all, "populations.E.temperature")->value == 41);
    CHECK(find(all, "populations.E.neuron.tau_e")->value == 5);
    CHECK(find(all, "populations.E.neuron.tau_e")->expectation == R"(a positive time (e.g. "5 ms"))");
    CHECK(find(all, "populations.E.q10.gL")->value == 1.98);
    CHECK(find(all, "populations.E.drive.rate")->value == 600);
    // A table the model does not have yet: settable (it is created), with no value.
    REQUIRE(find(all, "populations.E.energy.capacity"));
    CHECK_FALSE(find(all, "populations.E.energy.capacity")->value.has_value());
    // A drawn distribution has no single value; a constant has.
    CHECK_FALSE(find(all, "projections.EE.delay")->value.has_value());
    CHECK(find(all, "projections.EE.weight")->value == 4);
    CHECK(find(all, "projections.EE.connectivity.p")->value == 0.02);
    // STDP amplitudes left to the rule have no value of their own.
    CHECK_FALSE(find(all, "projections.EE.stdp.A_plus")->value.has_value());
    CHECK(find(all, "projections.EE.stdp.w_max")->value == 12);
    CHECK_FALSE(find(all, "projections.EI.stdp.w_max"));
    // Not settable one at a time: distributions of initial state, lists.
    CHECK_FALSE(find(all, "populations.E.initial_V"));
    CHECK_FALSE(find(all, "projections.EE.connectivity.weights"));
}

TEST_CASE("every listed setting takes back its own value, and is refused outside its bound") {
    const Model base = microcircuit(37, 1000);
    for (const Setting& s : settings(base)) {
        INFO(s.path);
        Model m = base;
        if (s.kind == Setting::Kind::integer) {
            CHECK_NOTHROW(set_value(m, s.path, fmt::format("{}", s.integer), s.path));
        } else if (s.value) {
            CHECK_NOTHROW(set_value(m, s.path, format_quantity(*s.value, s.dimension), s.path));
            CHECK(find(settings(m), s.path)->value == s.value);
        }
        // Not a number: refused, naming the field and the value.
        const auto error = set_error(m, s.path, "yes", s.path);
        CHECK_MESSAGE(error.starts_with(s.path), error);
        CHECK_MESSAGE(error.find("\"yes\"") != std::string::npos, error);
    }
}

TEST_CASE("set_value names the field as the caller does, never as --set") {
    Model m = microcircuit(37, 1000);
    set_value(m, "populations.E.temperature", "41 degC", "x");
    CHECK(m.populations[0].temperature == 41);
    set_value(m, "run.seed", "7", "seed");
    CHECK(m.seed == 7);

    CHECK(set_error(m, "populations.E.neuron.tau_e", "-5 ms", "pops[\"E\"].neuron.tau_e") ==
          R"(pops["E"].neuron.tau_e = "-5 ms": expected a positive time (e.g. "5 ms"))");
    CHECK(set_error(m, "populations.E.temperature", "41 mV", "T") ==
          R"(T: "41 mV" is a voltage, expected a temperature (e.g. "37 degC"))");
    CHECK(set_error(m, "populations.X.temperature", "41 degC", "X.T") ==
          R"(X.T = "41 degC": no population "X" (known: E, I))");
    CHECK(set_error(m, "run.length", "5 s", "run.length")
              .starts_with(R"(run.length = "5 s": unknown setting; settable are run.duration)"));
    // Valid alone, not with the rest of the model: validate()'s message, after the field's name.
    CHECK(set_error(m, "populations.E.size", "3", "E.size")
              .starts_with(R"(E.size = "3": recording: states[0].neurons[3] = 3)"));
    // Without a name, the path names the field.
    CHECK(set_error(m, "run.duration", "-1 s", "") == R"(run.duration = "-1 s": expected a positive time (e.g. "1000 ms"))");
    for (const auto& message : {set_error(m, "populations.E.neuron.tau_e", "-5 ms", "tau_e"),
                                set_error(m, "populations.X.temperature", "41 degC", "T"),
                                set_error(m, "run.length", "5 s", "")})
        CHECK(message.find("--set") == std::string::npos);
    // Refused changes leave the model as it was.
    CHECK(m.populations[0].size == 4000);
    CHECK(m.populations[0].neuron.tau_e == 5);
    CHECK(m.duration == 1000);
}

TEST_CASE("a generated config: messages name the source and the key path, not a line") {
    const std::string text = "[populations.E]\nsize = 10\n\n[populations.E.neuron]\nC = \"-200 pF\"\n";
    std::string error;
    try {
        parse_generated_config(text, "model");
    } catch (const UserError& e) {
        error = e.what();
    }
    CHECK(error == R"(model: populations.E.neuron.C = "-200 pF": expected a positive capacitance (e.g. "200 pF"))");
    try {
        parse_config(text, "model");
    } catch (const UserError& e) {
        error = e.what();
    }
    CHECK(error.starts_with("model:5: populations.E.neuron.C"));
    try {
        parse_generated_config("[populations.E\n", "model");
    } catch (const UserError& e) {
        error = e.what();
    }
    CHECK(error.starts_with("model: "));
    CHECK(parse_generated_config("[populations.E]\nsize = 10\n", "model").populations[0].size == 10);
}
