// metabosim._core: thin bindings of the library; the package metabosim (lib/python/metabosim)
// builds the Python API on them. The library's errors become Python exceptions with its
// messages: UserError (bad input) a ValueError, InternalError (a bug) a RuntimeError.
#include "bindings.hpp"
#include "metabosim/model/error.hpp"

PYBIND11_MODULE(_core, m) {
    namespace py = pybind11;
    using namespace metabosim::python;
    m.doc() = "metabosim's C++ library; use the package metabosim";
    m.attr("__version__") = METABOSIM_VERSION;
    py::register_exception<metabosim::UserError>(m, "UserError", PyExc_ValueError);
    py::register_exception<metabosim::InternalError>(m, "InternalError", PyExc_RuntimeError);
    bind_model(m);
    bind_results(m);
    bind_simulation(m);
    auto analysis = m.def_submodule("analysis", "Measures of spiking activity on arrays");
    bind_analysis(analysis);
    auto experiments = m.def_submodule("experiments", "The findings, the comparison and the bench");
    bind_experiments(experiments);
}
