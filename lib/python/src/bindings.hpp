// The parts of the extension module metabosim._core, each binding one part of the library.
#pragma once

#include <pybind11/pybind11.h>

namespace metabosim::python {

namespace py = pybind11;

void bind_model(py::module_& m);        // model.cpp
void bind_results(py::module_& m);      // results.cpp
void bind_simulation(py::module_& m);   // simulation.cpp
void bind_analysis(py::module_& m);     // analysis.cpp, into metabosim._core.analysis
void bind_experiments(py::module_& m);  // experiments.cpp, into metabosim._core.experiments

}  // namespace metabosim::python
