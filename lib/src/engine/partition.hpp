// A contiguous range of neurons that one thread advances through an epoch.
//
// Within an epoch no neuron can affect another (epochs.hpp), so each neuron walks its own inputs
// in their total order (event.hpp): the spike arrivals delivered to it for this epoch, its Poisson
// drive drawn as it goes, generator spikes, the end of its refractory period. A spike source
// (model.hpp, SpikeSource) only emits the spikes of its train that fall before the walk's end. The stretch between
// two inputs is an interval without input: many neurons' intervals are taken at once by the SIMD
// kernel (neuron/batch.hpp), which bounds the membrane potential first and sums the exact series
// only where no crossing is possible; where one is, the crossing is searched exactly
// (neuron/propagator.hpp) and the neuron fires. Samples of recorded neurons are read along the
// way without moving the state, so recording never changes a trajectory.
//
// A walk stops at an instant `Until` (a barrier where every neuron must have arrived: a metabolic
// step, an energy update, a weight sample, the end of the run or of the epoch). A neuron left with
// no input before it keeps its state where it was; only a neuron whose crossing test needed the
// exact search is moved to the barrier, so that the search is not repeated.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "engine/circuit.hpp"
#include "engine/epochs.hpp"
#include "engine/event.hpp"
#include "metabosim/neuron/batch.hpp"

