// What Simulation asks of an engine: the circuit it runs and one run of the whole duration.
#pragma once

#include <functional>
#include <memory>

#include "engine/circuit.hpp"
#include "metabosim/simulation.hpp"

namespace metabosim {

class Engine {
public:
    virtual ~Engine() = default;
    virtual const Circuit& circuit() const = 0;
    // Runs the whole duration once; `progress` is called about every `progress_interval` wall
    // seconds, between epochs.
    virtual Results run(const std::function<void(const Progress&)>& progress, double progress_interval) = 0;
};

// The exact engines: in epochs, neurons advancing independently on `threads` threads (the
// default); and with one global event queue and predicted crossings (the earlier engine, kept as
// an independent reference).
std::unique_ptr<Engine> make_epoch_engine(Model model, unsigned threads);
std::unique_ptr<Engine> make_queue_engine(Model model);

}  // namespace metabosim
