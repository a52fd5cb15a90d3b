#include "run_loop.hpp"

#include <csignal>

#include <fmt/format.h>

#include "metabosim/distribution/ranks.hpp"

namespace metabosim::cli {
namespace {

// The simulation a signal should stop, and the signal that came (0: none yet).
Simulation* running = nullptr;
volatile std::sig_atomic_t received = 0;

extern "C" void on_signal(int signal) {
    if (received != 0) {  // the second: at once, as if there were no handler
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        return;
    }
    received = signal;
    if (running) running->request_stop();
}

// Handlers for as long as it lives.
class SignalGuard {
public:
    explicit SignalGuard(Simulation& sim) {
        running = &sim;
        received = 0;
        for (int s : {SIGINT, SIGTERM}) previous_.push_back(std::signal(s, on_signal));
    }
    ~SignalGuard() {
        std::signal(SIGINT, previous_[0]);
        std::signal(SIGTERM, previous_[1]);
        running = nullptr;
    }
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;

private:
    std::vector<void (*)(int)> previous_;
};

// The outputs, with a checkpoint when asked and the engine can save, swapped in as one set by
// the rank that holds the directory (rank 0); every rank stops if it fails.
void write_outputs(const Simulation& sim, const Results& results, const RunLoop& loop, bool with_checkpoint) {
    on_every_rank([&] {
        if (!loop.out) return;
        if (with_checkpoint && sim.can_save())
            loop.out->write(sim.model(), results, [&sim](const std::filesystem::path& file) { sim.save(file); });
        else
            loop.out->write(sim.model(), results);
    });
}

// The outputs so far and a checkpoint (on several ranks or with the queue engine, the outputs only).
void write_partial(const Simulation& sim, const RunLoop& loop, const std::string& why) {
    Results results = sim.results();
    results.stopped = why;
    write_outputs(sim, results, loop, true);
}

// A network that ran away: its outputs so far and a checkpoint, and one message that says what
// went beyond which limit and how to raise it.
int stop_at_limit(const Simulation& sim, const RunLoop& loop) {
    Results results = sim.results();  // stopped: "runaway: ..."
    write_outputs(sim, results, loop, true);
    if (loop.end_progress_line) loop.end_progress_line();
    if (rank() == 0)
        fmt::print(stderr,
                   "metabosim: stopped at t = {} ms, the network ran away: {}.\n"
                   "  The outputs so far{} are in {}. If this activity is meant, raise the limit "
                   "(--set limits.<key>=VALUE or [limits] in the config, docs/config.md).\n",
                   sim.time(), sim.limit_exceeded(), sim.can_save() ? " and a checkpoint" : "", loop.dir.string());
    return limit_exit_status;
}

}  // namespace

int run_to_end(Simulation& sim, const RunLoop& loop) {
    const SignalGuard guard(sim);
    const double duration = sim.model().duration;
    while (!sim.finished()) {
        const double until = loop.checkpoint_every ? std::min(duration, sim.time() + *loop.checkpoint_every) : duration;
        sim.run_until(until, loop.progress, loop.progress_interval);
        if (sim.finished()) break;
        if (!sim.limit_exceeded().empty()) return stop_at_limit(sim, loop);
        if (received != 0) {
            const char* name = received == SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM";
            write_partial(sim, loop, fmt::format("interrupted by {} at t = {} ms", name, sim.time()));
            if (loop.end_progress_line) loop.end_progress_line();
            if (sim.can_save())
                fmt::print(stderr, "metabosim: interrupted at t = {} ms; the outputs so far and a checkpoint are in {}\n"
                                   "  go on with: metabosim resume {}\n",
                           sim.time(), loop.dir.string(), loop.dir.string());
            else if (rank() == 0)
                fmt::print(stderr, "metabosim: interrupted at t = {} ms; the outputs so far are in {} (no checkpoint: "
                                   "{})\n",
                           sim.time(), loop.dir.string(),
                           rank_count() > 1 ? "a run on several ranks has none" : "the queue engine has none");
            return 128 + received;
        }
        write_partial(sim, loop, fmt::format("checkpoint at t = {} ms", sim.time()));
    }
    write_outputs(sim, sim.results(), loop, false);
    return 0;
}

}  // namespace metabosim::cli
