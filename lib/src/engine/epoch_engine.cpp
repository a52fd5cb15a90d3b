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
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "engine/engine.hpp"
#include "engine/epochs.hpp"
#include "engine/partition.hpp"
#include "engine/progress.hpp"
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
double epoch_length(const Circuit& c) {
    double length = std::min(c.net.min_delay, c.model.duration);
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
    EpochEngine(Model m, unsigned threads);
    const Circuit& circuit() const override { return c_; }
    Results run(const std::function<void(const Progress&)>& progress, double progress_interval) override;

private:
    Circuit c_;
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

    void barriers_in(double from, double to, std::vector<Barrier>& out) const;
    void act(const Barrier& b);
    void change_population(std::uint32_t p, double temperature, double t);
    void merge_activity();
    void rebase_traces(double t);
};

unsigned partition_count(const Model& model, unsigned threads) {
    return std::max(1u, std::min({threads, model.neuron_count(), 4096u}));
}

EpochEngine::EpochEngine(Model m, unsigned threads)
    : c_(std::move(m)),
      grid_(epoch_length(c_)),
      buckets_(0, 1),
      pool_(partition_count(c_.model, threads)) {
    if (!(grid_.length() > 0))
        throw UserError(fmt::format("the shortest delay, {} ms, gives epochs of no length", c_.net.min_delay));
    for (const Synapses& s : c_.net.projections)
        for (std::uint64_t q = 0; q < s.size(); ++q) max_delay_ = std::max(max_delay_, s.delay[q]);
    const unsigned parts = pool_.size();
    const std::uint32_t neurons = c_.net.neuron_count();
    partition_of_.resize(neurons);
    for (unsigned p = 0; p < parts; ++p) {
        const auto first = static_cast<std::uint32_t>(std::uint64_t{neurons} * p / parts);
        const auto last = static_cast<std::uint32_t>(std::uint64_t{neurons} * (p + 1) / parts);
        partitions_.emplace_back(c_, p, first, last);
        std::fill(partition_of_.begin() + first, partition_of_.begin() + last, static_cast<std::uint16_t>(p));
    }
    // Slots for every epoch an arrival can reach, with one to spare for rounding.
    const auto ahead = static_cast<std::size_t>(std::ceil(max_delay_ / grid_.length())) + 3;
    buckets_ = ArrivalBuckets(ahead, parts);
    next_energy_.assign(c_.model.populations.size(), 0);
    next_weights_.assign(c_.model.recording.weights.size(), 0);
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
    case EventKind::energy_update:
        if (const auto temperature = c_.update_energy(b.target, b.time)) change_population(b.target, *temperature, b.time);
        ++next_energy_[b.target];
        return;
    case EventKind::sample:
        c_.recorders.sample_weights(c_.model.recording.states.size() + b.target, b.time, c_.net);
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

void EpochEngine::rebase_traces(double t) {
    for (StdpTraces& traces : c_.plasticity.projections)
        if (!traces.pre_scaled.empty()) traces.rebase_pre(t);
}

Results EpochEngine::run(const std::function<void(const Progress&)>& progress, double progress_interval) {
    ProgressReporter reporter(progress, progress_interval, c_.model.duration);
    std::vector<Barrier> barriers;
    std::uint64_t epoch = 0;
    bool done = false;
    while (!done) {
        grid_.reach(epoch + 1);
        const double start = grid_.start(epoch), end = grid_.start(epoch + 1);
        if (!(end > start))
            throw UserError(fmt::format("the shortest delay, {} ms, is too small to advance time past {} ms "
                                        "in double precision; use longer delays or a shorter run",
                                        grid_.length(), start));
        rebase_traces(start);
        barriers_in(start, end, barriers);
        bool first = true;
        for (std::size_t b = 0; b <= barriers.size() && !done; ++b) {
            // Stops at each barrier's instant once (several may share it), and at the epoch's end.
            if (b < barriers.size() && b > 0 && barriers[b].time == barriers[b - 1].time &&
                barriers[b].kind == barriers[b - 1].kind) {
                act(barriers[b]);
                continue;
            }
            const Until until = b < barriers.size() ? Until{barriers[b].time, barriers[b].kind}
                                                    : Until{end, EventKind::metabolic_change};
            pool_.run([&](unsigned p) {
                if (first) partitions_[p].take_arrivals(buckets_, epoch);
                partitions_[p].advance(until);
            });
            first = false;
            const Stopwatch timed(barrier_seconds_);
            merge_activity();
            if (b == barriers.size()) break;
            if (barriers[b].kind == EventKind::end_of_run) done = true;
            act(barriers[b]);
        }
        if (done) break;
        grid_.reach(epoch + 1 + static_cast<std::uint64_t>(std::ceil(max_delay_ / grid_.length())) + 2);
        pool_.run([&](unsigned p) { partitions_[p].deliver(buckets_, grid_, epoch, c_.model.duration, partition_of_); });
        ++epoch;
        grid_.forget_before(epoch);
        if (progress) {
            std::uint64_t events = counts_.total();
            for (const Partition& part : partitions_) events += part.counts().total();
            reporter.maybe_report(end, events);
        }
    }

    EventCounts total = counts_;
    for (const Partition& part : partitions_)
        for (std::size_t k = 0; k < event_kind_count; ++k) total.by_kind[k] += part.counts().by_kind[k];
    RunCounters counters;
    total.report(counters);
    counters.epochs = epoch + 1;
    counters.wall_seconds = reporter.elapsed();
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
    Results results = c_.recorders.finish(c_.net, std::move(counters));
    results.engine = "event-driven";
    return results;
}

}  // namespace

std::unique_ptr<Engine> make_epoch_engine(Model model, unsigned threads) {
    return std::make_unique<EpochEngine>(std::move(model), threads);
}

}  // namespace metabosim
