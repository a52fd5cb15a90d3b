// A SONATA node or edge types CSV file (internal): named columns separated by one or more
// spaces (tabs too, as pandas' "\s+" reads them), fields quoted with " when they hold spaces, a
// quote inside doubled (the developer guide's "CSV" convention).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace metabosim::sonata {

class TypeTable {
public:
    // Throws UserError naming the file when it cannot be read or a row has another number of
    // fields than the header.
    explicit TypeTable(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return path_; }
    std::size_t rows() const { return rows_.size(); }
    bool has(const std::string& column) const;
    // The field of `column` in `row`; none when the column is absent, or the field is empty or
    // NULL (bmtk's empty value).
    std::optional<std::string> get(std::size_t row, const std::string& column) const;
    // The same, required: a UserError names the file, column and row otherwise.
    std::string need(std::size_t row, const std::string& column) const;
    // A number in `column` of `row`, if present; a UserError if it is not a number.
    std::optional<double> number(std::size_t row, const std::string& column) const;
    // "<file>: column <column>, row <n>" (rows counted from 1 after the header line).
    std::string where(std::size_t row, const std::string& column) const;

private:
    std::filesystem::path path_;
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace metabosim::sonata
