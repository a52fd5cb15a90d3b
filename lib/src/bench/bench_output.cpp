#include "metabosim/bench/bench_output.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/run_json.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim::bench {
namespace {

namespace fs = std::filesystem;
// nlohmann writes NaN and infinities as null: what was not measured reads as missing.
using Json = nlohmann::ordered_json;

Json to_json(const Row& row) {
    Json out = {{"workload", row.workload}, {"neurons", row.neurons}, {"duration_ms", row.duration}};
    if (row.synapses_per_neuron > 0) {
        out["series"] = fmt::format("K = {:g}", row.synapses_per_neuron);
        out["synapses_per_neuron"] = row.synapses_per_neuron;
    }
    out["event"] = row.event ? to_json(*row.event) : Json(nullptr);
    if (row.event_2) out["event 2 threads"] = to_json(*row.event_2);
    out["clock 0.1"] = row.clock ? to_json(*row.clock) : Json(nullptr);
    if (row.event) out["mean_rate_Hz"] = row.event->mean_rate;
    for (const Brian2Attempt& a : row.brian2)
        out[fmt::format("brian2 {:g}", a.dt)] = a.run ? to_json(*a.run) : Json(nullptr);
    out["bytes_per_synapse"] = {{"event", row.bytes_per_synapse_event},
                                {"clock 0.1", row.bytes_per_synapse_clock},
                                {"brian2 0.1", row.bytes_per_synapse_brian2}};
    return out;
}

Json to_json(const Target& t) {
    const auto met = t.met();
    return {{"target", t.what}, {"measured", met ? Json(t.measured) : Json(nullptr)}, {"goal", t.goal},
            {"met", met ? Json(*met) : Json(nullptr)}};
}

std::string num(double x, const char* format) {
    return std::isfinite(x) ? fmt::format(fmt::runtime(format), x) : std::string("—");
}

std::string table_row(const Row& row) {
    const double event = row.event ? row.event->wall_seconds : NAN, clock = row.clock ? row.clock->wall_seconds : NAN;
    const double event_2 = row.event_2 ? row.event_2->wall_seconds : NAN;
    const Brian2Run *b1 = row.brian2_at(0.1), *b2 = row.brian2_at(0.01);
    const double b1_run = b1 ? b1->timing.run_seconds : NAN, b2_run = b2 ? b2->timing.run_seconds : NAN;
    // Brian2's building of the network in Python, code generation and compilation, apart from its run
    const double b1_compile = b1 ? b1->timing.build_seconds + b1->timing.compile_seconds : NAN;
    return fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", row.workload,
                       row.neurons, num(row.event ? static_cast<double>(row.event->synapses) : NAN, "{:.0f}"),
                       num(row.event ? row.event->mean_rate : NAN, "{:.2f}"), num(event, "{:.2f}"), num(event_2, "{:.2f}"),
                       num(clock, "{:.2f}"),
                       num(b1_run, "{:.2f}"), num(b2_run, "{:.2f}"), num(b1_compile, "{:.1f}"), num(event / b1_run, "{:.2f}"),
                       num(event / b2_run, "{:.2f}"),
                       num(row.event ? row.event->synaptic_events / event / 1e6 : NAN, "{:.2f}"),
                       num(row.bytes_per_synapse_event, "{:.1f}"), num(row.bytes_per_synapse_clock, "{:.1f}"),
                       num(row.bytes_per_synapse_brian2, "{:.1f}"));
}

// Where the event-driven engine's time goes, in ns per input (spike arrival or external input),
// for each run that timed its phases.
std::string phase_table(const std::vector<Row>& rows) {
    std::vector<std::string> phases;
    for (const Row& row : rows)
        if (row.event)
            for (const auto& [phase, ns] : row.event->phase_ns_per_input)
                if (std::find(phases.begin(), phases.end(), phase) == phases.end()) phases.push_back(phase);
    if (phases.empty()) return "";
    std::string md = "\nEvent-driven engine, ns per input by phase (summed over threads; an input is a spike arrival "
                     "or an external input):\n\n| workload | threads | inputs |";
    for (const std::string& p : phases) md += " " + p + " |";
    md += " total |\n|---|---|---|";
    for (std::size_t k = 0; k <= phases.size(); ++k) md += "---|";
    md += "\n";
    for (const Row& row : rows)
        for (const auto* run : {row.event ? &*row.event : nullptr, row.event_2 ? &*row.event_2 : nullptr}) {
            if (!run || run->phase_ns_per_input.empty()) continue;
            md += fmt::format("| {} | {} | {} |", row.workload, run->threads, run->inputs);
            double total = 0;
            for (const std::string& p : phases) {
                double ns = NAN;
                for (const auto& [phase, value] : run->phase_ns_per_input)
                    if (phase == p) ns = value;
                md += " " + num(ns, "{:.1f}") + " |";
                if (std::isfinite(ns)) total += ns;
            }
            md += " " + num(total, "{:.1f}") + " |\n";
        }
    return md;
}

