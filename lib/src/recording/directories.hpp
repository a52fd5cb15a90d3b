// The file-system steps of writing a directory all or nothing (internal; staged_files.hpp puts
// them together). Failures throw std::runtime_error with the reason; the caller names the
// directory.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <vector>

namespace metabosim::detail {

// `dir` made absolute and normal, without a trailing separator, a symbolic link followed (the
// output goes where the link points, the link stays). Throws for the root directory.
std::filesystem::path resolved_target(const std::filesystem::path& dir);

// Checks that `dir` could be created or written: every existing ancestor is a directory, and
// the nearest existing one (or `dir` itself) lets this process create entries. Creates nothing.
void check_creatable(const std::filesystem::path& dir);

// Creates `dir` and whatever parents it lacks; returns those it created, outermost first.
std::vector<std::filesystem::path> create_parents(const std::filesystem::path& dir);
// Removes the directories given that are empty, innermost (last) first.
void remove_if_empty(const std::vector<std::filesystem::path>& dirs) noexcept;

// Opens (creating) `lock` and takes an exclusive flock on it without waiting; the descriptor.
// Throws when another process holds it.
int lock_exclusively(const std::filesystem::path& lock);

// Beside `dir`: where process `pid` writes the new set (.<name>.tmp-<pid>), and where an earlier
// output steps aside on a file system that cannot exchange two directories (.<name>.old-<pid>).
std::filesystem::path staging_path(const std::filesystem::path& dir, pid_t pid);
std::filesystem::path set_aside_path(const std::filesystem::path& dir, pid_t pid);

// Puts `staged` in the place of `dir` in one atomic step: renamed there when `dir` does not
// exist, else exchanged with it (renameat2 RENAME_EXCHANGE), so that the earlier output ends up
// at `staged`. Where the file system cannot exchange, the earlier output is set aside, the new
// one renamed into place and the earlier one moved to `staged`; a kill in between leaves it at
// its set-aside name, from where restore_set_aside() brings it back.
void swap_in(const std::filesystem::path& staged, const std::filesystem::path& dir);

// Under the lock: an earlier output left set aside by a killed swap comes back when `dir` is
// missing; other set-aside and staging directories of `dir` (of killed runs) are removed.
void restore_set_aside(const std::filesystem::path& dir);
void remove_stale(const std::filesystem::path& dir);

}  // namespace metabosim::detail
