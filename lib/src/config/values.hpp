// One TOML value read against what the schema expects of it: a quantity with its unit and
// bound, an integer in a range, a string, one of a set of names, a list of indices.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "config/diagnostics.hpp"
#include "metabosim/model/model.hpp"
#include "model/schema.hpp"

namespace metabosim::config {

// "a positive time (e.g. "5 ms")"; given the failing value, worded for the part it fails.
std::string expectation(const schema::Quantity& q, std::optional<double> value = std::nullopt);

// A quantity is a string with its unit; a dimensionless one may also be a TOML number.
double read_quantity(const Document& doc, const toml::node& node, std::string_view path,
                     const schema::Quantity& q);

// Each entry of `items` (path[i]) as a quantity.
std::vector<double> read_quantities(const Document& doc, const toml::array& items, std::string_view path,
                                    const schema::Quantity& q);

std::string integer_expectation(std::uint64_t min, std::uint64_t max, std::uint64_t example_value);

std::uint64_t read_integer(const Document& doc, const toml::node& node, std::string_view path,
                           std::uint64_t min, std::uint64_t max, std::uint64_t example_value);

std::string read_string(const Document& doc, const toml::node& node, std::string_view path,
                        std::string_view what);

// Local neuron indices into `population`.
std::vector<std::uint32_t> read_indices(const Document& doc, const toml::array& items, std::string_view path,
                                        const Population& population);

template <class Enum>
struct Choice {
    std::string_view name;
    Enum value;
};

template <class Enum>
Enum read_choice(const Document& doc, const toml::node& node, std::string_view path,
                 std::span<const Choice<Enum>> choices) {
    std::vector<std::string_view> names;
    for (const auto& c : choices) names.push_back(c.name);
    if (const auto* s = node.as_string())
        for (const auto& c : choices)
            if (c.name == s->get()) return c.value;
    fail_value(doc, node, path, fmt::format("one of \"{}\"", fmt::join(names, "\", \"")));
}

inline constexpr Choice<Receptor> receptors[] = {{"excitatory", Receptor::excitatory},
                                                 {"inhibitory", Receptor::inhibitory}};

}  // namespace metabosim::config
