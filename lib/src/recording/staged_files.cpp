#include "recording/staged_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"
#include "metabosim/model/echo.hpp"
#include "recording/directories.hpp"

namespace metabosim::detail {
namespace {

namespace fs = std::filesystem;

// HDF5 1.10 leaves a file whose close failed (a full disk) half-destroyed in its table of open
// objects, and its clean-up at exit then crashes on it. Every file is closed explicitly, so the
// clean-up has nothing to do: it is not installed. (Only effective before HDF5's first use, which
// is why it runs when the library is loaded.)
[[maybe_unused]] const bool hdf5_cleanup_at_exit_disabled = [] {
    H5dont_atexit();
    return true;
}();

std::runtime_error os_error(std::string_view what, int error) {
    return std::runtime_error(fmt::format("{}: {}", what, std::strerror(error)));
}

// fsync of a file or a directory: what is renamed into place must be on disk first.
void sync(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw os_error(fmt::format("cannot open {} to sync it", path.filename().string()), errno);
    const int status = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (status != 0) throw os_error(fmt::format("cannot sync {}", path.filename().string()), error);
}

}  // namespace

StagedDirectory::StagedDirectory(const fs::path& dir, std::string what, std::vector<std::string> owned)
    : StagedDirectory(dir, std::move(what), [owned = std::move(owned)](const std::string& name) {
          return std::find(owned.begin(), owned.end(), name) != owned.end();
      }) {}

StagedDirectory::StagedDirectory(const fs::path& dir, std::string what, std::function<bool(const std::string&)> owns)
    : what_(std::move(what)), owns_(std::move(owns)) {
    given_ = dir;
    try {
        dir_ = resolved_target(dir);
        parent_ = dir_.parent_path();
        created_parents_ = create_parents(parent_);
        lock_path_ = parent_ / fmt::format(".{}.lock", dir_.filename().string());
        lock_fd_ = lock_exclusively(lock_path_);
        restore_set_aside(dir_);
        check_contents();
        remove_stale(dir_);
    } catch (const std::runtime_error& e) {
        release();
        fail(e.what());
    } catch (...) {
        release();
        throw;
    }
}

StagedDirectory::~StagedDirectory() { release(); }

void StagedDirectory::fail(std::string_view reason) const {
    throw UserError(fmt::format("cannot write {} to '{}': {}", what_, echo(given_.string()), reason));
}

// An earlier output of the same kind, or nothing: never a directory holding someone else's files.
void StagedDirectory::check_contents() const {
    std::error_code error;
    const fs::file_status status = fs::status(dir_, error);
    if (!fs::exists(status)) return;
    if (!fs::is_directory(status)) throw std::runtime_error("it exists and is not a directory");
    for (const auto& entry : fs::directory_iterator(dir_)) {
        const std::string name = entry.path().filename().string();
        const bool ours = owns_(name) || (name.starts_with(".") && name.ends_with(".partial") &&
                                          owns_(name.substr(1, name.size() - 1 - std::string_view(".partial").size())));
        if (!ours)
            throw std::runtime_error(fmt::format(
                "it holds {}, which is not one of its files; an output replaces a directory only when the "
                "directory holds nothing else: choose a new directory, or move {} away",
                echo_quoted(name), echo_quoted(name)));
        // A directory (or device, or link) under an output's name is not an output: the swap would
        // delete it with everything in it.
        if (!fs::is_regular_file(entry.symlink_status()))
            throw std::runtime_error(fmt::format("{} in it is not a regular file; move it away", echo_quoted(name)));
    }
}

void StagedDirectory::write(const std::vector<StagedFile>& files) {
    if (lock_fd_ < 0) throw InternalError("StagedDirectory::write after its release");
    // Errors reach the caller as exceptions; HDF5 must not also print its stack to stderr.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const fs::path temp = staging_path(dir_, ::getpid());
    std::string step = fmt::format("creating {}", temp.filename().string());
    std::error_code ignored;
    try {
        fs::create_directory(temp);
        for (const auto& file : files) {
            if (!owns_(file.name))
                throw InternalError(fmt::format("{} is not a file of {}", file.name, what_));
            step = fmt::format("writing {}", file.name);
            file.write(temp / file.name);
            sync(temp / file.name);
        }
        step = "syncing the new files";
        sync(temp);
        step = fs::exists(dir_) ? "replacing the earlier output" : "moving the new files into place";
        swap_in(temp, dir_);
        sync(parent_);
    } catch (const std::runtime_error& e) {
        fs::remove_all(temp, ignored);
        fail(fmt::format("{}: {}", step, e.what()));
    } catch (...) {
        fs::remove_all(temp, ignored);
        throw;
    }
    fs::remove_all(temp, ignored);  // after the swap: the earlier output, replaced
    written_ = true;
}

void StagedDirectory::release() noexcept {
    if (lock_fd_ >= 0) {
        // Removed while still held: whoever opened it meanwhile finds it gone and takes a new one.
        ::unlink(lock_path_.c_str());
        ::close(lock_fd_);
        lock_fd_ = -1;
    }
    if (!written_) remove_if_empty(created_parents_);
    created_parents_.clear();
}

void write_staged(const fs::path& dir, const std::vector<StagedFile>& files, std::string_view what,
                  const std::vector<std::string>& owned) {
    std::vector<std::string> names = owned;
    for (const auto& f : files) names.push_back(f.name);
    StagedDirectory(dir, std::string(what), std::move(names)).write(files);
}

}  // namespace metabosim::detail
