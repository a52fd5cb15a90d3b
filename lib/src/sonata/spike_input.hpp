// The spike trains of a node population of virtual nodes from a SONATA spike file (internal),
// the developer guide's "Spike file": /spikes/<population>/timestamps (ms) and node_ids.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace metabosim::sonata {

// One list of spike times (ms) per node id below `nodes`, in the file's order, which for each
// node must be strictly ascending (any `sorting` holds that). Throws std::runtime_error naming
// the dataset, the entry, its value and what was expected; the caller adds the file.
std::vector<std::vector<double>> read_spike_trains(const std::filesystem::path& file, const std::string& population,
                                                   std::size_t nodes);

}  // namespace metabosim::sonata
