// A SONATA circuit read into populations and projections (metabosim/sonata/circuit.hpp).
#include "metabosim/sonata/circuit.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "hdf5/hdf5_file.hpp"
#include "metabosim/model/error.hpp"
#include "model/schema.hpp"
#include "sonata/circuit_config.hpp"
#include "sonata/json_params.hpp"
#include "sonata/names.hpp"
#include "sonata/node_types.hpp"
#include "sonata/spike_input.hpp"
#include "sonata/type_table.hpp"

namespace metabosim {
namespace {

namespace fs = std::filesystem;
using detail::Hdf5Reader;
using sonata::TypeTable;

// Where each node of a node population went: its population in the model and index there.
struct NodePlace {
    std::uint32_t population;
    std::uint32_t local;
};

struct NodePopulation {
    std::vector<NodePlace> nodes;  // by node id
    sonata::NodeFiles files;
};

// The values of a one-dimensional integer dataset.
std::vector<std::uint64_t> ids_at(const Hdf5Reader& h5, const std::string& path) {
    const auto array = h5.read<std::uint64_t>(path);
    if (array.dims.size() != 1)
        throw std::runtime_error(fmt::format("{} has {} dimensions; expected 1", path, array.dims.size()));
    return array.values;
}

class CircuitReader {
public:
    explicit CircuitReader(const sonata::CircuitConfig& config) : config_(config) {
        if (config.tstop) model_.duration = *config.tstop;
        for (const auto& files : config.nodes) in_file(files.nodes_file, [&] { read_nodes(files); });
        read_spike_inputs();
        for (const auto& files : config.edges) in_file(files.edges_file, [&] { read_edges(files); });
    }

    Model take() { return std::move(model_); }

private:
    // HDF5 errors name the object; the file is added here.
    template <class Read>
    static void in_file(const fs::path& file, Read read) {
        try {
            read();
        } catch (const UserError&) {
            throw;
        } catch (const std::runtime_error& e) {
            throw UserError(fmt::format("{}: {}", file.string(), e.what()));
        }
    }

    // The rows of `types` that belong to `population`: those of its population column when
    // the file has one and names it, else all.
    static std::map<std::uint64_t, std::size_t> type_rows(const TypeTable& types, const std::string& population,
                                                          const char* id_column) {
        bool named = false;
        for (std::size_t r = 0; r < types.rows() && types.has("population"); ++r)
            named = named || types.get(r, "population") == population;
        std::map<std::uint64_t, std::size_t> rows;
        for (std::size_t r = 0; r < types.rows(); ++r) {
            if (named && types.get(r, "population") != population) continue;
            const double id = types.number(r, id_column).value_or(-1);
            if (!(id >= 0) || id != std::floor(id))
                throw UserError(fmt::format("{}: expected an integer id >= 0", types.where(r, id_column)));
            if (!rows.emplace(static_cast<std::uint64_t>(id), r).second)
                throw UserError(fmt::format("{}: {} {} is defined twice", types.where(r, id_column), id_column, id));
        }
        return rows;
    }

    void read_nodes(const sonata::NodeFiles& files) {
        const TypeTable types(files.node_types_file);
        const Hdf5Reader h5(files.nodes_file);
        if (!h5.exists("/nodes")) throw std::runtime_error("/nodes is missing; expected a group of node populations");
        for (const auto& name : h5.children("/nodes")) {
            const std::string base = "/nodes/" + detail::hdf5_name(name);
            const auto type_ids = ids_at(h5, base + "/node_type_id");
            if (h5.exists(base + "/node_id")) {
                const auto node_ids = ids_at(h5, base + "/node_id");
                for (std::size_t k = 0; k < node_ids.size(); ++k)
                    if (node_ids[k] != k || node_ids.size() != type_ids.size())
                        throw std::runtime_error(fmt::format("{}/node_id is not 0, 1, ..., {} (node ids in row order, "
                                                             "as NEST also reads them)",
                                                             base, type_ids.size() - 1));
            }
            for (const auto& child : h5.children(base))
                if (child != "node_type_id" && child != "node_id" && child != "node_group_id" &&
                    child != "node_group_index" && h5.exists(base + "/" + child + "/dynamics_params"))
                    throw std::runtime_error(fmt::format(
                        "{}/{}/dynamics_params: per-node parameters are not supported (nor by NEST); give each "
                        "parameter set its own node type",
                        base, child));
            if (node_populations_.count(name))
                throw UserError(fmt::format("{}: node population {} is defined twice in the circuit",
                                            files.nodes_file.string(), name));
            add_node_population(name, type_ids, types, files);
        }
    }

