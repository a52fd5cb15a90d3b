// metabosim: run, check and inspect metaboplastic spiking-network models from the command line.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench.hpp"
#include "compare.hpp"
#include "experiments/findings.hpp"
#include "metabosim/brian2/export.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/lowering/lowering.hpp"
#include "metabosim/recording/output.hpp"
#include "metabosim/simulation.hpp"
#include "metabosim/model/units.hpp"

using namespace metabosim;

namespace {

constexpr double default_duration = 2000;  // ms of the built-in microcircuit run

const char* const description = R"(metabosim - event-driven simulation of spiking networks whose neurons feel their metabolism.

Conductance-based LIF neurons are integrated exactly between events; spikes travel with axonal
delays; STDP acts on pre- and postsynaptic events; temperature (the metabolic state) scales time
constants, conductances and plasticity through Q10 factors, and can change during a run.

Without a command, metabosim reproduces the five findings of the metaboplastic microcircuit
(learning bifurcation, STDP-window deformation, signal degradation, hypersynchronization,
robustness) and the energy loop at a reduced size (`metabosim experiment all`: 1000 neurons,
3 s runs, 10 seeds, a few minutes on 2 cores) and writes metabosim-findings/report.md.

Examples:
  metabosim                                      the five findings, measured, with a report
  metabosim experiment bifurcation --full        one finding at the paper's size (5000 cells, 10 s)
  metabosim run                                  the built-in microcircuit (4000 E + 1000 I, STDP, 37 degC, 2 s)
  metabosim run configs/coba.toml -o coba-out    a model from a TOML file
  metabosim run configs/coba.toml --engine clock --dt 0.1ms   the same on a fixed grid, as Brian2 runs it
  metabosim run --set populations.E.temperature="41 degC" --set populations.I.temperature="41 degC"
  metabosim validate configs/microcircuit.toml   check a config and print the scaled parameters
  metabosim compare configs/coba.toml            event-driven vs clock-driven vs Brian2: errors, statistics, speed
  metabosim export configs/coba.toml -o coba-b2  the same network as data + a Brian2 script

Outputs (in the directory given by -o): spikes.h5 (SONATA), states.h5, weights.h5, rates.csv,
metabolism.csv, energy.csv (with an energy budget), summary.json. See docs/config.md for every configuration key.

Exit status: 0 success, 2 bad input (config, option or file), 1 internal error.)";

Model load_model(const std::string& config, const std::vector<std::string>& overrides,
                 std::optional<std::uint64_t> seed) {
    Model model = config.empty() ? microcircuit(37, default_duration) : load_config(config);
    for (const auto& o : overrides) apply_override(model, o);
    if (seed) model.seed = *seed;
    validate(model);
    return model;
}

// One status line, rewritten in place on a terminal.
void show_progress(const Progress& p) {
    const double fraction = p.duration > 0 ? p.simulated / p.duration : 1;
    const double rtf = p.wall_seconds > 0 ? p.simulated / 1000 / p.wall_seconds : 0;
    const double eta = fraction > 0 ? p.wall_seconds * (1 - fraction) / fraction : 0;
    fmt::print(stderr, "\r  t = {:.2f} / {:.2f} s ({:3.0f}%)  wall {:.1f} s  ETA {:.0f} s  RTF {:.3f}  {:.2f} M events/s   ",
               p.simulated / 1000, p.duration / 1000, 100 * fraction, p.wall_seconds, eta, rtf,
               p.events / std::max(p.wall_seconds, 1e-9) / 1e6);
    std::fflush(stderr);
}

Strategy strategy_from(const std::string& engine, const std::string& dt, unsigned threads = 1) {
    if (engine != "clock" && !dt.empty())
        throw UserError("--dt applies to --engine clock only (the event-driven engines have no step)");
    if (engine == "event") return Strategy::event_driven(threads);
    if (engine == "queue") return Strategy::event_queue();
    return Strategy::clock_driven(dt.empty() ? 0.1 : parse_quantity(dt, Dimension::time));
}

