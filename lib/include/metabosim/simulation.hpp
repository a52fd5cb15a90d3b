// Running a model: event-driven (exact; the default) or clock-driven (a fixed step, as Brian2).
//
// Event-driven, each neuron is integrated exactly from one event that touches it to the next,
// spike times are the exact threshold crossings, spikes arrive after their exact delays.
// Clock-driven, every neuron is updated on a grid of step dt the way Brian2 updates it: one
// exponential-Euler step with the conductances of the step's start, the threshold tested on the
// grid, delays rounded to whole steps. Both run the same model with the same network, initial
// state and input spike trains (inputs.hpp) and produce the same kinds of Results; only the
// integration and scheduling differ. docs/comparison.md maps the semantics.
//
// The simulation takes the model by value and never calls user code while an epoch runs; the
// optional progress callback is called between epochs.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "metabosim/engine/progress.hpp"
#include "metabosim/engine/strategy.hpp"
#include "metabosim/model/model.hpp"
#include "metabosim/recording/results.hpp"
#include "metabosim/synapses/network.hpp"

namespace metabosim {

class Engine;
class LimitWatch;

class Simulation {
public:
    // Validates the model and the strategy (UserError), builds the network and draws the
    // initial state.
    explicit Simulation(Model model, Strategy strategy = {});
    ~Simulation();
    Simulation(Simulation&&) noexcept;
    Simulation& operator=(Simulation&&) noexcept;

    const Model& model() const;
    // The network this process holds: on several ranks (metabosim/distribution/ranks.hpp), only
    // the synapses onto its own neurons.
    const Network& network() const;
    // Synapses of the whole network, on every rank.
    std::uint64_t synapse_count() const;
    const Strategy& strategy() const { return strategy_; }

    // Advances until every event before `until` (ms) has been processed, stopping at the engine's
    // next boundary at or after it (an epoch's end of d_min, or a time step): time() tells where.
    // `until` at or beyond the duration runs to the end. `progress` is called about every
    // `progress_interval` wall-clock seconds, between epochs; an exception it throws stops the
    // run and leaves the simulation unusable.
    // It returns early, at the first boundary after a window of the model's [limits] in which a
    // limit was exceeded (a network that runs away): limit_exceeded() says which. Called again,
    // it goes on (the windows already checked are not checked again).
    void run_until(double until, const std::function<void(const Progress&)>& progress = {},
                   double progress_interval = 1.0);
    double time() const;
    bool finished() const;
    // Why the last run_until() stopped at a limit, e.g. "population "E" fired at 812 Hz on
    // average from 100 ms to 200 ms, above limits.max_rate = 500 Hz"; empty when it did not.
    const std::string& limit_exceeded() const { return limit_exceeded_; }
    // Asks a running run_until() to return at the next boundary. Safe from a signal handler or
    // another thread.
    void request_stop();

    // The outputs so far: complete once finished(); before, what was recorded up to time(), with
    // the weights as they are then (complete = false, reached = time(), and stopped = "runaway: "
    // and limit_exceeded() after a stop at a limit). On several ranks every
    // rank calls it; rank 0 receives the whole run's, the others their own share's.
    Results results() const;
    // Runs to the end, or to a limit exceeded, and returns the outputs.
    Results run(const std::function<void(const Progress&)>& progress = {}, double progress_interval = 1.0);

    // A checkpoint: the model, the strategy and the complete state at time(), in one file written
    // atomically (a temporary file, synced, renamed) with a checksum. A simulation loaded from it
    // goes on exactly as the saved one would have, on any number of threads.
    void save(const std::filesystem::path& file) const;
    // Whether save() can: every engine but the queue engine, on one process (not under mpirun).
    bool can_save() const;
    // `threads` replaces the saved strategy's thread count (event-driven).
    static Simulation load(const std::filesystem::path& file, std::optional<unsigned> threads = std::nullopt);

private:
    Simulation(std::unique_ptr<Engine> engine, Strategy strategy);

    std::unique_ptr<Engine> engine_;
    Strategy strategy_;
    std::unique_ptr<LimitWatch> limits_;
    std::string limit_exceeded_;
    std::unique_ptr<std::atomic<bool>> stop_;  // on the heap: a Simulation moves, a signal handler keeps its address
    bool broken_ = false;                      // a run_until() ended by an exception
};

// Convenience: Simulation(model, strategy).run().
Results simulate(const Model& model, Strategy strategy = {});

}  // namespace metabosim
