// The subcommands of the metabosim program, and what they share: loading a model with its
// overrides, the engine options, progress on stderr.
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

// The model of `config` (the built-in microcircuit, 2 s, if empty) with its overrides and seed,
// validated.
Model load_model(const std::string& config, const std::vector<std::string>& overrides, std::optional<std::uint64_t> seed);

// A positive time given with its unit on the command line (UserError naming `option` otherwise).
double positive_time(const std::string& text, const std::string& option);

// --seed, checked as run.seed is: a whole number from 0 to 2^63 - 1 (CLI11 alone would wrap
// "-1" to 2^64 - 1 and accept it).
CLI::Option* add_seed_option(CLI::App* app, std::optional<std::uint64_t>& seed, const std::string& help);

// --engine event|clock|queue with --dt (clock only; 0.1 ms if empty) and --threads (event only).
Strategy strategy_from(const std::string& engine, const std::string& dt, unsigned threads = 1);

Command add_resume(CLI::App& app);

// A run's progress on stderr, as one line rewritten in place: an empty callback when `quiet` or
// when stderr is not a terminal.
std::function<void(const Progress&)> run_progress(bool quiet);
// Ends the line run_progress() rewrote, if it did.
void end_run_progress(bool quiet);

// Prints each line on stderr; nothing when `quiet`.
std::function<void(const std::string&)> progress_lines(bool quiet);

}  // namespace metabosim::cli
