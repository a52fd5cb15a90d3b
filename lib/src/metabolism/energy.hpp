// The ATP pools that close the loop between activity and metabolism (model.hpp, EnergyBudget):
//   dA/dt = supply * phi_P(T) - rest - per_spike * (spikes) - per_release * (vesicle releases)
// per neuron of a population. Activity is counted as it happens; the pool is brought up to date
// every `interval` (update k at k * interval, k = 0 .. last_update) and its thresholds are tested
// then. A temperature change in between settles the supply under the old temperature first.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "metabosim/model/model.hpp"

namespace metabosim {

class EnergyPools {
public:
    // A population's pool and the activity since its last update.
    struct Pool {
        double atp = 0;       // per neuron
        double updated = 0;   // ms
        std::uint64_t spikes = 0, releases = 0;
    };

    explicit EnergyPools(const Model& model);

    bool has_budget(std::uint32_t p) const { return budget(p) != nullptr; }
    void count_spike(std::uint32_t p, std::uint64_t n = 1) { pools_[p].spikes += n; }
    void count_release(std::uint32_t p, std::uint64_t n = 1) { pools_[p].releases += n; }
    // The activity counted since population p's last update, replaced by the sum of every
    // rank's before the update (each counts its own neurons' spikes and releases onto them).
    std::array<std::uint64_t, 2> activity(std::uint32_t p) const { return {pools_[p].spikes, pools_[p].releases}; }
    void set_activity(std::uint32_t p, const std::array<std::uint64_t, 2>& counts) {
        pools_[p].spikes = counts[0];
        pools_[p].releases = counts[1];
    }

    // The supply minus the resting cost up to t at `temperature`, the one in force until t; the
    // costs of activity wait for the next update.
    void settle(std::uint32_t p, double t, double temperature);
    // Update of population p at t (its temperature now `temperature`): the pool brought to t with
    // the costs of the activity counted since the last update. `target` is the temperature of the
    // threshold it crossed, if any and if that is not the present one.
    struct Update {
        double fraction;                // of capacity, after the update
        std::optional<double> target;   // degC
    };
    Update update(std::uint32_t p, double t, double temperature);
    // Update k of population p falls at k * interval, k = 0 .. last_update(p).
    double interval(std::uint32_t p) const { return budget(p)->interval; }
    std::uint32_t last_update(std::uint32_t p) const;

    const std::vector<Pool>& pools() const { return pools_; }
    void save(CheckpointWriter& out) const { out.put(pools_); }
    void load(CheckpointReader& in) { in.get_exactly(pools_, model_.populations.size(), "energy pools"); }

private:
    const EnergyBudget* budget(std::uint32_t p) const;
    void integrate(std::uint32_t p, double t, double temperature, double costs);

    const Model& model_;
    std::vector<Pool> pools_;  // per population
};

}  // namespace metabosim
