// The subcommands of the metabosim program, and what they share: loading a model with its
// overrides, the engine options, options that take a time, the Python of the helper scripts.
// Progress on stderr: progress_display.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "metabosim/simulation.hpp"
#include "metabosim/model/model.hpp"

namespace metabosim::cli {

// A subcommand: its options, registered on the program, and what it does once they are parsed
// (returning the exit status).
struct Command {
    CLI::App* options = nullptr;
    std::function<int()> run;
};

Command add_run(CLI::App& app);
Command add_validate(CLI::App& app);
Command add_export(CLI::App& app);
Command add_compare(CLI::App& app);
// `command_line`: the program's arguments as typed, kept in findings.json.
Command add_experiment(CLI::App& app, const std::string& command_line);
Command add_bench(CLI::App& app);
// `metabosim resume DIR`: a run from its checkpoint to its end.
Command add_resume(CLI::App& app);

// --seed, checked as run.seed is: a whole number from 0 to 2^63 - 1 (CLI11 alone would wrap
// "-1" to 2^64 - 1 and accept it).
CLI::Option* add_seed_option(CLI::App* app, std::optional<std::uint64_t>& seed, const std::string& help);

// The model of `config` (the built-in microcircuit, 2 s, if empty; a SONATA circuit if it ends in
// .json; else a TOML file) with its overrides and seed, validated.
Model load_model(const std::string& config, const std::vector<std::string>& overrides, std::optional<std::uint64_t> seed);

// --engine event|clock|queue with --dt (clock only; 0.1 ms if not given) and --threads (event only).
Strategy strategy_from(const std::string& engine, std::optional<double> dt, unsigned threads = 1);

// A config argument: a TOML file, or the name of one of metabosim's configs ("coba"), replaced
// by its path (processes/installation.hpp).
const CLI::Validator& config_file();
inline constexpr const char* config_help = "a TOML model file, or the name of one of metabosim's configs "
                                           "(coba, microcircuit, song_abbott, billion; see docs/config.md), or a SONATA "
                                           "circuit config (.json, docs/sonata.md)";

// Options that take a time: "0.1ms", "3 s", "250us", with its unit as in a config (a bare number
// is refused: which unit it meant is not obvious). Each value is parsed as it is read, a bad one
// refused naming the option (exit status 2); with TimeBound::positive, also zero or less
// (--checkpoint-every, --progress-interval). A list is comma-separated.
enum class TimeBound { any, positive };
CLI::Option* add_time_option(CLI::App* command, const std::string& name, double& ms, const std::string& help,
                             TimeBound bound = TimeBound::any);
CLI::Option* add_time_option(CLI::App* command, const std::string& name, std::optional<double>& ms,
                             const std::string& help, TimeBound bound = TimeBound::any);
CLI::Option* add_times_option(CLI::App* command, const std::string& name, std::vector<double>& ms,
                              const std::string& help);

// --python PYTHON: the interpreter of the helper scripts (sets METABOSIM_PYTHON for this run;
// processes/python.hpp finds one otherwise).
void add_python_option(CLI::App* command);

// Says before the runs, not after them, when no Python can make the figures and report.md.
void warn_if_no_report_python(const std::function<void(const std::string&)>& say);

}  // namespace metabosim::cli
