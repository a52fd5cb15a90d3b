// The event-driven engine: exact, in epochs, on several threads.
//
// Time advances in epochs of the shortest delay (epochs.hpp): within one, every neuron's inputs
// are known, so the neurons, split into contiguous partitions, advance independently, each
// partition on its own thread (partition.hpp). Spikes are exchanged at the epoch's end: each
// partition delivers its own spikes' arrivals into the buckets of the partitions they reach.
// What concerns everyone at one instant is a barrier inside the epoch, at which every partition
// stops: a metabolic step, an energy update, a weight sample, the end of the run. Between
// barriers nothing is shared, and what is merged is merged in a fixed order (spikes by time then
// neuron, counts by population), so the outputs are the same for any number of threads.
//
// On several ranks (engine/rank_share.hpp) a rank is one more level of partition: it advances its
// own neurons, and at the epoch's end every rank's spikes are gathered by every rank, which
// delivers them through its own synapses (onto its own neurons). Energy updates sum every rank's
// activity counts; weight samples and the results are gathered onto rank 0 in the whole
// network's order. A walk's error on any rank stops every rank (Communicator::agree).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <tuple>

#include <fmt/format.h>

#include "checkpoint/checkpoint.hpp"
#include "distribution/communicator.hpp"
#include "engine/engine.hpp"
#include "engine/epochs.hpp"
#include "engine/partition.hpp"
#include "engine/progress_reporter.hpp"
#include "engine/rank_share.hpp"
#include "engine/worker_pool.hpp"
#include "metabosim/lowering/lowering.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim {
namespace {

// Every partition stops at a barrier (in the order of event.hpp) and then it acts.
struct Barrier {
    double time;
    EventKind kind;
    std::uint32_t target;  // the schedule's step, the population, the weight recorder

    friend bool operator<(const Barrier& a, const Barrier& b) {
        if (a.time != b.time) return a.time < b.time;
        if (a.kind != b.kind) return a.kind < b.kind;
        return a.target < b.target;
    }
};

// The epoch length: the shortest delay, no longer than the run, and short enough that STDP's
// pre-trace factor, rebased only between epochs, stays far from overflow (synapses/stdp.hpp).
double epoch_length(const Circuit& c, Communicator& comm) {
    double length = std::min(comm.min(c.net.min_delay), c.model.duration);
    for (const Synapses& s : c.net.projections) {
        if (!s.stdp) continue;
        const Population& post = c.model.populations[s.post];
        for (double t : temperatures_visited(c.model, post))
            length = std::min(length, 16 * lower(*s.stdp, lower(post, t)).tau_plus);
    }
    return length;
}

class EpochEngine final : public Engine {
public:
    EpochEngine(Model m, unsigned threads, Communicator& comm);
    const Circuit& circuit() const override { return c_; }
    std::uint64_t synapse_count() const override { return synapse_count_; }
    void advance(double until, ProgressReporter& reporter, const std::atomic<bool>& stop) override;
    double time() const override { return done_ ? c_.model.duration : grid_.start(epoch_); }
    bool finished() const override { return done_; }
    double wall_seconds() const override { return wall_seconds_; }
    Results results() const override;
    std::vector<std::uint64_t> spikes_before(double t) const override {
        std::vector<std::uint64_t> counts = Engine::spikes_before(t);  // this rank's neurons'
        comm_.sum(counts);
        return counts;
    }
    void save(CheckpointWriter& out) const override;
    void load(CheckpointReader& in) override;

private:
    Communicator& comm_;
    std::unique_ptr<Circuit> circuit_;
    Circuit& c_;
    std::uint64_t synapse_count_ = 0;   // every rank's
    std::vector<SynapseOrder> orders_;  // per weight recorder, on several ranks
    EpochGrid grid_;
    double max_delay_ = 0;
    std::vector<Partition> partitions_;
    std::vector<std::uint16_t> partition_of_;
    ArrivalBuckets buckets_;
    WorkerPool pool_;
    EventCounts counts_;  // barriers; the partitions count the rest
    double barrier_seconds_ = 0;  // serial work between the partitions' phases
    // The next of each kind of barrier.
    std::size_t next_step_ = 0;
    std::vector<std::uint32_t> next_energy_, next_weights_;
    std::vector<std::pair<double, std::uint32_t>> spikes_;  // merge scratch
    std::vector<Fired> fired_;                               // every rank's spikes of the epoch
    std::vector<Barrier> barriers_;                          // of the current epoch
    std::uint64_t epoch_ = 0;                                // the next to run
    bool done_ = false;
    double wall_seconds_ = 0;

