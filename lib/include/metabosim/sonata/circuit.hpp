// SONATA circuits as metabosim models: a circuit config (nodes and edges HDF5 files, node and
// edge types CSV files, dynamics_params JSON files) read into populations and projections.
// docs/sonata.md gives the mapping; in short:
//  - each node type of a node population becomes a population (named after the node population,
//    or <population>_<node_type_id> when it has several types), its nodes numbered in node order;
//    node types are point neurons of NEST's iaf_cond_exp, whose dynamics_params (NEST's names)
//    give the neuron, and a metabolism_params file the temperatures and Q10 table; virtual
//    node types are array spike sources, their times from the spike file of the config's
//    input (input_type "spikes") whose node_set is the node population;
//  - each edge population becomes explicit-list projections, one per edge type, source and target
//    population and sign of syn_weight (negative: inhibitory), with every synapse's weight (nS,
//    |syn_weight|) and delay (ms); edge types of NEST's stdp_synapse make them plastic.
#pragma once

#include <filesystem>

#include "metabosim/model/model.hpp"

namespace metabosim {

// The populations and projections of the circuit, with defaults for the rest of the model (the
// duration from the config's run.tstop when it has one). Every value is checked against the
// schema's bounds; errors throw UserError naming the file, the dataset or column and row, the
// value and what was expected.
Model read_sonata_circuit(const std::filesystem::path& circuit_config);

}  // namespace metabosim
