// Running a model, event-driven.
//
// The run proceeds in epochs of the minimum synaptic delay d_min: a spike emitted inside
// [T, T + d_min) cannot arrive anywhere before T + d_min, so within an epoch every neuron's
// inputs are already known and spikes need only be exchanged at the epoch's end. Inside an epoch
// events are popped from one queue in the total order of scheduler.hpp. Each neuron is advanced
// exactly (propagator.hpp) to each event that touches it; after any change its next threshold
// crossing is predicted again and the old prediction becomes stale (a version counter, checked
// when the prediction is popped).
//
// The simulation takes the model by value and never calls user code while an epoch runs; the
// optional progress callback is called between epochs.
#pragma once

#include <functional>
#include <memory>

#include "metabosim/model.hpp"
#include "metabosim/network.hpp"
#include "metabosim/results.hpp"

namespace metabosim {

struct Progress {
    double simulated = 0;   // ms reached
    double duration = 0;    // ms in all
    double wall_seconds = 0;
    std::uint64_t events = 0;
};

class Simulation {
public:
    // Validates the model (UserError), builds the network and draws the initial state.
    explicit Simulation(Model model);
    ~Simulation();
    Simulation(Simulation&&) noexcept;
    Simulation& operator=(Simulation&&) noexcept;

    const Model& model() const;
    const Network& network() const;

    // Runs the whole duration once. `progress` is called about every `progress_interval`
    // wall-clock seconds.
    Results run(const std::function<void(const Progress&)>& progress = {}, double progress_interval = 1.0);

private:
    struct Engine;
    std::unique_ptr<Engine> engine_;
};

// Convenience: Simulation(model).run().
Results simulate(const Model& model);

}  // namespace metabosim
