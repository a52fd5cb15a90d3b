// Running a model from Python: the strategy, the progress reported between epochs, and a run
// with the GIL released that Ctrl-C stops between two epochs (interrupt.hpp).
#include <algorithm>
#include <cmath>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "interrupt.hpp"
#include "metabosim/simulation.hpp"

namespace metabosim::python {
namespace {

const char* kind_name(Strategy::Kind kind) {
    switch (kind) {
        case Strategy::Kind::event_driven: return "event";
        case Strategy::Kind::clock_driven: return "clock";
        case Strategy::Kind::event_queue: return "queue";
    }
    return "";
}

Results run(Simulation& sim, py::object progress, double interval) {
    if (!(std::isfinite(interval) && interval > 0))
        throw py::value_error("interval = " + py::str(py::float_(interval)).cast<std::string>() +
                              ": expected a positive number of seconds");
    RunProgress report(std::move(progress), interval);
    const std::function<void(const Progress&)> callback = std::ref(report);
    Results results;
    {
        py::gil_scoped_release release;
        results = sim.run(callback, std::min(interval, signal_check_interval));
    }
    report.finish({results.duration, results.duration, results.counters.wall_seconds,
                   results.counters.total_events()});
    return results;
}

}  // namespace

void bind_simulation(py::module_& m) {
    py::class_<Strategy>(m, "Strategy", "How a model is run: event-driven (exact), clock-driven, or the event queue.")
        .def_static("event_driven", &Strategy::event_driven, py::arg("threads") = 1)
        .def_static("clock_driven", &Strategy::clock_driven, py::arg("dt"))
        .def_static("event_queue", &Strategy::event_queue)
        .def_property_readonly("engine", [](const Strategy& s) { return kind_name(s.kind); })
        .def_readonly("dt", &Strategy::dt)
        .def_readonly("threads", &Strategy::threads)
        .def("__repr__", [](const Strategy& s) {
            if (s.kind == Strategy::Kind::clock_driven) return "Strategy(clock, dt=" + std::to_string(s.dt) + " ms)";
            if (s.kind == Strategy::Kind::event_queue) return std::string("Strategy(queue)");
            return "Strategy(event, threads=" + std::to_string(s.threads) + ")";
        });

    py::class_<Progress>(m, "Progress", "How far a run has got: simulated and duration in ms, wall time in s.")
        .def_readonly("simulated", &Progress::simulated)
        .def_readonly("duration", &Progress::duration)
        .def_readonly("wall_seconds", &Progress::wall_seconds)
        .def_readonly("events", &Progress::events)
        .def("__repr__", [](const Progress& p) {
            return "Progress(" + std::to_string(p.simulated) + " of " + std::to_string(p.duration) + " ms, " +
                   std::to_string(p.wall_seconds) + " s)";
        });

    // Building the network can take a while too: without the GIL, other Python threads go on.
    py::class_<Simulation>(m, "Simulation")
        .def(py::init<Model, Strategy>(), py::arg("model"), py::arg("strategy"),
             py::call_guard<py::gil_scoped_release>())
        .def_property_readonly("model", [](const Simulation& s) { return Model(s.model()); })
        .def_property_readonly("synapse_count", [](const Simulation& s) { return s.network().synapse_count(); })
        .def("run", &run, py::arg("progress") = py::none(), py::arg("interval") = 1.0);
}

}  // namespace metabosim::python
