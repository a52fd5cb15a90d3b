#include "recording/staged_files.hpp"

#include <hdf5.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim::detail {
namespace {

namespace fs = std::filesystem;

fs::path partial_path(const fs::path& dir, const std::string& name) { return dir / ("." + name + ".partial"); }

// Only regular files: a directory squatting on a partial name is not ours to delete.
void remove_files(const std::vector<fs::path>& paths) {
    for (const auto& path : paths) {
        std::error_code ignored;
        if (fs::is_regular_file(fs::symlink_status(path, ignored))) fs::remove(path, ignored);
    }
}

}  // namespace

void write_staged(const fs::path& dir, const std::vector<StagedFile>& files, std::string_view what,
                  const std::vector<std::string>& owned) {
    // Errors reach the caller as exceptions; HDF5 must not also print its stack to stderr.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);

    std::vector<fs::path> created;  // partial names, replaced by final names once renamed
    std::string step = "creating the directory";
    try {
        fs::create_directories(dir);
        for (const auto& file : files) {
            step = "writing " + file.name;
            created.push_back(partial_path(dir, file.name));
            file.write(created.back());
        }
        step = "renaming the outputs into place";
        for (std::size_t i = 0; i < files.size(); ++i) {
            fs::rename(created[i], dir / files[i].name);
            created[i] = dir / files[i].name;
        }
    } catch (const std::runtime_error& e) {
        remove_files(created);
        throw UserError(fmt::format("cannot write {} to '{}': {}: {}", what, dir.string(), step, e.what()));
    } catch (...) {
        remove_files(created);
        throw;
    }
    std::vector<fs::path> stale;
    for (const std::string& name : owned)
        if (std::none_of(files.begin(), files.end(), [&](const StagedFile& f) { return f.name == name; }))
            stale.push_back(dir / name);
    remove_files(stale);
}

}  // namespace metabosim::detail
