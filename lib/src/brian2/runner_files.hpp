// The files of the Brian2 runner that `metabosim export` writes beside network.h5 (internal):
// run_brian2.py and the modules it imports, embedded in the library at configure time
// (runner.cpp.in, lib/meson.build), so that an export is complete wherever it is made.
#pragma once

#include <span>

namespace metabosim::detail {

struct RunnerFile {
    const char* name;  // in the export directory
    const char* text;
    bool executable;   // the script users run
};

std::span<const RunnerFile> brian2_runner_files();

}  // namespace metabosim::detail
