#include "config/diagnostics.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "metabosim/config/validate.hpp"
#include "metabosim/model/echo.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim::config {
namespace {

// The value as the user wrote it (toml++ would print strings in single quotes).
std::string written(const toml::node& node) {
    if (const auto* s = node.as_string()) return echo_quoted(s->get());
    std::ostringstream out;
    out << toml::node_view<const toml::node>(node);
    return echo(out.str());
}

// "<file>:<line>: ", "<file>: " for a node without a line (an override's value) or a document
// whose lines are not shown, nothing for a
// document without a name (a value set through an API: the message starts with the field's name).
std::string location(const Document& doc, const toml::node& node) {
    if (doc.name.empty()) return {};
    const auto line = doc.lines ? node.source().begin.line : 0;
    return line > 0 ? fmt::format("{}:{}: ", doc.name, line) : fmt::format("{}: ", doc.name);
}

}  // namespace

void fail_at(const Document& doc, const toml::node& node, std::string_view path, std::string_view problem) {
    throw UserError(fmt::format("{}{}: {}", location(doc, node), echo(path), problem));
}

void fail_value(const Document& doc, const toml::node& node, std::string_view path,
                std::string_view expectation) {
    throw UserError(
        fmt::format("{}{} = {}: expected {}", location(doc, node), echo(path), written(node), expectation));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

void validate_from(const Model& model, std::string_view origin) {
    try {
        validate(model);
    } catch (const UserError& e) {
        throw UserError(fmt::format("{}: {}", origin, e.what()));
    }
}

}  // namespace metabosim::config
