#include "metabolism/energy.hpp"

#include <algorithm>
#include <cmath>

#include "metabosim/lowering/lowering.hpp"

namespace metabosim {

EnergyPools::EnergyPools(const Model& model) : model_(model) {
    for (const Population& pop : model.populations)
        pools_.push_back({pop.energy ? pop.energy->initial_fraction * pop.energy->capacity : 0.0, 0.0, 0, 0});
}

const EnergyBudget* EnergyPools::budget(std::uint32_t p) const {
    const auto& energy = model_.populations[p].energy;
    return energy ? &*energy : nullptr;
}

void EnergyPools::integrate(std::uint32_t p, double t, double temperature, double costs) {
    const Population& pop = model_.populations[p];
    const EnergyBudget& b = *pop.energy;
    Pool& pool = pools_[p];
    const double supply = b.supply * q10_factor(b.q10_supply, temperature, pop.reference_temperature);
    pool.atp = std::clamp(pool.atp + ((supply - b.rest) * (t - pool.updated) / 1000.0 - costs), 0.0, b.capacity);
    pool.updated = t;
}

void EnergyPools::settle(std::uint32_t p, double t, double temperature) {
    if (has_budget(p)) integrate(p, t, temperature, 0.0);
}

EnergyPools::Update EnergyPools::update(std::uint32_t p, double t, double temperature) {
    const Population& pop = model_.populations[p];
    const EnergyBudget& b = *pop.energy;
    Pool& pool = pools_[p];
    const double before = pool.atp / b.capacity;
    integrate(p, t, temperature, (b.per_spike * pool.spikes + b.per_release * pool.releases) / pop.size);
    pool.spikes = pool.releases = 0;
    const double after = pool.atp / b.capacity;

    std::optional<double> target;
    for (const EnergyThreshold& threshold : b.thresholds) {
        const bool crossed = threshold.direction == EnergyThreshold::Direction::falling
                                 ? before >= threshold.level && after < threshold.level
                                 : before <= threshold.level && after > threshold.level;
        if (crossed && threshold.temperature != temperature) target = threshold.temperature;
    }
    return {after, target};
}

std::uint32_t EnergyPools::last_update(std::uint32_t p) const {
    return static_cast<std::uint32_t>(std::floor(model_.duration / interval(p) + 1e-9));
}

}  // namespace metabosim
