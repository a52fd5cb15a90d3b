#include "metabolism/metabolic_state.hpp"

namespace metabosim {

MetabolicState::MetabolicState(const Model& model) : model_(model) {
    for (const Population& pop : model.populations) lowered_.push_back(lower(pop, pop.temperature));
}

void MetabolicState::change(std::uint32_t p, double temperature) { lowered_[p] = lower(model_.populations[p], temperature); }

}  // namespace metabosim
