// The event-driven engine.
//
// The run proceeds in epochs of the minimum synaptic delay d_min: a spike emitted inside
// [T, T + d_min) cannot arrive anywhere before T + d_min, so within an epoch every neuron's
// inputs are already known and spikes need only be exchanged at the epoch's end. Inside an epoch
// events are popped from one queue in the total order of scheduler.hpp. Each neuron is advanced
// exactly (propagator.hpp) to each event that touches it; after any change its next threshold
// crossing is predicted again and the old prediction becomes stale (a version counter, checked
// when the prediction is popped).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "engine/engine_core.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/neuron/propagator.hpp"
#include "metabosim/engine/scheduler.hpp"

namespace metabosim::detail {
namespace {

constexpr double never = std::numeric_limits<double>::infinity();
constexpr int synapse_bits = 40;  // an arrival's order is (projection << 40) | synapse
constexpr std::uint64_t synapse_mask = (std::uint64_t{1} << synapse_bits) - 1;
constexpr std::uint64_t drive_order = 0;  // order of Poisson inputs; generator g uses g + 1

struct EventEngine final : EngineCore {
    std::vector<double> t_last;             // time each neuron's state refers to
    std::vector<std::uint32_t> version;     // bumped whenever a pending crossing prediction goes stale
    // The free trajectory from each neuron's state at t_last, as its latest prediction summed it
    // (empty when none): the next update evaluates it instead of summing a series again.
    std::vector<Segment> trajectory;
    std::vector<std::uint8_t> refractory;
    std::vector<double> last_spike;
    std::vector<std::vector<double>> pending_arrivals;  // min-heaps: times of queued spike arrivals
    EventQueue queue;
    std::vector<std::pair<std::uint32_t, double>> outbox;  // spikes of the current epoch

    explicit EventEngine(Model m);
    void run(const std::function<void(const Progress&)>& progress, double progress_interval) override;

    MembraneState state_at(std::uint32_t n, double t) const;
    void advance(std::uint32_t n, double t);
    void predict(std::uint32_t n);
    void touched(std::uint32_t n) {
        ++version[n];
        predict(n);
    }
    void schedule_drive(std::uint32_t n, double from);
    void spike(std::uint32_t n, double t);
    void deliver_outbox();

