// Running the helper programs the apps rely on (Brian2, the report scripts).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace metabosim::app {

inline constexpr const char* python = "/usr/bin/python3";

// Runs argv[0] (no shell) with stdout and stderr into `log`; returns its exit status, or -1 if it
// could not start or did not exit normally.
int run_process(const std::vector<std::string>& argv, const std::filesystem::path& log);

// The last `lines` lines of a log, indented, for an error message.
std::string tail_of(const std::filesystem::path& log, std::size_t lines = 8);

// A script of tools/: next to an installed program (share/metabosim), else in the source tree
// this program was built from.
std::filesystem::path find_tool(const std::string& name);

}  // namespace metabosim::app
