#include "bench.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metabosim/brian2_export.hpp"
#include "metabosim/error.hpp"
#include "metabosim/output.hpp"
#include "metabosim/simulation.hpp"
#include "processes.hpp"

namespace metabosim::app {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct Workload {
    std::string name;
    Model model;
    bool brian2_fine = false;  // also Brian2 at dt = 0.01 ms
};

// COBA's network with `synapses_per_neuron` expected inputs (4:1 E:I) and `neurons` cells.
Model scaling(std::uint32_t neurons, double synapses_per_neuron, double duration) {
    Model m = resize(coba(duration), neurons);
    for (Projection& p : m.projections) p.connectivity.p = std::min(1.0, synapses_per_neuron / neurons);
    return m;
}

std::vector<Workload> workloads(bool quick) {
    const double short_run = quick ? 500 : 1000;
    Model plain = microcircuit(37, short_run);
    for (Projection& p : plain.projections) p.stdp.reset();
    plain.recording.weights.clear();
    std::vector<Workload> w = {
        {"COBA, 1 s", coba(1000), true},
        {"microcircuit 37 degC, STDP", microcircuit(37, short_run), true},
        {"microcircuit 37 degC, no STDP", plain, false},
        {"microcircuit 41 degC, STDP", microcircuit(41, short_run), false},
    };
    if (!quick) w.insert(w.begin() + 1, {"COBA, 10 s", coba(10000), false});
    for (Workload& x : w) x.model.recording.states.clear();
    const std::vector<std::uint32_t> sizes = quick ? std::vector<std::uint32_t>{1000, 4000, 16000}
                                                   : std::vector<std::uint32_t>{1000, 4000, 16000, 64000};
    for (std::uint32_t n : sizes)
        w.push_back({fmt::format("scaling N = {}, K = 100", n), scaling(n, 100, 200), false});
    for (std::uint32_t n : {1000u, 4000u}) w.push_back({fmt::format("scaling N = {}, K = 1000", n), scaling(n, 1000, 200), false});
    return w;
}

// Runs `work` in a forked child, so that the memory it takes is neither counted in nor left to
// the runs after it; returns whether it succeeded and the child's peak resident memory (bytes).
std::pair<bool, double> in_child(const std::function<void()>& work) {
    const pid_t pid = fork();
    if (pid < 0) throw UserError("bench: fork failed");
    if (pid == 0) {
        int status = 1;
        try {
            work();
            status = 0;
        } catch (...) {
        }
        _exit(status);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    return {WIFEXITED(status) && WEXITSTATUS(status) == 0, static_cast<double>(usage.ru_maxrss) * 1024};  // kB on Linux
}

// One metabosim run: its wall time, counts and peak resident memory.
Json run_metabosim(const Model& model, Strategy strategy, const fs::path& result) {
    const auto [ok, peak] = in_child([&] {
        const Results r = Simulation(model, strategy).run();
        std::uint64_t spikes = 0;
        for (const auto& s : r.spikes) spikes += s.times.size();
        std::ofstream(result) << Json{{"wall_seconds", r.counters.wall_seconds},
                                      {"synapses", r.synapse_count},
                                      {"spikes", spikes},
                                      {"synaptic_events", r.counters.events[static_cast<std::size_t>(EventKind::spike_arrival)]}}
                                     .dump();
    });
    if (!ok) return nullptr;
    std::ifstream in(result);
    Json out = Json::parse(in);
    out["peak_rss_bytes"] = peak;
    return out;
}

}  // namespace

int bench(const BenchOptions& o) {
    check_output_directory(o.output);
    const auto say = [&](const std::string& text) {
        if (!o.quiet) fmt::print(stderr, "{}\n", text);
    };
    fs::create_directories(o.output / "logs");
    const bool brian2 = o.brian2 && run_process({python, "-c", "import brian2, h5py"}, o.output / "logs" / "brian2-check.log") == 0;
    if (o.brian2 && !brian2) say("  Brian2 not run: `python3 -c 'import brian2, h5py'` failed");
    // The memory of a process that simulates nothing: subtracted before dividing by synapses.
    Model empty = coba(1);
    empty.populations.resize(1);
    empty.populations[0].size = 1;
    empty.projections.clear();
    const double baseline = run_metabosim(empty, Strategy::event_driven(), o.output / "baseline.json")["peak_rss_bytes"];

    Json rows = Json::array();
    for (const Workload& w : workloads(o.quick)) {
        const fs::path dir = o.output / "runs" / fmt::format("{:02d}", rows.size());
        fs::create_directories(dir);
        Json row = {{"workload", w.name}, {"neurons", w.model.neuron_count()}, {"duration_ms", w.model.duration}};
        const auto metabosim = [&](const std::string& label, Strategy s) {
            say(fmt::format("{}: metabosim {}", w.name, label));
            row[label] = run_metabosim(w.model, s, dir / (label + ".json"));
        };
        metabosim("event", Strategy::event_driven());
        metabosim("clock 0.1", Strategy::clock_driven(0.1));
        if (brian2) {
            in_child([&] { export_brian2(w.model, dir / "export"); });
            for (double dt : w.brian2_fine ? std::vector<double>{0.1, 0.01} : std::vector<double>{0.1}) {
                const std::string label = fmt::format("brian2 {:g}", dt);
                say(fmt::format("{}: Brian2 C++ standalone, dt = {:g} ms", w.name, dt));
                const fs::path out = dir / label;
                const int status = run_process({python, (dir / "export" / "run_brian2.py").string(), "--device", "cpp_standalone",
                                                "--standalone-dir", (o.output / "brian2-build").string(), "--dt",
                                                fmt::format("{:g}", dt), "-o", out.string()},
                                               o.output / "logs" / fmt::format("{:02d}-{}.log", rows.size(), dt));
                if (status != 0) {
                    row[label] = nullptr;
                    continue;
                }
                std::ifstream in(out / "summary.json");
                const Json summary = Json::parse(in);
                row[label] = summary["brian2"];
            }
            fs::remove_all(dir / "export");  // large, and rebuilt from the seed at will
        }
        rows.push_back(row);
    }

    // The table: times as ratios to Brian2 at 0.1 ms in the same invocation.
    const auto seconds = [](const Json& r, const char* key) {
        return r.is_object() && r.contains(key) && r[key].is_number() ? r[key].get<double>() : NAN;
    };
    std::string md = fmt::format(
        "| workload | neurons | synapses | metabosim event (s) | clock 0.1 (s) | Brian2 0.1 run (s) | Brian2 0.01 run "
        "(s) | event / Brian2 0.1 | event / Brian2 0.01 | event M syn. events/s | event B/synapse | clock B/synapse |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const Json& row : rows) {
        const Json& ev = row["event"];
        const double event = seconds(ev, "wall_seconds"), clock = seconds(row["clock 0.1"], "wall_seconds");
        const double b1 = row.contains("brian2 0.1") ? seconds(row["brian2 0.1"], "run_seconds") : NAN;
        const double b2 = row.contains("brian2 0.01") ? seconds(row["brian2 0.01"], "run_seconds") : NAN;
        const double synapses = seconds(ev, "synapses");
        const auto bytes = [&](const Json& r) { return (seconds(r, "peak_rss_bytes") - baseline) / synapses; };
        const auto num = [](double x, const char* f) { return std::isfinite(x) ? fmt::format(fmt::runtime(f), x) : std::string("—"); };
        md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", row["workload"].get<std::string>(),
                          row["neurons"].get<std::uint64_t>(), num(synapses, "{:.0f}"), num(event, "{:.2f}"),
                          num(clock, "{:.2f}"), num(b1, "{:.2f}"), num(b2, "{:.2f}"), num(event / b1, "{:.2f}"),
                          num(event / b2, "{:.2f}"), num(seconds(ev, "synaptic_events") / event / 1e6, "{:.2f}"),
                          num(bytes(ev), "{:.1f}"), num(bytes(row["clock 0.1"]), "{:.1f}"));
    }
    std::ofstream(o.output / "bench.json") << Json{{"baseline_rss_bytes", baseline}, {"rows", rows}}.dump(1) << '\n';
    std::ofstream(o.output / "bench.md") << md;
    fmt::print("{}", md);
    return 0;
}

}  // namespace metabosim::app