    // Runs epoch_ (and moves on to the next, unless the run ends in it).
    void run_epoch();
    EventCounts event_counts() const;

    void barriers_in(double from, double to, std::vector<Barrier>& out) const;
    void act(const Barrier& b);
    void walk(const Until& until, bool first);
    void sample_weights(std::uint32_t w, double t);
    void exchange_spikes();
    void change_population(std::uint32_t p, double temperature, double t);
    void merge_activity();
    void rebase_traces(double t);
    void refuse_ranks() const {
        if (comm_.size() > 1)
            throw UserError("checkpoints are not available for a run on several ranks (mpirun): "
                            "run on one process to save or resume a run");
    }
};

unsigned partition_count(const Circuit& c, unsigned threads) {
    return std::max(1u, std::min({threads, c.owned.size(), 4096u}));
}

// The circuit of this rank's neurons, every rank stopping when one cannot build its own.
std::unique_ptr<Circuit> agreed_circuit(Model m, Communicator& comm) {
    const NeuronRange owned = owned_range(m.neuron_count(), comm.rank(), comm.size());
    std::unique_ptr<Circuit> circuit;
    std::exception_ptr failure;
    try {
        circuit = std::make_unique<Circuit>(std::move(m), owned);
    } catch (...) {
        failure = std::current_exception();
    }
    comm.agree(failure);
    return circuit;
}

EpochEngine::EpochEngine(Model m, unsigned threads, Communicator& comm)
    : comm_(comm),
      circuit_(agreed_circuit(std::move(m), comm)),
      c_(*circuit_),
      grid_(epoch_length(c_, comm)),
      buckets_(0, 1),
      pool_(partition_count(c_, threads)) {
    if (!(grid_.length() > 0))
        throw UserError(fmt::format("the shortest delay, {} ms, gives epochs of no length", c_.net.min_delay));
    for (const Synapses& s : c_.net.projections)
        for (std::uint64_t q = 0; q < s.size(); ++q) max_delay_ = std::max(max_delay_, s.delay[q]);
    const unsigned parts = pool_.size();
    const std::uint32_t neurons = c_.owned.size();
    partition_of_.resize(c_.net.neuron_count());
    for (unsigned p = 0; p < parts; ++p) {
        const auto first = c_.owned.first + static_cast<std::uint32_t>(std::uint64_t{neurons} * p / parts);
        const auto last = c_.owned.first + static_cast<std::uint32_t>(std::uint64_t{neurons} * (p + 1) / parts);
        partitions_.emplace_back(c_, p, first, last);
        std::fill(partition_of_.begin() + first, partition_of_.begin() + last, static_cast<std::uint16_t>(p));
    }
    // Slots for every epoch an arrival can reach, with one to spare for rounding.
    const auto ahead = static_cast<std::size_t>(std::ceil(max_delay_ / grid_.length())) + 3;
    buckets_ = ArrivalBuckets(ahead, parts);
    next_energy_.assign(c_.model.populations.size(), 0);
    next_weights_.assign(c_.model.recording.weights.size(), 0);
    std::uint64_t synapses[] = {c_.net.synapse_count()};
    comm_.sum(synapses);
    synapse_count_ = synapses[0];
    if (comm_.size() == 1) return;
    for (std::size_t w = 0; w < next_weights_.size(); ++w) {
        const std::uint32_t k = c_.recorders.weight_projection(w);
        orders_.emplace_back(comm_, c_.model, c_.net, k);
        // A static projection's histogram spans its weights over every rank's share.
        const Synapses& s = c_.net.projections[k];
        if (s.stdp) continue;
        const std::vector<double> weights = s.weight.expanded(s.size());
        const double lo = comm_.min(weights.empty() ? std::numeric_limits<double>::infinity() : *std::min_element(weights.begin(), weights.end()));
        const double hi = comm_.max(weights.empty() ? -std::numeric_limits<double>::infinity() : *std::max_element(weights.begin(), weights.end()));
        if (lo <= hi) c_.recorders.set_weight_range(w, lo, hi);
    }
}

// The barriers in [from, to), sorted.
void EpochEngine::barriers_in(double from, double to, std::vector<Barrier>& out) const {
    out.clear();
    const auto& steps = c_.schedule.steps();
    for (std::size_t k = next_step_; k < steps.size() && steps[k].time < to; ++k)
        out.push_back({steps[k].time, EventKind::metabolic_change, static_cast<std::uint32_t>(k)});
    for (std::uint32_t p = 0; p < c_.model.populations.size(); ++p) {
        if (!c_.energy.has_budget(p)) continue;
        for (std::uint32_t k = next_energy_[p]; k <= c_.energy.last_update(p); ++k) {
            const double t = std::min(k * c_.energy.interval(p), c_.model.duration);
            if (!(t < to)) break;
            out.push_back({t, EventKind::energy_update, p});
        }
    }
    const std::size_t states = c_.model.recording.states.size();
    for (std::uint32_t w = 0; w < next_weights_.size(); ++w) {
        const std::size_t r = states + w;
        for (std::uint32_t k = next_weights_[w]; k <= c_.recorders.last_sample(r); ++k) {
            const double t = std::min(k * c_.recorders.interval(r), c_.model.duration);
            if (!(t < to)) break;
            out.push_back({t, EventKind::sample, w});
        }
    }
    if (from <= c_.model.duration && c_.model.duration < to) out.push_back({c_.model.duration, EventKind::end_of_run, 0});
    std::sort(out.begin(), out.end());
}

void EpochEngine::change_population(std::uint32_t p, double temperature, double t) {
    for (Partition& part : partitions_) part.settle(p, t);
    if (c_.change_temperature(p, temperature, t))
        for (Partition& part : partitions_) part.redraw_drive(p, t);
}

void EpochEngine::act(const Barrier& b) {
    ++counts_[b.kind];
    switch (b.kind) {
    case EventKind::metabolic_change: {
        const MetabolicSchedule::Step& step = c_.schedule.steps()[b.target];
        for (std::uint32_t p : step.populations) change_population(p, step.temperature, b.time);
        ++next_step_;
        return;
    }
    case EventKind::energy_update: {
        std::array<std::uint64_t, 2> activity = c_.energy.activity(b.target);
        comm_.sum(activity);
        c_.energy.set_activity(b.target, activity);
        if (const auto temperature = c_.update_energy(b.target, b.time)) change_population(b.target, *temperature, b.time);
        ++next_energy_[b.target];
        return;
    }
    case EventKind::sample:
        sample_weights(b.target, b.time);
        ++next_weights_[b.target];
        return;
    default: return;
    }
}

// Spikes of every partition recorded in (time, neuron) order; activity counted.
void EpochEngine::merge_activity() {
    spikes_.clear();
    for (Partition& part : partitions_) {
        spikes_.insert(spikes_.end(), part.spikes().begin(), part.spikes().end());
        for (std::uint32_t p = 0; p < part.releases().size(); ++p) c_.energy.count_release(p, part.releases()[p]);
        part.clear_activity();
    }
    std::sort(spikes_.begin(), spikes_.end());
    for (const auto& [t, n] : spikes_) {
        c_.recorders.spike(c_.population_of[n], c_.local(n), t);
        c_.energy.count_spike(c_.population_of[n]);
    }
}

// On several ranks the weights come to rank 0 in the whole network's order, where they are summed.
void EpochEngine::sample_weights(std::uint32_t w, double t) {
    const std::size_t r = c_.model.recording.states.size() + w;
    if (comm_.size() == 1) {
        c_.recorders.sample_weights(r, t, c_.net);
        return;
    }
    const Synapses& s = c_.net.projections[c_.recorders.weight_projection(w)];
    const SynapseValues all{orders_[w].gather(comm_, s.weights()), 0.0};
    if (comm_.rank() == 0) c_.recorders.sample_weights(r, t, all, orders_[w].size());
}

// Advances every partition before `until`; an error on any rank stops every rank.
void EpochEngine::walk(const Until& until, bool first) {
    std::exception_ptr failure;
    try {
        pool_.run([&](unsigned p) {
            if (first) partitions_[p].take_arrivals(buckets_, epoch_);
            partitions_[p].advance(until);
        });
    } catch (...) {
        failure = std::current_exception();
    }
    comm_.agree(failure);
}

// Every rank's spikes of the epoch, in rank order, then each partition delivers its share of them.
void EpochEngine::exchange_spikes() {
    std::vector<Fired> mine;
    for (Partition& part : partitions_) {
        mine.insert(mine.end(), part.fired().begin(), part.fired().end());
        part.clear_fired();
    }
    fired_ = comm_.all_gather(mine);
    const std::size_t parts = partitions_.size();
    pool_.run([&](unsigned p) {
        const std::span<const Fired> all(fired_);
        partitions_[p].deliver(all.subspan(fired_.size() * p / parts, fired_.size() * (p + 1) / parts - fired_.size() * p / parts),
                               buckets_, grid_, epoch_, c_.model.duration, partition_of_);
    });
}

void EpochEngine::rebase_traces(double t) {
    for (StdpTraces& traces : c_.plasticity.projections)
        if (!traces.pre_scaled.empty()) traces.rebase_pre(t);
}

void EpochEngine::run_epoch() {
    grid_.reach(epoch_ + 1);
    const double start = grid_.start(epoch_), end = grid_.start(epoch_ + 1);
    if (!(end > start))
        throw UserError(fmt::format("the shortest delay, {} ms, is too small to advance time past {} ms "
                                    "in double precision; use longer delays or a shorter run",
                                    grid_.length(), start));
    rebase_traces(start);
    barriers_in(start, end, barriers_);
    bool first = true;
    for (std::size_t b = 0; b <= barriers_.size(); ++b) {
        // Stops at each barrier's instant once (several may share it), and at the epoch's end.
        if (b < barriers_.size() && b > 0 && barriers_[b].time == barriers_[b - 1].time &&
            barriers_[b].kind == barriers_[b - 1].kind) {
            act(barriers_[b]);
            continue;
        }
        const Until until = b < barriers_.size() ? Until{barriers_[b].time, barriers_[b].kind}
                                                 : Until{end, EventKind::metabolic_change};
        walk(until, first);
        first = false;
        const Stopwatch timed(barrier_seconds_);
        merge_activity();
        if (b == barriers_.size()) break;
        act(barriers_[b]);
        if (barriers_[b].kind == EventKind::end_of_run) {
            done_ = true;
            return;
        }
    }
    grid_.reach(epoch_ + 1 + static_cast<std::uint64_t>(std::ceil(max_delay_ / grid_.length())) + 2);
    exchange_spikes();
    ++epoch_;
    grid_.forget_before(epoch_);
}

void EpochEngine::advance(double until, ProgressReporter& reporter, const std::atomic<bool>& stop) {
    // Asked for the end, it runs the epoch holding the end of the run too (it starts at the end).
    const bool to_end = until >= c_.model.duration;
    while (!done_ && (time() < until || to_end) && !comm_.any(stop)) {
        run_epoch();
        reporter.maybe_report(time(), event_counts().total());
    }
    wall_seconds_ = reporter.elapsed();
}

EventCounts EpochEngine::event_counts() const {
    EventCounts total = counts_;
    for (const Partition& part : partitions_)
        for (std::size_t k = 0; k < event_kind_count; ++k) total.by_kind[k] += part.counts().by_kind[k];
    return total;
}

Results EpochEngine::results() const {
    RunCounters counters;
    // Every rank's partitions count their own neurons' events; the barriers are counted once.
    EventCounts counts;
    for (const Partition& part : partitions_)
        for (std::size_t k = 0; k < event_kind_count; ++k) counts.by_kind[k] += part.counts().by_kind[k];
    comm_.sum(counts.by_kind);
    for (std::size_t k = 0; k < event_kind_count; ++k) counts.by_kind[k] += counts_.by_kind[k];
    counts.report(counters);
    counters.epochs = done_ ? epoch_ + 1 : epoch_;
    counters.wall_seconds = wall_seconds_;
    PhaseSeconds sum;
    for (const Partition& part : partitions_) {
        const PhaseSeconds& p = part.phases();
        sum.arrivals += p.arrivals, sum.walk += p.walk, sum.series += p.series, sum.exact += p.exact;
        sum.delivery += p.delivery;
    }
    counters.phases = {{"arrivals sorted", sum.arrivals},
                       {"walk", sum.walk - sum.series - sum.exact},
                       {"series", sum.series},
                       {"exact search", sum.exact},
                       {"delivery", sum.delivery},
                       {"barriers", barrier_seconds_}};
    Results results = c_.recorders.snapshot(c_.net, std::move(counters));
    if (comm_.size() > 1) gather_results(comm_, c_, orders_, results);
    results.engine = "event-driven";
    return results;
}

// Saved between epochs, after the delivery: the state is the circuit's, the partitions' per-neuron
// state and the arrivals waiting in the buckets, each in an order that does not depend on the
// partitions, so that a checkpoint resumes on any number of threads.
void EpochEngine::save(CheckpointWriter& out) const {
    refuse_ranks();
    c_.save(out);
    out.section("epochs");
    out.put(epoch_);
    out.put(static_cast<std::uint8_t>(done_));
    out.put(static_cast<std::uint64_t>(next_step_));
    out.put(next_energy_);
    out.put(next_weights_);
    out.put(event_counts().by_kind);
    out.put(wall_seconds_);
    NeuronClocks clocks;
    for (const Partition& part : partitions_) part.save(clocks);
    out.put(clocks.t_last);
    out.put(clocks.refractory_until);
    out.put(clocks.last_spike);
    out.put(clocks.refractory);
    out.put(clocks.generator_next);
    out.put(clocks.sample_next);
    // The waiting arrivals as columns (no padding bytes in the file), in a canonical order.
    std::vector<std::pair<std::uint64_t, Arrival>> waiting;
    for (std::uint64_t e = epoch_; e < epoch_ + buckets_.slots(); ++e)
        for (unsigned target = 0; target < buckets_.partitions(); ++target)
            for (unsigned writer = 0; writer < buckets_.partitions(); ++writer)
                for (const Arrival& a : buckets_.buffer(e, target, writer)) waiting.push_back({e, a});
    std::sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) {
        return std::tie(a.first, a.second.target, a.second.time, a.second.order) <
               std::tie(b.first, b.second.target, b.second.time, b.second.order);
    });
    std::vector<std::uint64_t> epochs, orders;
    std::vector<double> times;
    std::vector<std::uint32_t> targets;
    for (const auto& [e, a] : waiting) {
        epochs.push_back(e);
        times.push_back(a.time);
        orders.push_back(a.order);
        targets.push_back(a.target);
    }
    out.put(epochs);
    out.put(times);
    out.put(orders);
    out.put(targets);
}

