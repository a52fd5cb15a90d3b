#include "bench.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metabosim/brian2/export.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/recording/output.hpp"
#include "metabosim/engine/simulation.hpp"
#include "processes.hpp"

namespace metabosim::app {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct Workload {
    std::string name;
    Model model;
    bool brian2_fine = false;  // also Brian2 at dt = 0.01 ms
    double synapses_per_neuron = 0;  // scaling series only: its K
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
    // The scaling series (200 ms each): N from 1,000 to 100,000 at K = 100 and to 16,000 at
    // K = 1000 synapses per neuron, so that time and memory can be read against synapses x rate.
    const auto series = [&](double k, const std::vector<std::uint32_t>& sizes) {
        for (std::uint32_t n : sizes)
            w.push_back({fmt::format("scaling N = {}, K = {:g}", n, k), scaling(n, k, 200), false, k});
    };
    if (quick) {
        series(100, {1000, 4000, 16000});
        series(1000, {1000, 4000});
    } else {
        series(100, {1000, 4000, 16000, 64000, 100000});
        series(1000, {1000, 4000, 16000});
    }
    for (Workload& x : w) x.model.recording.states.clear();
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

// Bytes allocated per synapse over all projections and over the plastic ones: the network's
// arrays (row pointers, targets, weights and delays where not shared, the reverse index of
// plastic projections) plus the presynaptic STDP trace both engines keep per plastic synapse
// (one double, engine_core.hpp).
Json synapse_storage(const Network& network) {
    double all = 0, plastic = 0;
    std::uint64_t plastic_synapses = 0;
    for (const Synapses& s : network.projections) {
        const auto bytes = [](const auto& v) { return static_cast<double>(v.capacity() * sizeof(v[0])); };
        double b = bytes(s.row_begin) + bytes(s.target) + bytes(s.weight.each) + bytes(s.delay.each) +
                   bytes(s.incoming_begin) + bytes(s.incoming);
        if (s.stdp) b += static_cast<double>(s.size() * sizeof(double));
        all += b;
        if (s.stdp) plastic += b, plastic_synapses += s.size();
    }
    return {{"synapse_storage_bytes", all}, {"plastic_synapse_storage_bytes", plastic}, {"plastic_synapses", plastic_synapses}};
}

// One metabosim run: its wall time, counts and peak resident memory.
Json run_metabosim(const Model& model, Strategy strategy, const fs::path& result) {
    const auto [ok, peak] = in_child([&] {
        Simulation sim(model, strategy);
        const Results r = sim.run();
        std::uint64_t spikes = 0;
        for (const auto& s : r.spikes) spikes += s.times.size();
        Json out = {{"wall_seconds", r.counters.wall_seconds},
                    {"synapses", r.synapse_count},
                    {"spikes", spikes},
                    {"mean_rate_Hz", r.duration > 0 ? spikes / (model.neuron_count() * r.duration / 1000) : 0.0},
                    {"synaptic_events", r.counters.events[static_cast<std::size_t>(EventKind::spike_arrival)]}};
        out.update(synapse_storage(sim.network()));
        std::ofstream(result) << out.dump();
    });
    if (!ok) return nullptr;
    std::ifstream in(result);
    Json out = Json::parse(in);
    out["peak_rss_bytes"] = peak;
    return out;
}

// Brian2's C++ standalone mode on an exported model: its summary's "brian2" object plus the
// spike count and mean rate, or null if the run failed.
Json run_brian2(const fs::path& exported, const fs::path& build, double dt, const fs::path& out, const fs::path& log) {
    const int status = run_process({python, (exported / "run_brian2.py").string(), "--device", "cpp_standalone",
                                    "--standalone-dir", build.string(), "--dt", fmt::format("{:g}", dt), "-o", out.string()},
                                   log);
    if (status != 0) return nullptr;
    std::ifstream in(out / "summary.json");
    const Json summary = Json::parse(in);
    Json b = summary["brian2"];
    std::uint64_t spikes = 0;
    for (const auto& [name, p] : summary["populations"].items()) spikes += p["spikes"].get<std::uint64_t>();
    b["spikes"] = spikes;
    const double neurons = summary["neurons"].get<double>(), duration = summary["duration_ms"].get<double>();
    b["mean_rate_Hz"] = neurons > 0 && duration > 0 ? spikes / (neurons * duration / 1000) : 0.0;
    return b;
}

// The machine and the build, for the top of the table.
Json machine() {
    std::string cpu = "unknown";
    std::ifstream info("/proc/cpuinfo");
    for (std::string line; std::getline(info, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
            cpu = line.substr(line.find(':') + 1);
            cpu.erase(0, cpu.find_first_not_of(' '));
            break;
        }
#if defined(__clang__)
    const std::string compiler = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    const std::string compiler = std::string("GCC ") + __VERSION__;
#else
    const std::string compiler = "unknown";
#endif
#if defined(__OPTIMIZE__)
    const bool optimized = true;
#else
    const bool optimized = false;
#endif
    return {{"cpu", cpu},
            {"cores", std::thread::hardware_concurrency()},
            {"compiler", compiler},
            {"optimized", optimized},
            {"metabosim_version", METABOSIM_VERSION}};
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
    // The same for Brian2: its program on the empty model (one neuron, no synapses).
    Json brian2_baseline = nullptr;
    if (brian2) {
        say("baseline: Brian2 C++ standalone on one neuron without synapses");
        const fs::path dir = o.output / "runs" / "baseline";
        fs::create_directories(dir);
        in_child([&] { export_brian2(empty, dir / "export"); });
        brian2_baseline = run_brian2(dir / "export", o.output / "brian2-build", 0.1, dir / "brian2 0.1",
                                     o.output / "logs" / "baseline-0.1.log");
        fs::remove_all(dir / "export");
    }
    const double brian2_baseline_bytes =
        brian2_baseline.is_object() && brian2_baseline["peak_rss_bytes"].is_number() ? brian2_baseline["peak_rss_bytes"].get<double>()
                                                                                     : NAN;

    Json rows = Json::array();
    for (const Workload& w : workloads(o.quick)) {
        const fs::path dir = o.output / "runs" / fmt::format("{:02d}", rows.size());
        fs::create_directories(dir);
        Json row = {{"workload", w.name}, {"neurons", w.model.neuron_count()}, {"duration_ms", w.model.duration}};
        if (w.synapses_per_neuron > 0) {
            row["series"] = fmt::format("K = {:g}", w.synapses_per_neuron);
            row["synapses_per_neuron"] = w.synapses_per_neuron;
        }
        const auto metabosim = [&](const std::string& label, Strategy s) {
            say(fmt::format("{}: metabosim {}", w.name, label));
            row[label] = run_metabosim(w.model, s, dir / (label + ".json"));
        };
        metabosim("event", Strategy::event_driven());
        metabosim("clock 0.1", Strategy::clock_driven(0.1));
        if (row["event"].is_object()) row["mean_rate_Hz"] = row["event"]["mean_rate_Hz"];
        if (brian2) {
            in_child([&] { export_brian2(w.model, dir / "export"); });
            for (double dt : w.brian2_fine ? std::vector<double>{0.1, 0.01} : std::vector<double>{0.1}) {
                const std::string label = fmt::format("brian2 {:g}", dt);
                say(fmt::format("{}: Brian2 C++ standalone, dt = {:g} ms", w.name, dt));
                row[label] = run_brian2(dir / "export", o.output / "brian2-build", dt, dir / label,
                                        o.output / "logs" / fmt::format("{:02d}-{}.log", rows.size(), dt));
            }
            fs::remove_all(dir / "export");  // large, and rebuilt from the seed at will
        }
        rows.push_back(row);
    }

    // The table: times as ratios to Brian2 at 0.1 ms in the same invocation.
    const auto value = [](const Json& r, const char* key) {
        return r.is_object() && r.contains(key) && r[key].is_number() ? r[key].get<double>() : NAN;
    };
    const auto num = [](double x, const char* f) { return std::isfinite(x) ? fmt::format(fmt::runtime(f), x) : std::string("—"); };
    const auto in_row = [](const Json& row, const char* label) { return row.contains(label) ? row[label] : Json(nullptr); };
    const Json info = machine();
    std::string brian2_version;
    for (const Json& row : rows)
        if (in_row(row, "brian2 0.1").is_object()) brian2_version = in_row(row, "brian2 0.1")["version"].get<std::string>();
    std::string md = fmt::format(
        "Machine: {} ({} cores); metabosim {} built with {}{}; {}.\n\n", info["cpu"].get<std::string>(),
        info["cores"].get<unsigned>(), info["metabosim_version"].get<std::string>(), info["compiler"].get<std::string>(),
        info["optimized"].get<bool>() ? "" : " (not optimized)",
        brian2_version.empty() ? "Brian2 not run" : "Brian2 " + brian2_version + " (C++ standalone, single-threaded)");
    md += "| workload | neurons | synapses | rate (Hz) | metabosim event (s) | clock 0.1 (s) | Brian2 0.1 run (s) | Brian2 0.01 run "
          "(s) | Brian2 0.1 build + compile (s) | event / Brian2 0.1 | event / Brian2 0.01 | event M syn. events/s | event "
          "B/synapse | clock B/synapse | Brian2 0.1 B/synapse |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (Json& row : rows) {
        const Json ev = row["event"];  // a copy: row gains a key below (ordered_json: a vector)
        const double event = value(ev, "wall_seconds"), clock = value(row["clock 0.1"], "wall_seconds");
        const double b1 = value(in_row(row, "brian2 0.1"), "run_seconds");
        const double b2 = value(in_row(row, "brian2 0.01"), "run_seconds");
        const double synapses = value(ev, "synapses");
        const auto bytes = [&](const Json& r, double base) { return (value(r, "peak_rss_bytes") - base) / synapses; };
        const double brian2_bytes = bytes(in_row(row, "brian2 0.1"), brian2_baseline_bytes);
        row["bytes_per_synapse"] = {{"event", bytes(ev, baseline)},
                                    {"clock 0.1", bytes(row["clock 0.1"], baseline)},
                                    {"brian2 0.1", brian2_bytes}};
        for (auto& [k, v] : row["bytes_per_synapse"].items())
            if (!std::isfinite(v.get<double>())) v = nullptr;
        // Brian2's building of the network in Python, code generation and compilation, apart from its run
        const Json& b1_run = in_row(row, "brian2 0.1");
        const double b1_compile = value(b1_run, "build_seconds") + value(b1_run, "compile_seconds");
        md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                          row["workload"].get<std::string>(), row["neurons"].get<std::uint64_t>(), num(synapses, "{:.0f}"),
                          num(value(ev, "mean_rate_Hz"), "{:.2f}"), num(event, "{:.2f}"), num(clock, "{:.2f}"),
                          num(b1, "{:.2f}"), num(b2, "{:.2f}"), num(b1_compile, "{:.1f}"), num(event / b1, "{:.2f}"),
                          num(event / b2, "{:.2f}"),
                          num(value(ev, "synaptic_events") / event / 1e6, "{:.2f}"), num(bytes(ev, baseline), "{:.1f}"),
                          num(bytes(row["clock 0.1"], baseline), "{:.1f}"), num(brian2_bytes, "{:.1f}"));
    }
    md += fmt::format(
        "\nRate: spikes / neurons / duration of the event-driven run. Times: wall-clock seconds of the simulation "
        "alone (metabosim: the run, network building excluded; Brian2: its compiled program; building the network in "
        "Python, generating and compiling the code in their own column). "
        "B/synapse: (peak resident memory - that of the same program on one neuron without synapses) / synapses; "
        "baselines {} MB (metabosim), {} MB (Brian2's program). Brian2's memory includes the exported input "
        "spikes (the Poisson drive, pre-drawn) and its monitors; metabosim's its recordings.\n",
        num(baseline / 1e6, "{:.1f}"), num(brian2_baseline_bytes / 1e6, "{:.1f}"));

