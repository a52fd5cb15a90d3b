// The event-driven engine with one global event queue (the earlier exact engine, kept as an
// independent reference for the epoch engine; `--engine queue`).
//
// The run proceeds in epochs of the minimum synaptic delay d_min: a spike emitted inside
// [T, T + d_min) cannot arrive anywhere before T + d_min, so within an epoch every neuron's
// inputs are already known and spikes need only be exchanged at the epoch's end. Inside an epoch
// events are popped from one queue in the total order of event.hpp. Each neuron is advanced
// exactly (neuron/propagator.hpp) to each event that touches it; after any change its next
// threshold crossing is predicted again and the old prediction becomes stale (a version counter,
// checked when the prediction is popped).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "engine/engine.hpp"
#include "engine/progress_reporter.hpp"
#include "engine/queue.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/neuron/propagator.hpp"

namespace metabosim {
namespace {

constexpr double never = std::numeric_limits<double>::infinity();
constexpr int synapse_bits = 40;  // an arrival's order is (projection << 40) | synapse
constexpr std::uint64_t synapse_mask = (std::uint64_t{1} << synapse_bits) - 1;
constexpr std::uint64_t drive_order = 0;  // order of Poisson inputs; generator g uses g + 1

class EventEngine final : public Engine {
public:
    explicit EventEngine(Model m);
    const Circuit& circuit() const override { return c_; }
    void advance(double until, ProgressReporter& reporter, const std::atomic<bool>& stop) override;
    double time() const override { return done_ ? c_.model.duration : epoch_start_; }
    bool finished() const override { return done_; }
    double wall_seconds() const override { return wall_seconds_; }
    Results results() const override;
    void save(CheckpointWriter& out) const override;
    void load(CheckpointReader& in) override;

private:
    Circuit c_;
    std::vector<double> t_last_;            // time each neuron's state refers to
    std::vector<std::uint32_t> version_;    // bumped whenever a pending crossing prediction goes stale
    // The free trajectory from each neuron's state at t_last, as its latest prediction summed it
    // (empty when none): the next update evaluates it instead of summing a series again.
    std::vector<Segment> trajectory_;
    std::vector<std::uint8_t> refractory_;
    std::vector<double> last_spike_;
    std::vector<std::vector<double>> pending_arrivals_;  // min-heaps: times of queued spike arrivals
    EventQueue queue_;
    std::vector<std::pair<std::uint32_t, double>> outbox_;  // spikes of the current epoch
    EventCounts counts_;
    std::uint64_t stale_predictions_ = 0;
    double epoch_start_ = 0;
    std::uint64_t epochs_ = 0;
    bool done_ = false;
    double wall_seconds_ = 0;

    void run_epoch();

    MembraneState state_at(std::uint32_t n, double t) const;
    void advance(std::uint32_t n, double t);
    void predict(std::uint32_t n);
    void touched(std::uint32_t n) {
        ++version_[n];
        predict(n);
    }
    void schedule_drive(std::uint32_t n, double from);
    void push_drive(std::uint32_t n);
    void spike(std::uint32_t n, double t);
    void push_source(std::uint32_t n);
    void on_source(const Event& e);
    void deliver_outbox();

