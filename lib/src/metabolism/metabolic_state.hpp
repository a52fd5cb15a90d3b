// Each population's metabolic state while a run goes on: its parameters lowered at its present
// temperature. A change lowers the unchanged description again (lowering.hpp); it never edits the
// description.
#pragma once

#include <cstdint>
#include <vector>

#include "metabosim/lowering/lowering.hpp"

namespace metabosim {

class MetabolicState {
public:
    explicit MetabolicState(const Model& model);

    const LoweredPopulation& operator[](std::uint32_t p) const { return lowered_[p]; }
    const std::vector<LoweredPopulation>& all() const { return lowered_; }

    // Population p moves to `temperature`.
    void change(std::uint32_t p, double temperature);

private:
    const Model& model_;
    std::vector<LoweredPopulation> lowered_;
};

}  // namespace metabosim
