// A SONATA circuit config file (internal): the developer guide's "Tying it all together - the
// network/circuit config file", with the keys NEST's SonataNetwork reads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace metabosim::sonata {

struct NodeFiles {
    std::filesystem::path nodes_file, node_types_file;
};

struct EdgeFiles {
    std::filesystem::path edges_file, edge_types_file;
};

// An entry of the simulation's "inputs" with input_type "spikes": the spike trains of a node
// population of virtual nodes.
struct SpikeInput {
    std::string key;         // "inputs.<name>", for messages
    std::string population;  // node_set: the node population's name
    std::filesystem::path input_file;
};

struct CircuitConfig {
    std::filesystem::path path;
    std::filesystem::path point_neuron_models_dir, synaptic_models_dir;  // where dynamics_params files are
    std::vector<NodeFiles> nodes;
    std::vector<EdgeFiles> edges;
    std::optional<double> tstop;  // ms, run.tstop when the config has one
    std::vector<SpikeInput> spike_inputs;
};

// Reads the config: manifest variables ("$NAME", and "${configdir}", the config's directory)
// are substituted in every path, and relative paths are taken from the config's directory.
// Throws UserError naming the file and key.
CircuitConfig read_circuit_config(const std::filesystem::path& path);

}  // namespace metabosim::sonata
