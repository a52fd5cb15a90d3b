// `metabosim run`: simulate a model and write its outputs.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/recording/output.hpp"

namespace metabosim::cli {
namespace {

struct RunOptions {
    std::string config, out_dir = "metabosim-out";
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> seed;
    std::string engine = "event", dt;
    unsigned threads = 1;
    bool quiet = false;
};

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

int run(const RunOptions& o) {
    const Strategy strategy = strategy_from(o.engine, o.dt, o.threads);
    const Model model = load_model(o.config, o.overrides, o.seed);
    OutputDirectory out(o.out_dir);  // checked and locked before the run; created when written
    Simulation sim(model, strategy);
    const bool live = !o.quiet && isatty(STDERR_FILENO);
    if (!o.quiet)
        fmt::print(stderr, "metabosim: {} neurons, {} synapses, {:.0f} ms, seed {}, {}\n", model.neuron_count(),
                   sim.network().synapse_count(), model.duration, model.seed,
                   strategy.kind == Strategy::Kind::event_driven
                       ? fmt::format("event-driven, {} thread{}", strategy.threads, strategy.threads == 1 ? "" : "s")
                   : strategy.kind == Strategy::Kind::event_queue ? std::string("event-driven (queue engine)")
                                                                  : fmt::format("clock-driven, dt = {} ms", strategy.dt));
    const Results results = live ? sim.run(show_progress) : sim.run();
    if (live) fmt::print(stderr, "\n");
    out.write(model, results);
    if (!o.quiet) {
        for (const auto& s : results.spikes)
            fmt::print(stderr, "  {:>8}: {:>9} spikes, {:7.2f} Hz\n", s.population, s.times.size(),
                       s.size ? s.times.size() / (s.size * results.duration / 1000) : 0.0);
        fmt::print(stderr, "  {} events in {:.2f} s wall ({:.2f} M events/s, real-time factor {:.3f}) -> {}\n",
                   results.counters.total_events(), results.counters.wall_seconds,
                   results.counters.total_events() / std::max(results.counters.wall_seconds, 1e-9) / 1e6,
                   results.real_time_factor(), o.out_dir);
    }
    return 0;
}

}  // namespace

Command add_run(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    auto* run_app = app.add_subcommand("run", "Simulate a model and write its outputs.\n"
                                              "Without CONFIG, runs the built-in microcircuit at 37 degC for 2 s.");
    run_app->add_option("config", o->config, "TOML model file (see configs/ and docs/config.md)")->check(CLI::ExistingFile);
    run_app->add_option("-o,--output", o->out_dir, "directory for the outputs (created; files replaced only when complete)")
        ->capture_default_str();
    run_app->add_option("--seed", o->seed, "random seed (connectivity, initial state, drive); overrides run.seed");
    run_app->add_option("--set", o->overrides, "override one key, e.g. --set run.duration=\"5 s\" "
                                               "--set populations.E.temperature=\"41 degC\"")
        ->type_name("KEY=VALUE");
    run_app->add_option("--engine", o->engine, "event: exact, event-driven, in epochs of the shortest delay (default); "
                                               "clock: a fixed step dt, updated as Brian2 does (exponential Euler, "
                                               "threshold on the grid, delays rounded to steps); queue: exact, with one "
                                               "global event queue (the earlier engine: slower, kept as a reference)")
        ->check(CLI::IsMember({"event", "clock", "queue"}))
        ->capture_default_str();
    run_app->add_option("--threads", o->threads, "threads of the event-driven engine; the outputs are the same for any number")
        ->check(CLI::Range(1u, 1024u))
        ->capture_default_str();
    run_app->add_option("--dt", o->dt, "clock-driven step with its unit, e.g. 0.1ms (default 0.1 ms)")->type_name("TIME");
    run_app->add_flag("-q,--quiet", o->quiet, "no progress or summary on stderr");
    return {run_app, [o] { return run(*o); }};
}

}  // namespace metabosim::cli
