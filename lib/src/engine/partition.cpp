#include "engine/partition.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"
#include "metabosim/neuron/propagator.hpp"

namespace metabosim {
namespace {

constexpr int synapse_bits = 40;  // an arrival's order is (projection << 40) | entry (epochs.hpp)
constexpr std::uint64_t synapse_mask = (std::uint64_t{1} << synapse_bits) - 1;
constexpr double never = std::numeric_limits<double>::infinity();

// Builds a CSR of entries by local neuron, keeping the order in which they were listed.
template <class Entry>
void by_neuron(std::vector<std::pair<std::uint32_t, Entry>> listed, std::uint32_t neurons, std::vector<std::uint32_t>& begin,
               std::vector<Entry>& entries) {
    std::stable_sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    begin.assign(neurons + 1, 0);
    for (const auto& [i, entry] : listed) ++begin[i + 1];
    for (std::uint32_t i = 0; i < neurons; ++i) begin[i + 1] += begin[i];
    entries.clear();
    for (const auto& [i, entry] : listed) entries.push_back(entry);
}

}  // namespace

// Intervals of alike length share vectors, so that a vector's lanes need alike numbers of series
// terms (a vector runs as many as its slowest lane): groups by the binary exponent of h.
std::size_t Partition::length_group(double h) {
    std::uint64_t bits;
    std::memcpy(&bits, &h, sizeof bits);
    const int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    return static_cast<std::size_t>(std::clamp(exponent + 20, 0, static_cast<int>(length_groups) - 1));
}

Partition::Partition(Circuit& circuit, unsigned index, std::uint32_t first, std::uint32_t last)
    : c_(circuit), index_(index), first_(first), last_(last) {
    const std::uint32_t n = last - first;
    t_last_.assign(n, 0.0);
    refractory_until_.assign(n, -never);
    last_spike_.assign(n, -never);
    end_.assign(n, 0.0);
    awaited_.assign(n, Next{});
    refractory_.assign(n, 0);
    input_begin_.assign(n + 1, 0);
    input_next_.assign(n, 0);
    releases_.assign(c_.model.populations.size(), 0);
    for (std::uint32_t p = 0; p < c_.net.populations.size(); ++p) {
        const PopulationRange r = c_.net.populations[p];
        if (r.first < last && r.first + r.size > first) population_ranges_.push_back(p);
    }

    std::vector<std::pair<std::uint32_t, GeneratorCursor>> generators;
    for (std::uint32_t g = 0; g < c_.model.generators.size(); ++g) {
        const SpikeGenerator& gen = c_.model.generators[g];
        const PopulationRange r = c_.net.populations[c_.model.population_index(gen.target)];
        const auto add = [&](std::uint32_t local) {
            const std::uint32_t target = r.first + local;
            if (target >= first && target < last) generators.push_back({target - first, {g, 0}});
        };
        if (gen.neurons.empty())
            for (std::uint32_t j = 0; j < r.size; ++j) add(j);
        else
            for (std::uint32_t j : gen.neurons) add(j);
    }
    by_neuron(std::move(generators), n, generator_begin_, generators_);

    std::vector<std::pair<std::uint32_t, SampleCursor>> samples;
    for (std::uint32_t r = 0; r < c_.model.recording.states.size(); ++r) {
        const auto& recorded = c_.recorders.recorded(r);
        for (std::uint32_t slot = 0; slot < recorded.size(); ++slot)
            if (recorded[slot] >= first && recorded[slot] < last)
                samples.push_back({recorded[slot] - first,
                                   {r, slot, 0, c_.recorders.last_sample(r), c_.recorders.interval(r)}});
    }
    by_neuron(std::move(samples), n, sample_begin_, samples_);
}

void Partition::take_arrivals(ArrivalBuckets& buckets, std::uint64_t epoch) {
    const Stopwatch timed(phases_.arrivals);
    const std::uint32_t n = last_ - first_;
    std::fill(input_begin_.begin(), input_begin_.end(), 0);
    for (unsigned w = 0; w < buckets.partitions(); ++w)
        for (const Arrival& a : buckets.buffer(epoch, index_, w)) ++input_begin_[a.target - first_ + 1];
    for (std::uint32_t i = 0; i < n; ++i) input_begin_[i + 1] += input_begin_[i];
    inputs_.resize(input_begin_[n]);
    std::copy(input_begin_.begin(), input_begin_.end() - 1, input_next_.begin());
    for (unsigned w = 0; w < buckets.partitions(); ++w) {
        auto& buffer = buckets.buffer(epoch, index_, w);
        for (const Arrival& a : buffer) inputs_[input_next_[a.target - first_]++] = {a.time, a.order};
        buffer.clear();
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        const auto b = inputs_.begin() + input_begin_[i], e = inputs_.begin() + input_begin_[i + 1];
        if (e - b > 16)
            std::sort(b, e);
        else  // a few: by insertion, cheaper than std::sort's set-up (the order is the same)
            for (auto next = b + 1; next < e; ++next)
                for (auto at = next; at > b && *at < *(at - 1); --at) std::iter_swap(at, at - 1);
        input_next_[i] = input_begin_[i];
    }
}

// About 4,096 arrivals walked at once, with their synapses and their neurons' state, fit the
// core's second-level cache; a window of 256 neurons or more still fills a round's vectors.
std::size_t Partition::walk_window() const {
    const std::size_t neurons = last_ - first_;
    return std::clamp<std::size_t>(4096 * neurons / std::max<std::size_t>(inputs_.size(), 1), 256, 1024);
}

// Sources are asked in the tie order of equal times (event.hpp): the end of refractoriness, an
// arrival, the drive (external input 0), generators (external inputs g + 1, in order). So a
// later source wins only when strictly earlier.
inline Partition::Next Partition::next_input(std::uint32_t i) const {
    Next best;
    if (refractory(i)) best = {refractory_until_[i], 0, EventKind::refractory_end, Next::Source::refractory_end};
    if (input_next_[i] < input_begin_[i + 1]) {
        const auto& [t, order] = inputs_[input_next_[i]];
        if (t < best.time) best = {t, order, EventKind::spike_arrival, Next::Source::arrival};
    }
    const double drive = c_.drive.next[first_ + i];
    if (drive < best.time) best = {drive, 0, EventKind::external_input, Next::Source::drive};
    for (std::uint32_t e = generator_begin_[i]; e < generator_begin_[i + 1]; ++e) {
        const GeneratorCursor& g = generators_[e];
        const auto& times = c_.model.generators[g.generator].times;
        if (g.next < times.size() && times[g.next] < best.time)
            best = {times[g.next], e, EventKind::external_input, Next::Source::generator};
    }
    return best;
}

double Partition::sample_time(const SampleCursor& s) const { return std::min(s.next * s.interval, c_.model.duration); }

MembraneState Partition::state_at(std::uint32_t i, double t) const {
    const std::uint32_t n = first_ + i;
    const MembraneState s = c_.neurons[n];
    const double dt = t - t_last_[i];
    if (!(dt > 0)) return s;
    if (refractory(i)) return decay_conductances(c_.params(n), s, dt);
    return propagate(c_.params(n), s, dt);
}

void Partition::read_samples(std::uint32_t i, Until bound) {
    if (!before(bound.time, bound.kind, until_)) bound = until_;
    for (std::uint32_t e = sample_begin_[i]; e < sample_begin_[i + 1]; ++e) {
        SampleCursor& s = samples_[e];
        for (; s.next <= s.last && before(sample_time(s), EventKind::sample, bound); ++s.next) {
            c_.recorders.record_state(s.recorder, s.next, s.slot, state_at(i, sample_time(s)));
            ++counts_[EventKind::sample];
        }
    }
}

inline void Partition::apply(std::uint32_t i, const Next& input) {
    const std::uint32_t n = first_ + i;
    ++counts_[input.kind];
    switch (input.source) {
    case Next::Source::refractory_end:
        refractory_[i] = 0;
        c_.neurons.V[n] = c_.params(n).Vr;
        return;
    case Next::Source::arrival: {
        const auto k = static_cast<std::uint32_t>(input.ref >> synapse_bits);
        ++releases_[c_.net.projections[k].pre];
        c_.arrive_at(n, k, input.ref & synapse_mask, input.time, false);
        ++input_next_[i];
        return;
    }
    case Next::Source::drive:
        c_.drive_input(n);
        c_.draw_drive(n, input.time);
        return;
    case Next::Source::generator: {
        const SpikeGenerator& gen = c_.model.generators[generators_[input.ref].generator];
        c_.external_input(n, gen.receptor, gen.weight);
        ++generators_[input.ref].next;
        return;
    }
    case Next::Source::none: return;
    }
}

// A synapse's weight and STDP trace are scattered in memory: asked for a few neurons ahead of
// their use, they are there when the arrival is applied.
inline void Partition::prefetch_input(std::uint32_t i) const {
    const Next& input = awaited_[i];
    if (input.source == Next::Source::arrival)
        c_.prefetch_arrival(static_cast<std::uint32_t>(input.ref >> synapse_bits), input.ref & synapse_mask);
}

inline Partition::Need Partition::prepare(std::uint32_t i, bool awaits) {
    const std::uint32_t n = first_ + i;
    Next input = awaits ? awaited_[i] : next_input(i);
    while (true) {
        const bool inside = before(input.time, input.kind, until_);
        if (inside && input.time == t_last_[i]) {
            apply(i, input);
            input = next_input(i);
            continue;
        }
        const Until to = inside ? Until{input.time, input.kind} : until_;
        if (refractory(i)) {  // V is clamped: nothing can cross, only the conductances decay
            take_samples(i, to);
            if (!inside) return Need::done;
            commit(i, state_at(i, input.time), input.time);
            apply(i, input);
            input = next_input(i);
            continue;
        }
        // Samples at the present time come after every input at it, and after a spike if V is at
        // threshold already (the interval's crossing search fires it first).
        if (sampled(i) && c_.neurons.V[n] < c_.params(n).Vth) read_samples(i, {t_last_[i], EventKind::end_of_run});
        end_[i] = to.time;
        if (inside) {
            awaited_[i] = input;
            return Need::interval;
        }
        return to.time > t_last_[i] ? Need::check : Need::done;
    }
}

void Partition::spike(std::uint32_t i, double t) {
    const std::uint32_t n = first_ + i;
    const LoweredNeuron& p = c_.params(n);
    // A refractory period too short to move time on (t + t_ref == t) with input strong enough to
    // hold V above threshold would make the neuron fire again and again at the same instant.
    if (t == last_spike_[i])
        throw UserError(fmt::format("population \"{}\" neuron {} fires twice at t = {} ms with t_ref = {} ms: "
                                    "time cannot advance; give the population a longer refractory period",
                                    c_.model.populations[c_.population_of[n]].name, c_.local(n), t, p.t_ref));
    last_spike_[i] = t;
    c_.neurons.V[n] = p.Vr;
    refractory_[i] = 1;
    refractory_until_[i] = t + p.t_ref;
    c_.plasticity.on_spike(c_.net, c_.population_of[n], c_.local(n), t);
    spikes_.emplace_back(t, n);
    fired_.push_back({t, n});
    ++counts_[EventKind::threshold_crossing];
}

bool Partition::exact_interval(std::uint32_t i, Need need) {
    const Stopwatch timed(phases_.exact);
    const std::uint32_t n = first_ + i;
    const LoweredNeuron& p = c_.params(n);
    const MembraneState s = c_.neurons[n];
    const double t0 = t_last_[i], t1 = end_[i], h = t1 - t0;
    Segment first;  // the search's first segment, if it built one: also the propagation's
    if (const auto crossing = first_crossing(p, s, h, &first)) {
        const double tc = t0 + *crossing;
        // An input at the interval's end comes before a crossing at the same time.
        const bool fires = need == Need::check ? before(tc, EventKind::threshold_crossing, until_) : tc < t1;
        if (fires) {
            take_samples(i, {tc, EventKind::threshold_crossing});
            commit(i, propagate(p, s, *crossing), tc);
            spike(i, tc);
            return true;
        }
    }
    // No crossing: moved to the interval's end, so that the search is not made again.
    take_samples(i, need == Need::check ? until_ : Until{t1, EventKind::metabolic_change});
    commit(i, first.length() > 0 ? propagate(p, s, h, first) : propagate(p, s, h), t1);
    return need == Need::interval;
}

void Partition::advance_range(std::uint32_t p, std::uint32_t from, std::uint32_t to) {
    const LoweredNeuron& params = c_.metabolic[p].neuron;
    // The neurons walk a window at a time, a neuron that is done making room for the next one:
    // so their inputs and synapses stay in the core's cache while the rounds' vectors stay full.
    const std::size_t window = walk_window();
    std::uint32_t admitted = from;
    const auto admit = [&] {
        while (admitted < to && awaiting_.size() + fresh_.size() < window) fresh_.push_back(admitted++);
    };
    awaiting_.clear();
    fresh_.clear();
    admit();
    while (!awaiting_.empty() || !fresh_.empty()) {
        for (IntervalGroup& g : intervals_) g.clear();
        checks_.clear();
        check_neurons_.clear();
        for (const bool awaits : {true, false}) {
            const std::vector<std::uint32_t>& walking = awaits ? awaiting_ : fresh_;
            for (std::size_t w = 0; w < walking.size(); ++w) {
                if (awaits && w + prefetch_ahead < walking.size()) prefetch_input(walking[w + prefetch_ahead]);
                const std::uint32_t i = walking[w];
                const Need need = prepare(i, awaits);
                if (need == Need::interval) {
                    const double h = end_[i] - t_last_[i];
                    IntervalGroup& g = intervals_[length_group(h)];
                    g.batch.push(c_.neurons[first_ + i], h);
                    g.neurons.push_back(i);
                } else if (need == Need::check) {
                    checks_.push(c_.neurons[first_ + i], end_[i] - t_last_[i]);
                    check_neurons_.push_back(i);
                }
            }
        }
        still_awaiting_.clear();
        still_fresh_.clear();
        {
            const Stopwatch timed(phases_.series);
            for (IntervalGroup& g : intervals_)
                if (g.batch.size() > 0) propagate_batch(params, g.batch);
            check_batch(params, checks_);
        }
        for (IntervalGroup& g : intervals_) {
            for (std::size_t j = 0; j < g.neurons.size(); ++j) {
                const std::uint32_t i = g.neurons[j];
                const IntervalBatch& b = g.batch;
                if (b.outcome[j] != IntervalOutcome::propagated) {
                    exact_interval(i, Need::interval);
                    (refractory(i) ? still_fresh_ : still_awaiting_).push_back(i);  // refractory: it fired
                    continue;
                }
                // The whole interval, or as far as one series reaches (then on from there).
                const double t1 = b.step[j] < b.h[j] ? std::min(t_last_[i] + b.step[j], end_[i]) : end_[i];
                take_samples(i, {t1, EventKind::metabolic_change});
                commit(i, {b.V1[j], b.ge1[j], b.gi1[j]}, t1);
                still_awaiting_.push_back(i);
            }
        }
        for (std::size_t j = 0; j < check_neurons_.size(); ++j) {
            const std::uint32_t i = check_neurons_[j];
            if (checks_.outcome[j] == IntervalOutcome::no_crossing)
                take_samples(i, until_);
            else if (exact_interval(i, Need::check))
                still_fresh_.push_back(i);
        }
        std::swap(awaiting_, still_awaiting_);
        std::swap(fresh_, still_fresh_);
        admit();
    }
}

void Partition::advance(Until until) {
    const Stopwatch timed(phases_.walk);
    until_ = until;
    for (std::uint32_t p : population_ranges_) {
        const PopulationRange r = c_.net.populations[p];
        const std::uint32_t from = std::max(r.first, first_), to = std::min(r.first + r.size, last_);
        if (c_.sources.is_source(p))
            emit_sources(from, to);
        else
            advance_range(p, from - first_, to - first_);
    }
}

// A source's spikes are drawn, not integrated: each goes out like a neuron's at its crossing.
// Sources are never postsynaptic, so no STDP acts at their own spikes.
void Partition::emit_sources(std::uint32_t from, std::uint32_t to) {
    for (std::uint32_t n = from; n < to; ++n)
        for (double t; before(t = c_.source_next(n), EventKind::threshold_crossing, until_); c_.source_advance(n)) {
            spikes_.emplace_back(t, n);
            fired_.push_back({t, n});
            ++counts_[EventKind::threshold_crossing];
        }
}

void Partition::settle(std::uint32_t p, double t) {
    if (c_.sources.is_source(p)) return;  // no membrane
    const PopulationRange r = c_.net.populations[p];
    for (std::uint32_t n = std::max(r.first, first_); n < std::min(r.first + r.size, last_); ++n)
        commit(n - first_, state_at(n - first_, t), t);
}

void Partition::redraw_drive(std::uint32_t p, double t) {
    const PopulationRange r = c_.net.populations[p];
    for (std::uint32_t n = std::max(r.first, first_); n < std::min(r.first + r.size, last_); ++n) c_.draw_drive(n, t);
}

void Partition::deliver(std::span<const Fired> spikes, ArrivalBuckets& buckets, const EpochGrid& grid,
                        std::uint64_t epoch, double end, const std::vector<std::uint16_t>& partition_of) {
    const Stopwatch timed(phases_.delivery);
    const Network& net = c_.net;
    for (const auto& [t, n, zero] : spikes) {
        const std::uint32_t row = c_.local(n);
        for (std::uint32_t k : c_.outgoing[c_.population_of[n]]) {
            const Synapses& s = net.projections[k];
            const std::uint32_t first_post = net.populations[s.post].first;
            const auto send = [&](std::uint64_t q, double arrival, const ArrivalBuckets::Column& to_epoch) {
                const std::uint32_t target = first_post + s.target[q];
                const std::uint64_t order = (std::uint64_t{k} << synapse_bits) | s.entry_of(q);
                to_epoch[partition_of[target]].push_back({arrival, order, target});
            };
            const std::uint64_t from = s.row_begin[row], to = s.row_begin[row + 1];
            if (s.delay.each.empty()) {  // one delay: every arrival of the row at the same time
                const double arrival = t + s.delay.shared;
                if (arrival > end) continue;  // after the run
                const ArrivalBuckets::Column to_epoch = buckets.column(grid.epoch_of(arrival, epoch + 1), index_);
                for (std::uint64_t q = from; q < to; ++q) send(q, arrival, to_epoch);
                continue;
            }
            for (std::uint64_t q = from; q < to; ++q) {
                const double arrival = t + s.delay[q];
                if (arrival > end) continue;  // after the run
                send(q, arrival, buckets.column(grid.epoch_of(arrival, epoch + 1), index_));
            }
        }
    }
}

void Partition::save(NeuronClocks& out) const {
    out.t_last.insert(out.t_last.end(), t_last_.begin(), t_last_.end());
    out.refractory_until.insert(out.refractory_until.end(), refractory_until_.begin(), refractory_until_.end());
    out.last_spike.insert(out.last_spike.end(), last_spike_.begin(), last_spike_.end());
    out.refractory.insert(out.refractory.end(), refractory_.begin(), refractory_.end());
    for (const GeneratorCursor& g : generators_) out.generator_next.push_back(g.next);
    for (const SampleCursor& s : samples_) out.sample_next.push_back(s.next);
}

void Partition::load(const NeuronClocks& in, std::size_t& generator_at, std::size_t& sample_at) {
    const auto from = [&](const auto& v) { return v.begin() + first_; };
    const std::uint32_t n = last_ - first_;
    std::copy(from(in.t_last), from(in.t_last) + n, t_last_.begin());
    std::copy(from(in.refractory_until), from(in.refractory_until) + n, refractory_until_.begin());
    std::copy(from(in.last_spike), from(in.last_spike) + n, last_spike_.begin());
    std::copy(from(in.refractory), from(in.refractory) + n, refractory_.begin());
    for (GeneratorCursor& g : generators_) g.next = in.generator_next[generator_at++];
    for (SampleCursor& s : samples_) s.next = in.sample_next[sample_at++];
}

std::size_t Partition::generator_cursors() const { return generators_.size(); }
std::size_t Partition::sample_cursors() const { return samples_.size(); }

void Partition::clear_activity() {
    spikes_.clear();
    std::fill(releases_.begin(), releases_.end(), 0);
}

}  // namespace metabosim
