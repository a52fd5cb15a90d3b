// Where metabosim's files are: the scripts of tools/ and the configs, installed under
// <prefix>/share/metabosim (found from where the library or the program is, so that an
// installed tree may be moved), else in the source tree the library was built from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace metabosim::processes {

// <prefix>/share/metabosim of the installation this library (or the running program) belongs
// to; nothing when running from a build tree.
std::optional<std::filesystem::path> installed_data_directory();

// A script of tools/: installed (share/metabosim/NAME), else in the source tree.
std::filesystem::path find_tool(const std::string& name);

// A config file: `name` itself if it is a file, else one of metabosim's configs by name ("coba"
// or "coba.toml": share/metabosim/configs, else the source tree's configs/). Throws UserError
// naming the directory of configs and the configs in it when it is neither.
std::filesystem::path find_config(const std::string& name);

// The names of metabosim's configs ("billion", "coba", "microcircuit"), sorted.
std::vector<std::string> config_names();

}  // namespace metabosim::processes
