// `metabosim run`: simulate a model and write its outputs.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "run_loop.hpp"
#include "metabosim/recording/output.hpp"

namespace metabosim::cli {
namespace {

struct RunOptions {
    std::string config, out_dir = "metabosim-out";
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> seed;
    std::string engine = "event", dt;
    unsigned threads = 1;
    std::optional<double> checkpoint_every;  // ms
    bool quiet = false;
};

int run(const RunOptions& o) {
    const Strategy strategy = strategy_from(o.engine, o.dt, o.threads);
    const Model model = load_model(o.config, o.overrides, o.seed);
    // Checked and locked before the run (its checkpoints included); created when first written.
    OutputDirectory out(o.out_dir);
    Simulation sim(model, strategy);
    if (!o.quiet)
        fmt::print(stderr, "metabosim: {} neurons, {} synapses, {:.0f} ms, seed {}, {}\n", model.neuron_count(),
                   sim.network().synapse_count(), model.duration, model.seed,
                   strategy.kind == Strategy::Kind::event_driven
                       ? fmt::format("event-driven, {} thread{}", strategy.threads, strategy.threads == 1 ? "" : "s")
                   : strategy.kind == Strategy::Kind::event_queue ? std::string("event-driven (queue engine)")
                                                                  : fmt::format("clock-driven, dt = {} ms", strategy.dt));
    const int status = run_to_end(sim, {out, o.checkpoint_every, run_progress(o.quiet)});
    end_run_progress(o.quiet);
    if (status != 0) return status;
    const Results results = sim.results();
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
    add_seed_option(run_app, o->seed, "random seed (connectivity, initial state, drive); overrides run.seed");
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
    run_app->add_option_function<std::string>(
               "--checkpoint-every",
               [o](const std::string& every) { o->checkpoint_every = positive_time(every, "--checkpoint-every"); },
               "write the outputs so far and a checkpoint every TIME of simulated time, e.g. \"10 s\" (a run "
               "interrupted by Ctrl-C writes them too; `metabosim resume DIR` goes on)")
        ->type_name("TIME");
    run_app->add_flag("-q,--quiet", o->quiet, "no progress or summary on stderr");
    return {run_app, [o] { return run(*o); }};
}

}  // namespace metabosim::cli
