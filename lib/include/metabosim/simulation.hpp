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

#include "metabosim/model/model.hpp"
#include "metabosim/recording/results.hpp"
#include "metabosim/synapses/network.hpp"

namespace metabosim {

struct Progress {
    double simulated = 0;   // ms reached
    double duration = 0;    // ms in all
    double wall_seconds = 0;
    std::uint64_t events = 0;
};

struct Strategy {
    // event_driven: exact, neurons advanced in epochs of the shortest delay, on `threads` threads
    // (the outputs do not depend on how many); event_queue: exact, one global event queue (the
    // earlier engine: slower, single-threaded, kept as an independent reference); clock_driven: a
    // fixed step dt, as Brian2.
    enum class Kind { event_driven, clock_driven, event_queue };
    Kind kind = Kind::event_driven;
    double dt = 0.1;       // ms, the clock-driven step
    unsigned threads = 1;  // event-driven

    static Strategy event_driven(unsigned threads = 1) { return {Kind::event_driven, 0.1, threads}; }
    static Strategy clock_driven(double dt) { return {Kind::clock_driven, dt, 1}; }
    static Strategy event_queue() { return {Kind::event_queue, 0.1, 1}; }
};

// Throws UserError unless the clock-driven step is a positive time no longer than the run and the
// thread count is between 1 and 1024.
void validate(const Strategy& strategy, double duration);

class Engine;

class Simulation {
public:
    // Validates the model and the strategy (UserError), builds the network and draws the
    // initial state.
    explicit Simulation(Model model, Strategy strategy = {});
    ~Simulation();
    Simulation(Simulation&&) noexcept;
    Simulation& operator=(Simulation&&) noexcept;

    const Model& model() const;
    const Network& network() const;
    const Strategy& strategy() const { return strategy_; }

    // Advances until every event before `until` (ms) has been processed, stopping at the engine's
    // next boundary at or after it (an epoch's end of d_min, or a time step): time() tells where.
    // `until` at or beyond the duration runs to the end. `progress` is called about every
    // `progress_interval` wall-clock seconds, between epochs; an exception it throws stops the
    // run and leaves the simulation unusable.
    void run_until(double until, const std::function<void(const Progress&)>& progress = {},
                   double progress_interval = 1.0);
    double time() const;
    bool finished() const;
    // Asks a running run_until() to return at the next boundary. Safe from a signal handler or
    // another thread.
    void request_stop();

    // The outputs so far: complete once finished(); before, what was recorded up to time(), with
    // the weights as they are then (complete = false, reached = time()).
    Results results() const;
    // Runs to the end and returns the outputs.
    Results run(const std::function<void(const Progress&)>& progress = {}, double progress_interval = 1.0);

    // A checkpoint: the model, the strategy and the complete state at time(), in one file written
    // atomically (a temporary file, synced, renamed) with a checksum. A simulation loaded from it
    // goes on exactly as the saved one would have, on any number of threads.
    void save(const std::filesystem::path& file) const;
    // `threads` replaces the saved strategy's thread count (event-driven).
    static Simulation load(const std::filesystem::path& file, std::optional<unsigned> threads = std::nullopt);

private:
    Simulation(std::unique_ptr<Engine> engine, Strategy strategy);

    std::unique_ptr<Engine> engine_;
    Strategy strategy_;
    std::unique_ptr<std::atomic<bool>> stop_;  // on the heap: a Simulation moves, a signal handler keeps its address
    bool broken_ = false;                      // a run_until() ended by an exception
};

// Convenience: Simulation(model, strategy).run().
Results simulate(const Model& model, Strategy strategy = {});

}  // namespace metabosim
