#include "metabosim/model/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"
#include "model/trim.hpp"

namespace metabosim {
namespace {

// A unit as written: its dimension and the power of ten that takes it to the internal unit.
struct Unit {
    Dimension dimension;
    int exponent;
};

// Power of ten of each internal unit relative to SI (ms = 1e-3 s, nS = 1e-9 S, ...).
int internal_exponent(Dimension d) {
    switch (d) {
        case Dimension::time: return -3;
        case Dimension::voltage: return -3;
        case Dimension::conductance: return -9;
        case Dimension::capacitance: return -12;
        case Dimension::current: return -12;
        case Dimension::rate: return 0;
        case Dimension::temperature: return 0;
        case Dimension::dimensionless: return 0;
    }
    return 0;
}

std::string_view example(Dimension d) {
    switch (d) {
        case Dimension::time: return "20 ms";
        case Dimension::voltage: return "-60 mV";
        case Dimension::conductance: return "10 nS";
        case Dimension::capacitance: return "200 pF";
        case Dimension::current: return "100 pA";
        case Dimension::rate: return "600 Hz";
        case Dimension::temperature: return "37 degC";
        case Dimension::dimensionless: return "0.02";
    }
    return "";
}

std::optional<int> prefix_exponent(std::string_view prefix) {
    struct Prefix {
        std::string_view symbol;
        int exponent;
    };
    // Both micro signs: U+00B5 (what keyboards type) and U+03BC (Greek mu).
    static constexpr std::array<Prefix, 8> prefixes{{
        {"", 0},
        {"p", -12},
        {"n", -9},
        {"u", -6},
        {"\u00b5", -6},
        {"\u03bc", -6},
        {"m", -3},
        {"k", 3},
    }};
    for (const auto& p : prefixes)
        if (p.symbol == prefix) return p.exponent;
    return std::nullopt;
}

std::optional<Unit> parse_unit(std::string_view unit) {
    if (unit == "degC" || unit == "\u00b0C") return Unit{Dimension::temperature, 0};
    struct Base {
        std::string_view symbol;
        Dimension dimension;
    };
    static constexpr std::array<Base, 6> bases{{
        {"Hz", Dimension::rate},
        {"s", Dimension::time},
        {"V", Dimension::voltage},
        {"S", Dimension::conductance},
        {"F", Dimension::capacitance},
        {"A", Dimension::current},
    }};
    for (const auto& base : bases) {
        if (!unit.ends_with(base.symbol)) continue;
        auto prefix = prefix_exponent(unit.substr(0, unit.size() - base.symbol.size()));
        if (!prefix) return std::nullopt;
        return Unit{base.dimension, *prefix - internal_exponent(base.dimension)};
    }
    return std::nullopt;
}

// Multiplying or dividing by an exact power of ten rounds once, so "0.01 uS" gives exactly 10.
double scale(double value, int exponent) {
    double factor = 1;
    for (int i = 0; i < std::abs(exponent); ++i) factor *= 10;
    return exponent >= 0 ? value * factor : value / factor;
}

}  // namespace

std::string_view internal_unit(Dimension d) {
    switch (d) {
        case Dimension::time: return "ms";
        case Dimension::voltage: return "mV";
        case Dimension::conductance: return "nS";
        case Dimension::capacitance: return "pF";
        case Dimension::current: return "pA";
        case Dimension::rate: return "Hz";
        case Dimension::temperature: return "degC";
        case Dimension::dimensionless: return "";
    }
    return "";
}

std::string_view dimension_name(Dimension d) {
    switch (d) {
        case Dimension::time: return "time";
        case Dimension::voltage: return "voltage";
        case Dimension::conductance: return "conductance";
        case Dimension::capacitance: return "capacitance";
        case Dimension::current: return "current";
        case Dimension::rate: return "rate";
        case Dimension::temperature: return "temperature";
        case Dimension::dimensionless: return "dimensionless number";
    }
    return "";
}

std::string format_quantity(double value, Dimension d) {
    const auto unit = internal_unit(d);
    return unit.empty() ? fmt::format("{}", value) : fmt::format("{} {}", value, unit);
}

double parse_quantity(std::string_view text, Dimension expected) {
    auto fail = [&](std::string_view problem) -> UserError {
        return UserError(fmt::format("\"{}\" {}, expected a {} (e.g. \"{}\")", text, problem,
                                     dimension_name(expected), example(expected)));
    };
    auto s = trim(text);
    const char* first = s.data();
    const char* last = s.data() + s.size();
    // from_chars takes no '+'; accept one in front of digits only, never "+-5".
    if (first != last && *first == '+' && last - first > 1 && first[1] != '-') ++first;

    double number = 0;
    auto [end, error] = std::from_chars(first, last, number);
    if (error == std::errc::invalid_argument)
        throw fail(expected == Dimension::dimensionless ? "is not a number" : "is not a number with a unit");
    if (error == std::errc::result_out_of_range) throw fail("is out of range");
    if (!std::isfinite(number)) throw fail("is not finite");

    auto unit_text = trim(std::string_view(end, static_cast<std::size_t>(last - end)));
    if (unit_text.empty()) {
        if (expected != Dimension::dimensionless) throw fail("has no unit");
        return number;
    }
    auto unit = parse_unit(unit_text);
    if (!unit) throw fail(fmt::format("has an unknown unit \"{}\"", unit_text));
    if (unit->dimension != expected) throw fail(fmt::format("is a {}", dimension_name(unit->dimension)));
    double value = scale(number, unit->exponent);
    if (!std::isfinite(value)) throw fail("is out of range");
    return value;
}

}  // namespace metabosim