void EpochEngine::load(CheckpointReader& in) {
    refuse_ranks();
    c_.load(in);
    in.section("epochs");
    epoch_ = in.get<std::uint64_t>();
    done_ = in.get<std::uint8_t>() != 0;
    next_step_ = in.get<std::uint64_t>();
    in.get_exactly(next_energy_, c_.model.populations.size(), "populations");
    in.get_exactly(next_weights_, c_.model.recording.weights.size(), "weight recorders");
    counts_.by_kind = in.get<decltype(counts_.by_kind)>();
    wall_seconds_ = in.get<double>();
    const std::size_t n = c_.net.neuron_count();
    NeuronClocks clocks;
    in.get_exactly(clocks.t_last, n, "neurons");
    in.get_exactly(clocks.refractory_until, n, "neurons");
    in.get_exactly(clocks.last_spike, n, "neurons");
    in.get_exactly(clocks.refractory, n, "neurons");
    std::size_t generators = 0, samples = 0;
    for (const Partition& part : partitions_) generators += part.generator_cursors(), samples += part.sample_cursors();
    in.get_exactly(clocks.generator_next, generators, "generator inputs");
    in.get_exactly(clocks.sample_next, samples, "recorded neurons");
    std::size_t generator_at = 0, sample_at = 0;
    for (Partition& part : partitions_) part.load(clocks, generator_at, sample_at);
    std::vector<std::uint64_t> epochs, orders;
    std::vector<double> times;
    std::vector<std::uint32_t> targets;
    in.get(epochs);
    in.get_exactly(times, epochs.size(), "arrivals");
    in.get_exactly(orders, epochs.size(), "arrivals");
    in.get_exactly(targets, epochs.size(), "arrivals");
    for (std::size_t k = 0; k < epochs.size(); ++k) {
        if (epochs[k] < epoch_ || epochs[k] >= epoch_ + buckets_.slots() || targets[k] >= n)
            in.fail("an arrival outside the run");
        buckets_.buffer(epochs[k], partition_of_[targets[k]], 0).push_back({times[k], orders[k], targets[k]});
    }
    // The grid by the same additions as the saved run's.
    grid_.reach(epoch_ + 1);
    grid_.forget_before(epoch_);
}

}  // namespace

std::unique_ptr<Engine> make_epoch_engine(Model model, unsigned threads) {
    return std::make_unique<EpochEngine>(std::move(model), threads, world());
}

}  // namespace metabosim
