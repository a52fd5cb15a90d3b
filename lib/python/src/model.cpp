// The model description in Python: Model (with its values read and set by key path through the
// library's settings), read-only views of its parts, configs, the built-in networks, resizing,
// quantities with units and the Brian2 export.
#include <string>
#include <vector>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "metabosim/brian2/export.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/config/settings.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/model/resize.hpp"
#include "metabosim/model/units.hpp"

namespace metabosim::python {
namespace {

constexpr Dimension dimensions[] = {Dimension::time,        Dimension::voltage, Dimension::conductance,
                                    Dimension::capacitance, Dimension::current, Dimension::rate,
                                    Dimension::temperature, Dimension::dimensionless};

Dimension dimension_named(const std::string& name) {
    for (Dimension d : dimensions)
        if (dimension_name(d) == name) return d;
    throw py::value_error("unknown dimension \"" + name + "\"");
}

const char* receptor_name(Receptor r) { return r == Receptor::excitatory ? "excitatory" : "inhibitory"; }

// Changed on a copy, validated, then committed: a refused change leaves the model as it was.
template <class Change>
void change_validated(Model& model, Change change) {
    Model changed = model;
    change(changed);
    validate(changed);
    model = std::move(changed);
}

void bind_parts(py::module_& m) {
    py::class_<Distribution>(m, "Distribution", "A constant or drawn value (internal units).")
        .def_property_readonly("kind",
                               [](const Distribution& d) {
                                   switch (d.kind) {
                                       case Distribution::Kind::constant: return "constant";
                                       case Distribution::Kind::uniform: return "uniform";
                                       case Distribution::Kind::normal_clipped: return "normal";
                                   }
                                   return "";
                               })
        .def_readonly("value", &Distribution::value)
        .def_readonly("low", &Distribution::low)
        .def_readonly("high", &Distribution::high)
        .def_readonly("mean", &Distribution::mean)
        .def_readonly("stddev", &Distribution::stddev)
        .def("__repr__", [](const Distribution& d) {
            if (d.kind == Distribution::Kind::constant) return "Distribution(constant " + std::to_string(d.value) + ")";
            if (d.kind == Distribution::Kind::uniform)
                return "Distribution(uniform " + std::to_string(d.low) + " .. " + std::to_string(d.high) + ")";
            return "Distribution(normal " + std::to_string(d.mean) + " +- " + std::to_string(d.stddev) + ")";
        });

    py::class_<EnergyThreshold>(m, "EnergyThreshold")
        .def_property_readonly("direction",
                               [](const EnergyThreshold& t) {
                                   return t.direction == EnergyThreshold::Direction::falling ? "falling" : "rising";
                               })
        .def_readonly("level", &EnergyThreshold::level)
        .def_readonly("temperature", &EnergyThreshold::temperature);
    py::class_<EnergyBudget>(m, "EnergyBudget").def_readonly("thresholds", &EnergyBudget::thresholds);
    py::class_<PoissonDrive>(m, "PoissonDrive").def_property_readonly("receptor", [](const PoissonDrive& d) {
        return receptor_name(d.receptor);
    });
    py::class_<RateStep>(m, "RateStep")
        .def_readonly("time", &RateStep::time)
        .def_readonly("rate", &RateStep::rate)
        .def("__repr__", [](const RateStep& s) {
            return "RateStep(time=" + std::to_string(s.time) + " ms, rate=" + std::to_string(s.rate) + " Hz)";
        });
    py::class_<SpikeSource>(m, "SpikeSource", "A population's spike sources (internal units: ms, Hz).")
        .def_property_readonly("kind",
                               [](const SpikeSource& s) { return s.kind == SpikeSource::Kind::poisson ? "poisson" : "array"; })
        .def_readonly("steps", &SpikeSource::steps)
        .def_readonly("temperature_scaled", &SpikeSource::temperature_scaled)
        .def_readonly("times", &SpikeSource::times);
    py::class_<NeuronParameters>(m, "NeuronParameters");
    py::class_<Q10Table>(m, "Q10Table");

    py::class_<Population>(m, "Population")
        .def_readonly("name", &Population::name)
        .def_readonly("initial_V", &Population::initial_V)
        .def_readonly("initial_ge", &Population::initial_ge)
        .def_readonly("initial_gi", &Population::initial_gi)
        .def_readonly("neuron", &Population::neuron)
        .def_readonly("q10", &Population::q10)
        .def_readonly("drive", &Population::drive)
        .def_readonly("energy", &Population::energy)
        .def_readonly("source", &Population::source);

    py::class_<Connectivity>(m, "Connectivity")
        .def_property_readonly("rule",
                               [](const Connectivity& c) {
                                   switch (c.rule) {
                                       case Connectivity::Rule::probability: return "probability";
                                       case Connectivity::Rule::fixed_indegree: return "fixed_indegree";
                                       case Connectivity::Rule::one_to_one: return "one_to_one";
                                       case Connectivity::Rule::all_to_all: return "all_to_all";
                                       case Connectivity::Rule::explicit_list: return "list";
                                   }
                                   return "";
                               })
        .def_readonly("indegree", &Connectivity::indegree)
        .def_readonly("autapses", &Connectivity::autapses)
        .def_readonly("sources", &Connectivity::sources)
        .def_readonly("targets", &Connectivity::targets)
        .def_readonly("weights", &Connectivity::weights)
        .def_readonly("delays", &Connectivity::delays);
    py::class_<StdpParameters>(m, "StdpParameters")
        .def_property_readonly("pairing",
                               [](const StdpParameters& s) {
                                   return s.pairing == StdpParameters::Pairing::all_to_all ? "all_to_all"
                                                                                           : "nearest_neighbour";
                               })
        .def_property_readonly("update",
                               [](const StdpParameters& s) {
                                   return s.update == StdpParameters::Update::additive ? "additive" : "multiplicative";
                               })
        .def_property_readonly("resolved_A_plus", &StdpParameters::resolved_A_plus)
        .def_property_readonly("resolved_A_minus", &StdpParameters::resolved_A_minus);
    py::class_<Projection>(m, "Projection")
        .def_readonly("name", &Projection::name)
        .def_readonly("pre", &Projection::pre)
        .def_readonly("post", &Projection::post)
        .def_property_readonly("receptor", [](const Projection& p) { return receptor_name(p.receptor); })
        .def_readonly("connectivity", &Projection::connectivity)
        .def_readonly("weight", &Projection::weight)
        .def_readonly("delay", &Projection::delay)
        .def_readonly("stdp", &Projection::stdp);

    py::class_<SpikeGenerator>(m, "SpikeGenerator")
        .def_readonly("name", &SpikeGenerator::name)
        .def_readonly("target", &SpikeGenerator::target)
        .def_readonly("neurons", &SpikeGenerator::neurons)
        .def_readonly("times", &SpikeGenerator::times)
        .def_readonly("weight", &SpikeGenerator::weight)
        .def_property_readonly("receptor", [](const SpikeGenerator& g) { return receptor_name(g.receptor); });
    py::class_<MetabolicStep>(m, "MetabolicStep")
        .def(py::init([](double time, double temperature, std::string population) {
                 return MetabolicStep{time, std::move(population), temperature};
             }),
             py::arg("time"), py::arg("temperature"), py::arg("population") = "")
        .def_readonly("time", &MetabolicStep::time)
        .def_readonly("population", &MetabolicStep::population)
        .def_readonly("temperature", &MetabolicStep::temperature)
        .def("__repr__", [](const MetabolicStep& s) {
            return "MetabolicStep(time=" + std::to_string(s.time) + " ms, population=\"" + s.population +
                   "\", temperature=" + std::to_string(s.temperature) + " degC)";
        });
    py::class_<StateRecording>(m, "StateRecording")
        .def_readonly("population", &StateRecording::population)
        .def_readonly("neurons", &StateRecording::neurons)
        .def_readonly("variables", &StateRecording::variables)
        .def_readonly("interval", &StateRecording::interval);
    py::class_<WeightRecording>(m, "WeightRecording")
        .def_readonly("projection", &WeightRecording::projection)
        .def_readonly("interval", &WeightRecording::interval)
        .def_readonly("bins", &WeightRecording::histogram_bins)
        .def_readonly("final", &WeightRecording::final_weights);
    py::class_<Recording>(m, "Recording")
        .def_readonly("spikes", &Recording::spikes)
        .def_readonly("rate_bin", &Recording::rate_bin)
        .def_readonly("states", &Recording::states)
        .def_readonly("weights", &Recording::weights);

    m.def("metabolic_ramp", &metabolic_ramp, py::arg("start"), py::arg("stop"), py::arg("from_temperature"),
          py::arg("to_temperature"), py::arg("steps"), py::arg("population") = "",
          "A ramp as steps + 1 metabolic steps (ms, degC).");
}

void bind_settings(py::module_& m) {
    py::class_<Setting>(m, "Setting", "A value of a model that set() can change.")
        .def_readonly("path", &Setting::path)
        .def_property_readonly("unit",
                               [](const Setting& s) {
                                   return s.kind == Setting::Kind::integer ? std::string()
                                                                           : std::string(internal_unit(s.dimension));
                               })
        .def_property_readonly("dimension",
                               [](const Setting& s) {
                                   return s.kind == Setting::Kind::integer ? std::string("integer")
                                                                           : std::string(dimension_name(s.dimension));
                               })
        .def_property_readonly("value",
                               [](const Setting& s) -> py::object {
                                   if (s.kind == Setting::Kind::integer) return py::int_(s.integer);
                                   return s.value ? py::object(py::float_(*s.value)) : py::none();
                               })
        .def_readonly("expectation", &Setting::expectation)
        .def("__repr__", [](const Setting& s) { return "Setting(" + s.path + ")"; });
}

void bind_model_class(py::module_& m) {
    py::class_<Model>(m, "Model")
        .def(py::init<>())
        .def("copy", [](const Model& model) { return Model(model); })
        .def("__copy__", [](const Model& model) { return Model(model); })
        .def("__deepcopy__", [](const Model& model, py::dict) { return Model(model); })
        .def("settings", [](const Model& model) { return settings(model); })
        .def("set", &set_value, py::arg("path"), py::arg("value"), py::arg("name"))
        .def("validate", [](const Model& model) { validate(model); })
        .def_property_readonly("neuron_count", &Model::neuron_count)
        .def_readonly("duration", &Model::duration)
        .def_readonly("seed", &Model::seed)
        .def_readonly("populations", &Model::populations)
        .def_readonly("projections", &Model::projections)
        .def_readonly("generators", &Model::generators)
        .def_readonly("metabolism", &Model::metabolism)
        .def_readonly("recording", &Model::recording)
        .def("add_metabolic_steps",
             [](Model& model, const std::vector<MetabolicStep>& steps) {
                 change_validated(model, [&](Model& changed) {
                     changed.metabolism.insert(changed.metabolism.end(), steps.begin(), steps.end());
                 });
             })
        .def("add_state_recording",
             [](Model& model, std::string population, std::vector<std::uint32_t> neurons,
                std::vector<std::string> variables, double interval) {
                 change_validated(model, [&](Model& changed) {
                     changed.recording.states.push_back(
                         {std::move(population), std::move(neurons), std::move(variables), interval});
                 });
             })
        .def("add_weight_recording",
             [](Model& model, std::string projection, double interval, unsigned bins, bool final_weights) {
                 change_validated(model, [&](Model& changed) {
                     changed.recording.weights.push_back({std::move(projection), interval, bins, final_weights});
                 });
             });
}

}  // namespace

void bind_model(py::module_& m) {
    bind_parts(m);
    bind_settings(m);
    bind_model_class(m);

    m.def("parse_quantity", [](const std::string& text, const std::string& dimension) {
        return parse_quantity(text, dimension_named(dimension));
    });
    m.def("internal_unit", [](const std::string& dimension) {
        return std::string(internal_unit(dimension_named(dimension)));
    });
    m.def("load_config", &load_config, py::arg("file"));
    m.def("parse_config", &parse_config, py::arg("text"), py::arg("name"), py::arg("base_dir") = ".");
    m.def("parse_generated_config", &parse_generated_config, py::arg("text"), py::arg("name"),
          py::arg("base_dir") = ".");
    m.def("microcircuit", &microcircuit, py::arg("temperature"), py::arg("duration"));
    m.def("coba", &coba, py::arg("duration"));
    m.def("resize", &resize, py::arg("model"), py::arg("neurons"));
    m.def("export_brian2", &export_brian2, py::arg("model"), py::arg("directory"),
          py::call_guard<py::gil_scoped_release>());
}

}  // namespace metabosim::python
