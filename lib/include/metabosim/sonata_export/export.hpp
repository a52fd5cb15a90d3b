// A model's built network as a SONATA circuit that NEST's SonataNetwork, bmtk and metabosim read
// (docs/sonata.md): in `directory`, circuit_config.json and per population <P>_nodes.h5,
// <P>_node_types.csv, <P>_dynamics.json (NEST's iaf_cond_exp parameters at the reference
// temperature) and <P>_metabolism.json (temperatures and Q10 table); per projection
// <name>_edges.h5 (every synapse with its syn_weight, negative when inhibitory, in nS, and delay
// in ms, in metabosim's synapse order), <name>_edge_types.csv and <name>_synapse.json.
// A population of spike sources is a node population of virtual nodes (no dynamics) whose
// trains, as the model's seed draws them for every engine (a Poisson source's rate steps and
// temperature scaling included), are in the SONATA spike file <P>_spikes.h5 that an entry of
// the config's inputs names. Connectivity, weights, delays and source trains are drawn from the
// model's seed, as a run draws them; drives, generators, metabolic steps and recordings are not
// part of a circuit.
#pragma once

#include <filesystem>

#include "metabosim/model/model.hpp"

namespace metabosim {

// Throws UserError when the model has what a NEST circuit cannot say: STDP other than all-to-all
// pairing with w_min = 0, or plastic projections into one population with different tau_minus.
// The files are written all or nothing.
void export_sonata(const Model& model, const std::filesystem::path& directory);

}  // namespace metabosim
