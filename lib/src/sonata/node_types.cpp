#include "sonata/node_types.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metabosim/model/error.hpp"
#include "sonata/json_params.hpp"
#include "sonata/names.hpp"

namespace metabosim::sonata {
namespace {

namespace fs = std::filesystem;

std::string without_prefix(std::string text) {
    return text.starts_with("nest:") ? text.substr(5) : text;
}

// NEST's names of the neuron (neuron_names), V_m and tau_minus; nothing else.
void read_dynamics(const nlohmann::json& params, const fs::path& file, NodeType& type) {
    for (const auto& [name, value] : params.items()) {
        const auto known = std::find_if(std::begin(neuron_names), std::end(neuron_names),
                                        [&name = name](const NeuronName& n) { return n.nest == name; });
        if (known != std::end(neuron_names)) {
            set_field(schema::neuron_fields, known->key, type.population.neuron, value, file, name);
        } else if (name == initial_V_name) {
            set_field(schema::population_fields, "initial_V", type.population, value, file, name);
        } else if (name == tau_minus_name) {
            type.tau_minus = checked_number(value, file, name, schema::field(schema::stdp_fields, "tau_minus").quantity);
        } else {
            std::vector<std::string_view> names;
            for (const auto& n : neuron_names) names.push_back(n.nest);
            names.push_back(initial_V_name);
            names.push_back(tau_minus_name);
            throw UserError(fmt::format("{}: unknown parameter \"{}\" of {}; expected one of {}", file.string(), name,
                                        neuron_template, fmt::join(names, ", ")));
        }
    }
    const NeuronParameters& n = type.population.neuron;
    if (n.Vr >= n.Vth)
        throw UserError(fmt::format("{}: V_reset is {} mV; expected a voltage below V_th = {} mV", file.string(), n.Vr,
                                    n.Vth));
}

// {"temperature": degC, "reference_temperature": degC, "q10": {<Q10 table>}}
void read_metabolism(const nlohmann::json& params, const fs::path& file, Population& population) {
    for (const auto& [name, value] : params.items()) {
        if (name == "temperature" || name == "reference_temperature") {
            set_field(schema::population_fields, name, population, value, file, name);
        } else if (name == "q10" && value.is_object()) {
            for (const auto& [key, factor] : value.items()) {
                const bool known = std::any_of(std::begin(schema::q10_fields), std::end(schema::q10_fields),
                                               [&key = key](const auto& f) { return f.key == key; });
                if (!known)
                    throw UserError(fmt::format("{}: q10.{}: unknown; expected a key of the Q10 table "
                                                "(docs/config.md, [populations.<name>.q10])",
                                                file.string(), key));
                set_field(schema::q10_fields, key, population.q10, factor, file, "q10." + key);
            }
        } else {
            throw UserError(fmt::format("{}: {}: unknown or not an object; expected temperature, "
                                        "reference_temperature (degC) or q10 (an object)",
                                        file.string(), name));
        }
    }
}

void read_metabolism_column(const TypeTable& types, std::size_t row, const fs::path& models_dir,
                            Population& population) {
    if (const auto metabolism = types.get(row, std::string(metabolism_column))) {
        const fs::path file = models_dir / *metabolism;
        read_metabolism(read_json_object(file, types.where(row, std::string(metabolism_column))), file, population);
    }
}

}  // namespace

NodeType read_node_type(const TypeTable& types, std::size_t row, const fs::path& models_dir) {
    const std::string model_type = types.need(row, "model_type");
    if (model_type == "virtual") {
        // External inputs: spike sources whose trains the config's inputs give (read_circuit).
        NodeType type;
        type.population.source.emplace().kind = SpikeSource::Kind::array;
        read_metabolism_column(types, row, models_dir, type.population);
        return type;
    }
    if (model_type != "point_neuron" && model_type != "point_process")
        throw UserError(fmt::format("{}: \"{}\"; expected point_neuron, point_process or virtual",
                                    types.where(row, "model_type"), model_type));
    const std::string model_template = types.need(row, "model_template");
    if (without_prefix(model_template) != without_prefix(std::string(neuron_template)))
        throw UserError(fmt::format("{}: \"{}\"; expected {} (metabosim's conductance-based LIF neuron)",
                                    types.where(row, "model_template"), model_template, neuron_template));

    NodeType type;
    const fs::path dynamics = models_dir / types.need(row, "dynamics_params");
    read_dynamics(read_json_object(dynamics, types.where(row, "dynamics_params")), dynamics, type);
    read_metabolism_column(types, row, models_dir, type.population);
    return type;
}

}  // namespace metabosim::sonata
