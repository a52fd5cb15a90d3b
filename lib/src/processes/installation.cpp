#include "metabosim/processes/installation.hpp"

#include <dlfcn.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metabosim/model/error.hpp"

// The installation directories as configured: METABOSIM_PREFIX, _BINDIR, _LIBDIR, _DATADIR
// (meson's options; the last three relative to the prefix unless given absolute). Written by
// lib/meson.build, as METABOSIM_SOURCE_DIR is given there.
#include "installation_dirs.hpp"

namespace metabosim::processes {

namespace fs = std::filesystem;

namespace {

// The prefix of an installed tree of which `dir` is the directory `installed` (as configured):
// `dir` less the components of a relative `installed`; the configured prefix for an absolute one.
std::optional<fs::path> prefix_of(const fs::path& dir, const fs::path& installed) {
    if (installed.is_absolute()) return dir == installed ? std::optional(fs::path(METABOSIM_PREFIX)) : std::nullopt;
    fs::path prefix = dir;
    std::vector<fs::path> components(installed.begin(), installed.end());
    for (auto c = components.rbegin(); c != components.rend(); ++c) {
        if (prefix.filename() != *c) return std::nullopt;
        prefix = prefix.parent_path();
    }
    return prefix;
}

std::optional<fs::path> data_directory_under(const std::optional<fs::path>& prefix) {
    if (!prefix) return std::nullopt;
    const fs::path data = fs::path(METABOSIM_DATADIR).is_absolute() ? fs::path(METABOSIM_DATADIR) / "metabosim"
                                                                     : *prefix / METABOSIM_DATADIR / "metabosim";
    std::error_code ignored;
    return fs::is_directory(data, ignored) ? std::optional(data) : std::nullopt;
}

// This library's own file (an embedding program finds the data of the library it loaded).
fs::path library_file() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&installed_data_directory), &info) == 0 || !info.dli_fname) return {};
    std::error_code ignored;
    return fs::weakly_canonical(info.dli_fname, ignored);
}

fs::path source_directory() { return METABOSIM_SOURCE_DIR; }

// Where metabosim's configs are: installed, else the source tree's.
std::vector<fs::path> config_directories() {
    std::vector<fs::path> dirs;
    if (const auto data = installed_data_directory()) dirs.push_back(*data / "configs");
    dirs.push_back(source_directory() / "configs");
    std::error_code ignored;
    std::erase_if(dirs, [&](const fs::path& d) { return !fs::is_directory(d, ignored); });
    return dirs;
}

}  // namespace

std::optional<fs::path> installed_data_directory() {
    std::error_code ignored;
    if (auto data = data_directory_under(prefix_of(library_file().parent_path(), METABOSIM_LIBDIR))) return data;
    const fs::path program = fs::read_symlink("/proc/self/exe", ignored);
    return data_directory_under(prefix_of(program.parent_path(), METABOSIM_BINDIR));
}

fs::path find_tool(const std::string& name) {
    if (const auto data = installed_data_directory(); data && fs::exists(*data / name)) return *data / name;
    return source_directory() / "tools" / name;
}

std::vector<std::string> config_names() {
    std::vector<std::string> names;
    const auto dirs = config_directories();
    std::error_code ignored;
    if (!dirs.empty())
        for (const auto& entry : fs::directory_iterator(dirs.front(), ignored))
            if (entry.path().extension() == ".toml") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

fs::path find_config(const std::string& name) {
    std::error_code ignored;
    if (fs::is_regular_file(name, ignored)) return name;
    const fs::path file = fs::path(name).extension() == ".toml" ? fs::path(name) : fs::path(name + ".toml");
    const bool plain_name = fs::path(name).filename() == name && !name.empty();
    if (plain_name)
        for (const fs::path& dir : config_directories())
            if (fs::is_regular_file(dir / file, ignored)) return dir / file;
    const auto dirs = config_directories();
    throw UserError(fmt::format("{}: no such config file{}", name,
                                dirs.empty() ? std::string()
                                             : fmt::format(", nor one of metabosim's configs in {} ({})",
                                                           dirs.front().string(), fmt::join(config_names(), ", "))));
}

}  // namespace metabosim::processes
