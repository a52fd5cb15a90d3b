// Running a model from Python: the strategy, the progress reported between epochs, runs with the
// GIL released that Ctrl-C stops between two epochs (interrupt.hpp) leaving the simulation usable,
// the results so far, and checkpoints.
#include <algorithm>
#include <cmath>
#include <optional>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "interrupt.hpp"
#include "metabosim/model/error.hpp"
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

void check_interval(double interval) {
    if (!(std::isfinite(interval) && interval > 0))
        throw py::value_error("interval = " + py::str(py::float_(interval)).cast<std::string>() +
                              ": expected a positive number of seconds");
}

// Runs `sim` up to `until` (ms) without the GIL; Ctrl-C or an exception from `progress` stops it
// at the next boundary (RunProgress) and is raised here. Returns the results when `want_results`
// (or the progress callback needs their counters for its last report).
std::optional<Results> advance(Simulation& sim, double until, py::object progress, double interval,
                               bool want_results) {
    check_interval(interval);
    RunProgress report(sim, std::move(progress), interval);
    const std::function<void(const Progress&)> callback = std::ref(report);
    {
        py::gil_scoped_release release;
        sim.run_until(until, callback, std::min(interval, signal_check_interval));
    }
    report.rethrow();
    if (!want_results && !report.reporting()) return std::nullopt;
    Results results;
    {
        py::gil_scoped_release release;
        results = sim.results();
    }
    report.finish({results.recorded_span(), results.duration, results.counters.wall_seconds,
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
        .def_property_readonly("time", &Simulation::time)
        .def_property_readonly("finished", &Simulation::finished)
        .def("run_until",
             [](Simulation& sim, double until, py::object progress, double interval) {
                 if (std::isnan(until) || until < 0)
                     throw UserError("until = " + py::str(py::float_(until)).cast<std::string>() +
                                     " ms: expected a time from 0 on");
                 advance(sim, until, std::move(progress), interval, false);
             },
             py::arg("until"), py::arg("progress") = py::none(), py::arg("interval") = 1.0)
        .def("run",
             [](Simulation& sim, py::object progress, double interval) {
                 return *advance(sim, sim.model().duration, std::move(progress), interval, true);
             },
             py::arg("progress") = py::none(), py::arg("interval") = 1.0)
        .def("results", &Simulation::results, py::call_guard<py::gil_scoped_release>())
        .def("save", &Simulation::save, py::arg("file"), py::call_guard<py::gil_scoped_release>())
        .def_static("load", &Simulation::load, py::arg("file"), py::arg("threads") = py::none(),
                    py::call_guard<py::gil_scoped_release>());
}

}  // namespace metabosim::python