int run_command(const std::string& config, const std::string& out_dir, const std::vector<std::string>& overrides,
                std::optional<std::uint64_t> seed, const Strategy& strategy, bool quiet) {
    const Model model = load_model(config, overrides, seed);
    check_output_directory(out_dir);
    Simulation sim(model, strategy);
    const bool live = !quiet && isatty(STDERR_FILENO);
    if (!quiet)
        fmt::print(stderr, "metabosim: {} neurons, {} synapses, {:.0f} ms, seed {}, {}\n", model.neuron_count(),
                   sim.network().synapse_count(), model.duration, model.seed,
                   strategy.kind == Strategy::Kind::event_driven ? std::string("event-driven")
                                                                 : fmt::format("clock-driven, dt = {} ms", strategy.dt));
    const Results results = live ? sim.run(show_progress) : sim.run();
    if (live) fmt::print(stderr, "\n");
    write_results(model, results, out_dir);
    if (!quiet) {
        for (const auto& s : results.spikes)
            fmt::print(stderr, "  {:>8}: {:>9} spikes, {:7.2f} Hz\n", s.population, s.times.size(),
                       s.size ? s.times.size() / (s.size * results.duration / 1000) : 0.0);
        fmt::print(stderr, "  {} events in {:.2f} s wall ({:.2f} M events/s, real-time factor {:.3f}) -> {}\n",
                   results.counters.total_events(), results.counters.wall_seconds,
                   results.counters.total_events() / std::max(results.counters.wall_seconds, 1e-9) / 1e6,
                   results.real_time_factor(), out_dir);
    }
    return 0;
}

int export_command(const std::string& config, const std::string& out_dir, const std::vector<std::string>& overrides,
                   std::optional<std::uint64_t> seed) {
    const Model model = load_model(config, overrides, seed);
    export_brian2(model, out_dir);
    fmt::print(stderr, "metabosim: exported {} neurons, {:.0f} ms, seed {} to {}\n"
                       "  run it with: python3 {}/run_brian2.py --dt 0.1 -o {}/brian2-out\n",
               model.neuron_count(), model.duration, model.seed, out_dir, out_dir, out_dir);
    return 0;
}

