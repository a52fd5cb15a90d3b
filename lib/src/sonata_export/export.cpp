#include "metabosim/sonata_export/export.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hdf5/hdf5_file.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/metabolism/schedule.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/synapses/network.hpp"
#include "recording/staged_files.hpp"
#include "sonata/names.hpp"
#include "sonata_export/spike_input.hpp"

namespace metabosim {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using detail::Hdf5Writer;
using detail::StagedFile;

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write the file");
}

// The developer guide's CSV: fields separated by a space, quoted when they hold one.
std::string csv_line(const std::vector<std::string>& fields) {
    std::string line;
    for (const auto& field : fields) {
        if (!line.empty()) line += ' ';
        if (field.find_first_of(" \t\"") == std::string::npos && !field.empty()) {
            line += field;
            continue;
        }
        line += '"';
        for (char c : field) line += c == '"' ? std::string("\"\"") : std::string(1, c);
        line += '"';
    }
    return line + '\n';
}

// NEST's stdp_synapse for the projection's rule; tau_minus goes to the target neuron.
Json stdp_params(const Projection& p) {
    const StdpParameters& s = *p.stdp;
    const auto refuse = [&](const std::string& why) {
        throw UserError(fmt::format("projection \"{}\": {}; NEST's stdp_synapse, which a SONATA circuit names, cannot "
                                    "say it",
                                    p.name, why));
    };
    if (s.pairing != StdpParameters::Pairing::all_to_all) refuse("nearest-neighbour pairing");
    if (s.w_min != 0) refuse(fmt::format("w_min is {} nS, not 0", s.w_min));
    const double a_plus = s.resolved_A_plus(), a_minus = s.resolved_A_minus();
    if (!(a_plus > 0) && a_minus != 0) refuse("A_plus is 0 while A_minus is not");
    const double lambda = a_plus / s.w_max;
    const double mu = s.update == StdpParameters::Update::additive ? 0 : 1;
    return {{"tau_plus", s.tau_plus}, {"lambda", lambda}, {"alpha", a_plus > 0 ? -a_minus / a_plus : 1.0},
            {"mu_plus", mu},          {"mu_minus", mu},   {"Wmax", s.w_max}};
}