std::string target_line(const Target& t) {
    const auto met = t.met();
    return fmt::format("- {}: {}target {} — {}{}\n", t.what, met ? fmt::format("{:.3g}{}, ", t.measured, t.unit) : "", t.goal,
                       met ? (*met ? "met" : "missed") : "not measured", met && !t.note.empty() ? " (" + t.note + ")" : "");
}

}  // namespace

void write_bench_json(const Bench& b, const fs::path& file) {
    Json rows = Json::array(), targets = Json::array();
    for (const Row& row : b.rows) rows.push_back(to_json(row));
    for (const Target& t : b.targets) targets.push_back(to_json(t));
    const Json machine = {{"cpu", b.machine.cpu},
                          {"cores", b.machine.cores},
                          {"compiler", b.machine.compiler},
                          {"optimized", b.machine.optimized},
                          {"metabosim_version", b.machine.metabosim_version}};
    const Json out = {{"machine", machine},
                      {"brian2_version", b.brian2_version.empty() ? Json(nullptr) : Json(b.brian2_version)},
                      {"repeat", b.repeat},
                      {"baseline_rss_bytes", b.baseline_rss_bytes},
                      {"brian2_baseline_rss_bytes", b.brian2_baseline_rss_bytes},
                      {"rows", rows},
                      {"targets", targets}};
    std::ofstream stream(file);
    stream << out.dump(1) << '\n';
    if (!stream) throw UserError(fmt::format("cannot write {}", file.string()));
}

processes::ScriptRun make_scaling_figure(const fs::path& directory) {
    return processes::run_tool("bench_report.py", {directory.string()}, directory / "logs" / "report.log");
}

std::string bench_markdown(const Bench& b, bool with_figure) {
    std::string md = fmt::format(
        "Machine: {} ({} cores); metabosim {} built with {}{}; {}.\n\n", b.machine.cpu, b.machine.cores,
        b.machine.metabosim_version, b.machine.compiler, b.machine.optimized ? "" : " (not optimized)",
        b.brian2_version.empty() ? "Brian2 not run" : "Brian2 " + b.brian2_version + " (C++ standalone, single-threaded)");
    md += "| workload | neurons | synapses | rate (Hz) | metabosim event (s) | event 2 threads (s) | clock 0.1 (s) | Brian2 0.1 run (s) | Brian2 0.01 run "
          "(s) | Brian2 0.1 build + compile (s) | event / Brian2 0.1 | event / Brian2 0.01 | event M syn. events/s | event "
          "B/synapse | clock B/synapse | Brian2 0.1 B/synapse |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const Row& row : b.rows) md += table_row(row);
    md += phase_table(b.rows);
    md += fmt::format(
        "\nRate: spikes / neurons / duration of the event-driven run. Times: wall-clock seconds of the simulation "
        "alone (metabosim: the run, network building excluded; Brian2: its compiled program; building the network in "
        "Python, generating and compiling the code in their own column){}. "
        "B/synapse: (peak resident memory - that of the same program on one neuron without synapses) / synapses; "
        "baselines {} MB (metabosim), {} MB (Brian2's program). Brian2's memory includes the exported input "
        "spikes (the Poisson drive, pre-drawn) and its monitors; metabosim's its recordings.\n",
        b.repeat > 1 ? fmt::format("; each the run of median time of {} runs, interleaved (every run's time in "
                                   "bench.json)", b.repeat)
                     : std::string(),
        num(b.baseline_rss_bytes / 1e6, "{:.1f}"), num(b.brian2_baseline_rss_bytes / 1e6, "{:.1f}"));
    md += "\nTargets:\n\n";
    for (const Target& t : b.targets) md += target_line(t);
    if (with_figure) md += "\n![Scaling: wall time against synaptic events, peak memory against synapses](scaling.png)\n";
    return md;
}

void write_bench_markdown(const Bench& b, bool with_figure, const fs::path& file) {
    std::ofstream stream(file);
    stream << bench_markdown(b, with_figure);
    if (!stream) throw UserError(fmt::format("cannot write {}", file.string()));
}

}  // namespace metabosim::bench
