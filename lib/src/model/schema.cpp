#include "model/schema.hpp"

#include <cmath>

#include <fmt/format.h>

namespace metabosim::schema {

bool within(double v, Bound bound) {
    if (!std::isfinite(v)) return false;
    switch (bound) {
        case Bound::finite: return true;
        case Bound::positive: return v > 0;
        case Bound::non_negative: return v >= 0;
        case Bound::temperature: return v >= min_temperature && v <= max_temperature;
        case Bound::probability:
        case Bound::fraction: return v >= 0 && v <= 1;
        case Bound::connection_probability: return v == 0 || (v >= min_probability && v <= 1);
        case Bound::current: return std::abs(v) <= max_current;
        case Bound::conductance_jump: return v >= 0 && v <= max_conductance;
        case Bound::voltage: return std::abs(v) <= max_voltage;
        case Bound::cell_time: return v >= min_cell_time && v <= max_cell_time;
        case Bound::capacitance: return v >= min_capacitance && v <= max_capacitance;
        case Bound::leak: return v >= min_leak && v <= max_leak;
        case Bound::rate: return v >= 0 && v <= max_rate;
        case Bound::window: return v >= min_rate_window && v <= max_cell_time;
        case Bound::duration: return v > 0 && v <= max_duration;
    }
    return false;
}

namespace {
// "a time in [0.001 ms, 1e+07 ms] (what the engines can run)"
std::string range(std::string_view name, double low, double high, Dimension d) {
    return fmt::format("a {} in [{}, {}] (the range the engines can run exactly)", name, format_quantity(low, d),
                       format_quantity(high, d));
}
}  // namespace

std::string expectation(Dimension d, Bound bound, std::optional<double> value) {
    const auto name = dimension_name(d);
    // A finite value that fails a two-sided bound is too large (or, for p, too small).
    const bool finite_value = value && std::isfinite(*value);
    switch (bound) {
        case Bound::finite: return value ? fmt::format("a finite {}", name) : fmt::format("a {}", name);
        case Bound::positive: return fmt::format("a positive {}", name);
        case Bound::non_negative: return fmt::format("a non-negative {}", name);
        case Bound::temperature:
            return fmt::format("a temperature in [{}, {}] degC", min_temperature, max_temperature);
        case Bound::probability: return "a probability in [0, 1]";
        case Bound::fraction: return "a fraction of capacity in [0, 1]";
        case Bound::connection_probability:
            if (finite_value && *value > 0 && *value < min_probability)
                return fmt::format("0 or a probability in [{}, 1]", min_probability);
            return "a probability in [0, 1]";
        case Bound::current:
            if (finite_value) return fmt::format("at most {} in magnitude", format_quantity(max_current, d));
            return value ? fmt::format("a finite {}", name) : fmt::format("a {}", name);
        case Bound::conductance_jump:
            if (finite_value && *value > 0)
                return fmt::format("at most {}", format_quantity(max_conductance, d));
            return fmt::format("a non-negative {}", name);
        case Bound::voltage:
            if (finite_value) return fmt::format("a {} of at most {} in magnitude", name, format_quantity(max_voltage, d));
            return value ? fmt::format("a finite {}", name) : fmt::format("a {}", name);
        // A value that is not positive (or of the wrong type) misses the first requirement.
        case Bound::cell_time:
            if (!finite_value || *value <= 0) return fmt::format("a positive {}", name);
            return range(name, min_cell_time, max_cell_time, d);
        case Bound::capacitance:
            if (!finite_value || *value <= 0) return fmt::format("a positive {}", name);
            return range(name, min_capacitance, max_capacitance, d);
        case Bound::leak:
            if (!finite_value || *value <= 0) return fmt::format("a positive {}", name);
            return range(name, min_leak, max_leak, d);
        case Bound::rate:
            if (!finite_value || *value < 0) return fmt::format("a non-negative {}", name);
            return range(name, 0, max_rate, d);
        case Bound::window:
            if (!finite_value || *value <= 0) return fmt::format("a positive {}", name);
            return fmt::format("a {} in [{}, {}]", name, format_quantity(min_rate_window, d),
                               format_quantity(max_cell_time, d));
        case Bound::duration:
            if (!finite_value || *value <= 0) return fmt::format("a positive {}", name);
            return fmt::format("a {} of at most {} (where times still resolve the shortest time constant)", name,
                               format_quantity(max_duration, d));
    }
    return {};
}

}  // namespace metabosim::schema
