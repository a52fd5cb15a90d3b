// The node types of a SONATA circuit as metabosim neurons (internal): a row of a node types
// CSV file with its dynamics_params and metabolism_params JSON files.
#pragma once

#include <filesystem>
#include <optional>

#include "metabosim/model/model.hpp"
#include "sonata/type_table.hpp"

namespace metabosim::sonata {

struct NodeType {
    // neuron, Q10 table, temperatures, initial V; no name or size. Virtual nodes: an array
    // source, its times not yet read (the config's inputs hold them).
    Population population;
    std::optional<double> tau_minus;  // ms, STDP of the synapses onto it (NEST keeps it on the neuron)
};

// Row `row` of `types`; its JSON files are found in `models_dir`. Throws UserError naming the
// file, column, row or key, the value and what was expected.
NodeType read_node_type(const TypeTable& types, std::size_t row, const std::filesystem::path& models_dir);

}  // namespace metabosim::sonata
