#include "config/fields.hpp"

#include <fmt/format.h>

#include "metabosim/model/units.hpp"

namespace metabosim::config {

Distribution read_distribution(Section& parent, std::string_view key, const schema::Quantity& q,
                               const Distribution& fallback) {
    const auto* node = parent.find(key);
    if (!node) return fallback;
    const auto path = parent.path_of(key);
    if (!node->is_table()) return Distribution::constant(read_quantity(parent.doc(), *node, path, q));

    enum class Kind { constant, uniform, normal };
    static constexpr Choice<Kind> kinds[] = {
        {"constant", Kind::constant}, {"uniform", Kind::uniform}, {"normal", Kind::normal}};
    Section s(parent.doc(), *node->as_table(), path);
    const auto kind =
        read_choice<Kind>(s.doc(), s.need("distribution", "\"constant\", \"uniform\" or \"normal\""),
                          s.path_of("distribution"), kinds);
    Distribution out;
    if (kind == Kind::constant) {
        out = Distribution::constant(s.required_quantity("value", q));
    } else {
        // The mean of a clipped normal need not be drawable; only the clipping bounds are.
        const schema::Quantity mean{q.dimension, schema::Bound::finite, q.example};
        const schema::Quantity stddev{q.dimension, schema::Bound::non_negative, q.example};
        const bool normal = kind == Kind::normal;
        const double mu = normal ? s.required_quantity("mean", mean) : 0;
        const double sigma = normal ? s.required_quantity("stddev", stddev) : 0;
        const double low = s.required_quantity("low", q);
        const double high = s.required_quantity("high", q);
        const bool ordered = normal ? low < high : low <= high;
        if (!ordered)
            fail_value(s.doc(), *s.find("high"), s.path_of("high"),
                       fmt::format("{} low = {}", normal ? "more than" : "at least",
                                   format_quantity(low, q.dimension)));
        out = normal ? Distribution::normal_clipped(mu, sigma, low, high) : Distribution::uniform(low, high);
    }
    s.finish();
    return out;
}

std::vector<double> read_quantity_list(Section& s, std::string_view key, const schema::Quantity& q,
                                       const std::vector<double>& fallback) {
    if (!s.find(key)) return fallback;
    const auto& items = s.array(key, fmt::format("an array of {}s", dimension_name(q.dimension)));
    return read_quantities(s.doc(), items, s.path_of(key), q);
}

}  // namespace metabosim::config