namespace metabosim {

// Seconds spent in each phase of a partition's work (the walk includes the series and the exact
// searches made within it).
struct PhaseSeconds {
    double arrivals = 0, walk = 0, series = 0, exact = 0, delivery = 0;
};

// Adds the time from its construction to its destruction to `total`.
class Stopwatch {
public:
    explicit Stopwatch(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
    ~Stopwatch() { total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
    Stopwatch(const Stopwatch&) = delete;
    Stopwatch& operator=(const Stopwatch&) = delete;

private:
    double& total_;
    std::chrono::steady_clock::time_point start_;
};

// The partitions' per-neuron state in neuron order (a checkpoint's, whatever the partitions).
struct NeuronClocks {
    std::vector<double> t_last, refractory_until, last_spike;
    std::vector<std::uint8_t> refractory;
    std::vector<std::uint32_t> generator_next, sample_next;  // each neuron's cursors, in order
};

// Everything strictly before (time, kind) in the total order.
struct Until {
    double time;
    EventKind kind;
};

class Partition {
public:
    Partition(Circuit& circuit, unsigned index, std::uint32_t first, std::uint32_t last);

    unsigned index() const { return index_; }
    std::uint32_t first() const { return first_; }
    std::uint32_t last() const { return last_; }

    // The arrivals of `epoch` addressed to this partition, sorted per neuron.
    void take_arrivals(ArrivalBuckets& buckets, std::uint64_t epoch);
    // Walks every neuron through its inputs before `until`.
    void advance(Until until);
    // Brings every neuron of population p to t (a barrier at t: no crossing before it).
    void settle(std::uint32_t p, double t);
    // Draws the drive of every neuron of population p again from t (its rate changed).
    void redraw_drive(std::uint32_t p, double t);
    // Spikes of this epoch (any partition's, any rank's) through this process's synapses into
    // the buckets of the epochs they reach (grid computed far enough), as this partition's
    // writes; arrivals after `end` (the run's end) are dropped. The order of the spikes does not
    // matter: arrivals are sorted per neuron when taken.
    void deliver(std::span<const Fired> spikes, ArrivalBuckets& buckets, const EpochGrid& grid, std::uint64_t epoch,
                 double end, const std::vector<std::uint16_t>& partition_of);
    // This partition's spikes of the epoch, to deliver.
    const std::vector<Fired>& fired() const { return fired_; }
    void clear_fired() { fired_.clear(); }

    // Spikes (time, neuron) found since the last clear, in the order found, and the releases at
    // synapses onto this partition's neurons per presynaptic population (spikes are counted by
    // whoever records them).
    const std::vector<std::pair<double, std::uint32_t>>& spikes() const { return spikes_; }
    const std::vector<std::uint64_t>& releases() const { return releases_; }
    void clear_activity();
    const EventCounts& counts() const { return counts_; }
    const PhaseSeconds& phases() const { return phases_; }

    // Appends this partition's per-neuron state to `out`; takes it from `in`, where the cursors
    // of its neurons start at the given positions (moved past them).
    void save(NeuronClocks& out) const;
    void load(const NeuronClocks& in, std::size_t& generator_at, std::size_t& sample_at);
    std::size_t generator_cursors() const;
    std::size_t sample_cursors() const;

private:
    // A neuron's next input (24 bytes: one is copied per input).
    struct Next {
        double time = std::numeric_limits<double>::infinity();
        std::uint64_t ref = 0;  // arrival: its order (projection, entry); generator: its cursor's entry
        EventKind kind = EventKind::end_of_run;
        enum class Source : std::uint8_t { none, refractory_end, arrival, drive, generator } source = Source::none;
    };
    struct GeneratorCursor {
        std::uint32_t generator;
        std::uint32_t next;  // index of its next spike time
    };
    struct SampleCursor {
        std::uint32_t recorder, slot;  // the neuron is the recorder's slot-th
        std::uint32_t next, last;      // sample indices
        double interval;
    };
    // What a neuron needs next within the walk.
    enum class Need : std::uint8_t { done, interval, check };

    bool refractory(std::uint32_t i) const { return refractory_[i] != 0; }
    // Inlined into prepare(), their only caller: they run once or twice per input.
    [[gnu::always_inline]] inline Next next_input(std::uint32_t i) const;
    static bool before(double t, EventKind kind, const Until& until) {
        return t < until.time || (t == until.time && kind < until.kind);
    }
    double sample_time(const SampleCursor& s) const;
    // Prepares neuron i for its next interval: inputs at its present time applied, refractory
    // stretches passed; sets end_[i] to where the interval ends. `awaits`: its next input is
    // awaited_[i] (found for its last interval, and it has not fired since: nothing else moves a
    // neuron's inputs within the walk).
    [[gnu::always_inline]] inline Need prepare(std::uint32_t i, bool awaits);  // inlined into advance_range()
    [[gnu::always_inline]] inline void apply(std::uint32_t i, const Next& input);
    // Neuron i's awaited input, if an arrival, asked of the memory ahead of its use.
    static constexpr std::size_t prefetch_ahead = 8;
    [[gnu::always_inline]] inline void prefetch_input(std::uint32_t i) const;
    // Samples of neuron i due before `bound` (and before the walk's end), read from its state at
    // t_last along its free or refractory trajectory: the caller knows it does not fire before.
    void take_samples(std::uint32_t i, Until bound) {
        if (sampled(i)) read_samples(i, bound);
    }
    bool sampled(std::uint32_t i) const { return sample_begin_[i] != sample_begin_[i + 1]; }
    void read_samples(std::uint32_t i, Until bound);
    // The exact path for an interval the kernel could not settle; whether the neuron walks on (it
    // fired, or its interval ended at an input).
    bool exact_interval(std::uint32_t i, Need need);
    void commit(std::uint32_t i, const MembraneState& s, double t) {
        c_.neurons.set(first_ + i, s);
        t_last_[i] = t;
    }
    void spike(std::uint32_t i, double t);
    MembraneState state_at(std::uint32_t i, double t) const;
    void advance_range(std::uint32_t p, std::uint32_t from, std::uint32_t to);
    std::size_t walk_window() const;  // neurons walking at once, from this epoch's arrivals
    // Spike sources [from, to) (global ids) emit their spikes before the walk's end.
    void emit_sources(std::uint32_t from, std::uint32_t to);

    Circuit& c_;
    unsigned index_;
    std::uint32_t first_, last_;
    std::vector<std::uint32_t> population_ranges_;  // populations overlapping the partition

    // Per neuron of the partition, by local index.
    std::vector<double> t_last_, refractory_until_, last_spike_, end_;
    std::vector<std::uint8_t> refractory_;
    std::vector<Next> awaited_;  // the input at end_, while an interval towards it is under way
    std::vector<std::uint32_t> input_begin_, input_next_;   // this epoch's arrivals, and the cursor
    std::vector<std::pair<double, std::uint64_t>> inputs_;  // (time, order), sorted per neuron
    std::vector<std::uint32_t> generator_begin_, sample_begin_;
    std::vector<GeneratorCursor> generators_;
    std::vector<SampleCursor> samples_;

    std::vector<std::pair<double, std::uint32_t>> spikes_;    // since the last take
    std::vector<Fired> fired_;                                // to deliver
    std::vector<std::uint64_t> releases_;                     // per population
    EventCounts counts_;
    PhaseSeconds phases_;

    // Scratch of advance().
    Until until_{0.0, EventKind::metabolic_change};
    struct IntervalGroup {
        IntervalBatch batch;
        std::vector<std::uint32_t> neurons;  // beside the batch's entries
        void clear() {
            batch.clear();
            neurons.clear();
        }
    };
    static constexpr std::size_t length_groups = 28;  // h from below 2^-20 ms to 2^7 ms and beyond
    static std::size_t length_group(double h);
    // Neurons still walking: those whose awaited input stands, those to look theirs up; next round's.
    std::vector<std::uint32_t> awaiting_, fresh_, still_awaiting_, still_fresh_, check_neurons_;
    std::array<IntervalGroup, length_groups> intervals_;
    IntervalBatch checks_;
};

}  // namespace metabosim