    void add_node_population(const std::string& name, const std::vector<std::uint64_t>& type_ids,
                             const TypeTable& types, const sonata::NodeFiles& files) {
        const auto rows = type_rows(types, name, "node_type_id");
        std::vector<std::uint64_t> order;  // node types in order of first appearance
        for (auto id : type_ids)
            if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
        std::map<std::uint64_t, std::uint32_t> population_of;
        for (auto id : order) {
            const auto row = rows.find(id);
            if (row == rows.end())
                throw UserError(fmt::format("{}: /nodes/{}/node_type_id has {}, which {} does not define",
                                            files.nodes_file.string(), name, id, files.node_types_file.string()));
            auto type = sonata::read_node_type(types, row->second, config_.point_neuron_models_dir);
            type.population.name = order.size() == 1 ? name : fmt::format("{}_{}", name, id);
            for (const auto& p : model_.populations)
                if (p.name == type.population.name)
                    throw UserError(fmt::format("{}: node population {} would make a second population \"{}\"",
                                                files.nodes_file.string(), name, p.name));
            population_of[id] = static_cast<std::uint32_t>(model_.populations.size());
            model_.populations.push_back(std::move(type.population));
            tau_minus_.push_back(type.tau_minus);
        }
        NodePopulation& nodes = node_populations_[name];
        nodes.files = files;
        if (type_ids.size() > schema::max_neurons)
            throw UserError(fmt::format("{}: /nodes/{} has {} nodes; at most {}", files.nodes_file.string(), name,
                                        type_ids.size(), schema::max_neurons));
        for (auto id : type_ids) {
            Population& p = model_.populations[population_of[id]];
            nodes.nodes.push_back({population_of[id], p.size++});
        }
        for (const auto& [id, population] : population_of)
            if (auto& source = model_.populations[population].source) source->times.resize(model_.populations[population].size);
    }

    // ---- spike inputs: the trains of virtual nodes -----------------------------------------------

    void read_spike_inputs() {
        const std::string config = config_.path.string();
        std::set<std::string> fed;
        for (const auto& input : config_.spike_inputs) {
            const auto it = node_populations_.find(input.population);
            const bool is_virtual = it != node_populations_.end() &&
                                    std::all_of(it->second.nodes.begin(), it->second.nodes.end(), [&](NodePlace n) {
                                        return model_.populations[n.population].source.has_value();
                                    });
            if (!is_virtual)
                throw UserError(fmt::format("{}: {}.node_set: \"{}\"; expected a node population of virtual nodes{}",
                                            config, input.key, input.population,
                                            it == node_populations_.end() ? " (the circuit has no such population)"
                                                                          : " (these nodes are not all virtual)"));
            if (!fed.insert(input.population).second)
                throw UserError(fmt::format("{}: {}.node_set: \"{}\" has its spikes from an earlier input; expected "
                                            "one spike input per node population",
                                            config, input.key, input.population));
            std::vector<std::vector<double>> trains;
            try {
                trains = sonata::read_spike_trains(input.input_file, input.population, it->second.nodes.size());
            } catch (const std::runtime_error& e) {
                throw UserError(fmt::format("{}: {}.input_file: {}: {}", config, input.key, input.input_file.string(),
                                            e.what()));
            }
            for (std::size_t id = 0; id < trains.size(); ++id) {
                const NodePlace n = it->second.nodes[id];
                model_.populations[n.population].source->times[n.local] = std::move(trains[id]);
            }
        }
        for (const auto& [name, nodes] : node_populations_) {
            const bool has_virtual = std::any_of(nodes.nodes.begin(), nodes.nodes.end(), [&](NodePlace n) {
                return model_.populations[n.population].source.has_value();
            });
            if (has_virtual && !fed.count(name))
                throw UserError(fmt::format(
                    "{}: /nodes/{} has virtual nodes (model_type virtual in {}) but the inputs of {} give no spikes "
                    "for them; expected an input {{\"input_type\": \"spikes\", \"module\": \"h5\", \"input_file\": "
                    "<a SONATA spike file>, \"node_set\": \"{}\"}}",
                    nodes.files.nodes_file.string(), name, nodes.files.node_types_file.string(), config, name));
        }
    }