    // Targets, each from the rows it concerns.
    const auto find = [&](const std::string& name) -> const Json* {
        for (const Json& row : rows)
            if (row["workload"] == name) return &row;
        return nullptr;
    };
    Json targets = Json::array();
    const auto target = [&](const std::string& what, double measured, const std::string& unit, const std::string& goal,
                            bool at_most, double bound, const std::string& note = "") {
        const bool known = std::isfinite(measured);
        const bool met = known && (at_most ? measured <= bound : measured >= bound);
        targets.push_back({{"target", what}, {"measured", known ? Json(measured) : Json(nullptr)}, {"goal", goal},
                           {"met", known ? Json(met) : Json(nullptr)}});
        md += fmt::format("- {}: {}target {} — {}{}\n", what, known ? fmt::format("{:.3g}{}, ", measured, unit) : "", goal,
                          known ? (met ? "met" : "missed") : "not measured", known && !note.empty() ? " (" + note + ")" : "");
    };
    md += "\nTargets:\n\n";
    if (const Json* coba1 = find("COBA, 1 s")) {
        const double event = value((*coba1)["event"], "wall_seconds");
        const double ratio1 = event / value(in_row(*coba1, "brian2 0.1"), "run_seconds");
        target("COBA 1 s, event-driven / Brian2 standalone dt 0.1", ratio1, "x", "<= 1.0x (aim 0.5x)", true, 1.0,
               std::isfinite(ratio1) ? (ratio1 <= 0.5 ? "aim 0.5x met" : "aim 0.5x missed") : "");
        target("COBA 1 s, event-driven / Brian2 standalone dt 0.01", event / value(in_row(*coba1, "brian2 0.01"), "run_seconds"),
               "x", "<= 0.1x", true, 0.1);
    }
    for (const Json& row : rows)
        if (row["workload"].get<std::string>().rfind("COBA", 0) == 0) {
            const Json& ev = row["event"];
            target(row["workload"].get<std::string>() + ", event-driven synaptic events/s",
                   value(ev, "synaptic_events") / value(ev, "wall_seconds") / 1e6, " M/s", ">= 30 M/s", false, 30);
        }
    const Json* stdp = find("microcircuit 37 degC, STDP");
    const Json* plain = find("microcircuit 37 degC, no STDP");
    if (stdp) {
        const Json& ev = (*stdp)["event"];
        target("microcircuit STDP, event-driven peak memory per synapse", (*stdp)["bytes_per_synapse"]["event"].is_number()
                                                                            ? (*stdp)["bytes_per_synapse"]["event"].get<double>()
                                                                            : NAN,
               " B", "<= 12 B per plastic synapse", true, 12, "whole process less the baseline: neurons, queues, recordings included");
        target("microcircuit STDP, synapse arrays per plastic synapse",
               value(ev, "plastic_synapse_storage_bytes") / value(ev, "plastic_synapses"), " B", "<= 12 B per plastic synapse",
               true, 12, "what the plastic projection stores: targets, weights, delays, row pointers, reverse index, presynaptic traces");
    }
    if (stdp && plain) {
        target("microcircuit 37 degC, event-driven STDP / no STDP wall time",
               value((*stdp)["event"], "wall_seconds") / value((*plain)["event"], "wall_seconds"), "x", "<= 2x", true, 2);
    }

