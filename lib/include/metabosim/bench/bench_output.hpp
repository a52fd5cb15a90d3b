// A Bench (bench.hpp) written out: bench.json; scaling.png made from it by tools/bench_report.py
// (with matplotlib); bench.md, the table with the machine and each target met or missed.
#pragma once

#include <filesystem>
#include <string>

#include "metabosim/bench/bench.hpp"
#include "metabosim/processes/processes.hpp"

namespace metabosim::bench {

// Writes `bench` as JSON into `file`; UserError if it cannot.
void write_bench_json(const Bench& bench, const std::filesystem::path& file);

// Runs tools/bench_report.py on `directory` (which holds bench.json), its output in
// directory/logs/report.log.
processes::ScriptRun make_scaling_figure(const std::filesystem::path& directory);

// The table in Markdown, with scaling.png shown below it when `with_figure`; and the same
// written into `file` (UserError if it cannot).
std::string bench_markdown(const Bench& bench, bool with_figure);
void write_bench_markdown(const Bench& bench, bool with_figure, const std::filesystem::path& file);

}  // namespace metabosim::bench