class CircuitWriter {
public:
    CircuitWriter(const Model& model, const fs::path& dir)
        : model_(model), net_(build_network(model)), schedule_(model) {
        tau_minus_.resize(model.populations.size());
        for (const auto& p : model.projections) {
            if (!p.stdp) continue;
            auto& tau = tau_minus_[model.population_index(p.post)];
            if (tau && *tau != p.stdp->tau_minus)
                throw UserError(fmt::format("projections into population \"{}\" have STDP with tau_minus {} and {} ms; "
                                            "NEST keeps one tau_minus per neuron",
                                            p.post, *tau, p.stdp->tau_minus));
            tau = p.stdp->tau_minus;
        }
        Json config = {{"target_simulator", "NEST"},
                       // NEST substitutes $BASE_DIR only inside other variables; the paths use those.
                       {"manifest", {{"$BASE_DIR", "${configdir}"}, {"$NETWORK_DIR", "$BASE_DIR"},
                                     {"$COMPONENTS_DIR", "$BASE_DIR"}}},
                       {"components", {{"point_neuron_models_dir", "$COMPONENTS_DIR"},
                                       {"synaptic_models_dir", "$COMPONENTS_DIR"}}},
                       {"networks", {{"nodes", Json::array()}, {"edges", Json::array()}}},
                       {"run", {{"tstop", model.duration}, {"dt", 0.1}}}};
        for (std::size_t k = 0; k < model.populations.size(); ++k) add_population(k, config);
        for (std::size_t k = 0; k < model.projections.size(); ++k) add_projection(k, config);
        files_.push_back({"circuit_config.json", [text = config.dump(2) + "\n"](const fs::path& path) {
                              write_text(path, text);
                          }});
        detail::write_staged(dir, files_, "the SONATA circuit");
    }

private:
    void add_population(std::size_t k, Json& config) {
        const Population& p = model_.populations[k];
        const std::string name = detail::hdf5_name(p.name);
        const Q10Table& q = p.q10;
        const Json metabolism = {{"temperature", p.temperature},
                                 {"reference_temperature", p.reference_temperature},
                                 {"q10", {{"gL", q.gL}, {"C", q.C}, {"tau_e", q.tau_e}, {"tau_i", q.tau_i},
                                          {"synaptic_efficacy", q.synaptic_efficacy}, {"t_ref", q.t_ref},
                                          {"tau_stdp", q.tau_stdp}, {"A_plus", q.A_plus}, {"A_minus", q.A_minus},
                                          {"poisson_rate", q.poisson_rate}}}};
        const std::string type_id = std::to_string(k + 1);
        text_file(name + "_metabolism.json", metabolism.dump(2) + "\n");
        if (p.source) {
            // Virtual nodes: no dynamics; their spikes come from the simulation's inputs.
            text_file(name + "_node_types.csv",
                      csv_line({"node_type_id", "population", "model_type", std::string(sonata::metabolism_column)}) +
                          csv_line({type_id, p.name, "virtual", name + "_metabolism.json"}));
            add_spike_input(k, config);
        } else {
            text_file(name + "_dynamics.json", dynamics(k).dump(2) + "\n");
            text_file(name + "_node_types.csv",
                      csv_line({"node_type_id", "population", "model_type", "model_template", "dynamics_params",
                                std::string(sonata::metabolism_column)}) +
                          csv_line({type_id, p.name, "point_neuron", std::string(sonata::neuron_template),
                                    name + "_dynamics.json", name + "_metabolism.json"}));
        }
        const std::uint32_t size = p.size;
        files_.push_back({name + "_nodes.h5", [name, size, k](const fs::path& path) {
                              Hdf5Writer h5(path);
                              h5.sonata_root_attributes();
                              const std::string base = "/nodes/" + name;
                              std::vector<std::uint64_t> ids(size);
                              for (std::uint32_t n = 0; n < size; ++n) ids[n] = n;
                              h5.dataset(base + "/node_type_id", std::vector<std::uint64_t>(size, k + 1));
                              h5.dataset(base + "/node_id", ids);
                              h5.dataset(base + "/node_group_id", std::vector<std::uint64_t>(size, 0));
                              h5.dataset(base + "/node_group_index", ids);
                              h5.group(base + "/0");  // the one node group, with no per-node attributes
                              h5.close();
                          }});
        config["networks"]["nodes"].push_back({{"nodes_file", "$NETWORK_DIR/" + name + "_nodes.h5"},
                                               {"node_types_file", "$NETWORK_DIR/" + name + "_node_types.csv"}});
    }

    // NEST's iaf_cond_exp parameters of a population of neurons.
    Json dynamics(std::size_t k) const {
        const Population& p = model_.populations[k];
        Json params = {{"C_m", p.neuron.C},     {"g_L", p.neuron.gL},      {"E_L", p.neuron.EL},
                       {"V_th", p.neuron.Vth},  {"V_reset", p.neuron.Vr},  {"t_ref", p.neuron.t_ref},
                       {"E_ex", p.neuron.Ee},   {"E_in", p.neuron.Ei},     {"tau_syn_ex", p.neuron.tau_e},
                       {"tau_syn_in", p.neuron.tau_i}, {"I_e", p.neuron.I_ext}};
        if (p.initial_V.kind == Distribution::Kind::constant) params[std::string(sonata::initial_V_name)] = p.initial_V.value;
        if (tau_minus_[k]) params[std::string(sonata::tau_minus_name)] = *tau_minus_[k];
        return params;
    }

