// `metabosim experiment`: the paper's findings, measured and reported.
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/experiments/findings.hpp"
#include "metabosim/experiments/findings_output.hpp"
#include "progress_display.hpp"

namespace metabosim::cli {
namespace {

struct ExperimentOptions {
    std::string name = "all", config, engine;
    std::optional<double> dt;  // ms
    experiments::Settings settings;
    bool full = false;
    bool figures = true;
    ProgressOptions progress;
};

int run_experiment(ExperimentOptions& o, const CLI::App& options) {
    experiments::Settings& s = o.settings;
    if (o.full) s.neurons = 5000, s.duration = 10000;
    if (options.count("--engine") || o.dt) s.strategy = strategy_from(options.count("--engine") ? o.engine : "clock", o.dt);
    ProgressDisplay display(o.progress);
    s.progress = display.lines();
    const auto& say = s.progress;
    if (o.figures) warn_if_no_report_python(say);
    const Model base = o.config.empty() ? microcircuit(37, s.duration) : load_model(o.config, {}, std::nullopt);
    const experiments::Findings findings = experiments::measure_findings(o.name, base, s);
    const auto json = s.output / "findings.json";
    experiments::write_findings_json(findings, json);
    say(fmt::format("numbers in {}", json.string()));
    for (const auto& [name, verdict] : findings.verdicts()) say(fmt::format("  {:<12} {}", name, verdict));
    if (!o.figures) return 0;
    const processes::ScriptRun report = experiments::make_findings_report(s.output);
    if (!report.succeeded()) {
        say("the figures and report.md could not be made: " + report.failure());
        return 1;
    }
    say(fmt::format("report: {}", (s.output / "report.md").string()));
    return 0;
}

}  // namespace

Command add_experiment(CLI::App& app, const std::string& command_line) {
    auto o = std::make_shared<ExperimentOptions>();
    experiments::Settings& s = o->settings;
    s.command = command_line;
    auto* experiment = app.add_subcommand(
        "experiment", "Reproduce the paper's findings on the microcircuit and report each beside its claim:\n"
                      "bifurcation, stdp-window, degradation, topology, robustness, energy-loop, or all;\n"
                      "examinations (measures, no verdict; also run by all): synchrony, energy-map.\n"
                      "Writes findings.json, figures, report.md and the runs' outputs. See docs/findings.md.");
    experiment->footer(
        "Examinations (numbers, no verdict; docs/findings.md, \"Examinations\"):\n"
        "  synchrony   the three states again (first 3 seeds) with V of every E cell every 1 ms:\n"
        "              finding 4's chi (its 100 cells, largest over 500 ms windows) beside chi of every\n"
        "              E cell and of disjoint random samples of 25, 50, ... cells; chi against the window\n"
        "              (50 ms .. the run) and the V sampling interval (1-10 ms); the mean pairwise\n"
        "              Pearson r of E spike counts in 5/20/100 ms bins; the spectrum of the E rate\n"
        "              (1 ms bins, Welch 1 s): peak frequency and power by band. chi is 1 for identical\n"
        "              cells, about 1/sqrt(N) for N independent ones.\n"
        "  energy-map  the energy loop (hyper start; ATP below 30 % -> hypo, above 70 % -> hyper) with\n"
        "              the supply x 0.5, 1, 2, 4, 8 and the spike and release costs x 0.25 .. 4: 25 runs,\n"
        "              first seed, at most 1000 neurons and 6 s. Per point: E's regime (holds: no switch,\n"
        "              locks: one, regulates: two or more), the one the pool's balance predicts (for ever\n"
        "              and within the run), r* (the rate the supply affords) in hypo and hyper, the\n"
        "              seconds to drain and refill between the thresholds.\n"
        "  --neurons, --duration, --seeds, --engine, --dt and --threads apply to both (synchrony uses the\n"
        "  first 3 seeds, energy-map the first, at most 1000 neurons and twice --duration up to 6 s).\n"
        "  Both write findings.json (\"synchrony\", \"energy-map\"), a section of report.md and\n"
        "  synchrony.png / energy_map.png.");
    experiment->add_option("name", o->name, "which experiment")
        ->check(CLI::IsMember({"bifurcation", "stdp-window", "degradation", "topology", "robustness", "energy-loop",
                                  "synchrony", "energy-map", "all"}))
        ->capture_default_str();
    experiment->add_option("--config", o->config, std::string(config_help) + " to use instead of the built-in "
                                                  "microcircuit (needs populations E and I and a plastic projection EE)")
        ->transform(config_file());
    experiment->add_option("-o,--output", s.output, "directory for the results")->capture_default_str();
    experiment->add_option("--neurons", s.neurons, "network size (E:I = 4:1 as configured; inputs per neuron kept)")
        ->check(CLI::Range(10u, 100'000'000u))
        ->capture_default_str();
    add_time_option(experiment, "--duration", s.duration, "each network run");
    experiment->add_option("--seeds", s.seeds, "seeds (robustness needs >= 10)")->delimiter(',')->capture_default_str();
    experiment->add_option("--threads", s.threads, "runs in parallel")->check(CLI::Range(1u, 256u))->capture_default_str();
    experiment->add_option("--engine", o->engine, "network runs: clock (default, dt 0.1 ms, as Brian2) or event (exact; "
                                                  "the default set takes about 2x as long, docs/results.md)")
        ->check(CLI::IsMember({"event", "clock"}));
    add_time_option(experiment, "--dt", o->dt, "clock-driven step (default 0.1 ms)");
    experiment->add_flag("--full", o->full, "the paper's size: 5000 neurons, 10 s runs (about 46x the default's work, "
                                                "most of it in the hyper runs; with --engine event about 3 hours on 2 "
                                                "cores; docs/results.md)");
    experiment->add_flag("!--no-sensitivity", s.sensitivity, "skip the +-20 % Q10 sensitivity runs");
    experiment->add_flag("!--no-figures", o->figures, "findings.json only");
    add_python_option(experiment);
    add_progress_options(experiment, o->progress);
    return {experiment, [o, experiment] { return run_experiment(*o, *experiment); }};
}

}  // namespace metabosim::cli