    // ---- edges ---------------------------------------------------------------------------------

    struct EdgeType {
        std::string model;  // static_synapse or stdp_synapse
        std::optional<StdpParameters> stdp;
        std::optional<double> weight, delay;  // the type's, below the edges' own
    };

    EdgeType edge_type(const TypeTable& types, std::size_t row) {
        EdgeType type;
        std::string model = types.need(row, "model_template");
        if (model.starts_with("nest:")) model = model.substr(5);
        if (model != sonata::static_template && model != sonata::stdp_template)
            throw UserError(fmt::format("{}: \"{}\"; expected {} or {}", types.where(row, "model_template"), model,
                                        sonata::static_template, sonata::stdp_template));
        type.model = model;
        type.weight = types.number(row, "syn_weight");
        type.delay = types.number(row, "delay");
        std::map<std::string, double> stdp;
        for (const auto& s : sonata::stdp_names) stdp[std::string(s.nest)] = s.nest_default;
        if (const auto params = types.get(row, "dynamics_params")) {
            const fs::path file = config_.synaptic_models_dir / *params;
            const auto params_json = sonata::read_json_object(file, types.where(row, "dynamics_params"));
            for (const auto& [name, value] : params_json.items()) {
                const auto& weight_field = schema::field(schema::connectivity_fields, "weights").quantity;
                if (name == "weight") {
                    type.weight = value.is_number() ? value.get<double>() : sonata::checked_number(value, file, name, weight_field);
                } else if (name == "delay") {
                    type.delay = sonata::checked_number(value, file, name, schema::field(schema::projection_fields, "delay").quantity);
                } else if (model == sonata::stdp_template && stdp.count(name)) {
                    if (!value.is_number() || !std::isfinite(value.get<double>()))
                        throw UserError(fmt::format("{}: {} is {}; expected a number", file.string(), name, value.dump()));
                    stdp[name] = value.get<double>();
                } else {
                    throw UserError(fmt::format("{}: unknown parameter \"{}\" of {}; expected weight, delay{}",
                                                file.string(), name, model,
                                                model == sonata::stdp_template
                                                    ? ", tau_plus, lambda, alpha, mu_plus, mu_minus, Wmax" : ""));
                }
            }
            if (model == sonata::stdp_template) type.stdp = stdp_of(stdp, file);
        } else if (model == sonata::stdp_template) {
            type.stdp = stdp_of(stdp, types.path());
        }
        return type;
    }

    static StdpParameters stdp_of(const std::map<std::string, double>& p, const fs::path& file) {
        const double mu_plus = p.at("mu_plus"), mu_minus = p.at("mu_minus");
        StdpParameters s;
        if (mu_plus == 0 && mu_minus == 0) {
            s.update = StdpParameters::Update::additive;
        } else if (mu_plus == 1 && mu_minus == 1) {
            s.update = StdpParameters::Update::multiplicative;
        } else {
            throw UserError(fmt::format("{}: mu_plus = {}, mu_minus = {}; expected both 0 (additive) or both 1 "
                                        "(multiplicative)",
                                        file.string(), mu_plus, mu_minus));
        }
        const auto positive = [&](const char* name) {
            if (!(p.at(name) > 0)) throw UserError(fmt::format("{}: {} is {}; expected a positive number", file.string(), name, p.at(name)));
            return p.at(name);
        };
        s.tau_plus = positive("tau_plus");
        s.w_min = 0;
        s.w_max = positive("Wmax");
        s.A_plus = p.at("lambda") * s.w_max;
        s.A_minus = -p.at("alpha") * p.at("lambda") * s.w_max;
        return s;
    }

