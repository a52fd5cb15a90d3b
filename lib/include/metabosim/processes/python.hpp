// The Python interpreter of the helper scripts, found rather than assumed: the one named by
// METABOSIM_PYTHON if set; else the first python3 on PATH that imports what the job needs, then
// /usr/bin/python3 (Debian's, where python3-h5py and the others install). A pyenv, conda or
// venv Python first on PATH is used when it has the modules and passed over when it lacks them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace metabosim::processes {

// The environment variable that names the interpreter (`--python` sets it).
inline constexpr const char* python_variable = "METABOSIM_PYTHON";

// What each job imports.
const std::vector<std::string>& report_modules();  // h5py, numpy, matplotlib
const std::vector<std::string>& brian2_modules();  // brian2, h5py, numpy

struct PythonSearch {
    std::optional<std::filesystem::path> found;
    // Each interpreter passed over and what it lacked (empty when the first one tried had all):
    // "/root/.pyenv/shims/python3 lacks h5py, matplotlib". When none is found, the whole
    // message: what is missing where, the Debian packages and how to name an interpreter.
    std::string note;
};

// The first candidate (see above) that imports every module of `modules`. Each probe starts the
// interpreter once; the answer is kept for the rest of the process (per modules, PATH and
// METABOSIM_PYTHON).
PythonSearch find_python(const std::vector<std::string>& modules);

}  // namespace metabosim::processes
