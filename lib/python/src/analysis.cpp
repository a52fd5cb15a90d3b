// The measures of analysis.hpp on NumPy arrays: spikes as a PopulationSpikes (from Results, or
// made from arrays), trains and responses as one-dimensional arrays, synchrony on a StateTrace or
// on a samples x neurons array of one variable.
#include <optional>
#include <string>

#include <pybind11/stl.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "metabosim/analysis/analysis.hpp"

namespace metabosim::python {
namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::size_t variable_index(const StateTrace& trace, const py::object& variable) {
    if (py::isinstance<py::str>(variable)) {
        const auto name = variable.cast<std::string>();
        for (std::size_t v = 0; v < trace.variables.size(); ++v)
            if (trace.variables[v] == name) return v;
        throw py::key_error("no variable \"" + name + "\" in the trace");
    }
    return variable.cast<std::size_t>();
}

// Samples x neurons of one variable as a trace of that variable alone.
StateTrace trace_of(const Array& values) {
    if (values.ndim() != 2) throw py::value_error("expected a trace or a two-dimensional array (samples x neurons)");
    StateTrace t;
    t.samples = static_cast<std::size_t>(values.shape(0));
    t.neurons.resize(static_cast<std::size_t>(values.shape(1)));
    t.variables = {"V"};
    t.values.assign(values.data(), values.data() + values.size());
    return t;
}

double chi(const py::object& trace, const py::object& variable, std::size_t first, std::optional<std::size_t> last) {
    if (py::isinstance<StateTrace>(trace)) {
        const auto& t = trace.cast<const StateTrace&>();
        return analysis::synchrony_chi(t, variable_index(t, variable), first, last.value_or(t.samples));
    }
    const StateTrace t = trace_of(trace.cast<Array>());
    return analysis::synchrony_chi(t, 0, first, last.value_or(t.samples));
}

py::list trains(const PopulationSpikes& spikes) {
    py::list out;
    for (auto& train : analysis::spike_trains(spikes)) out.append(py::array_t<double>(train.size(), train.data()));
    return out;
}

}  // namespace

void bind_analysis(py::module_& m) {
    namespace a = analysis;
    const auto vector = [](const Array& x) { return to_vector<double>(x); };

    py::class_<a::ExponentialFit>(m, "ExponentialFit", "y = amplitude * exp(-|x| / tau)")
        .def_readonly("amplitude", &a::ExponentialFit::amplitude)
        .def_readonly("tau", &a::ExponentialFit::tau)
        .def_readonly("rms_residual", &a::ExponentialFit::rms_residual)
        .def("__repr__", [](const a::ExponentialFit& f) {
            return "ExponentialFit(amplitude=" + std::to_string(f.amplitude) + ", tau=" + std::to_string(f.tau) + ")";
        });
    py::class_<a::Estimate>(m, "Estimate", "A mean with its 95 % confidence interval [low, high] over n values.")
        .def_readonly("mean", &a::Estimate::mean)
        .def_readonly("low", &a::Estimate::low)
        .def_readonly("high", &a::Estimate::high)
        .def_readonly("n", &a::Estimate::n)
        .def("__repr__", [](const a::Estimate& e) {
            return "Estimate(" + std::to_string(e.mean) + " [" + std::to_string(e.low) + ", " +
                   std::to_string(e.high) + "], n=" + std::to_string(e.n) + ")";
        });

    m.def("spike_trains", &trains, py::arg("spikes"));
    m.def("rates",
          [](const PopulationSpikes& s, double t0, double t1) {
              auto r = a::rates(s, t0, t1);
              return py::array_t<double>(r.size(), r.data());
          },
          py::arg("spikes"), py::arg("t0"), py::arg("t1"));
    m.def("mean_rate", &a::mean_rate, py::arg("spikes"), py::arg("t0"), py::arg("t1"));
    m.def("population_rate",
          [](const PopulationSpikes& s, double bin, double t0, double t1) {
              auto r = a::population_rate(s, bin, t0, t1);
              return py::array_t<double>(r.size(), r.data());
          },
          py::arg("spikes"), py::arg("bin"), py::arg("t0"), py::arg("t1"));
    m.def("cv_isi", [=](const Array& train) { return a::cv_isi(vector(train)); }, py::arg("train"));
    m.def("local_variation", [=](const Array& train) { return a::local_variation(vector(train)); }, py::arg("train"));
    m.def("mean_cv_isi", &a::mean_cv_isi, py::arg("spikes"), py::arg("t0"), py::arg("t1"), py::arg("min_spikes") = 3);
    m.def("mean_local_variation", &a::mean_local_variation, py::arg("spikes"), py::arg("t0"), py::arg("t1"),
          py::arg("min_spikes") = 4);
    m.def("fano_factor", &a::fano_factor, py::arg("spikes"), py::arg("bin"), py::arg("t0"), py::arg("t1"));
    m.def("synchrony_chi", &chi, py::arg("trace"), py::arg("variable") = py::str("V"), py::arg("first") = 0,
          py::arg("last") = py::none());
    m.def("vinje_gallant_sparseness", [=](const Array& r) { return a::vinje_gallant_sparseness(vector(r)); },
          py::arg("responses"));
    m.def("hoyer_sparseness", [=](const Array& x) { return a::hoyer_sparseness(vector(x)); }, py::arg("x"));
    m.def("pearson", [=](const Array& x, const Array& y) { return a::pearson(vector(x), vector(y)); }, py::arg("x"),
          py::arg("y"));
    m.def("spearman", [=](const Array& x, const Array& y) { return a::spearman(vector(x), vector(y)); }, py::arg("x"),
          py::arg("y"));
    m.def("fit_exponential", [=](const Array& x, const Array& y) { return a::fit_exponential(vector(x), vector(y)); },
          py::arg("x"), py::arg("y"));
    m.def("mean_ci95", [=](const Array& values) { return a::mean_ci95(vector(values)); }, py::arg("values"));
}

}  // namespace metabosim::python
