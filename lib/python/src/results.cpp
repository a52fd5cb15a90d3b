// What a run produced, as NumPy arrays without copies: every array is a read-only view of the
// Results' own vectors (arrays.hpp), and every part (a population's spikes, a weight trace) keeps
// its Results alive. Writing and reading the output directory.
#include <string>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "metabosim/recording/output.hpp"

namespace metabosim::python {
namespace {

// Each item of `items` by name(item), as a view kept alive by `owner`.
template <class Item, class Name>
py::dict by_name(std::vector<Item>& items, py::handle owner, Name name) {
    py::dict out;
    for (Item& item : items)
        out[py::str(name(item))] = py::cast(&item, py::return_value_policy::reference_internal, owner);
    return out;
}

template <class Item>
py::list in_order(std::vector<Item>& items, py::handle owner) {
    py::list out;
    for (Item& item : items) out.append(py::cast(&item, py::return_value_policy::reference_internal, owner));
    return out;
}

// A one-dimensional field of a part, as a view owned by the part.
template <class Part, class T>
auto array_of(std::vector<T> Part::*member) {
    return [member](py::object self) { return view(self.cast<const Part&>().*member, self); };
}

void bind_spikes(py::module_& m) {
    py::class_<PopulationSpikes>(m, "PopulationSpikes",
                                 "Spikes of one population in emission order: times (ms), node_ids (local).")
        .def(py::init([](py::array_t<double, py::array::c_style | py::array::forcecast> times,
                         py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast> node_ids,
                         std::uint32_t size, std::string population) {
                 PopulationSpikes s{std::move(population), size, to_vector(times), to_vector(node_ids)};
                 if (s.times.size() != s.node_ids.size())
                     throw py::value_error("times and node_ids differ in length");
                 return s;
             }),
             py::arg("times"), py::arg("node_ids"), py::arg("size"), py::arg("population") = "",
             "Spikes given as arrays (copied), e.g. to measure them with metabosim.analysis.")
        .def_readonly("population", &PopulationSpikes::population)
        .def_readonly("size", &PopulationSpikes::size)
        .def_property_readonly("times", array_of(&PopulationSpikes::times))
        .def_property_readonly("node_ids", array_of(&PopulationSpikes::node_ids))
        .def("__len__", [](const PopulationSpikes& s) { return s.times.size(); })
        .def("__repr__", [](const PopulationSpikes& s) {
            return "PopulationSpikes(" + s.population + ": " + std::to_string(s.times.size()) + " spikes of " +
                   std::to_string(s.size) + " neurons)";
        });
}

void bind_states(py::module_& m) {
    py::class_<StateTrace>(m, "StateTrace",
                           "Variables of chosen neurons sampled at start + k * interval; values[k, variable, neuron].")
        .def_readonly("population", &StateTrace::population)
        .def_property_readonly("neurons", array_of(&StateTrace::neurons))
        .def_readonly("variables", &StateTrace::variables)
        .def_readonly("start", &StateTrace::start)
        .def_readonly("interval", &StateTrace::interval)
        .def_readonly("samples", &StateTrace::samples)
        .def_property_readonly("times",
                               [](const StateTrace& s) {
                                   py::array_t<double> t(static_cast<py::ssize_t>(s.samples));
                                   for (std::size_t k = 0; k < s.samples; ++k)
                                       t.mutable_at(k) = s.start + static_cast<double>(k) * s.interval;
                                   return t;
                               })
        .def_property_readonly("values",
                               [](py::object self) {
                                   const auto& s = self.cast<const StateTrace&>();
                                   return view(s.values.data(),
                                               {static_cast<py::ssize_t>(s.samples),
                                                static_cast<py::ssize_t>(s.variables.size()),
                                                static_cast<py::ssize_t>(s.neurons.size())},
                                               self);
                               })
        .def("__getitem__",
             [](py::object self, const std::string& variable) {
                 const auto& s = self.cast<const StateTrace&>();
                 for (std::size_t v = 0; v < s.variables.size(); ++v) {
                     if (s.variables[v] != variable) continue;
                     const auto n = static_cast<py::ssize_t>(s.neurons.size());
                     const auto row = static_cast<py::ssize_t>(s.variables.size()) * n;
                     const double* first = s.values.empty() ? nullptr : s.values.data() + v * s.neurons.size();
                     return view(first, {static_cast<py::ssize_t>(s.samples), n}, self,
                                 {row * static_cast<py::ssize_t>(sizeof(double)), sizeof(double)});
                 }
                 throw py::key_error("no variable \"" + variable + "\" recorded (recorded: " +
                                     py::str(py::cast(s.variables)).cast<std::string>() + ")");
             },
             py::arg("variable"), "The samples of one variable: [k, neuron] (a view).");
}

void bind_weights(py::module_& m) {
    py::class_<WeightTrace>(m, "WeightTrace", "Weights of one projection over time (nS, reference scale).")
        .def_readonly("projection", &WeightTrace::projection)
        .def_readonly("w_min", &WeightTrace::w_min)
        .def_readonly("w_max", &WeightTrace::w_max)
        .def_readonly("bins", &WeightTrace::bins)
        .def_property_readonly("times", array_of(&WeightTrace::times))
        .def_property_readonly("mean", array_of(&WeightTrace::mean))
        .def_property_readonly("stddev", array_of(&WeightTrace::stddev))
        .def_property_readonly("fraction_at_min", array_of(&WeightTrace::fraction_at_min))
        .def_property_readonly("fraction_at_max", array_of(&WeightTrace::fraction_at_max))
        .def_property_readonly("histogram",
                               [](py::object self) {
                                   const auto& w = self.cast<const WeightTrace&>();
                                   return view(w.histogram.data(),
                                               {static_cast<py::ssize_t>(w.times.size()),
                                                static_cast<py::ssize_t>(w.bins)},
                                               self);
                               })
        .def_readonly("has_final", &WeightTrace::has_final)
        .def_property_readonly("final_source", array_of(&WeightTrace::final_source))
        .def_property_readonly("final_target", array_of(&WeightTrace::final_target))
        .def_property_readonly("final_weight", array_of(&WeightTrace::final_weight))
        .def_property_readonly("final_delay", array_of(&WeightTrace::final_delay));
}

void bind_metabolism(py::module_& m) {
    py::class_<StateChange>(m, "StateChange")
        .def_readonly("time", &StateChange::time)
        .def_readonly("population", &StateChange::population)
        .def_readonly("temperature", &StateChange::temperature)
        .def("__repr__", [](const StateChange& c) {
            return "StateChange(" + std::to_string(c.time) + " ms, " + c.population + ", " +
                   std::to_string(c.temperature) + " degC)";
        });
    py::class_<EnergyTrace>(m, "EnergyTrace", "A population's ATP pool at every update.")
        .def_readonly("population", &EnergyTrace::population)
        .def_property_readonly("times", array_of(&EnergyTrace::times))
        .def_property_readonly("atp_fraction", array_of(&EnergyTrace::atp_fraction))
        .def_property_readonly("temperature", array_of(&EnergyTrace::temperature));
}

void bind_counters(py::module_& m) {
    py::class_<RunCounters>(m, "RunCounters", "What an engine did: events by kind, epochs, wall time.")
        .def_property_readonly("events",
                               [](const RunCounters& c) {
                                   py::dict out;
                                   for (const auto& e : c.events) out[py::str(e.kind)] = e.count;
                                   return out;
                               })
        .def_readonly("stale_predictions", &RunCounters::stale_predictions)
        .def_readonly("epochs", &RunCounters::epochs)
        .def_readonly("wall_seconds", &RunCounters::wall_seconds)
        .def_property_readonly("phases",
                               [](const RunCounters& c) {
                                   py::dict out;
                                   for (const auto& p : c.phases) out[py::str(p.phase)] = p.seconds;
                                   return out;
                               })
        .def_property_readonly("total_events", &RunCounters::total_events);
}

void bind_results_class(py::module_& m) {
    py::class_<Results>(m, "Results", "What a run produced (up to `reached` when not complete); every array is a read-only view of it.")
        .def_readonly("engine", &Results::engine)
        .def_readonly("dt", &Results::dt)
        .def_readonly("duration", &Results::duration)
        .def_readonly("seed", &Results::seed)
        .def_readonly("synapse_count", &Results::synapse_count)
        .def_readonly("complete", &Results::complete)
        .def_readonly("reached", &Results::reached)
        .def_readonly("stopped", &Results::stopped)
        .def_property_readonly("spikes",
                               [](py::object self) {
                                   return by_name(self.cast<Results&>().spikes, self,
                                                  [](const PopulationSpikes& s) { return s.population; });
                               })
        .def_property_readonly("states", [](py::object self) { return in_order(self.cast<Results&>().states, self); })
        .def_property_readonly("weights",
                               [](py::object self) {
                                   return by_name(self.cast<Results&>().weights, self,
                                                  [](const WeightTrace& w) { return w.projection; });
                               })
        .def_readonly("metabolic_timeline", &Results::metabolic_timeline)
        .def_property_readonly("energy",
                               [](py::object self) {
                                   return by_name(self.cast<Results&>().energy, self,
                                                  [](const EnergyTrace& e) { return e.population; });
                               })
        .def_property_readonly(
            "counters", [](py::object self) { return py::cast(&self.cast<Results&>().counters,
                                                              py::return_value_policy::reference_internal, self); })
        .def_property_readonly("real_time_factor", &Results::real_time_factor)
        .def("__repr__", [](const Results& r) {
            std::size_t spikes = 0;
            for (const auto& s : r.spikes) spikes += s.times.size();
            const std::string span = r.complete ? std::to_string(r.duration) + " ms"
                                                : std::to_string(r.reached) + " of " + std::to_string(r.duration) + " ms";
            return "Results(" + r.engine + ", " + span + ", seed " + std::to_string(r.seed) + ", " +
                   std::to_string(spikes) + " spikes)";
        });
}

}  // namespace

void bind_results(py::module_& m) {
    bind_spikes(m);
    bind_states(m);
    bind_weights(m);
    bind_metabolism(m);
    bind_counters(m);
    bind_results_class(m);
    m.def("write_results", &write_results, py::arg("model"), py::arg("results"), py::arg("directory"),
          py::call_guard<py::gil_scoped_release>());
    m.def("read_results", &read_results, py::arg("directory"), py::call_guard<py::gil_scoped_release>());
    m.def("check_output_directory", &check_output_directory, py::arg("directory"));
}

}  // namespace metabosim::python
