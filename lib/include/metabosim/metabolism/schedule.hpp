// The metabolic protocol as the engines apply it, worked out once per run.
//
// Steps apply in time order; steps at the same time in the order the model gives them (a ramp's
// entries in theirs); a step moves every population it names (all when it names none), in
// population order. Steps after the end of the run are dropped.
#pragma once

#include <cstdint>
#include <vector>

#include "metabosim/model/model.hpp"

namespace metabosim {

class MetabolicSchedule {
public:
    struct Step {
        double time;                              // ms
        double temperature;                       // degC
        std::vector<std::uint32_t> populations;   // ascending
    };
    // One population's view: when it changes and to what.
    struct Change {
        double time;         // ms
        double temperature;  // degC
    };

    explicit MetabolicSchedule(const Model& model);

    const std::vector<Step>& steps() const { return steps_; }
    std::vector<Change> changes_of(std::uint32_t population) const;

private:
    std::vector<Step> steps_;
};

}  // namespace metabosim
