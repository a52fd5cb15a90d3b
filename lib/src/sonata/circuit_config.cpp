#include "sonata/circuit_config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metabosim/model/error.hpp"

namespace metabosim::sonata {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// `text` with every `from` replaced by `to` (built anew: GCC 12 warns falsely about
// std::string::replace, bug 105329).
std::string replace_all(const std::string& text, const std::string& from, const std::string& to) {
    std::string out;
    std::size_t start = 0;
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, start)) {
        out.append(text, start, at - start).append(to);
        start = at + from.size();
    }
    return out.append(text, start);
}

class ConfigReader {
public:
    ConfigReader(fs::path path, const Json& root) : path_(std::move(path)), dir_(path_.parent_path()) {
        if (dir_.empty()) dir_ = ".";
        const Json* manifest = find(root, "manifest");
        if (manifest) {
            require(manifest->is_object(), "manifest", *manifest, "an object of \"$NAME\": path");
            for (const auto& [name, value] : manifest->items()) {
                require(value.is_string(), "manifest." + name, value, "a path (a string)");
                variables_[name] = value.get<std::string>();
            }
        }
    }

    // A path given under `key` (a dotted path for messages), variables substituted, relative to
    // the config's directory.
    fs::path path_at(const Json& value, const std::string& key) const {
        require(value.is_string(), key, value, "a path (a string)");
        fs::path p = substitute(value.get<std::string>(), key, 0);
        return (p.is_relative() ? dir_ / p : p).lexically_normal();
    }

    static const Json* find(const Json& object, const char* key) {
        const auto it = object.find(key);
        return it == object.end() ? nullptr : &*it;
    }

    const Json& need(const Json& object, const char* key, const std::string& prefix, const char* what) const {
        const Json* value = find(object, key);
        if (!value) throw UserError(fmt::format("{}: {}{}: missing; expected {}", path_.string(), prefix, key, what));
        return *value;
    }

    void require(bool ok, const std::string& key, const Json& value, const char* what) const {
        if (!ok) throw UserError(fmt::format("{}: {}: {}; expected {}", path_.string(), key, value.dump(), what));
    }

    const fs::path& dir() const { return dir_; }

private:
    // "$NAME" and "${NAME}" are replaced by the variable's value (itself substituted); the
    // longest name first, so that $BASE is not read inside $BASE_DIR.
    std::string substitute(std::string text, const std::string& key, int depth) const {
        if (depth > 16) throw UserError(fmt::format("{}: {}: manifest variables refer to each other in a cycle",
                                                    path_.string(), key));
        // The config's directory: relative paths are taken from it anyway.
        text = replace_all(text, "${configdir}", ".");
        std::vector<std::string> names;
        for (const auto& [name, _] : variables_) names.push_back(name);
        std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
        for (const auto& name : names) {
            const std::string bare = name.starts_with("$") ? name.substr(1) : name;
            for (const std::string& form : {"${" + bare + "}", "$" + bare})
                if (text.find(form) != std::string::npos)
                    text = replace_all(text, form, substitute(variables_.at(name), "manifest." + name, depth + 1));
        }
        if (text.find('$') != std::string::npos)
            throw UserError(fmt::format("{}: {}: \"{}\" names a variable the manifest does not define",
                                        path_.string(), key, text));
        return text;
    }

    fs::path path_, dir_;
    std::map<std::string, std::string> variables_;
};

// {"input_type": "spikes", "module": "h5", "input_file": path, "node_set": population}; bmtk's
// node_set {"population": name} names a population too. Other inputs (current clamps, ...) have
// no metabosim counterpart and are refused rather than left out.
SpikeInput spike_input(const ConfigReader& r, const std::string& name, const Json& input) {
    const std::string key = "inputs." + name;
    r.require(input.is_object(), key, input, "an object with input_type, module, input_file and node_set");
    const Json& type = r.need(input, "input_type", key + ".", "\"spikes\"");
    r.require(type == "spikes", key + ".input_type", type,
              "\"spikes\" (the trains of virtual nodes; metabosim reads no other input)");
    if (const Json* module = r.find(input, "module"))
        r.require(*module == "h5" || *module == "hdf5" || *module == "sonata", key + ".module", *module,
                  "\"h5\", \"hdf5\" or \"sonata\" (a SONATA spike file)");
    SpikeInput out;
    out.key = key;
    out.input_file = r.path_at(r.need(input, "input_file", key + ".", "the path of a SONATA spike file"),
                               key + ".input_file");
    const Json& node_set = r.need(input, "node_set", key + ".", "the name of a node population of virtual nodes");
    const Json* population = node_set.is_object() && node_set.size() == 1 ? r.find(node_set, "population") : &node_set;
    r.require(population && population->is_string(), key + ".node_set", node_set,
              "the name of a node population of virtual nodes, or {\"population\": name}");
    out.population = population->get<std::string>();
    return out;
}

}  // namespace

