// Where every spike source's train stands while a run goes on (inputs/spike_sources.hpp), by
// population and source, saved with the rest of the state.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "metabosim/inputs/spike_sources.hpp"

namespace metabosim {

class SourceStates {
public:
    // Every source of `model` at the start, its first spike pending. `model` outlives this.
    SourceStates(const Model& model, const MetabolicSchedule& schedule);

    bool is_source(std::uint32_t population) const { return trains_[population].has_value(); }
    // Source i of population p: its pending spike (ms, infinity when none is left), and moving on.
    double next(std::uint32_t p, std::uint32_t i) const { return cursors_[p][i].next; }
    void advance(std::uint32_t p, std::uint32_t i) { trains_[p]->advance(i, cursors_[p][i]); }

    void save(CheckpointWriter& out) const;
    void load(CheckpointReader& in);

private:
    std::vector<std::optional<SourceTrain>> trains_;     // per population; none for neurons
    std::vector<std::vector<SourceCursor>> cursors_;     // per population, per source
};

}  // namespace metabosim
