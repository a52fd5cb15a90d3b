#include "sonata/type_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim::sonata {
namespace {

// The fields of one line; quoted fields may hold spaces, "" stands for one quote.
std::vector<std::string> fields_of(const std::string& line, const std::filesystem::path& path, std::size_t number) {
    std::vector<std::string> fields;
    std::size_t i = 0;
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (true) {
        while (i < line.size() && blank(line[i])) ++i;
        if (i == line.size()) return fields;
        std::string field;
        if (line[i] == '"') {
            for (++i;; ++i) {
                if (i == line.size())
                    throw UserError(fmt::format("{}:{}: a quoted field is not closed", path.string(), number));
                if (line[i] != '"') {
                    field += line[i];
                } else if (i + 1 < line.size() && line[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    ++i;
                    break;
                }
            }
        } else {
            while (i < line.size() && !blank(line[i])) field += line[i++];
        }
        fields.push_back(std::move(field));
    }
}

}  // namespace

TypeTable::TypeTable(const std::filesystem::path& path) : path_(path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError(fmt::format("cannot open the types file \"{}\"", path.string()));
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        auto fields = fields_of(line, path, number);
        if (fields.empty()) continue;
        if (header_.empty()) {
            header_ = std::move(fields);
        } else if (fields.size() != header_.size()) {
            throw UserError(fmt::format("{}:{}: {} fields; expected {}, one per column of the header (fields are "
                                        "separated by spaces; quote a field that holds one)",
                                        path.string(), number, fields.size(), header_.size()));
        } else {
            rows_.push_back(std::move(fields));
        }
    }
    if (header_.empty()) throw UserError(fmt::format("{}: empty; expected a header line of column names", path.string()));
}

bool TypeTable::has(const std::string& column) const {
    return std::find(header_.begin(), header_.end(), column) != header_.end();
}

std::optional<std::string> TypeTable::get(std::size_t row, const std::string& column) const {
    const auto it = std::find(header_.begin(), header_.end(), column);
    if (it == header_.end()) return std::nullopt;
    const std::string& field = rows_.at(row)[static_cast<std::size_t>(it - header_.begin())];
    if (field.empty() || field == "NULL") return std::nullopt;
    return field;
}

std::string TypeTable::need(std::size_t row, const std::string& column) const {
    if (!has(column)) throw UserError(fmt::format("{}: no column {}; expected one", path_.string(), column));
    auto field = get(row, column);
    if (!field) throw UserError(fmt::format("{}: empty; expected a value", where(row, column)));
    return *field;
}

std::optional<double> TypeTable::number(std::size_t row, const std::string& column) const {
    const auto field = get(row, column);
    if (!field) return std::nullopt;
    double value = 0;
    const char* last = field->data() + field->size();
    const auto [end, error] = std::from_chars(field->data(), last, value);
    if (end != last || error != std::errc{} || !std::isfinite(value))
        throw UserError(fmt::format("{}: \"{}\"; expected a number", where(row, column), *field));
    return value;
}

std::string TypeTable::where(std::size_t row, const std::string& column) const {
    return fmt::format("{}: column {}, row {}", path_.string(), column, row + 1);
}

}  // namespace metabosim::sonata
