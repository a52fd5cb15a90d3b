#include "config/values.hpp"

#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"

namespace metabosim::config {
namespace {

std::string example(double v, Dimension d) {
    if (d == Dimension::dimensionless) return fmt::format("{}", v);
    return fmt::format("\"{}\"", format_quantity(v, d));
}

}  // namespace

std::string expectation(const schema::Quantity& q, std::optional<double> value) {
    return fmt::format("{} (e.g. {})", schema::expectation(q.dimension, q.bound, value),
                       example(q.example, q.dimension));
}

double read_quantity(const Document& doc, const toml::node& node, std::string_view path,
                     const schema::Quantity& q) {
    const bool dimensionless = q.dimension == Dimension::dimensionless;
    double v = 0;
    if (const auto* s = node.as_string()) {
        try {
            v = parse_quantity(s->get(), q.dimension);
        } catch (const UserError& e) {
            fail_at(doc, node, path, e.what());
        }
    } else if (dimensionless && node.is_integer()) {
        v = static_cast<double>(node.as_integer()->get());
    } else if (dimensionless && node.is_floating_point()) {
        v = node.as_floating_point()->get();
    } else {
        fail_value(doc, node, path, expectation(q));
    }
    if (!schema::within(v, q.bound)) fail_value(doc, node, path, expectation(q, v));
    return v;
}

std::vector<double> read_quantities(const Document& doc, const toml::array& items, std::string_view path,
                                    const schema::Quantity& q) {
    std::vector<double> out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out.push_back(read_quantity(doc, items[i], fmt::format("{}[{}]", path, i), q));
    return out;
}

std::string integer_expectation(std::uint64_t min, std::uint64_t max, std::uint64_t example_value) {
    // A maximum that is only the integer type's own is not worth naming.
    if (max != schema::max_neurons && max != schema::max_seed)
        return fmt::format("an integer in [{}, {}]", min, max);
    return fmt::format("{} integer (e.g. {})", min == 0 ? "a non-negative" : "a positive", example_value);
}

std::uint64_t read_integer(const Document& doc, const toml::node& node, std::string_view path,
                           std::uint64_t min, std::uint64_t max, std::uint64_t example_value) {
    const auto* i = node.as_integer();
    if (!i || i->get() < 0 || static_cast<std::uint64_t>(i->get()) < min ||
        static_cast<std::uint64_t>(i->get()) > max)
        fail_value(doc, node, path, integer_expectation(min, max, example_value));
    return static_cast<std::uint64_t>(i->get());
}

std::string read_string(const Document& doc, const toml::node& node, std::string_view path,
                        std::string_view what) {
    const auto* s = node.as_string();
    if (!s) fail_value(doc, node, path, what);
    return s->get();
}

std::vector<std::uint32_t> read_indices(const Document& doc, const toml::array& items, std::string_view path,
                                        const Population& population) {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto* index = items[i].as_integer();
        if (!index || index->get() < 0 || static_cast<std::uint64_t>(index->get()) >= population.size)
            fail_value(doc, items[i], fmt::format("{}[{}]", path, i),
                       fmt::format("an index below {} (the size of population \"{}\")", population.size,
                                   population.name));
        out.push_back(static_cast<std::uint32_t>(index->get()));
    }
    return out;
}

}  // namespace metabosim::config