    void on_event(const Event& e);
    void on_arrival(const Event& e);
    void on_external(const Event& e);
    bool is_current(const Event& e);
    void on_crossing(const Event& e);
    void on_look_ahead(const Event& e);
    void on_refractory_end(const Event& e);
    void on_metabolic_change(const Event& e);
    void on_energy_update(const Event& e);
    void change_population(std::uint32_t p, double temperature, double t);
    void on_sample(const Event& e);
};

EventEngine::EventEngine(Model m) : c_(std::move(m)) {
    const std::uint32_t n_total = c_.net.neuron_count();
    const Model& model = c_.model;
    t_last_.assign(n_total, 0.0);
    version_.assign(n_total, 0);
    trajectory_.resize(n_total);
    refractory_.assign(n_total, 0);
    last_spike_.assign(n_total, -never);
    pending_arrivals_.resize(n_total);

    // Everything known at t = 0 goes into the queue.
    for (std::uint32_t k = 0; k < c_.schedule.steps().size(); ++k)
        queue_.push({.time = c_.schedule.steps()[k].time, .target = k, .kind = EventKind::metabolic_change});
    for (std::uint32_t p = 0; p < model.populations.size(); ++p)
        if (c_.energy.has_budget(p)) queue_.push({.time = 0, .target = p, .aux = 0, .kind = EventKind::energy_update});
    for (std::uint32_t n = 0; n < n_total; ++n) push_drive(n);
    for (std::uint32_t g = 0; g < model.generators.size(); ++g) {
        const SpikeGenerator& gen = model.generators[g];
        if (gen.times.empty()) continue;
        const PopulationRange& range = c_.net.populations[model.population_index(gen.target)];
        const auto push_for = [&](std::uint32_t i) {
            queue_.push({.time = gen.times[0], .order = g + 1, .target = range.first + i, .aux = 0,
                         .kind = EventKind::external_input});
        };
        if (gen.neurons.empty())
            for (std::uint32_t i = 0; i < range.size; ++i) push_for(i);
        else
            for (std::uint32_t i : gen.neurons) push_for(i);
    }
    for (std::uint32_t n = 0; n < n_total; ++n)
        if (c_.is_source(n)) push_source(n);
    for (std::size_t r = 0; r < c_.recorders.count(); ++r)
        queue_.push({.time = 0, .target = static_cast<std::uint32_t>(r), .aux = 0, .kind = EventKind::sample});
    queue_.push({.time = model.duration, .kind = EventKind::end_of_run});
    for (std::uint32_t n = 0; n < n_total; ++n)
        if (!c_.is_source(n)) predict(n);
}

MembraneState EventEngine::state_at(std::uint32_t n, double t) const {
    const MembraneState s = c_.neurons[n];
    const double dt = t - t_last_[n];
    if (dt <= 0) return s;
    if (refractory_[n]) return decay_conductances(c_.params(n), s, dt);
    return propagate(c_.params(n), s, dt, trajectory_[n]);
}

void EventEngine::advance(std::uint32_t n, double t) {
    c_.neurons.set(n, state_at(n, t));
    t_last_[n] = t;
    trajectory_[n] = Segment();  // whatever happens at t changes the state it started from
}

void EventEngine::predict(std::uint32_t n) {
    if (refractory_[n]) return;
    // Any input re-predicts, so looking beyond the next input already known (or the end) is
    // wasted work. Inputs not yet known cannot make a prediction wrong: they re-predict too.
    const double next_arrival = pending_arrivals_[n].empty() ? never : pending_arrivals_[n].front();
    const double horizon =
        std::max(std::min({c_.drive.next[n], next_arrival, c_.model.duration}) - t_last_[n], 0.0);
    const LoweredNeuron& p = c_.params(n);
    const MembraneState s = c_.neurons[n];
    const auto push = [&](double t, EventKind kind) {
        queue_.push({.time = t, .order = version_[n], .target = n, .kind = kind});
    };
    if (!(horizon > 0)) {  // the next input is now: only a neuron already at threshold fires first
        if (s.V >= p.Vth) push(t_last_[n], EventKind::threshold_crossing);
        return;
    }
    // The neuron's next update needs this segment anyway, so it is summed even when a cheap
    // bound settles the prediction.
    const Segment& segment = trajectory_[n] = Segment(p, s, horizon);
    if (no_crossing_before(p, s) > horizon) return;
    // Only this segment is searched now. If the horizon lies beyond it, a look-ahead event
    // continues from its end; an input before then makes that work unnecessary.
    if (const auto crossing = first_crossing(p, s, segment.length(), segment))
        push(t_last_[n] + *crossing, EventKind::threshold_crossing);
    else if (segment.length() < horizon)
        push(t_last_[n] + segment.length(), EventKind::look_ahead);
}

void EventEngine::push_drive(std::uint32_t n) {
    if (c_.drive.next[n] != never)
        queue_.push({.time = c_.drive.next[n], .order = drive_order, .target = n, .kind = EventKind::external_input});
}

void EventEngine::schedule_drive(std::uint32_t n, double from) {
    c_.draw_drive(n, from);
    push_drive(n);
}

// A spike source's pending spike goes into the queue as its crossing.
void EventEngine::push_source(std::uint32_t n) {
    if (c_.source_next(n) != never)
        queue_.push({.time = c_.source_next(n), .target = n, .kind = EventKind::threshold_crossing});
}

void EventEngine::on_source(const Event& e) {
    outbox_.emplace_back(e.target, e.time);
    c_.spike(e.target, e.time);
    c_.source_advance(e.target);
    push_source(e.target);
}

void EventEngine::spike(std::uint32_t n, double t) {
    // A refractory period too short to move time on (t + t_ref == t) with input strong enough to
    // hold V above threshold would make the neuron fire again and again at the same instant.
    if (t == last_spike_[n])
        throw UserError(fmt::format("population \"{}\" neuron {} fires twice at t = {} ms with t_ref = {} ms: "
                                    "time cannot advance; give the population a longer refractory period",
                                    c_.model.populations[c_.population_of[n]].name, c_.local(n), t,
                                    c_.params(n).t_ref));
    last_spike_[n] = t;
    c_.neurons.V[n] = c_.params(n).Vr;
    ++version_[n];
    outbox_.emplace_back(n, t);
    c_.spike(n, t);
    refractory_[n] = 1;
    queue_.push({.time = t + c_.params(n).t_ref, .target = n, .kind = EventKind::refractory_end});
}

// Spikes of the epoch that just ended reach their synapses no earlier than its end. Their
// arrivals enter the queue as one sorted run.
void EventEngine::deliver_outbox() {
    const Network& net = c_.net;
    // Sized exactly: a burst's arrivals can be the largest allocation of a run.
    std::uint64_t count = 0;
    for (const auto& [n, t] : outbox_)
        for (std::uint32_t k : c_.outgoing[c_.population_of[n]])
            count += net.projections[k].row_begin[c_.local(n) + 1] - net.projections[k].row_begin[c_.local(n)];
    std::vector<Event> arrivals = queue_.take_run_buffer();
    arrivals.reserve(count);
    for (const auto& [n, t] : outbox_) {
        const std::uint32_t i = c_.local(n);
        for (std::uint32_t k : c_.outgoing[c_.population_of[n]]) {
            const Synapses& s = net.projections[k];
            const std::uint32_t first = net.populations[s.post].first;
            for (std::uint64_t q = s.row_begin[i]; q < s.row_begin[i + 1]; ++q) {
                const std::uint32_t target = first + s.target[q];
                const double arrival = t + s.delay[q];
                arrivals.push_back({.time = arrival, .order = (std::uint64_t{k} << synapse_bits) | q,
                                    .target = target, .kind = EventKind::spike_arrival});
                auto& pending = pending_arrivals_[target];
                pending.push_back(arrival);
                std::push_heap(pending.begin(), pending.end(), std::greater<>());
            }
        }
    }
    outbox_.clear();
    queue_.push_all(std::move(arrivals));
}

void EventEngine::on_event(const Event& e) {
    switch (e.kind) {
    case EventKind::metabolic_change: return on_metabolic_change(e);
    case EventKind::energy_update: return on_energy_update(e);
    case EventKind::refractory_end: return on_refractory_end(e);
    case EventKind::spike_arrival: return on_arrival(e);
    case EventKind::external_input: return on_external(e);
    case EventKind::threshold_crossing: return on_crossing(e);
    case EventKind::look_ahead: return on_look_ahead(e);
    case EventKind::sample: return on_sample(e);
    case EventKind::end_of_run: return;
    }
}

void EventEngine::on_arrival(const Event& e) {
    const std::uint32_t n = e.target;
    auto& pending = pending_arrivals_[n];
    std::pop_heap(pending.begin(), pending.end(), std::greater<>());
    pending.pop_back();
    advance(n, e.time);
    const auto k = static_cast<std::uint32_t>(e.order >> synapse_bits);
    c_.energy.count_release(c_.net.projections[k].pre);
    c_.arrive(k, e.order & synapse_mask, e.time);
    touched(n);
}

void EventEngine::on_external(const Event& e) {
    const std::uint32_t n = e.target;
    if (e.order == drive_order) {
        if (e.time != c_.drive.next[n]) return;  // superseded by a rate change
        advance(n, e.time);
        c_.drive_input(n);
        schedule_drive(n, e.time);
    } else {
        const SpikeGenerator& gen = c_.model.generators[e.order - 1];
        advance(n, e.time);
        c_.external_input(n, gen.receptor, gen.weight);
        if (e.aux + 1 < gen.times.size()) {
            Event next = e;
            next.time = gen.times[e.aux + 1];
            next.aux = e.aux + 1;
            queue_.push(next);
        }
    }
    touched(n);
}

// A crossing or look-ahead predicted before the neuron's latest change is stale: dropped, counted.
bool EventEngine::is_current(const Event& e) {
    if (e.order == version_[e.target]) return true;
    ++stale_predictions_;
    return false;
}

void EventEngine::on_crossing(const Event& e) {
    if (c_.is_source(e.target)) return on_source(e);
    if (!is_current(e)) return;
    advance(e.target, e.time);
    spike(e.target, e.time);
}

void EventEngine::on_look_ahead(const Event& e) {
    if (!is_current(e)) return;
    advance(e.target, e.time);
    predict(e.target);
}

void EventEngine::on_refractory_end(const Event& e) {
    const std::uint32_t n = e.target;
    advance(n, e.time);
    refractory_[n] = 0;
    c_.neurons.V[n] = c_.params(n).Vr;
    touched(n);
}

// Every neuron of the population is brought to t under the old values before the new ones take
// over, so the trajectory is piecewise exact.
void EventEngine::change_population(std::uint32_t p, double temperature, double t) {
    const PopulationRange range = c_.net.populations[p];
    if (c_.sources.is_source(p)) {  // no membrane; a scaled rate is in the trains already
        c_.change_temperature(p, temperature, t);
        return;
    }
    for (std::uint32_t n = range.first; n < range.first + range.size; ++n) advance(n, t);
    const bool new_rate = c_.change_temperature(p, temperature, t);
    for (std::uint32_t n = range.first; n < range.first + range.size; ++n) {
        if (new_rate) schedule_drive(n, t);
        touched(n);
    }
}

void EventEngine::on_metabolic_change(const Event& e) {
    const MetabolicSchedule::Step& step = c_.schedule.steps()[e.target];
    for (std::uint32_t p : step.populations) change_population(p, step.temperature, e.time);
}

void EventEngine::on_energy_update(const Event& e) {
    const std::uint32_t p = e.target;
    if (const auto temperature = c_.update_energy(p, e.time)) change_population(p, *temperature, e.time);
    if (e.aux < c_.energy.last_update(p)) {
        Event next = e;
        next.aux = e.aux + 1;
        next.time = std::min(next.aux * c_.energy.interval(p), c_.model.duration);
        queue_.push(next);
    }
}

void EventEngine::on_sample(const Event& e) {
    const std::size_t r = e.target;
    if (c_.recorders.is_state(r)) {
        // Read-only: recording never changes the trajectory it observes.
        c_.recorders.sample_state(r, e.aux, [&](std::uint32_t n) { return state_at(n, e.time); });
    } else {
        c_.recorders.sample_weights(r, e.time, c_.net);
    }
    // Samples k = 0 .. last at k * interval (no running sum, no drift).
    if (e.aux < c_.recorders.last_sample(r)) {
        Event again = e;
        again.aux = e.aux + 1;
        again.time = std::min(again.aux * c_.recorders.interval(r), c_.model.duration);
        queue_.push(again);
    }
}

void EventEngine::run_epoch() {
    const double min_delay = c_.net.min_delay;
    const double epoch_end = epoch_start_ + min_delay;
    if (epoch_end == epoch_start_)
        throw UserError(fmt::format("the minimum delay, {} ms, is too small to advance time past {} ms "
                                    "in double precision; use longer delays or a shorter run",
                                    min_delay, epoch_start_));
    while (!queue_.empty() && queue_.top().time < epoch_end) {
        const Event e = queue_.pop();
        ++counts_[e.kind];
        if (e.kind == EventKind::end_of_run) {
            done_ = true;
            break;
        }
        on_event(e);
    }
    if (queue_.empty()) done_ = true;
    deliver_outbox();
    ++epochs_;
    // Empty epochs up to the next event are stepped over cheaply. The grid itself stays
    // t_k+1 = t_k + d_min whatever is queued: when a spike becomes known, and so how far
    // predictions look, must not depend on what is recorded.
    epoch_start_ = epoch_end;
    if (!queue_.empty())
        while (epoch_start_ + min_delay <= queue_.top().time) epoch_start_ += min_delay;
}

void EventEngine::advance(double until, ProgressReporter& reporter, const std::atomic<bool>& stop) {
    const bool to_end = until >= c_.model.duration;  // then the end of the run's events too
    while (!done_ && (epoch_start_ < until || to_end) && !stop) {
        run_epoch();
        reporter.maybe_report(epoch_start_, counts_.total());
    }
    wall_seconds_ = reporter.elapsed();
}

Results EventEngine::results() const {
    RunCounters counters;
    counts_.report(counters);
    counters.stale_predictions = stale_predictions_;
    counters.epochs = epochs_;
    counters.wall_seconds = wall_seconds_;
    Results results = c_.recorders.snapshot(c_.net, std::move(counters));
    results.engine = "event-queue";
    return results;
}

// Its queue holds predictions summed from kept series segments: state that the other engines do
// without, and that is not worth saving for a reference engine.
[[noreturn]] void no_checkpoints() {
    throw UserError("the queue engine (--engine queue) cannot be checkpointed; use the event-driven engine "
                    "(--engine event) or the clock-driven one");
}

void EventEngine::save(CheckpointWriter&) const { no_checkpoints(); }
void EventEngine::load(CheckpointReader&) { no_checkpoints(); }

}  // namespace

std::unique_ptr<Engine> make_queue_engine(Model model) { return std::make_unique<EventEngine>(std::move(model)); }

}  // namespace metabosim
