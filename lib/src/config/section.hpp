// One TOML table read against the schema. A Section hands out the keys of its table and
// remembers which ones were asked for, so whatever is left at finish() is a misspelling or a
// key in the wrong place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/diagnostics.hpp"
#include "config/values.hpp"
#include "model/schema.hpp"

namespace metabosim::config {

class Section {
public:
    Section(const Document& doc, const toml::table& table, std::string path)
        : doc_(doc), table_(table), path_(std::move(path)) {}

    const Document& doc() const { return doc_; }
    const toml::table& table() const { return table_; }
    const std::string& path() const { return path_; }
    std::string path_of(std::string_view key) const;

    // The node under `key`, or none; either way the key is known from now on.
    const toml::node* find(std::string_view key);
    // The node under `key`; its absence is an error that names the likely typo.
    const toml::node& need(std::string_view key, std::string_view what);

    double quantity(std::string_view key, const schema::Quantity& q, double fallback);
    double required_quantity(std::string_view key, const schema::Quantity& q);

    std::uint64_t integer(std::string_view key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max);
    std::uint64_t required_integer(std::string_view key, std::uint64_t example_value, std::uint64_t min,
                                   std::uint64_t max);

    bool boolean(std::string_view key, bool fallback);
    std::string required_string(std::string_view key, std::string_view what);

    template <class Enum, std::size_t N>
    Enum choice(std::string_view key, const Choice<Enum> (&choices)[N], Enum fallback) {
        const auto* node = find(key);
        return node ? read_choice<Enum>(doc_, *node, path_of(key), choices) : fallback;
    }

    std::optional<Section> section(std::string_view key);

    // The array under `key`, or an empty one; `what` words the error for anything else.
    const toml::array& array(std::string_view key, std::string_view what = "an array");
    const toml::array& required_array(std::string_view key, std::string_view what);

    // Each table of an array of tables ([[key]]), with its path key[i].
    std::vector<Section> sections(std::string_view key);

    // Rejects every key the schema did not ask for.
    void finish() const;

private:
    const Document& doc_;
    const toml::table& table_;
    std::string path_;
    std::vector<std::string> known_;
};

// The entries of `table` in file order: population order fixes the global neuron indices.
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& table);

}  // namespace metabosim::config
