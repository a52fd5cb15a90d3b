// Physical quantities as text ("20 ms", "-60 mV", "600 Hz", "37 degC") and the internal unit system.
//
// Every number inside metabosim is a plain double in the internal units below; they are chosen so
// that the gLIF equation needs no conversion factors: nS·mV = pA, pA/pF = mV/ms, pF/nS = ms.
#pragma once

#include <string>
#include <string_view>

namespace metabosim {

enum class Dimension { time, voltage, conductance, capacitance, current, rate, temperature, dimensionless };

// The internal unit of each dimension: ms, mV, nS, pF, pA, Hz, degC, 1.
std::string_view internal_unit(Dimension d);
std::string_view dimension_name(Dimension d);

// The value in the internal unit of `d` as messages show it: "5 ms", "-60 mV"; a dimensionless
// number alone.
std::string format_quantity(double value, Dimension d);

// Parses "<number> <unit>" (whitespace optional, SI prefixes p n u µ m k on s, V, S, F, A, Hz;
// "degC" or "°C" for temperature) and returns the value in the internal unit of `expected`.
// Throws UserError naming the text and the expected dimension when the unit does not fit,
// the number is malformed, or the value is not finite.
double parse_quantity(std::string_view text, Dimension expected);

}  // namespace metabosim
