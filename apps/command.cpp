#include "command.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metabosim/config/config.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"
#include "metabosim/sonata/circuit.hpp"
#include "metabosim/processes/installation.hpp"
#include "metabosim/processes/python.hpp"
#include "metabosim/model/echo.hpp"

namespace metabosim::cli {

namespace {

constexpr double default_duration = 2000;  // ms of the built-in microcircuit run
constexpr double default_dt = 0.1;         // ms

// A time in ms from an option's text, which carries its unit as every quantity does in a config.
double parse_time(const std::string& text, const std::string& option, TimeBound bound) {
    double t = 0;
    try {
        t = parse_quantity(text, Dimension::time);
    } catch (const UserError& e) {
        throw CLI::ValidationError(option, e.what());
    }
    if (bound == TimeBound::positive && !(t > 0))
        throw CLI::ValidationError(option, fmt::format("{}: expected a positive time, e.g. \"10 s\"", text));
    return t;
}

constexpr const char* time_help = "; a time with its unit: 0.1ms, \"3 s\", 250us";

}  // namespace

Model load_model(const std::string& config, const std::vector<std::string>& overrides, std::optional<std::uint64_t> seed) {
    // A .json file is a SONATA circuit config; anything else a TOML model.
    Model model = config.empty()              ? microcircuit(37, default_duration)
                  : config.ends_with(".json") ? read_sonata_circuit(config)
                                              : load_config(config);
    for (const auto& o : overrides) apply_override(model, o);
    if (seed) model.seed = *seed;
    validate(model);
    return model;
}

CLI::Option* add_seed_option(CLI::App* app, std::optional<std::uint64_t>& seed, const std::string& help) {
    return app
        ->add_option_function<std::string>(
            "--seed",
            [&seed](const std::string& text) {
                constexpr std::uint64_t max_seed = std::numeric_limits<std::int64_t>::max();  // as run.seed
                std::uint64_t value = 0;
                const char* end = text.data() + text.size();
                const auto [stop, error] = std::from_chars(text.data(), end, value);
                if (text.empty() || stop != end || error != std::errc() || value > max_seed)
                    throw UserError(fmt::format("--seed {}: expected a whole number from 0 to {}", echo(text),
                                                max_seed));
                seed = value;
            },
            help)
        ->type_name("UINT");
}

Strategy strategy_from(const std::string& engine, std::optional<double> dt, unsigned threads) {
    if (engine != "clock" && dt)
        throw UserError("--dt applies to --engine clock only (the event-driven engines have no step)");
    if (engine == "event") return Strategy::event_driven(threads);
    if (engine == "queue") return Strategy::event_queue();
    return Strategy::clock_driven(dt.value_or(default_dt));
}

const CLI::Validator& config_file() {
    static const CLI::Validator validator(
        [](std::string& name) {
            try {
                name = processes::find_config(name).string();
                return std::string();
            } catch (const UserError& e) {
                return std::string(e.what());
            }
        },
        "CONFIG");
    return validator;
}

CLI::Option* add_time_option(CLI::App* command, const std::string& name, double& ms, const std::string& help,
                             TimeBound bound) {
    return command
        ->add_option_function<std::string>(
            name, [&ms, name, bound](const std::string& text) { ms = parse_time(text, name, bound); }, help + time_help)
        ->type_name("TIME")
        ->default_str(fmt::format("{:g} ms", ms));
}

CLI::Option* add_time_option(CLI::App* command, const std::string& name, std::optional<double>& ms,
                             const std::string& help, TimeBound bound) {
    return command
        ->add_option_function<std::string>(
            name, [&ms, name, bound](const std::string& text) { ms = parse_time(text, name, bound); }, help + time_help)
        ->type_name("TIME");
}

CLI::Option* add_times_option(CLI::App* command, const std::string& name, std::vector<double>& ms,
                              const std::string& help) {
    std::vector<std::string> shown;
    for (double t : ms) shown.push_back(fmt::format("{:g}ms", t));
    return command
        ->add_option_function<std::vector<std::string>>(
            name,
            [&ms, name](const std::vector<std::string>& texts) {
                ms.clear();
                for (const auto& text : texts) ms.push_back(parse_time(text, name, TimeBound::any));
            },
            help + "; times with their units, comma-separated: 0.1ms,0.05ms")
        ->delimiter(',')
        ->type_name("TIMES")
        ->default_str(fmt::format("{}", fmt::join(shown, ",")));
}

void add_python_option(CLI::App* command) {
    command
        ->add_option_function<std::string>(
            "--python", [](const std::string& python) { setenv(processes::python_variable, python.c_str(), 1); },
            fmt::format("the Python of the report scripts and Brian2 (also {}); by default the first python3 on PATH "
                        "that has the modules they need, then /usr/bin/python3",
                        processes::python_variable))
        ->type_name("PYTHON");
}

void warn_if_no_report_python(const std::function<void(const std::string&)>& say) {
    const auto python = processes::find_python(processes::report_modules());
    if (!python.found) say("the figures and report.md will not be made (the numbers will): " + python.note);
}

}  // namespace metabosim::cli
