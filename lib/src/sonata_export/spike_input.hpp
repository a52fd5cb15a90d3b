// A spike-source population's trains as a SONATA spike file (internal), the input of its
// virtual nodes: /spikes/<population>/timestamps (float64, ms) and node_ids (uint64, the
// source's index), source after source, each source's spikes ascending: sorting = by_id.
#pragma once

#include <cstdint>
#include <filesystem>

#include "metabosim/metabolism/schedule.hpp"
#include "metabosim/model/model.hpp"

namespace metabosim::detail {

// The trains are those every engine draws from the model's seed (inputs/spike_sources.hpp):
// a Poisson source's, rate steps and temperature scaling included, or an array source's list.
void write_spike_input(const Model& model, const MetabolicSchedule& schedule, std::uint32_t population,
                       const std::filesystem::path& path);

}  // namespace metabosim::detail