int validate_command(const std::string& config, const std::vector<std::string>& overrides) {
    const Model model = load_model(config, overrides, std::nullopt);
    fmt::print("{}: valid. {} populations, {} neurons, {} projections, {:.0f} ms, seed {}\n", config,
               model.populations.size(), model.neuron_count(), model.projections.size(), model.duration,
               model.seed);
    for (const auto& p : model.populations) {
        fmt::print("\npopulation {} ({} neurons, T0 = {} degC{})\n", p.name, p.size, p.reference_temperature,
                   p.drive ? fmt::format(", Poisson drive {} Hz x {} nS", p.drive->rate, p.drive->weight) : "");
        fmt::print("  {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}\n", "T degC", "gL nS", "C pF",
                   "tau_e ms", "tau_i ms", "t_ref ms", "phi_g", "drive Hz", "tau_m ms");
        for (double t : temperatures_visited(model, p)) {
            const LoweredPopulation l = lower(p, t);
            fmt::print("  {:7.1f} {:8.3f} {:8.2f} {:8.3f} {:8.3f} {:8.3f} {:8.3f} {:9.1f} {:9.3f}\n", t,
                       l.neuron.gL, l.neuron.C, l.neuron.tau_e, l.neuron.tau_i, l.neuron.t_ref,
                       l.synaptic_efficacy, l.poisson_rate, l.neuron.C / l.neuron.gL);
        }
    }
    for (const auto& proj : model.projections) {
        const Population& pre = model.population(proj.pre);
        const Population& post = model.population(proj.post);
        double expected = 0;
        const Connectivity& c = proj.connectivity;
        const double self = (proj.pre == proj.post && !c.autapses) ? 1.0 : 0.0;
        switch (c.rule) {
        case Connectivity::Rule::probability: expected = c.p * pre.size * (post.size - self); break;
        case Connectivity::Rule::fixed_indegree: expected = double(c.indegree) * post.size; break;
        case Connectivity::Rule::one_to_one: expected = post.size; break;
        case Connectivity::Rule::all_to_all: expected = double(pre.size) * (post.size - self); break;
        case Connectivity::Rule::explicit_list: expected = c.sources.size(); break;
        }
        fmt::print("\nprojection {}: {} -> {}, {}, ~{:.0f} synapses{}\n", proj.name, proj.pre, proj.post,
                   proj.receptor == Receptor::excitatory ? "excitatory" : "inhibitory", expected,
                   proj.stdp ? ", plastic" : "");
        if (!proj.stdp) continue;
        fmt::print("  {:>7} {:>11} {:>12} {:>10} {:>10}\n", "T degC", "tau_plus ms", "tau_minus ms", "A+ nS", "A- nS");
        for (double t : temperatures_visited(model, post)) {
            const LoweredStdp s = lower(*proj.stdp, lower(post, t));
            fmt::print("  {:7.1f} {:11.3f} {:12.3f} {:10.5f} {:10.5f}\n", t, s.tau_plus, s.tau_minus, s.A_plus,
                       s.A_minus);
        }
    }
    if (!model.metabolism.empty()) {
        fmt::print("\nmetabolic steps\n");
        for (const auto& s : model.metabolism)
            fmt::print("  t = {:10.3f} ms  {:>8}  -> {} degC\n", s.time, s.population.empty() ? "all" : s.population,
                       s.temperature);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{description, "metabosim"};
    app.set_version_flag("--version", std::string("metabosim ") + METABOSIM_VERSION);
    app.require_subcommand(0, 1);
    app.get_formatter()->column_width(34);

    std::string config, out_dir = "metabosim-out";
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> seed;
    bool quiet = false;
    std::string engine = "event", dt;
    unsigned threads = 1;

    auto* run = app.add_subcommand("run", "Simulate a model and write its outputs.\n"
                                          "Without CONFIG, runs the built-in microcircuit at 37 degC for 2 s.");
    run->add_option("config", config, "TOML model file (see configs/ and docs/config.md)")->check(CLI::ExistingFile);
    run->add_option("-o,--output", out_dir, "directory for the outputs (created; files replaced only when complete)")
        ->capture_default_str();
    run->add_option("--seed", seed, "random seed (connectivity, initial state, drive); overrides run.seed");
    run->add_option("--set", overrides, "override one key, e.g. --set run.duration=\"5 s\" "
                                        "--set populations.E.temperature=\"41 degC\"")
        ->type_name("KEY=VALUE");
    run->add_option("--engine", engine, "event: exact, event-driven, in epochs of the shortest delay (default); "
                                        "clock: a fixed step dt, updated as Brian2 does (exponential Euler, "
                                        "threshold on the grid, delays rounded to steps); queue: exact, with one "
                                        "global event queue (the earlier engine, slower, kept as a reference)")
        ->check(CLI::IsMember({"event", "clock", "queue"}))
        ->capture_default_str();
    run->add_option("--threads", threads, "threads of the event-driven engine; the outputs are the same for any number")
        ->check(CLI::Range(1u, 1024u))
        ->capture_default_str();
    run->add_option("--dt", dt, "clock-driven step with its unit, e.g. 0.1ms (default 0.1 ms)")->type_name("TIME");
    run->add_flag("-q,--quiet", quiet, "no progress or summary on stderr");

    auto* check = app.add_subcommand("validate", "Check a config and print the lowered model:\n"
                                                 "sizes and the Q10-scaled parameters at every temperature it visits.");
    check->add_option("config", config, "TOML model file")->required()->check(CLI::ExistingFile);
    check->add_option("--set", overrides, "override one key before checking")->type_name("KEY=VALUE");

    auto* exporter = app.add_subcommand("export", "Write a model as data plus a Brian2 script that runs it:\n"
                                                  "the same connectivity, weights, delays, initial state and input spikes.");
    exporter->add_option("config", config, "TOML model file (default: the built-in microcircuit)")
        ->check(CLI::ExistingFile);
    exporter->add_option("-o,--output", out_dir, "directory for network.h5 and run_brian2.py")->required();
    exporter->add_option("--seed", seed, "random seed; overrides run.seed");
    exporter->add_option("--set", overrides, "override one key before exporting")->type_name("KEY=VALUE");

    app::CompareOptions compare_options;
    auto* compare = app.add_subcommand(
        "compare", "Run a model event-driven, clock-driven at several dt and in Brian2, and report:\n"
                   "spike-time error against the exact solution versus dt (one neuron and a small\n"
                   "network drawn from the model, with the convergence order), network statistics\n"
                   "over seeds with 95% confidence intervals (rates, CV, synchrony chi, Fano factor,\n"
                   "weights), wall times as ratios, figures and report.md. See docs/comparison.md.");
    compare->add_option("config", config, "TOML model file (default: the built-in microcircuit)")->check(CLI::ExistingFile);
    compare->add_option("-o,--output", compare_options.output, "directory for compare.json, report.md, figures, runs")
        ->capture_default_str();
    compare->add_option("--seeds", compare_options.seeds, "seeds of the network runs")->delimiter(',')->capture_default_str();
    compare->add_option("--dts", compare_options.dts, "clock-driven steps in ms for the network runs")
        ->delimiter(',')->capture_default_str();
    compare->add_option("--brian2-dts", compare_options.brian2_dts, "Brian2 steps in ms for the network runs")
        ->delimiter(',')->capture_default_str();
    compare->add_option("--convergence-dts", compare_options.convergence_dts, "steps in ms for the convergence study")
        ->delimiter(',')->capture_default_str();
    compare->add_option("--brian2-device", compare_options.brian2_device,
                        "Brian2 device for the network runs (cpp_standalone: compile time reported apart)")
        ->check(CLI::IsMember({"runtime", "cpp_standalone"}))
        ->capture_default_str();
    compare->add_option("--brian2-codegen", compare_options.brian2_codegen, "Brian2 code generation with --brian2-device runtime")
        ->check(CLI::IsMember({"numpy", "cython"}))
        ->capture_default_str();
    compare->add_flag("!--no-brian2", compare_options.brian2, "skip Brian2");
    compare->add_flag("!--no-figures", compare_options.figures, "numbers only (compare.json), no figures or report");
    compare->add_option("--set", overrides, "override one key of the model")->type_name("KEY=VALUE");
    compare->add_flag("-q,--quiet", compare_options.quiet, "no progress on stderr");

    experiments::Settings findings;
    std::string experiment_name = "all";
    bool full = false;
    auto* experiment = app.add_subcommand(
        "experiment", "Reproduce the paper's findings on the microcircuit and report each beside its claim:\n"
                      "bifurcation, stdp-window, degradation, topology, robustness, energy-loop, or all.\n"
                      "Writes findings.json, figures, report.md and the runs' outputs. See docs/findings.md.");
    experiment->add_option("name", experiment_name, "which experiment")
        ->check(CLI::IsMember({"bifurcation", "stdp-window", "degradation", "topology", "robustness", "energy-loop", "all"}))
        ->capture_default_str();
    experiment->add_option("--config", config, "TOML model to use instead of the built-in microcircuit "
                                                "(needs populations E and I and a plastic projection EE)")
        ->check(CLI::ExistingFile);
    experiment->add_option("-o,--output", findings.output, "directory for the results")->capture_default_str();
    experiment->add_option("--neurons", findings.neurons, "network size (E:I = 4:1 as configured; inputs per neuron kept)")
        ->check(CLI::Range(10u, 100'000'000u))
        ->capture_default_str();
    experiment->add_option("--duration", findings.duration, "ms per network run")->capture_default_str();
    experiment->add_option("--seeds", findings.seeds, "seeds (robustness needs >= 10)")->delimiter(',')->capture_default_str();
    experiment->add_option("--threads", findings.threads, "runs in parallel")->check(CLI::Range(1u, 256u))->capture_default_str();
    experiment->add_option("--engine", engine, "network runs: clock (default, dt 0.1 ms, as Brian2) or event (exact, "
                                               "~15x slower in the hyper states)")
        ->check(CLI::IsMember({"event", "clock"}));
    experiment->add_option("--dt", dt, "clock-driven step, e.g. 0.1ms")->type_name("TIME");
    experiment->add_flag("--full", full, "the paper's size: 5000 neurons, 10 s runs (about 16x the default's work)");
    experiment->add_flag("!--no-sensitivity", findings.sensitivity, "skip the +-20 % Q10 sensitivity runs");
    experiment->add_flag("!--no-figures", findings.figures, "findings.json only");
    experiment->add_flag("-q,--quiet", findings.quiet, "no progress on stderr");

    app::BenchOptions bench_options;
    auto* bench = app.add_subcommand("bench", "Time metabosim (event- and clock-driven) beside Brian2's C++ standalone mode\n"
                                              "(dt 0.1 and 0.01 ms) on COBA, the microcircuit with and without STDP at 37 and\n"
                                              "41 degC, and a scaling series (N = 1,000 to 100,000 at K = 100 and to 16,000 at\n"
                                              "K = 1000 synapses per neuron, 200 ms each); each run in its own process: wall-time\n"
                                              "ratios, mean rates, synaptic events per second, peak memory per synapse (metabosim\n"
                                              "and Brian2's program), each target met or missed, the machine\n"
                                              "-> bench.md, bench.json, scaling.png (time vs synaptic events, memory vs synapses).");
    bench->add_option("-o,--output", bench_options.output, "directory for the table and the runs")->capture_default_str();
    bench->add_flag("--quick", bench_options.quick, "fewer and shorter workloads (a few minutes): no COBA 10 s, "
                                                    "scaling to N = 16,000");
    bench->add_flag("!--no-brian2", bench_options.brian2, "metabosim only");
    bench->add_flag("-q,--quiet", bench_options.quiet, "no progress on stderr");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        if (*run) return run_command(config, out_dir, overrides, seed, strategy_from(engine, dt, threads), quiet);
        if (*exporter) return export_command(config, out_dir, overrides, seed);
        if (*experiment || app.get_subcommands().empty()) {
            if (full) findings.neurons = 5000, findings.duration = 10000;
            for (int k = 0; k < argc; ++k) findings.command += (k ? " " : "") + std::string(argv[k]);
            if (*experiment && (experiment->count("--engine") || experiment->count("--dt")))
                findings.strategy = strategy_from(experiment->count("--engine") ? engine : "clock", dt);
            const Model base = config.empty() ? microcircuit(37, findings.duration) : load_model(config, {}, std::nullopt);
            return experiments::run(experiment_name, base, findings);
        }
        if (*bench) return app::bench(bench_options);
        if (*compare) {
            return app::compare(load_model(config, overrides, std::nullopt), config.empty() ? "built-in microcircuit" : config,
                                compare_options);
        }
        return validate_command(config, overrides);
    } catch (const UserError& e) {
        fmt::print(stderr, "metabosim: error: {}\n", e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        fmt::print(stderr, "metabosim: error: not enough memory for this model; "
                           "`metabosim validate` shows how many synapses it asks for\n");
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "metabosim: internal error: {}\n", e.what());
        return 1;
    }
}
