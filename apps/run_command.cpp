// `metabosim run`: simulate a model and write its outputs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "command.hpp"
#include "run_loop.hpp"
#include "metabosim/distribution/ranks.hpp"
#include "metabosim/lowering/lowering.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/recording/output.hpp"
#include "progress_display.hpp"

namespace metabosim::cli {
namespace {

struct RunOptions {
    std::string config, out_dir = "metabosim-out";
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> seed;
    std::string engine = "event";
    std::optional<double> dt;  // ms
    unsigned threads = 1;
    std::optional<double> checkpoint_every;  // ms
    ProgressOptions progress;
};

std::string describe(const Strategy& strategy) {
    switch (strategy.kind) {
        case Strategy::Kind::event_driven:
            return fmt::format("event-driven, {} thread{}", strategy.threads, strategy.threads == 1 ? "" : "s");
        case Strategy::Kind::event_queue: return "event-driven (queue engine)";
        case Strategy::Kind::clock_driven: return fmt::format("clock-driven, dt = {} ms", strategy.dt);
    }
    return {};
}

// A population firing near the most its refractory period allows has run away (too strong
// excitation, e.g. weights far too large): said, since its outputs look like any other's.
void warn_if_saturated(const Model& model, const std::string& name, double rate) {
    if (rank() != 0) return;
    const Population& population = model.population(name);
    if (population.source) return;  // its rate is given, not a runaway
    double shortest = std::numeric_limits<double>::infinity();  // ms, over the temperatures it visits
    for (double temperature : temperatures_visited(model, population))
        shortest = std::min(shortest, lower(population, temperature).neuron.t_ref);
    const double limit = 1000 / shortest;  // Hz
    if (std::isfinite(limit) && rate >= 0.8 * limit)
        fmt::print(stderr,
                   "metabosim: warning: {} fired at {:.1f} Hz on average, {:.0f} % of the {:.0f} Hz its refractory period "
                   "({} ms) allows: the network saturates (is the excitation far too strong?)\n",
                   name, rate, 100 * rate / limit, limit, shortest);
}

int run(RunOptions o) {
    o.progress.quiet = o.progress.quiet || rank() != 0;  // on several ranks, rank 0 reports and writes
    if (o.checkpoint_every && rank_count() > 1)
        throw UserError("--checkpoint-every: checkpoints are not available for a run on several ranks (mpirun)");
    ProgressDisplay display(o.progress);
    const Strategy strategy = strategy_from(o.engine, o.dt, o.threads);
    if (o.checkpoint_every && strategy.kind == Strategy::Kind::event_queue)
        throw UserError("--checkpoint-every: the queue engine (--engine queue) cannot be checkpointed; use the "
                        "event-driven or the clock-driven engine");
    const Model model = load_model(o.config, o.overrides, o.seed);
    // Checked and locked before the run (its checkpoints included) by the rank that writes;
    // created when first written.
    std::optional<OutputDirectory> out;
    on_every_rank([&] {
        if (rank() == 0) out.emplace(o.out_dir);
    });
    // Building a large network takes a while too: said before, not only after.
    display.say(fmt::format("metabosim: {} neurons, {:.0f} ms, seed {}, {}{}: building the network", model.neuron_count(),
                            model.duration, model.seed, describe(strategy),
                            rank_count() > 1 ? fmt::format(", {} ranks", rank_count()) : std::string()));
    Simulation sim(model, strategy);
    display.say(fmt::format("  {} synapses; running", sim.synapse_count()));
    const int status = run_to_end(sim, {o.out_dir, out ? &*out : nullptr, o.checkpoint_every, display.run_progress(), display.update_interval(),
                                        [&display] { display.finish(); }});
    if (status != 0) return status;
    const Results results = sim.results();
    display.run_ended(results);
    for (const auto& s : results.spikes) {
        const double rate = s.size ? s.times.size() / (s.size * results.duration / 1000) : 0.0;
        display.say(fmt::format("  {:>8}: {:>9} spikes, {:7.2f} Hz", s.population, s.times.size(), rate));
        warn_if_saturated(model, s.population, rate);
    }
    display.say(fmt::format("  {} events in {:.2f} s wall ({:.2f} M events/s, real-time factor {:.3f}) -> {}",
                            results.counters.total_events(), results.counters.wall_seconds,
                            results.counters.total_events() / std::max(results.counters.wall_seconds, 1e-9) / 1e6,
                            results.real_time_factor(), o.out_dir));
    return 0;
}

}  // namespace

Command add_run(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    auto* run_app = app.add_subcommand(
        "run", "Simulate a model and write its outputs.\n"
               "Without CONFIG, runs the built-in microcircuit at 37 degC for 2 s.\n"
               "A network that runs away stops: a population above limits.max_rate (default 1000 Hz, its mean\n"
               "rate over each limits.rate_window, default 100 ms of simulated time) or more spikes than\n"
               "limits.max_spikes (default: what half the memory holds) writes its outputs so far and a\n"
               "checkpoint, says which limit, and exits with status 3 (2: bad input; 130/143: interrupted).");
    run_app->add_option("config", o->config, config_help)->transform(config_file());
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
    add_time_option(run_app, "--dt", o->dt, "clock-driven step (default 0.1 ms)");
    add_time_option(run_app, "--checkpoint-every", o->checkpoint_every,
                    "write the outputs so far and a checkpoint every TIME of simulated time, e.g. \"10 s\" (a run "
                    "interrupted by Ctrl-C writes them too; `metabosim resume DIR` goes on)",
                    TimeBound::positive);
    add_run_progress_options(run_app, o->progress);
    return {run_app, [o] { return run(*o); }};
}

}  // namespace metabosim::cli
