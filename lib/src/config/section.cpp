#include "config/section.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace metabosim::config {

std::string Section::path_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

const toml::node* Section::find(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    return table_.get(key);
}

const toml::node& Section::need(std::string_view key, std::string_view what) {
    if (const auto* node = find(key)) return *node;
    std::vector<std::string_view> present;
    for (auto&& [k, v] : table_) present.push_back(k.str());
    const auto typo = closest(key, present);
    fail_at(doc_, table_, path_of(key),
            fmt::format("missing, expected {}{}", what,
                        typo ? fmt::format(" (is \"{}\" a misspelling of it?)", *typo) : ""));
}

double Section::quantity(std::string_view key, const schema::Quantity& q, double fallback) {
    const auto* node = find(key);
    return node ? read_quantity(doc_, *node, path_of(key), q) : fallback;
}

double Section::required_quantity(std::string_view key, const schema::Quantity& q) {
    return read_quantity(doc_, need(key, expectation(q)), path_of(key), q);
}

std::uint64_t Section::integer(std::string_view key, std::uint64_t fallback, std::uint64_t min,
                               std::uint64_t max) {
    const auto* node = find(key);
    return node ? read_integer(doc_, *node, path_of(key), min, max, fallback) : fallback;
}

std::uint64_t Section::required_integer(std::string_view key, std::uint64_t example_value, std::uint64_t min,
                                        std::uint64_t max) {
    const auto& node = need(key, integer_expectation(min, max, example_value));
    return read_integer(doc_, node, path_of(key), min, max, example_value);
}

bool Section::boolean(std::string_view key, bool fallback) {
    const auto* node = find(key);
    if (!node) return fallback;
    if (!node->is_boolean()) fail_value(doc_, *node, path_of(key), "true or false");
    return node->as_boolean()->get();
}

std::string Section::required_string(std::string_view key, std::string_view what) {
    return read_string(doc_, need(key, what), path_of(key), what);
}

std::optional<Section> Section::section(std::string_view key) {
    const auto* node = find(key);
    if (!node) return std::nullopt;
    if (!node->is_table()) fail_value(doc_, *node, path_of(key), "a table");
    return Section(doc_, *node->as_table(), path_of(key));
}

const toml::array& Section::array(std::string_view key, std::string_view what) {
    static const toml::array empty;
    const auto* node = find(key);
    if (!node) return empty;
    if (!node->is_array()) fail_value(doc_, *node, path_of(key), what);
    return *node->as_array();
}

const toml::array& Section::required_array(std::string_view key, std::string_view what) {
    const auto& node = need(key, what);
    if (!node.is_array()) fail_value(doc_, node, path_of(key), what);
    return *node.as_array();
}

std::vector<Section> Section::sections(std::string_view key) {
    const auto& items = array(key);
    std::vector<Section> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto path = fmt::format("{}[{}]", path_of(key), i);
        if (!items[i].is_table()) fail_value(doc_, items[i], path, "a table");
        out.emplace_back(doc_, *items[i].as_table(), path);
    }
    return out;
}

void Section::finish() const {
    for (auto&& [key, node] : table_) {
        if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
        const auto typo = closest(key.str(), known_);
        fail_at(doc_, node, path_of(key.str()),
                typo ? fmt::format("unknown key; did you mean \"{}\"?", *typo)
                     : fmt::format("unknown key (known here: {})", fmt::join(known_, ", ")));
    }
}

std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& table) {
    std::vector<std::pair<std::string, const toml::node*>> entries;
    for (auto&& [key, node] : table) entries.emplace_back(std::string(key.str()), &node);
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& sa = a.second->source().begin;
        const auto& sb = b.second->source().begin;
        return std::tie(sa.line, sa.column) < std::tie(sb.line, sb.column);
    });
    return entries;
}

}  // namespace metabosim::config