    void on_event(const Event& e);
    void on_arrival(const Event& e);
    void on_external(const Event& e);
    bool is_current(const Event& e);
    void on_crossing(const Event& e);
    void on_look_ahead(const Event& e);
    void on_refractory_end(const Event& e);
    void on_metabolic_change(const Event& e);
    void change_population(std::uint32_t p, double temperature, double t);
    std::uint32_t energy_target(std::uint32_t p) const { return static_cast<std::uint32_t>(model.metabolism.size()) + p; }
    void on_sample(const Event& e);
};

EventEngine::EventEngine(Model m) : EngineCore(std::move(m)) {
    const std::uint32_t n_total = net.neuron_count();
    t_last.assign(n_total, 0.0);
    version.assign(n_total, 0);
    trajectory.resize(n_total);
    refractory.assign(n_total, 0);
    last_spike.assign(n_total, -never);
    pending_arrivals.resize(n_total);

    // Everything known at t = 0 goes into the queue.
    for (std::uint32_t k = 0; k < model.metabolism.size(); ++k)
        queue.push({.time = model.metabolism[k].time, .target = k, .kind = EventKind::metabolic_change});
    // Energy updates are metabolic events too, after the steps given (targets beyond them).
    for (std::uint32_t p = 0; p < model.populations.size(); ++p)
        if (model.populations[p].energy)
            queue.push({.time = 0, .target = energy_target(p), .aux = 0, .kind = EventKind::metabolic_change});
    for (std::uint32_t n = 0; n < n_total; ++n)
        if (next_drive[n] != never)
            queue.push({.time = next_drive[n], .order = drive_order, .target = n, .kind = EventKind::external_input});
    for (std::uint32_t g = 0; g < model.generators.size(); ++g) {
        const SpikeGenerator& gen = model.generators[g];
        if (gen.times.empty()) continue;
        const PopulationRange& range = net.populations[model.population_index(gen.target)];
        const auto push_for = [&](std::uint32_t i) {
            queue.push({.time = gen.times[0], .order = g + 1, .target = range.first + i, .aux = 0,
                        .kind = EventKind::external_input});
        };
        if (gen.neurons.empty())
            for (std::uint32_t i = 0; i < range.size; ++i) push_for(i);
        else
            for (std::uint32_t i : gen.neurons) push_for(i);
    }
    for (std::size_t r = 0; r < recorder_count(); ++r)
        queue.push({.time = 0, .target = static_cast<std::uint32_t>(r), .aux = 0, .kind = EventKind::sample});
    queue.push({.time = model.duration, .kind = EventKind::end_of_run});
    for (std::uint32_t n = 0; n < n_total; ++n) predict(n);
}

MembraneState EventEngine::state_at(std::uint32_t n, double t) const {
    const MembraneState s{V[n], ge[n], gi[n]};
    const double dt = t - t_last[n];
    if (dt <= 0) return s;
    if (refractory[n]) return decay_conductances(params(n), s, dt);
    return propagate(params(n), s, dt, trajectory[n]);
}

void EventEngine::advance(std::uint32_t n, double t) {
    const MembraneState s = state_at(n, t);
    V[n] = s.V;
    ge[n] = s.ge;
    gi[n] = s.gi;
    t_last[n] = t;
    trajectory[n] = Segment();  // whatever happens at t changes the state it started from
}

void EventEngine::predict(std::uint32_t n) {
    if (refractory[n]) return;
    // Any input re-predicts, so looking beyond the next input already known (or the end) is
    // wasted work. Inputs not yet known cannot make a prediction wrong: they re-predict too.
    const double next_arrival = pending_arrivals[n].empty() ? never : pending_arrivals[n].front();
    const double horizon = std::max(std::min({next_drive[n], next_arrival, model.duration}) - t_last[n], 0.0);
    const LoweredNeuron& p = params(n);
    const MembraneState s{V[n], ge[n], gi[n]};
    const auto push = [&](double t, EventKind kind) {
        queue.push({.time = t, .order = version[n], .target = n, .kind = kind});
    };
    if (!(horizon > 0)) {  // the next input is now: only a neuron already at threshold fires first
        if (s.V >= p.Vth) push(t_last[n], EventKind::threshold_crossing);
        return;
    }
    // The neuron's next update needs this segment anyway, so it is summed even when a cheap
    // bound settles the prediction.
    const Segment& segment = trajectory[n] = Segment(p, s, horizon);
    if (no_crossing_before(p, s) > horizon) return;
    // Only this segment is searched now. If the horizon lies beyond it, a look-ahead event
    // continues from its end; an input before then makes that work unnecessary.
    if (const auto crossing = first_crossing(p, s, segment.length(), segment))
        push(t_last[n] + *crossing, EventKind::threshold_crossing);
    else if (segment.length() < horizon)
        push(t_last[n] + segment.length(), EventKind::look_ahead);
}

void EventEngine::schedule_drive(std::uint32_t n, double from) {
    draw_drive(n, from);
    if (next_drive[n] != never)
        queue.push({.time = next_drive[n], .order = drive_order, .target = n, .kind = EventKind::external_input});
}

void EventEngine::spike(std::uint32_t n, double t) {
    // A refractory period too short to move time on (t + t_ref == t) with input strong enough to
    // hold V above threshold would make the neuron fire again and again at the same instant.
    if (t == last_spike[n])
        throw UserError(fmt::format("population \"{}\" neuron {} fires twice at t = {} ms with t_ref = {} ms: "
                                    "time cannot advance; give the population a longer refractory period",
                                    model.populations[population_of[n]].name, local(n), t, params(n).t_ref));
    last_spike[n] = t;
    V[n] = params(n).Vr;
    ++version[n];
    outbox.emplace_back(n, t);
    record_spike(n, t);
    stdp_on_spike(n, t);
    refractory[n] = 1;
    queue.push({.time = t + params(n).t_ref, .target = n, .kind = EventKind::refractory_end});
}

// Spikes of the epoch that just ended reach their synapses no earlier than its end. Their
// arrivals enter the queue as one sorted run.
void EventEngine::deliver_outbox() {
    // Sized exactly: a burst's arrivals can be the largest allocation of a run.
    std::uint64_t count = 0;
    for (const auto& [n, t] : outbox)
        for (std::uint32_t k : outgoing[population_of[n]])
            count += net.projections[k].row_begin[local(n) + 1] - net.projections[k].row_begin[local(n)];
    std::vector<Event> arrivals;
    arrivals.reserve(count);
    for (const auto& [n, t] : outbox) {
        const std::uint32_t i = local(n);
        for (std::uint32_t k : outgoing[population_of[n]]) {
            const Synapses& s = net.projections[k];
            const std::uint32_t first = net.populations[s.post].first;
            for (std::uint64_t q = s.row_begin[i]; q < s.row_begin[i + 1]; ++q) {
                const std::uint32_t target = first + s.target[q];
                const double arrival = t + s.delay[q];
                arrivals.push_back({.time = arrival, .order = (std::uint64_t{k} << synapse_bits) | q,
                                    .target = target, .kind = EventKind::spike_arrival});
                auto& pending = pending_arrivals[target];
                pending.push_back(arrival);
                std::push_heap(pending.begin(), pending.end(), std::greater<>());
            }
        }
    }
    outbox.clear();
    queue.push_all(std::move(arrivals));
}

void EventEngine::on_event(const Event& e) {
    switch (e.kind) {
    case EventKind::metabolic_change: return on_metabolic_change(e);
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
    const std::uint32_t k = static_cast<std::uint32_t>(e.order >> synapse_bits);
    const std::uint64_t s = e.order & synapse_mask;
    const Synapses& syn = net.projections[k];
    const std::uint32_t n = e.target;
    auto& pending = pending_arrivals[n];
    std::pop_heap(pending.begin(), pending.end(), std::greater<>());
    pending.pop_back();
    advance(n, e.time);
    ++energy[syn.pre].releases;
    add_conductance(n, syn.receptor, efficacy(syn.post, syn.weight[s]));
    if (syn.stdp) stdp_on_arrival(k, s, e.time);
    touched(n);
}

void EventEngine::on_external(const Event& e) {
    const std::uint32_t n = e.target;
    const std::uint32_t p = population_of[n];
    if (e.order == drive_order) {
        if (e.time != next_drive[n]) return;  // superseded by a rate change
        advance(n, e.time);
        add_conductance(n, model.populations[p].drive->receptor, lowered[p].poisson_weight);
        schedule_drive(n, e.time);
    } else {
        const SpikeGenerator& gen = model.generators[e.order - 1];
        advance(n, e.time);
        add_conductance(n, gen.receptor, efficacy(p, gen.weight));
        if (e.aux + 1 < gen.times.size()) {
            Event next = e;
            next.time = gen.times[e.aux + 1];
            next.aux = e.aux + 1;
            queue.push(next);
        }
    }
    touched(n);
}

// A crossing or look-ahead predicted before the neuron's latest change is stale: dropped, counted.
bool EventEngine::is_current(const Event& e) {
    if (e.order == version[e.target]) return true;
    ++results.counters.stale_predictions;
    return false;
}

void EventEngine::on_crossing(const Event& e) {
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
    refractory[n] = 0;
    V[n] = params(n).Vr;
    touched(n);
}

// Everything that decays with a scaled time constant is brought to t under the old values
// before the new ones take over, so the trajectory is piecewise exact.
void EventEngine::change_population(std::uint32_t p, double temperature, double t) {
    const PopulationRange range = net.populations[p];
    for (std::uint32_t n = range.first; n < range.first + range.size; ++n) advance(n, t);
    const bool new_rate = change_temperature(p, temperature, t);
    for (std::uint32_t n = range.first; n < range.first + range.size; ++n) {
        if (new_rate) schedule_drive(n, t);
        touched(n);
    }
}

void EventEngine::on_metabolic_change(const Event& e) {
    if (e.target >= model.metabolism.size()) {  // an energy update
        const std::uint32_t p = e.target - static_cast<std::uint32_t>(model.metabolism.size());
        if (const auto temperature = update_energy(p, e.time)) change_population(p, *temperature, e.time);
        if (e.aux < last_energy_update(p)) {
            Event next = e;
            next.aux = e.aux + 1;
            next.time = std::min(next.aux * model.populations[p].energy->interval, model.duration);
            queue.push(next);
        }
        return;
    }
    const MetabolicStep& step = model.metabolism[e.target];
    for (std::uint32_t p = 0; p < model.populations.size(); ++p)
        if (step.population.empty() || step.population == model.populations[p].name)
            change_population(p, step.temperature, e.time);
}

void EventEngine::on_sample(const Event& e) {
    const std::size_t r = e.target;
    if (r < results.states.size()) {
        // Read-only: recording never changes the trajectory it observes.
        sample_state(r, [&](std::uint32_t n) { return state_at(n, e.time); });
    } else {
        sample_weights(r - results.states.size(), e.time);
    }
    // Samples k = 0 .. last at k * interval (no running sum, no drift).
    if (e.aux < last_sample(r)) {
        Event again = e;
        again.aux = e.aux + 1;
        again.time = std::min(again.aux * recorder_interval(r), model.duration);
        queue.push(again);
    }
}

void EventEngine::run(const std::function<void(const Progress&)>& progress, double progress_interval) {
    ProgressReporter reporter(progress, progress_interval, model.duration);
    RunCounters& counters = results.counters;

    double epoch_start = 0;
    bool done = false;
    while (!done) {
        const double epoch_end = epoch_start + net.min_delay;
        if (epoch_end == epoch_start)
            throw UserError(fmt::format("the minimum delay, {} ms, is too small to advance time past {} ms "
                                        "in double precision; use longer delays or a shorter run",
                                        net.min_delay, epoch_start));
        while (!queue.empty() && queue.top().time < epoch_end) {
            const Event e = queue.pop();
            ++counters.events[static_cast<std::size_t>(e.kind)];
            if (e.kind == EventKind::end_of_run) {
                done = true;
                break;
            }
            on_event(e);
        }
        if (queue.empty()) done = true;
        deliver_outbox();
        ++counters.epochs;
        // Empty epochs up to the next event are stepped over cheaply. The grid itself stays
        // t_k+1 = t_k + d_min whatever is queued: when a spike becomes known, and so how far
        // predictions look, must not depend on what is recorded.
        epoch_start = epoch_end;
        if (!queue.empty())
            while (epoch_start + net.min_delay <= queue.top().time) epoch_start += net.min_delay;
        reporter.maybe_report(epoch_start, counters.total_events());
    }
    finish(reporter.elapsed());
}

}  // namespace

std::unique_ptr<EngineCore> make_event_engine(Model model) { return std::make_unique<EventEngine>(std::move(model)); }

}  // namespace metabosim::detail
