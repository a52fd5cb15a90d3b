#include "metabosim/metabolism/schedule.hpp"

#include <algorithm>

namespace metabosim {

MetabolicSchedule::MetabolicSchedule(const Model& model) {
    for (const MetabolicStep& step : model.metabolism) {
        if (step.time > model.duration) continue;
        Step s{step.time, step.temperature, {}};
        for (std::uint32_t p = 0; p < model.populations.size(); ++p)
            if (step.population.empty() || step.population == model.populations[p].name) s.populations.push_back(p);
        steps_.push_back(std::move(s));
    }
    std::stable_sort(steps_.begin(), steps_.end(), [](const Step& a, const Step& b) { return a.time < b.time; });
}

std::vector<MetabolicSchedule::Change> MetabolicSchedule::changes_of(std::uint32_t population) const {
    std::vector<Change> out;
    for (const Step& s : steps_)
        if (std::binary_search(s.populations.begin(), s.populations.end(), population))
            out.push_back({s.time, s.temperature});
    return out;
}

}  // namespace metabosim
