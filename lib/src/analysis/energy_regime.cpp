#include "metabosim/analysis/energy_regime.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "metabosim/model/error.hpp"

namespace metabosim::analysis {

std::string to_string(EnergyRegime r) {
    switch (r) {
        case EnergyRegime::holds: return "holds";
        case EnergyRegime::locks: return "locks";
        case EnergyRegime::regulates: return "regulates";
    }
    return "?";
}

double StateCourse::fraction_at(double temperature) const {
    for (const auto& [t, f] : time_fraction)
        if (t == temperature) return f;
    return 0;
}

double PoolBalance::seconds_to_move(double amount, double rate) const {
    const double flow = net(rate);
    if (std::isnan(flow)) return std::numeric_limits<double>::quiet_NaN();
    if (amount == 0) return 0;
    return (amount > 0) == (flow > 0) && flow != 0 ? amount / flow : std::numeric_limits<double>::infinity();
}

StateCourse state_course(const std::vector<double>& temperature) {
    if (temperature.empty()) throw UserError("state_course: no samples of the temperature");
    StateCourse c;
    std::map<double, std::size_t> samples;
    for (std::size_t k = 0; k < temperature.size(); ++k) {
        ++samples[temperature[k]];
        if (k > 0 && temperature[k] != temperature[k - 1]) ++c.switches;
    }
    for (const auto& [t, n] : samples)
        c.time_fraction.emplace_back(t, static_cast<double>(n) / static_cast<double>(temperature.size()));
    c.start = temperature.front();
    c.final = temperature.back();
    c.regime = c.switches == 0 ? EnergyRegime::holds : c.switches == 1 ? EnergyRegime::locks : EnergyRegime::regulates;
    return c;
}

}  // namespace metabosim::analysis
