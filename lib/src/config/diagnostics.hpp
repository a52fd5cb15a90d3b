// How the config reader reports bad input: every message names the document and line, the key
// path, the value as written and what was expected; a misspelt key gets the key it most likely
// meant.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "metabosim/model/model.hpp"

namespace metabosim::config {

// Where the text came from: named in every message (unless the name is empty), the base of
// relative paths inside it.
struct Document {
    std::string name;
    std::filesystem::path base_dir;
    bool lines = true;  // false for text a program wrote: its lines mean nothing to the user
};

// "<file>:<line>: <path>: <problem>" (the file alone for a node without a line: an override's
// value; "<path>: <problem>" for a document without a name)
[[noreturn]] void fail_at(const Document& doc, const toml::node& node, std::string_view path,
                          std::string_view problem);

// "<file>:<line>: <path> = <value>: expected <expectation>"
[[noreturn]] void fail_value(const Document& doc, const toml::node& node, std::string_view path,
                             std::string_view expectation);

std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate a typo most likely meant, if any is close.
template <class Range>
std::optional<std::string_view> closest(std::string_view word, const Range& candidates) {
    constexpr std::size_t max_typos = 2;
    std::optional<std::string_view> best;
    std::size_t best_distance = max_typos + 1;
    for (std::string_view candidate : candidates) {
        const auto d = edit_distance(word, candidate);
        if (d > 0 && d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

// validate(), whose messages name objects rather than lines, with the file or override the
// model came from in front.
void validate_from(const Model& model, std::string_view origin);

}  // namespace metabosim::config
