// The experiments, the comparison and the bench from Python, interruptible by Ctrl-C: each runs
// as the command line runs it and writes its JSON (findings.json, compare.json, bench.json),
// which metabosim.experiments reads back as data; the STDP window comes back as arrays.
#include <filesystem>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "interrupt.hpp"
#include "metabosim/bench/bench.hpp"
#include "metabosim/bench/bench_output.hpp"
#include "metabosim/compare/compare.hpp"
#include "metabosim/compare/compare_output.hpp"
#include "metabosim/experiments/findings.hpp"
#include "metabosim/experiments/findings_output.hpp"
#include "metabosim/experiments/stdp_window.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim::python {
namespace {

namespace fs = std::filesystem;

// A report script run (without the GIL: it takes a while): whether it succeeded, its log and the
// log's end.
template <class Make>
py::dict script_run(Make make) {
    processes::ScriptRun run;
    {
        py::gil_scoped_release release;
        run = make();
    }
    py::dict out;
    out["succeeded"] = run.succeeded();
    out["script"] = run.script.string();
    out["log"] = run.log.string();
    out["log_tail"] = run.succeeded() ? std::string() : processes::tail_of(run.log);
    return out;
}

void findings(const std::string& name, const Model& base, experiments::Settings settings, py::object progress) {
    Interruptible call(std::move(progress));
    settings.progress = call.lines();
    call.run<int>([&] {
        const auto found = experiments::measure_findings(name, base, settings);
        experiments::write_findings_json(found, settings.output / "findings.json");
        return 0;
    });
}

void comparison(const Model& model, const std::string& config_name, compare::Settings settings,
                py::object progress) {
    Interruptible call(std::move(progress));
    settings.progress = call.lines();
    call.run<int>([&] {
        const auto c = compare::run_comparison(model, config_name, settings);
        compare::write_compare_json(c, settings.output / "compare.json");
        return 0;
    });
}

std::string benchmark(bench::Settings settings, bool figure, py::object progress) {
    Interruptible call(std::move(progress));
    settings.progress = call.lines();
    return call.run<std::string>([&] {
        const auto b = bench::run_bench(settings);
        bench::write_bench_json(b, settings.output / "bench.json");
        const bool with_figure = figure && bench::make_scaling_figure(settings.output).succeeded() &&
                                 fs::exists(settings.output / "scaling.png");
        bench::write_bench_markdown(b, with_figure, settings.output / "bench.md");
        return bench::bench_markdown(b, with_figure);
    });
}

py::dict window(const Model& model, const std::string& population, const std::string& projection,
                double temperature, const experiments::WindowProtocol& protocol) {
    const Population& cells = model.population(population);
    const Projection* plastic = nullptr;
    for (const auto& p : model.projections)
        if (p.name == projection) plastic = &p;
    if (!plastic) throw UserError("no projection \"" + projection + "\" in the model");
    experiments::StdpWindow w;
    {
        py::gil_scoped_release release;
        w = experiments::measure_stdp_window(cells, *plastic, temperature, protocol);
    }
    std::vector<double> target, realised, dw, latency;
    py::array_t<bool> clipped(static_cast<py::ssize_t>(w.points.size()));
    for (std::size_t k = 0; k < w.points.size(); ++k) {
        const auto& p = w.points[k];
        target.push_back(p.target_dt), realised.push_back(p.realised_dt), dw.push_back(p.dw_per_pairing);
        latency.push_back(p.latency), clipped.mutable_at(k) = p.clipped;
    }
    py::dict out;
    out["temperature"] = w.temperature;
    out["target_dt"] = py::array_t<double>(target.size(), target.data());
    out["realised_dt"] = py::array_t<double>(realised.size(), realised.data());
    out["dw_per_pairing"] = py::array_t<double>(dw.size(), dw.data());
    out["latency"] = py::array_t<double>(latency.size(), latency.data());
    out["clipped"] = clipped;
    out["ltp"] = w.ltp;
    out["ltd"] = w.ltd;
    out["peak_dw"] = w.peak_dw;
    return out;
}

}  // namespace

void bind_experiments(py::module_& m) {
    py::class_<experiments::Settings>(m, "FindingsSettings")
        .def(py::init<>())
        .def_readwrite("output", &experiments::Settings::output)
        .def_readwrite("neurons", &experiments::Settings::neurons)
        .def_readwrite("duration", &experiments::Settings::duration)
        .def_readwrite("seeds", &experiments::Settings::seeds)
        .def_readwrite("hypo", &experiments::Settings::hypo)
        .def_readwrite("normo", &experiments::Settings::normo)
        .def_readwrite("hyper", &experiments::Settings::hyper)
        .def_readwrite("sweep", &experiments::Settings::sweep)
        .def_readwrite("strategy", &experiments::Settings::strategy)
        .def_readwrite("threads", &experiments::Settings::threads)
        .def_readwrite("sensitivity", &experiments::Settings::sensitivity)
        .def_readwrite("command", &experiments::Settings::command);
    py::class_<compare::Settings>(m, "CompareSettings")
        .def(py::init<>())
        .def_readwrite("output", &compare::Settings::output)
        .def_readwrite("seeds", &compare::Settings::seeds)
        .def_readwrite("dts", &compare::Settings::dts)
        .def_readwrite("brian2_dts", &compare::Settings::brian2_dts)
        .def_readwrite("convergence_dts", &compare::Settings::convergence_dts)
        .def_readwrite("brian2", &compare::Settings::brian2)
        .def_readwrite("brian2_device", &compare::Settings::brian2_device)
        .def_readwrite("brian2_codegen", &compare::Settings::brian2_codegen);
    py::class_<bench::Settings>(m, "BenchSettings")
        .def(py::init<>())
        .def_readwrite("output", &bench::Settings::output)
        .def_readwrite("quick", &bench::Settings::quick)
        .def_readwrite("brian2", &bench::Settings::brian2)
        .def_readwrite("repeat", &bench::Settings::repeat);
    py::class_<experiments::WindowProtocol>(m, "WindowProtocol")
        .def(py::init<>())
        .def_readwrite("offsets", &experiments::WindowProtocol::offsets)
        .def_readwrite("pairings", &experiments::WindowProtocol::pairings)
        .def_readwrite("rate", &experiments::WindowProtocol::rate)
        .def_readwrite("strategy", &experiments::WindowProtocol::strategy);

    m.def("experiment_names", &experiments::experiment_names);
    m.def("measure_findings", &findings, py::arg("name"), py::arg("model"), py::arg("settings"), py::arg("progress"));
    m.def("make_findings_report", [](const fs::path& directory) {
        return script_run([&] { return experiments::make_findings_report(directory); });
    });
    m.def("run_comparison", &comparison, py::arg("model"), py::arg("config_name"), py::arg("settings"),
          py::arg("progress"));
    m.def("make_compare_report", [](const fs::path& directory) {
        return script_run([&] { return compare::make_compare_report(directory); });
    });
    m.def("run_bench", &benchmark, py::arg("settings"), py::arg("figure"), py::arg("progress"));
    m.def("measure_stdp_window", &window, py::arg("model"), py::arg("population"), py::arg("projection"),
          py::arg("temperature"), py::arg("protocol"));
}

}  // namespace metabosim::python