    std::ofstream(o.output / "bench.json") << Json{{"machine", info},
                                                   {"brian2_version", brian2_version.empty() ? Json(nullptr) : Json(brian2_version)},
                                                   {"baseline_rss_bytes", baseline},
                                                   {"brian2_baseline_rss_bytes", std::isfinite(brian2_baseline_bytes)
                                                                                     ? Json(brian2_baseline_bytes)
                                                                                     : Json(nullptr)},
                                                   {"rows", rows},
                                                   {"targets", targets}}
                                                  .dump(1)
                                           << '\n';

    // The scaling figure; the table stands without it.
    const fs::path script = find_tool("bench_report.py");
    const fs::path log = o.output / "logs" / "report.log";
    if (run_process({python, script.string(), o.output.string()}, log) == 0 && fs::exists(o.output / "scaling.png")) {
        md += "\n![Scaling: wall time against synaptic events, peak memory against synapses](scaling.png)\n";
        say(fmt::format("figure: {}", (o.output / "scaling.png").string()));
    } else {
        say(fmt::format("  scaling.png skipped ({} with matplotlib needed); {} ends:\n{}", script.string(), log.string(),
                        tail_of(log, 4)));
    }
    std::ofstream(o.output / "bench.md") << md;
    fmt::print("{}", md);
    return 0;
}

}  // namespace metabosim::app
