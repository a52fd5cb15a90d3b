#include "recording/directories.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "metabosim/model/echo.hpp"

namespace metabosim::detail {
namespace {

namespace fs = std::filesystem;

std::runtime_error os_error(std::string_view what, int error) {
    return std::runtime_error(fmt::format("{}: {}", what, std::strerror(error)));
}

bool exists_no_follow(const fs::path& p) {
    std::error_code ignored;
    return fs::exists(fs::symlink_status(p, ignored));
}

// The entries beside `dir` whose names start with `prefix` followed by its name.
std::vector<fs::path> siblings(const fs::path& dir, const std::string& infix) {
    const std::string prefix = fmt::format(".{}{}", dir.filename().string(), infix);
    std::vector<fs::path> found;
    std::error_code error;
    for (fs::directory_iterator it(dir.parent_path(), error), end; !error && it != end; it.increment(error))
        if (it->path().filename().string().rfind(prefix, 0) == 0) found.push_back(it->path());
    return found;
}

}  // namespace

fs::path resolved_target(const fs::path& dir) {
    if (dir.empty()) throw std::runtime_error("no directory given");
    fs::path target = fs::absolute(dir).lexically_normal();
    if (target.filename().empty()) target = target.parent_path();  // "out/" or "out/."
    std::error_code error;
    if (fs::is_symlink(fs::symlink_status(target, error))) {
        const fs::path pointed = fs::canonical(target, error);
        if (error) throw std::runtime_error(fmt::format("it is a symbolic link that leads nowhere ({})", error.message()));
        target = pointed;
    }
    if (target == target.root_path() || target.filename().empty())
        throw std::runtime_error("the root directory cannot be replaced");
    return target;
}

void check_creatable(const fs::path& dir) {
    fs::path existing = resolved_target(dir);
    while (!exists_no_follow(existing)) existing = existing.parent_path();
    std::error_code error;
    if (!fs::is_directory(existing, error))
        throw std::runtime_error(fmt::format("{} is not a directory", echo_quoted(existing.string())));
    if (::access(existing.c_str(), W_OK | X_OK) != 0)
        throw os_error(fmt::format("cannot create files in {}", echo_quoted(existing.string())), errno);
}

std::vector<fs::path> create_parents(const fs::path& dir) {
    check_creatable(dir);
    std::vector<fs::path> missing;
    for (fs::path p = dir; !exists_no_follow(p); p = p.parent_path()) missing.insert(missing.begin(), p);
    std::vector<fs::path> created;
    for (const fs::path& p : missing) {
        std::error_code error;
        if (!fs::create_directory(p, error) && error) {
            remove_if_empty(created);
            throw std::runtime_error(fmt::format("cannot create {}: {}", echo_quoted(p.string()), error.message()));
        }
        created.push_back(p);
    }
    return created;
}

void remove_if_empty(const std::vector<fs::path>& dirs) noexcept {
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) ::rmdir(it->c_str());
}

int lock_exclusively(const fs::path& lock) {
    while (true) {
        const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) throw os_error(fmt::format("cannot create the lock {}", echo_quoted(lock.string())), errno);
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            ::close(fd);
            if (error == EWOULDBLOCK)
                throw std::runtime_error(fmt::format(
                    "another run is writing to it (it holds {}); wait for that run to end or choose another directory",
                    echo_quoted(lock.string())));
            throw os_error(fmt::format("cannot lock {}", echo_quoted(lock.string())), error);
        }
        // The holder removes the lock file when done: if it did so before we got the lock, ours is
        // an orphan and the lock lives on in a new file.
        struct stat held {}, named {};
        if (::fstat(fd, &held) == 0 && ::stat(lock.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
            held.st_ino == named.st_ino)
            return fd;
        ::close(fd);
    }
}

fs::path staging_path(const fs::path& dir, pid_t pid) {
    return dir.parent_path() / fmt::format(".{}.tmp-{}", dir.filename().string(), pid);
}

fs::path set_aside_path(const fs::path& dir, pid_t pid) {
    return dir.parent_path() / fmt::format(".{}.old-{}", dir.filename().string(), pid);
}

void swap_in(const fs::path& staged, const fs::path& dir) {
    if (!exists_no_follow(dir)) {
        if (::rename(staged.c_str(), dir.c_str()) != 0) throw os_error("rename", errno);
        return;
    }
    if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) return;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) throw os_error("rename", errno);
    // No exchange on this file system (NFS, some FUSE): two renames, the earlier output kept.
    const fs::path aside = set_aside_path(dir, ::getpid());
    if (::rename(dir.c_str(), aside.c_str()) != 0) throw os_error("rename", errno);
    if (::rename(staged.c_str(), dir.c_str()) != 0) {
        const int error = errno;
        ::rename(aside.c_str(), dir.c_str());
        throw os_error("rename", error);
    }
    ::rename(aside.c_str(), staged.c_str());
}

void restore_set_aside(const fs::path& dir) {
    for (const fs::path& aside : siblings(dir, ".old-"))
        if (!exists_no_follow(dir) && ::rename(aside.c_str(), dir.c_str()) != 0)
            throw os_error(fmt::format("cannot restore the earlier output from {}", echo_quoted(aside.string())), errno);
}

void remove_stale(const fs::path& dir) {
    std::error_code ignored;
    for (const char* infix : {".tmp-", ".old-"})
        for (const fs::path& p : siblings(dir, infix)) fs::remove_all(p, ignored);
}

}  // namespace metabosim::detail