CircuitConfig read_circuit_config(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError(fmt::format("cannot open the circuit config \"{}\"", path.string()));
    std::stringstream text;
    text << in.rdbuf();
    Json root;
    try {
        root = Json::parse(text.str());
    } catch (const Json::parse_error& e) {
        throw UserError(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
    }
    if (!root.is_object()) throw UserError(fmt::format("{}: expected a JSON object", path.string()));
    const ConfigReader r(path, root);

    CircuitConfig config;
    config.path = path;
    config.point_neuron_models_dir = config.synaptic_models_dir = r.dir();
    if (const Json* components = r.find(root, "components")) {
        r.require(components->is_object(), "components", *components, "an object");
        if (const Json* dir = r.find(*components, "point_neuron_models_dir"))
            config.point_neuron_models_dir = r.path_at(*dir, "components.point_neuron_models_dir");
        if (const Json* dir = r.find(*components, "synaptic_models_dir"))
            config.synaptic_models_dir = r.path_at(*dir, "components.synaptic_models_dir");
    }
    const Json& networks = r.need(root, "networks", "", "an object with \"nodes\" and \"edges\" lists");
    r.require(networks.is_object(), "networks", networks, "an object with \"nodes\" and \"edges\" lists");
    const Json& nodes = r.need(networks, "nodes", "networks.", "a list of {\"nodes_file\", \"node_types_file\"}");
    r.require(nodes.is_array() && !nodes.empty(), "networks.nodes", nodes,
              "a non-empty list of {\"nodes_file\", \"node_types_file\"}");
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        const std::string prefix = fmt::format("networks.nodes[{}].", k);
        r.require(nodes[k].is_object(), prefix.substr(0, prefix.size() - 1), nodes[k], "an object");
        config.nodes.push_back({r.path_at(r.need(nodes[k], "nodes_file", prefix, "a path"), prefix + "nodes_file"),
                                r.path_at(r.need(nodes[k], "node_types_file", prefix, "a path"),
                                          prefix + "node_types_file")});
    }
    if (const Json* edges = r.find(networks, "edges")) {
        r.require(edges->is_array(), "networks.edges", *edges, "a list of {\"edges_file\", \"edge_types_file\"}");
        for (std::size_t k = 0; k < edges->size(); ++k) {
            const std::string prefix = fmt::format("networks.edges[{}].", k);
            const Json& e = (*edges)[k];
            r.require(e.is_object(), prefix.substr(0, prefix.size() - 1), e, "an object");
            config.edges.push_back({r.path_at(r.need(e, "edges_file", prefix, "a path"), prefix + "edges_file"),
                                    r.path_at(r.need(e, "edge_types_file", prefix, "a path"),
                                              prefix + "edge_types_file")});
        }
    }
    if (const Json* inputs = r.find(root, "inputs")) {
        r.require(inputs->is_object(), "inputs", *inputs, "an object of named inputs");
        for (const auto& [name, input] : inputs->items()) config.spike_inputs.push_back(spike_input(r, name, input));
    }
    if (const Json* run = r.find(root, "run")) {
        if (const Json* tstop = run->is_object() ? r.find(*run, "tstop") : nullptr) {
            r.require(tstop->is_number() && tstop->get<double>() > 0 && std::isfinite(tstop->get<double>()),
                      "run.tstop", *tstop, "a positive time in ms");
            config.tstop = tstop->get<double>();
        }
    }
    return config;
}

}  // namespace metabosim::sonata