    // The drawn trains of source population k, and the simulation input that feeds them to its
    // virtual nodes (the developer guide's "inputs", as NEST's SonataNetwork and bmtk read them).
    void add_spike_input(std::size_t k, Json& config) {
        const std::string name = model_.populations[k].name;
        const auto population = static_cast<std::uint32_t>(k);
        files_.push_back({name + "_spikes.h5", [this, population](const fs::path& path) {
                              detail::write_spike_input(model_, schedule_, population, path);
                          }});
        config["manifest"]["$INPUT_DIR"] = "$BASE_DIR";
        config["inputs"][name + "_spikes"] = {{"input_type", "spikes"},
                                              {"module", "h5"},
                                              {"input_file", "$INPUT_DIR/" + name + "_spikes.h5"},
                                              {"node_set", name}};
    }

    void add_projection(std::size_t k, Json& config) {
        const Projection& p = model_.projections[k];
        const std::string name = detail::hdf5_name(p.name);
        const std::string model = std::string(p.stdp ? sonata::stdp_template : sonata::static_template);
        text_file(name + "_synapse.json", (p.stdp ? stdp_params(p) : Json::object()).dump(2) + "\n");
        const std::string type_id = std::to_string(k + 1);
        text_file(name + "_edge_types.csv",
                  csv_line({"edge_type_id", "population", "model_template", "dynamics_params"}) +
                      csv_line({type_id, p.name, model, name + "_synapse.json"}));
        const Synapses& s = net_.projections[k];
        const bool inhibitory = p.receptor == Receptor::inhibitory;
        const std::string pre = p.pre, post = p.post;
        files_.push_back({name + "_edges.h5", [&s, name, pre, post, inhibitory, k](const fs::path& path) {
                              const std::uint64_t n = s.size();
                              std::vector<std::uint64_t> source(n), index(n);
                              std::vector<double> weight(n), delay(n);
                              for (std::uint32_t i = 0; i + 1 < s.row_begin.size(); ++i)
                                  for (std::uint64_t q = s.row_begin[i]; q < s.row_begin[i + 1]; ++q) source[q] = i;
                              for (std::uint64_t q = 0; q < n; ++q) {
                                  index[q] = q;
                                  // NEST's iaf_cond_exp takes a negative weight as inhibitory.
                                  weight[q] = inhibitory ? -s.weight_of(q) : s.weight_of(q);
                                  delay[q] = s.delay[q];
                              }
                              Hdf5Writer h5(path);
                              h5.sonata_root_attributes();
                              const std::string base = "/edges/" + name;
                              h5.dataset(base + "/source_node_id", source);
                              h5.attribute(base + "/source_node_id", "node_population", pre);
                              h5.dataset(base + "/target_node_id", s.target);
                              h5.attribute(base + "/target_node_id", "node_population", post);
                              h5.dataset(base + "/edge_type_id", std::vector<std::uint64_t>(n, k + 1));
                              h5.dataset(base + "/edge_group_id", std::vector<std::uint64_t>(n, 0));
                              h5.dataset(base + "/edge_group_index", index);
                              h5.dataset(base + "/0/syn_weight", weight);
                              h5.attribute(base + "/0/syn_weight", "units", "nS");
                              h5.dataset(base + "/0/delay", delay);
                              h5.attribute(base + "/0/delay", "units", "ms");
                              h5.close();
                          }});
        config["networks"]["edges"].push_back({{"edges_file", "$NETWORK_DIR/" + name + "_edges.h5"},
                                               {"edge_types_file", "$NETWORK_DIR/" + name + "_edge_types.csv"}});
    }

    void text_file(const std::string& name, std::string text) {
        files_.push_back({name, [text = std::move(text)](const fs::path& path) { write_text(path, text); }});
    }

    const Model& model_;
    Network net_;
    MetabolicSchedule schedule_;  // the source trains follow it when temperature-scaled
    std::vector<std::optional<double>> tau_minus_;  // per population, from the STDP into it
    std::vector<StagedFile> files_;
};

}  // namespace

void export_sonata(const Model& model, const fs::path& directory) {
    validate(model);
    CircuitWriter(model, directory);
}

}  // namespace metabosim
