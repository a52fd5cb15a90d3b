// The helper programs metabosim relies on (the report scripts of tools/, Brian2): running them
// without a shell, their output kept in a log and, line by line, passed on as progress.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace metabosim::processes {

// Called with each line a helper program writes (stdout and stderr together).
using LineHandler = std::function<void(const std::string&)>;

// Runs argv[0] (no shell; a name without '/' is looked up on PATH) with stdout and stderr into
// `log` and, line by line, to `on_line` if given; returns its exit status, or -1 if it could not
// start or did not exit normally.
int run_process(const std::vector<std::string>& argv, const std::filesystem::path& log, const LineHandler& on_line = {});

// The last `lines` lines of a log, indented, for an error message.
std::string tail_of(const std::filesystem::path& log, std::size_t lines = 8);

// A script of tools/ run by a Python that has what the report scripts import (python.hpp).
struct ScriptRun {
    std::filesystem::path script, log;
    std::filesystem::path python;  // the interpreter used; empty if none had the modules
    std::string no_python;         // then: the interpreters tried and what each lacked
    int status = -1;               // as run_process returns it
    bool succeeded() const { return status == 0; }
    // Why it failed, for an error message: no suitable Python, or the end of its log.
    std::string failure() const;
};
ScriptRun run_tool(const std::string& name, const std::vector<std::string>& args, const std::filesystem::path& log);

}  // namespace metabosim::processes
