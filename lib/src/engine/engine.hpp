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

std::unique_ptr<Engine> make_event_engine(Model model);

}  // namespace metabosim
