// Writing a set of files all or nothing (internal).
//
// The files are written into a fresh hidden sibling of the target directory, synced to disk,
// and swapped in with one atomic rename (renameat2 RENAME_EXCHANGE when an earlier output is
// there), so the target is at every instant either the earlier complete set or the new one,
// whatever fails or kills the process. A lock beside the target keeps two writers out of it, and
// nothing is left behind when nothing was written: no directory, no temporary, no lock.
//
// Names beside the target, in its parent:
//   .<name>.lock        the lock (flock), held from the reservation to its end
//   .<name>.tmp-<pid>   the new set being written; an earlier run's, if killed, is removed by
//                       the next reservation (under the lock, so never a live one)
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace metabosim::detail {

struct StagedFile {
    std::string name;
    std::function<void(const std::filesystem::path&)> write;  // writes the file at the given path
};

// A directory reserved for one set of files. The reservation checks that `dir` can take the
// set (it and its parents are directories or can be created; an existing `dir` holds nothing
// but names in `owned`: an earlier output of the same kind) and takes the lock; it creates
// nothing that outlives it unless write() succeeds. Failures throw UserError
// "cannot write <what> to '<dir>': <reason>".
class StagedDirectory {
public:
    StagedDirectory(const std::filesystem::path& dir, std::string what, std::function<bool(const std::string&)> owns);
    StagedDirectory(const std::filesystem::path& dir, std::string what, std::vector<std::string> owned);
    ~StagedDirectory();
    StagedDirectory(const StagedDirectory&) = delete;
    StagedDirectory& operator=(const StagedDirectory&) = delete;

    const std::filesystem::path& given() const { return given_; }  // as the caller named it

    // Writes `files` (each name must be in `owned`) and swaps them in for whatever `dir` held,
    // as often as needed while reserved. On failure the earlier contents of `dir` are untouched
    // and no new file is left.
    void write(const std::vector<StagedFile>& files);

private:
    // UserError "cannot write <what> to '<dir>': <reason>".
    [[noreturn]] void fail(std::string_view reason) const;
    void check_contents() const;
    void release() noexcept;

    std::filesystem::path given_;  // the directory as the caller named it
    std::filesystem::path dir_, parent_;
    std::string what_;
    std::function<bool(const std::string&)> owns_;  // whether a file name is one of this kind of output
    std::vector<std::filesystem::path> created_parents_;  // innermost last
    std::filesystem::path lock_path_;
    int lock_fd_ = -1;
    bool written_ = false;  // once: the directories it created stay
};

// StagedDirectory(dir, what, owned + the names of `files`).write(files).
void write_staged(const std::filesystem::path& dir, const std::vector<StagedFile>& files, std::string_view what,
                  const std::vector<std::string>& owned = {});

}  // namespace metabosim::detail
