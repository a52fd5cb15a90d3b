// Findings (findings.hpp) written out: findings.json, read by tools/findings_report.py, which
// makes the figures and report.md from it.
#pragma once

#include <filesystem>

#include "metabosim/experiments/findings.hpp"
#include "metabosim/processes/processes.hpp"

namespace metabosim::experiments {

// Writes `findings` as JSON into `file`; UserError if it cannot.
void write_findings_json(const Findings& findings, const std::filesystem::path& file);

// Runs tools/findings_report.py on `directory` (which holds findings.json), its output in
// directory/report.log.
processes::ScriptRun make_findings_report(const std::filesystem::path& directory);

}  // namespace metabosim::experiments
