// The methods of Model, metabolic ramps and the temperatures a population visits.
#include "metabosim/model/model.hpp"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metabosim/model/error.hpp"

namespace metabosim {

const Population& Model::population(const std::string& name) const {
    return populations[population_index(name)];
}

std::uint32_t Model::population_index(const std::string& name) const {
    for (std::size_t i = 0; i < populations.size(); ++i)
        if (populations[i].name == name) return static_cast<std::uint32_t>(i);
    std::vector<std::string_view> known;
    for (const auto& p : populations) known.push_back(p.name);
    throw UserError(fmt::format("unknown population \"{}\" (known: {})", name, fmt::join(known, ", ")));
}

std::uint32_t Model::neuron_count() const {
    std::uint32_t count = 0;
    for (const auto& p : populations) count += p.size;
    return count;
}

std::vector<MetabolicStep> metabolic_ramp(double start, double stop, double from, double to, unsigned steps,
                                          const std::string& population) {
    if (steps < 1)
        throw UserError(
            fmt::format("metabolic ramp from {} ms to {} ms: steps = 0, expected at least 1", start, stop));
    std::vector<MetabolicStep> ramp;
    for (unsigned k = 0; k <= steps; ++k) {
        // std::lerp is exact at both ends: the first step is (start, from), the last (stop, to).
        const double fraction = static_cast<double>(k) / steps;
        ramp.push_back({std::lerp(start, stop, fraction), population, std::lerp(from, to, fraction)});
    }
    return ramp;
}

std::set<double> temperatures_visited(const Model& model, const Population& population) {
    std::set<double> out{population.temperature};
    for (const auto& step : model.metabolism)
        if (step.population.empty() || step.population == population.name) out.insert(step.temperature);
    if (population.energy)
        for (const auto& threshold : population.energy->thresholds) out.insert(threshold.temperature);
    return out;
}

}  // namespace metabosim