    const NodePopulation& node_population(const Hdf5Reader& h5, const std::string& dataset, std::string& name) const {
        const auto attribute = h5.string_attribute(dataset, "node_population");
        if (!attribute) throw std::runtime_error(dataset + "@node_population is missing; expected the name of a node population");
        name = *attribute;
        const auto it = node_populations_.find(name);
        if (it == node_populations_.end())
            throw std::runtime_error(fmt::format("{}@node_population is \"{}\", a node population the circuit does not define",
                                                 dataset, name));
        return it->second;
    }

    void read_edges(const sonata::EdgeFiles& files) {
        const TypeTable types(files.edge_types_file);
        const Hdf5Reader h5(files.edges_file);
        if (!h5.exists("/edges")) throw std::runtime_error("/edges is missing; expected a group of edge populations");
        for (const auto& name : h5.children("/edges")) read_edge_population(h5, files, types, name);
    }

    void read_edge_population(const Hdf5Reader& h5, const sonata::EdgeFiles& files, const TypeTable& types,
                              const std::string& name) {
        const std::string base = "/edges/" + name;
        std::string source_name, target_name;
        const NodePopulation& sources = node_population(h5, base + "/source_node_id", source_name);
        const NodePopulation& targets = node_population(h5, base + "/target_node_id", target_name);
        const auto source = ids_at(h5, base + "/source_node_id");
        const auto target = ids_at(h5, base + "/target_node_id");
        const auto type_id = ids_at(h5, base + "/edge_type_id");
        const std::size_t n = source.size();
        std::vector<std::uint64_t> group(n, 0), index(n);
        for (std::size_t k = 0; k < n; ++k) index[k] = k;
        if (h5.exists(base + "/edge_group_id")) group = ids_at(h5, base + "/edge_group_id");
        if (h5.exists(base + "/edge_group_index")) index = ids_at(h5, base + "/edge_group_index");
        const std::pair<const char*, std::size_t> lengths[] = {{"target_node_id", target.size()},
                                                                {"edge_type_id", type_id.size()},
                                                                {"edge_group_id", group.size()},
                                                                {"edge_group_index", index.size()}};
        for (const auto& [dataset, size] : lengths)
            if (size != n)
                throw std::runtime_error(fmt::format("{}/{} has {} values but source_node_id has {}", base, dataset, size, n));

        // Per edge group: its syn_weight and delay datasets, when it has them.
        std::map<std::uint64_t, std::pair<std::vector<double>, std::vector<double>>> values;
        for (auto g : group) {
            if (values.count(g)) continue;
            auto& [weights, delays] = values[g];
            const std::string at = fmt::format("{}/{}", base, g);
            if (h5.exists(at + "/syn_weight")) weights = h5.read<double>(at + "/syn_weight").values;
            if (h5.exists(at + "/delay")) delays = h5.read<double>(at + "/delay").values;
        }
        const auto rows = type_rows(types, name, "edge_type_id");
        std::map<std::uint64_t, EdgeType> edge_types;

        const auto& weight_bound = schema::field(schema::projection_fields, "weight").quantity;
        const auto& delay_bound = schema::field(schema::projection_fields, "delay").quantity;
        std::map<std::tuple<std::uint64_t, std::uint32_t, std::uint32_t, Receptor>, std::size_t> projection_of;
        const std::size_t first = model_.projections.size();
        for (std::size_t k = 0; k < n; ++k) {
            if (source[k] >= sources.nodes.size() || target[k] >= targets.nodes.size())
                throw std::runtime_error(fmt::format(
                    "{}/{}_node_id[{}] is {}; expected a node id of {} (below {})", base,
                    source[k] >= sources.nodes.size() ? "source" : "target", k,
                    source[k] >= sources.nodes.size() ? source[k] : target[k],
                    source[k] >= sources.nodes.size() ? source_name : target_name,
                    source[k] >= sources.nodes.size() ? sources.nodes.size() : targets.nodes.size()));
            auto type = edge_types.find(type_id[k]);
            if (type == edge_types.end()) {
                const auto row = rows.find(type_id[k]);
                if (row == rows.end())
                    throw std::runtime_error(fmt::format("{}/edge_type_id[{}] is {}, which {} does not define", base, k,
                                                         type_id[k], files.edge_types_file.string()));
                type = edge_types.emplace(type_id[k], edge_type(types, row->second)).first;
            }
            const auto& [weights, delays] = values.at(group[k]);
            const auto value = [&](const std::vector<double>& each, std::optional<double> shared, const char* what) {
                if (!each.empty()) {
                    if (index[k] >= each.size())
                        throw std::runtime_error(fmt::format("{}/edge_group_index[{}] is {}; {}/{}/{} has {} values",
                                                             base, k, index[k], base, group[k], what, each.size()));
                    return each[index[k]];
                }
                if (!shared)
                    throw std::runtime_error(fmt::format("{}/{}/{} is missing, and edge type {} in {} gives no {}", base,
                                                         group[k], what, type_id[k], files.edge_types_file.string(), what));
                return *shared;
            };
            const double w = value(weights, type->second.weight, "syn_weight");
            const double d = value(delays, type->second.delay, "delay");
            if (!std::isfinite(w) || !schema::within(std::abs(w), weight_bound.bound))
                throw std::runtime_error(fmt::format("{}/{}/syn_weight of edge {} is {}; expected a conductance jump of "
                                                     "{} in nS (negative: inhibitory)",
                                                     base, group[k], k, w, schema::expectation(Dimension::conductance, weight_bound.bound, std::abs(w))));
            if (!schema::within(d, delay_bound.bound))
                throw std::runtime_error(fmt::format("{}/{}/delay of edge {} is {}; expected {} in ms", base, group[k], k, d,
                                                     schema::expectation(Dimension::time, delay_bound.bound, d)));
            const NodePlace from = sources.nodes[source[k]], to = targets.nodes[target[k]];
            const Receptor receptor = std::signbit(w) ? Receptor::inhibitory : Receptor::excitatory;  // -0 too
            const auto key = std::tuple(type_id[k], from.population, to.population, receptor);
            auto [slot, added] = projection_of.emplace(key, model_.projections.size());
            if (added) add_projection(name, from.population, to.population, receptor, type->second);
            Connectivity& c = model_.projections[slot->second].connectivity;
            c.sources.push_back(from.local);
            c.targets.push_back(to.local);
            c.weights.push_back(std::abs(w));
            c.delays.push_back(d);
        }
        // One projection keeps the edge population's name; several are numbered.
        if (model_.projections.size() - first > 1)
            for (std::size_t p = first; p < model_.projections.size(); ++p)
                model_.projections[p].name = fmt::format("{}_{}", name, p - first + 1);
        for (std::size_t p = first; p < model_.projections.size(); ++p)
            for (std::size_t q = 0; q < first; ++q)
                if (model_.projections[q].name == model_.projections[p].name)
                    throw UserError(fmt::format("{}: edge population {} would make a second projection \"{}\"",
                                                files.edges_file.string(), name, model_.projections[p].name));
    }

    void add_projection(const std::string& name, std::uint32_t pre, std::uint32_t post, Receptor receptor,
                        const EdgeType& type) {
        Projection p;
        p.name = name;
        p.pre = model_.populations[pre].name;
        p.post = model_.populations[post].name;
        p.receptor = receptor;
        p.connectivity.rule = Connectivity::Rule::explicit_list;
        p.connectivity.autapses = true;  // the list says which synapses exist
        p.stdp = type.stdp;
        if (p.stdp) p.stdp->tau_minus = tau_minus_[post].value_or(sonata::nest_tau_minus);
        model_.projections.push_back(std::move(p));
    }

    const sonata::CircuitConfig& config_;
    Model model_;
    std::map<std::string, NodePopulation> node_populations_;
    std::vector<std::optional<double>> tau_minus_;  // per model population
};

}  // namespace

Model read_sonata_circuit(const fs::path& circuit_config) {
    // Errors reach the caller as exceptions; HDF5 must not also print its stack to stderr.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const sonata::CircuitConfig config = sonata::read_circuit_config(circuit_config);
    return CircuitReader(config).take();
}

}  // namespace metabosim
