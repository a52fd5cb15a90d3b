// A Comparison (compare.hpp) written out: compare.json, read by tools/compare_report.py, which
// makes the figures and report.md from it.
#pragma once

#include <filesystem>

#include "metabosim/compare/compare.hpp"
#include "metabosim/processes/processes.hpp"

namespace metabosim::compare {

// Writes `comparison` as JSON into `file`; UserError if it cannot.
void write_compare_json(const Comparison& comparison, const std::filesystem::path& file);

// Runs tools/compare_report.py on `directory` (which holds compare.json), its output in
// directory/logs/report.log.
processes::ScriptRun make_compare_report(const std::filesystem::path& directory);

}  // namespace metabosim::compare
