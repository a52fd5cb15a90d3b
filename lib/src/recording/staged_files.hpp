// Writing a set of files all or nothing (internal): each is written under a hidden temporary
// name and only when every one succeeded are they renamed into place, so a directory never
// holds a half-written output or a mix of two runs.
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

// Creates `dir`, writes and renames `files`, then removes every name in `owned` that this set
// did not write (an earlier output that would otherwise be mistaken for this one's). Failures
// throw UserError "cannot write <what> to '<dir>': <step>: <reason>" and leave no partial file.
void write_staged(const std::filesystem::path& dir, const std::vector<StagedFile>& files,
                  std::string_view what, const std::vector<std::string>& owned = {});

}  // namespace metabosim::detail
