// What Simulation asks of an engine: the circuit it runs, advancing in stretches, the results so
// far, and its state in a checkpoint.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "engine/circuit.hpp"
#include "engine/progress_reporter.hpp"
#include "metabosim/engine/strategy.hpp"

namespace metabosim {

class CheckpointWriter;
class CheckpointReader;

class Engine {
public:
    virtual ~Engine() = default;
    virtual const Circuit& circuit() const = 0;
    // Synapses of the whole network (on several ranks, the circuit holds only its rank's).
    virtual std::uint64_t synapse_count() const { return circuit().net.synapse_count(); }

    // Processes every event before `until` (ms, at most the duration; the run's end included when
    // it is the duration), stopping at the engine's own boundary at or after it: an epoch's end or a
    // time step. Returns early, between two boundaries, when `stop` becomes true.
    virtual void advance(double until, ProgressReporter& reporter, const std::atomic<bool>& stop) = 0;
    // Where the engine stopped (ms), and whether the run is over.
    virtual double time() const = 0;
    virtual bool finished() const = 0;
    // Wall-clock seconds spent in advance() so far (this process's own count).
    virtual double wall_seconds() const = 0;
    // What was recorded up to time(), with the weights as they are now and the counters so far.
    virtual Results results() const = 0;
    // Spikes recorded before t (ms), per population, over the whole network (on several ranks,
    // every rank calls it and receives the sums); cheap: no copy of the spikes.
    virtual std::vector<std::uint64_t> spikes_before(double t) const {
        std::vector<std::uint64_t> counts(circuit().model.populations.size());
        for (std::uint32_t p = 0; p < counts.size(); ++p) counts[p] = circuit().recorders.spikes_before(p, t);
        return counts;
    }

    // The engine's state, apart from the circuit's (which the caller saves). Throws UserError for
    // an engine that cannot be saved.
    virtual void save(CheckpointWriter& out) const = 0;
    virtual void load(CheckpointReader& in) = 0;
};

// The exact engines: in epochs, neurons advancing independently on `threads` threads (the
// default); and with one global event queue and predicted crossings (the earlier engine, kept as
// an independent reference).
std::unique_ptr<Engine> make_epoch_engine(Model model, unsigned threads);
std::unique_ptr<Engine> make_queue_engine(Model model);

}  // namespace metabosim
