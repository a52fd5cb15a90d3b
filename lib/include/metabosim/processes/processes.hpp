// The helper programs metabosim relies on (Python, the report scripts of tools/, Brian2): where
// they are, and running them without a shell with their output kept in a log.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace metabosim::processes {

// The interpreter every helper script runs with.
inline constexpr const char* python = "/usr/bin/python3";

// Runs argv[0] (no shell) with stdout and stderr into `log`; returns its exit status, or -1 if it
// could not start or did not exit normally.
int run_process(const std::vector<std::string>& argv, const std::filesystem::path& log);

// The last `lines` lines of a log, indented, for an error message.
std::string tail_of(const std::filesystem::path& log, std::size_t lines = 8);

// A script of tools/: next to an installed program (share/metabosim), else in the source tree
// this library was built from.
std::filesystem::path find_tool(const std::string& name);

// A script of tools/ run by `python` with `args`, its output in `log`.
struct ScriptRun {
    std::filesystem::path script, log;
    int status = -1;  // as run_process returns it
    bool succeeded() const { return status == 0; }
};
ScriptRun run_tool(const std::string& name, const std::vector<std::string>& args, const std::filesystem::path& log);

}  // namespace metabosim::processes
