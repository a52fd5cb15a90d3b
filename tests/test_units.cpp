// Quantities as text -> internal units (units.hpp).
#include <doctest/doctest.h>

#include <string>

#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"

using metabosim::Dimension;
using metabosim::parse_quantity;

namespace {

// The message parse_quantity throws for `text`, or "" when it does not throw.
std::string error_of(std::string_view text, Dimension d) {
    try {
        parse_quantity(text, d);
    } catch (const metabosim::UserError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("each unit converts exactly to the internal unit") {
    CHECK(parse_quantity("20 ms", Dimension::time) == 20.0);
    CHECK(parse_quantity("2 s", Dimension::time) == 2000.0);
    CHECK(parse_quantity("250 us", Dimension::time) == 0.25);
    CHECK(parse_quantity("1.5 \u00b5s", Dimension::time) == 0.0015);
    CHECK(parse_quantity("1.5 \u03bcs", Dimension::time) == 0.0015);
    CHECK(parse_quantity("-60 mV", Dimension::voltage) == -60.0);
    CHECK(parse_quantity("-0.06 V", Dimension::voltage) == -60.0);
    CHECK(parse_quantity("10 nS", Dimension::conductance) == 10.0);
    CHECK(parse_quantity("0.01 uS", Dimension::conductance) == 10.0);
    CHECK(parse_quantity("500 pS", Dimension::conductance) == 0.5);
    CHECK(parse_quantity("200 pF", Dimension::capacitance) == 200.0);
    CHECK(parse_quantity("0.2 nF", Dimension::capacitance) == 200.0);
    CHECK(parse_quantity("100 pA", Dimension::current) == 100.0);
    CHECK(parse_quantity("1 nA", Dimension::current) == 1000.0);
    CHECK(parse_quantity("600 Hz", Dimension::rate) == 600.0);
    CHECK(parse_quantity("0.6 kHz", Dimension::rate) == 600.0);
    CHECK(parse_quantity("37 degC", Dimension::temperature) == 37.0);
    CHECK(parse_quantity("37 \u00b0C", Dimension::temperature) == 37.0);
    CHECK(parse_quantity("0.02", Dimension::dimensionless) == 0.02);
}

TEST_CASE("number syntax: optional whitespace, exponents, a leading plus") {
    CHECK(parse_quantity("5ms", Dimension::time) == 5.0);
    CHECK(parse_quantity("  16.8 ms\t", Dimension::time) == 16.8);
    CHECK(parse_quantity("1e3 ms", Dimension::time) == 1000.0);
    CHECK(parse_quantity("2.5e-1 s", Dimension::time) == 250.0);
    CHECK(parse_quantity("+5 ms", Dimension::time) == 5.0);
    CHECK(parse_quantity("-70mV", Dimension::voltage) == -70.0);
    CHECK(parse_quantity("3", Dimension::dimensionless) == 3.0);
}

TEST_CASE("internal units and dimension names") {
    CHECK(metabosim::internal_unit(Dimension::time) == "ms");
    CHECK(metabosim::internal_unit(Dimension::voltage) == "mV");
    CHECK(metabosim::internal_unit(Dimension::conductance) == "nS");
    CHECK(metabosim::internal_unit(Dimension::capacitance) == "pF");
    CHECK(metabosim::internal_unit(Dimension::current) == "pA");
    CHECK(metabosim::internal_unit(Dimension::rate) == "Hz");
    CHECK(metabosim::internal_unit(Dimension::temperature) == "degC");
    CHECK(metabosim::internal_unit(Dimension::dimensionless) == "");
    CHECK(metabosim::dimension_name(Dimension::time) == "time");
    CHECK(metabosim::dimension_name(Dimension::conductance) == "conductance");
    CHECK(metabosim::dimension_name(Dimension::rate) == "rate");
}

TEST_CASE("a wrong dimension names both dimensions and an example") {
    CHECK(error_of("5 mV", Dimension::time) == R"("5 mV" is a voltage, expected a time (e.g. "20 ms"))");
    CHECK(error_of("5 ms", Dimension::voltage) == R"("5 ms" is a time, expected a voltage (e.g. "-60 mV"))");
    CHECK(error_of("10 s", Dimension::conductance) ==
          R"("10 s" is a time, expected a conductance (e.g. "10 nS"))");
    CHECK(error_of("600 Hz", Dimension::time) == R"("600 Hz" is a rate, expected a time (e.g. "20 ms"))");
    CHECK(error_of("0.02 ms", Dimension::dimensionless) ==
          R"("0.02 ms" is a time, expected a dimensionless number (e.g. "0.02"))");
}

TEST_CASE("malformed quantities are rejected") {
    CHECK(error_of("5", Dimension::time) == R"("5" has no unit, expected a time (e.g. "20 ms"))");
    CHECK(error_of("5 parsecs", Dimension::time) ==
          R"("5 parsecs" has an unknown unit "parsecs", expected a time (e.g. "20 ms"))");
    CHECK(error_of("5 Ms", Dimension::time).find("unknown unit \"Ms\"") != std::string::npos);
    CHECK(error_of("5 ms x", Dimension::time).find("unknown unit \"ms x\"") != std::string::npos);
    CHECK(error_of("5 ms5", Dimension::time).find("unknown unit") != std::string::npos);
    CHECK(error_of("ms", Dimension::time) ==
          R"("ms" is not a number with a unit, expected a time (e.g. "20 ms"))");
    CHECK(error_of("", Dimension::time).find("is not a number") != std::string::npos);
    CHECK(error_of("+-5 ms", Dimension::time).find("is not a number") != std::string::npos);
    CHECK(error_of("abc", Dimension::dimensionless) ==
          R"("abc" is not a number, expected a dimensionless number (e.g. "0.02"))");
    CHECK(error_of("0.02 x", Dimension::dimensionless).find("unknown unit \"x\"") != std::string::npos);
}

TEST_CASE("non-finite values are rejected") {
    CHECK(error_of("nan ms", Dimension::time).find("is not finite") != std::string::npos);
    CHECK(error_of("inf", Dimension::dimensionless).find("is not finite") != std::string::npos);
    CHECK(error_of("-inf mV", Dimension::voltage).find("is not finite") != std::string::npos);
    CHECK(error_of("1e400 ms", Dimension::time).find("out of range") != std::string::npos);
    CHECK(error_of("1e307 ks", Dimension::time).find("out of range") != std::string::npos);
}
