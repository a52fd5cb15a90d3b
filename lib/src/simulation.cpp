#include "metabosim/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <cmath>
#include <limits>

#include <boost/random/exponential_distribution.hpp>
#include <fmt/format.h>

#include "metabosim/error.hpp"
#include "metabosim/lowering.hpp"
#include "metabosim/propagator.hpp"
#include "metabosim/rng.hpp"
#include "metabosim/scheduler.hpp"

namespace metabosim {
namespace {

constexpr double never = std::numeric_limits<double>::infinity();
constexpr int synapse_bits = 40;  // an arrival's order is (projection << 40) | synapse
constexpr std::uint64_t synapse_mask = (std::uint64_t{1} << synapse_bits) - 1;
constexpr std::uint64_t drive_stream = 0;  // order of Poisson inputs; generator g uses g + 1

// A trace that decays exponentially between updates, read exactly at any later time.
double decayed(double value, double since, double now, double tau) {
    return value == 0 ? 0 : value * std::exp(-(now - since) / tau);
}

// STDP state of one projection (pre trace per synapse, post trace per postsynaptic neuron).
struct Plasticity {
    LoweredStdp lowered{};
    std::vector<double> pre_value, pre_time;    // per synapse
    std::vector<double> post_value, post_time;  // per postsynaptic neuron
};

}  // namespace

struct Simulation::Engine {
    Model model;
    Network net;
    std::vector<LoweredPopulation> lowered;
    std::vector<Plasticity> plasticity;  // per projection, empty vectors when static
    std::vector<std::vector<std::uint32_t>> outgoing;          // population -> projections from it
    std::vector<std::vector<std::uint32_t>> incoming_plastic;  // population -> plastic projections into it
    std::vector<std::uint32_t> weight_projection;               // weight recorder -> projection

    // Neuron state, structure of arrays by global id.
    std::vector<double> V, ge, gi, t_last;
    std::vector<std::uint32_t> version;     // bumped whenever a pending crossing prediction goes stale
    std::vector<std::uint8_t> refractory;
    std::vector<std::uint32_t> population_of;
    std::vector<double> last_spike;
    std::vector<double> next_drive;         // time of the pending Poisson input
    std::vector<std::vector<double>> pending_arrivals;  // min-heaps: times of queued spike arrivals
    std::vector<Rng> drive_rng;

    EventQueue queue;
    std::vector<std::pair<std::uint32_t, double>> outbox;  // spikes of the current epoch
    Results results;
    bool has_run = false;

    explicit Engine(Model m);
    void initialise();
    void run(const std::function<void(const Progress&)>& progress, double progress_interval);

    std::uint32_t local(std::uint32_t n) const { return n - net.populations[population_of[n]].first; }
    const LoweredNeuron& params(std::uint32_t n) const { return lowered[population_of[n]].neuron; }
    MembraneState state_at(std::uint32_t n, double t) const;
    void advance(std::uint32_t n, double t);
    void predict(std::uint32_t n);
    void touched(std::uint32_t n) {
        ++version[n];
        predict(n);
    }
    void add_conductance(std::uint32_t n, Receptor r, double g) { (r == Receptor::excitatory ? ge : gi)[n] += g; }
    void schedule_drive(std::uint32_t n, double from);
    void spike(std::uint32_t n, double t);
    void deliver_outbox();

    void on_event(const Event& e);
    void on_arrival(const Event& e);
    void on_external(const Event& e);
    void on_crossing(const Event& e);
    void on_refractory_end(const Event& e);
    void on_metabolic_change(const Event& e);
    void on_sample(const Event& e);

    void stdp_on_arrival(std::uint32_t k, std::uint64_t s, double t);
    void stdp_on_spike(std::uint32_t k, std::uint32_t post, double t);
    void settle_traces(std::uint32_t k, double t);
    void change_temperature(std::uint32_t p, double temperature, double t);
    void sample_states(std::size_t r, double t);
    void sample_weights(std::size_t r, double t);
    void finish_weights();
};

Simulation::Engine::Engine(Model m) : model(std::move(m)) {
    validate(model);
    net = build_network(model);
    initialise();
}

void Simulation::Engine::initialise() {
    const std::uint32_t n_total = net.neuron_count();
    V.resize(n_total);
    ge.resize(n_total);
    gi.resize(n_total);
    t_last.assign(n_total, 0.0);
    version.assign(n_total, 0);
    refractory.assign(n_total, 0);
    population_of.resize(n_total);
    last_spike.assign(n_total, -never);
    next_drive.assign(n_total, never);
    pending_arrivals.resize(n_total);
    drive_rng.reserve(n_total);
    outgoing.resize(model.populations.size());
    incoming_plastic.resize(model.populations.size());

    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        const Population& pop = model.populations[p];
        lowered.push_back(lower(pop, pop.temperature));
        results.metabolic_timeline.push_back({0.0, pop.name, pop.temperature});
        Rng rng = make_rng(model.seed, Stream::initial_state, p);
        for (std::uint32_t i = 0; i < pop.size; ++i) {
            const std::uint32_t n = net.populations[p].first + i;
            population_of[n] = p;
            V[n] = draw(pop.initial_V, rng);
            ge[n] = draw(pop.initial_ge, rng);
            gi[n] = draw(pop.initial_gi, rng);
            drive_rng.push_back(make_rng(model.seed, Stream::poisson_drive, p, i));
        }
        results.spikes.push_back({pop.name, pop.size, {}, {}});
    }

    plasticity.resize(net.projections.size());
    for (std::uint32_t k = 0; k < net.projections.size(); ++k) {
        const Synapses& s = net.projections[k];
        outgoing[s.pre].push_back(k);
        if (!s.stdp) continue;
        incoming_plastic[s.post].push_back(k);
        Plasticity& pl = plasticity[k];
        pl.lowered = lower(*s.stdp, lowered[s.post]);
        pl.pre_value.assign(s.size(), 0.0);
        pl.pre_time.assign(s.size(), 0.0);
        pl.post_value.assign(net.populations[s.post].size, 0.0);
        pl.post_time.assign(net.populations[s.post].size, 0.0);
    }

    // Everything known at t = 0 goes into the queue.
    for (std::uint32_t k = 0; k < model.metabolism.size(); ++k)
        queue.push({.time = model.metabolism[k].time, .target = k, .kind = EventKind::metabolic_change});
    for (std::uint32_t n = 0; n < n_total; ++n) schedule_drive(n, 0.0);
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
    const std::size_t n_states = model.recording.states.size();
    for (std::size_t r = 0; r < n_states; ++r) {
        const StateRecording& rec = model.recording.states[r];
        StateTrace trace{rec.population, rec.neurons, rec.variables, 0.0, rec.interval, 0, {}};
        results.states.push_back(std::move(trace));
        queue.push({.time = 0, .target = static_cast<std::uint32_t>(r), .aux = 0, .kind = EventKind::sample});
    }
    for (std::size_t r = 0; r < model.recording.weights.size(); ++r) {
        const WeightRecording& rec = model.recording.weights[r];
        const auto k = static_cast<std::uint32_t>(
            std::find_if(model.projections.begin(), model.projections.end(),
                         [&](const Projection& p) { return p.name == rec.projection; }) -
            model.projections.begin());
        weight_projection.push_back(k);
        const Synapses& s = net.projections[k];
        WeightTrace trace;
        trace.projection = rec.projection;
        if (s.stdp) {
            trace.w_min = s.stdp->w_min;
            trace.w_max = s.stdp->w_max;
        } else if (s.size() > 0) {
            trace.w_min = *std::min_element(s.weight.begin(), s.weight.end());
            trace.w_max = *std::max_element(s.weight.begin(), s.weight.end());
        }
        results.weights.push_back(std::move(trace));
        queue.push({.time = 0, .target = static_cast<std::uint32_t>(n_states + r), .aux = 0,
                    .kind = EventKind::sample});
    }
    queue.push({.time = model.duration, .kind = EventKind::end_of_run});
    for (std::uint32_t n = 0; n < n_total; ++n) predict(n);
}

MembraneState Simulation::Engine::state_at(std::uint32_t n, double t) const {
    const MembraneState s{V[n], ge[n], gi[n]};
    const double dt = t - t_last[n];
    if (dt <= 0) return s;
    if (refractory[n]) return decay_conductances(params(n), s, dt);
    return propagate(params(n), s, dt);
}

void Simulation::Engine::advance(std::uint32_t n, double t) {
    const MembraneState s = state_at(n, t);
    V[n] = s.V;
    ge[n] = s.ge;
    gi[n] = s.gi;
    t_last[n] = t;
}

void Simulation::Engine::predict(std::uint32_t n) {
    if (refractory[n]) return;
    // Any input re-predicts, so looking beyond the next input already known (or the end) is
    // wasted work. Inputs not yet known cannot make a prediction wrong: they re-predict too.
    const double next_arrival = pending_arrivals[n].empty() ? never : pending_arrivals[n].front();
    const double horizon = std::max(std::min({next_drive[n], next_arrival, model.duration}) - t_last[n], 0.0);
    const MembraneState s{V[n], ge[n], gi[n]};
    if (no_crossing_before(params(n), s) > horizon) return;  // settles many without integrating
    if (const auto crossing = first_crossing(params(n), s, horizon))
        queue.push({.time = t_last[n] + *crossing, .order = version[n], .target = n,
                    .kind = EventKind::threshold_crossing});
}

void Simulation::Engine::schedule_drive(std::uint32_t n, double from) {
    const double rate = lowered[population_of[n]].poisson_rate;  // Hz
    if (rate <= 0) {
        next_drive[n] = never;
        return;
    }
    next_drive[n] = from + boost::random::exponential_distribution<double>(rate / 1000.0)(drive_rng[n]);
    queue.push({.time = next_drive[n], .order = drive_stream, .target = n, .kind = EventKind::external_input});
}

void Simulation::Engine::spike(std::uint32_t n, double t) {
    const std::uint32_t p = population_of[n];
    // A refractory period too short to move time on (t + t_ref == t) with input strong enough to
    // hold V above threshold would make the neuron fire again and again at the same instant.
    if (t == last_spike[n])
        throw UserError(fmt::format("population \"{}\" neuron {} fires twice at t = {} ms with t_ref = {} ms: "
                                    "time cannot advance; give the population a longer refractory period",
                                    model.populations[p].name, local(n), t, params(n).t_ref));
    last_spike[n] = t;
    results.spikes[p].times.push_back(t);
    results.spikes[p].node_ids.push_back(local(n));
    V[n] = params(n).Vr;
    ++version[n];
    outbox.emplace_back(n, t);
    for (std::uint32_t k : incoming_plastic[p]) stdp_on_spike(k, local(n), t);
    refractory[n] = 1;
    queue.push({.time = t + params(n).t_ref, .target = n, .kind = EventKind::refractory_end});
}

// Spikes of the epoch that just ended reach their synapses no earlier than its end.
void Simulation::Engine::deliver_outbox() {
    for (const auto& [n, t] : outbox) {
        const std::uint32_t i = local(n);
        for (std::uint32_t k : outgoing[population_of[n]]) {
            const Synapses& s = net.projections[k];
            const std::uint32_t first = net.populations[s.post].first;
            for (std::uint64_t q = s.row_begin[i]; q < s.row_begin[i + 1]; ++q) {
                const std::uint32_t target = first + s.target[q];
                const double arrival = t + s.delay[q];
                queue.push({.time = arrival, .order = (std::uint64_t{k} << synapse_bits) | q, .target = target,
                            .kind = EventKind::spike_arrival});
                auto& pending = pending_arrivals[target];
                pending.push_back(arrival);
                std::push_heap(pending.begin(), pending.end(), std::greater<>());
            }
        }
    }
    outbox.clear();
}

void Simulation::Engine::on_event(const Event& e) {
    switch (e.kind) {
    case EventKind::metabolic_change: return on_metabolic_change(e);
    case EventKind::refractory_end: return on_refractory_end(e);
    case EventKind::spike_arrival: return on_arrival(e);
    case EventKind::external_input: return on_external(e);
    case EventKind::threshold_crossing: return on_crossing(e);
    case EventKind::sample: return on_sample(e);
    case EventKind::end_of_run: return;
    }
}

void Simulation::Engine::on_arrival(const Event& e) {
    const std::uint32_t k = static_cast<std::uint32_t>(e.order >> synapse_bits);
    const std::uint64_t s = e.order & synapse_mask;
    const Synapses& syn = net.projections[k];
    const std::uint32_t n = e.target;
    auto& pending = pending_arrivals[n];
    std::pop_heap(pending.begin(), pending.end(), std::greater<>());
    pending.pop_back();
    advance(n, e.time);
    add_conductance(n, syn.receptor, lowered[syn.post].synaptic_efficacy * syn.weight[s]);
    if (syn.stdp) stdp_on_arrival(k, s, e.time);
    touched(n);
}

void Simulation::Engine::on_external(const Event& e) {
    const std::uint32_t n = e.target;
    const std::uint32_t p = population_of[n];
    if (e.order == drive_stream) {
        if (e.time != next_drive[n]) return;  // superseded by a rate change
        advance(n, e.time);
        add_conductance(n, model.populations[p].drive->receptor, lowered[p].poisson_weight);
        schedule_drive(n, e.time);
    } else {
        const SpikeGenerator& gen = model.generators[e.order - 1];
        advance(n, e.time);
        add_conductance(n, gen.receptor, lowered[p].synaptic_efficacy * gen.weight);
        if (e.aux + 1 < gen.times.size()) {
            Event next = e;
            next.time = gen.times[e.aux + 1];
            next.aux = e.aux + 1;
            queue.push(next);
        }
    }
    touched(n);
}

void Simulation::Engine::on_crossing(const Event& e) {
    const std::uint32_t n = e.target;
    if (e.order != version[n]) {
        ++results.counters.stale_predictions;
        return;
    }
    advance(n, e.time);
    spike(n, e.time);
}

void Simulation::Engine::on_refractory_end(const Event& e) {
    const std::uint32_t n = e.target;
    advance(n, e.time);
    refractory[n] = 0;
    V[n] = params(n).Vr;
    touched(n);
}

void Simulation::Engine::on_metabolic_change(const Event& e) {
    const MetabolicStep& step = model.metabolism[e.target];
    for (std::uint32_t p = 0; p < model.populations.size(); ++p)
        if (step.population.empty() || step.population == model.populations[p].name)
            change_temperature(p, step.temperature, e.time);
}

// Everything that decays with a scaled time constant is brought to t under the old values
// before the new ones take over, so the trajectory is piecewise exact.
void Simulation::Engine::change_temperature(std::uint32_t p, double temperature, double t) {
    const PopulationRange range = net.populations[p];
    for (std::uint32_t n = range.first; n < range.first + range.size; ++n) advance(n, t);
    for (std::uint32_t k : incoming_plastic[p]) settle_traces(k, t);

    const double old_rate = lowered[p].poisson_rate;
    lowered[p] = lower(model.populations[p], temperature);
    for (std::uint32_t k : incoming_plastic[p])
        plasticity[k].lowered = lower(*net.projections[k].stdp, lowered[p]);
    results.metabolic_timeline.push_back({t, model.populations[p].name, temperature});

    // An exponential waiting time has no memory: redrawing from t with the new rate is exact.
    const bool new_rate = lowered[p].poisson_rate != old_rate;
    for (std::uint32_t n = range.first; n < range.first + range.size; ++n) {
        if (new_rate) schedule_drive(n, t);
        touched(n);
    }
}

void Simulation::Engine::settle_traces(std::uint32_t k, double t) {
    Plasticity& pl = plasticity[k];
    for (std::size_t s = 0; s < pl.pre_value.size(); ++s) {
        pl.pre_value[s] = decayed(pl.pre_value[s], pl.pre_time[s], t, pl.lowered.tau_plus);
        pl.pre_time[s] = t;
    }
    for (std::size_t j = 0; j < pl.post_value.size(); ++j) {
        pl.post_value[j] = decayed(pl.post_value[j], pl.post_time[j], t, pl.lowered.tau_minus);
        pl.post_time[j] = t;
    }
}

namespace {
// Weight change of one pairing, clipped to the bounds. Multiplicative updates scale potentiation
// by the room left below w_max and depression by the distance from w_min.
double apply_stdp(const StdpParameters& rule, double w, double dw) {
    if (rule.update == StdpParameters::Update::multiplicative)
        dw *= (dw > 0 ? rule.w_max - w : w - rule.w_min) / (rule.w_max - rule.w_min);
    return std::clamp(w + dw, rule.w_min, rule.w_max);
}
double bump(const StdpParameters& rule, double trace, double amplitude) {
    return rule.pairing == StdpParameters::Pairing::all_to_all ? trace + amplitude : amplitude;
}
}  // namespace

// Presynaptic spike arriving at synapse s: a_pre += A+, w += a_post.
void Simulation::Engine::stdp_on_arrival(std::uint32_t k, std::uint64_t s, double t) {
    Synapses& syn = net.projections[k];
    Plasticity& pl = plasticity[k];
    const StdpParameters& rule = *syn.stdp;
    const std::uint32_t j = syn.target[s];
    pl.pre_value[s] = bump(rule, decayed(pl.pre_value[s], pl.pre_time[s], t, pl.lowered.tau_plus), pl.lowered.A_plus);
    pl.pre_time[s] = t;
    const double post = decayed(pl.post_value[j], pl.post_time[j], t, pl.lowered.tau_minus);
    syn.weight[s] = apply_stdp(rule, syn.weight[s], post);
}

// Postsynaptic spike: a_post += A-, w += a_pre at every incoming synapse.
void Simulation::Engine::stdp_on_spike(std::uint32_t k, std::uint32_t j, double t) {
    Synapses& syn = net.projections[k];
    Plasticity& pl = plasticity[k];
    const StdpParameters& rule = *syn.stdp;
    pl.post_value[j] = bump(rule, decayed(pl.post_value[j], pl.post_time[j], t, pl.lowered.tau_minus), pl.lowered.A_minus);
    pl.post_time[j] = t;
    for (std::uint64_t q = syn.incoming_begin[j]; q < syn.incoming_begin[j + 1]; ++q) {
        const std::uint64_t s = syn.incoming[q];
        const double pre = decayed(pl.pre_value[s], pl.pre_time[s], t, pl.lowered.tau_plus);
        syn.weight[s] = apply_stdp(rule, syn.weight[s], pre);
    }
}

void Simulation::Engine::on_sample(const Event& e) {
    const std::size_t n_states = results.states.size();
    const std::size_t r = e.target;
    double interval;
    if (r < n_states) {
        sample_states(r, e.time);
        interval = model.recording.states[r].interval;
    } else {
        sample_weights(r - n_states, e.time);
        interval = model.recording.weights[r - n_states].interval;
    }
    // Samples k = 0 .. floor(duration / interval), at k * interval (no running sum, no drift);
    // the tolerance keeps the last one when duration / interval is whole but rounds below.
    const auto last = static_cast<std::uint32_t>(std::floor(model.duration / interval + 1e-9));
    if (e.aux < last) {
        Event again = e;
        again.aux = e.aux + 1;
        again.time = std::min(again.aux * interval, model.duration);
        queue.push(again);
    }
}

void Simulation::Engine::sample_states(std::size_t r, double t) {
    StateTrace& trace = results.states[r];
    const PopulationRange range = net.populations[model.population_index(trace.population)];
    for (const std::string& var : trace.variables)
        for (std::uint32_t i : trace.neurons) {
            // Read-only: recording never changes the trajectory it observes.
            const MembraneState s = state_at(range.first + i, t);
            trace.values.push_back(var == "V" ? s.V : var == "ge" ? s.ge : s.gi);
        }
    ++trace.samples;
}

void Simulation::Engine::sample_weights(std::size_t r, double t) {
    WeightTrace& trace = results.weights[r];
    const Synapses& s = net.projections[weight_projection[r]];
    const unsigned bins = model.recording.weights[r].histogram_bins;
    std::vector<std::uint64_t> histogram(bins, 0);
    double sum = 0;
    std::uint64_t at_min = 0, at_max = 0;
    const double width = (trace.w_max - trace.w_min) / bins;
    for (double w : s.weight) {
        sum += w;
        at_min += w <= trace.w_min;
        at_max += w >= trace.w_max;
        const double x = width > 0 ? (w - trace.w_min) / width : 0;
        histogram[static_cast<std::size_t>(std::clamp(x, 0.0, bins - 1.0))] += 1;
    }
    const double n = static_cast<double>(std::max<std::uint64_t>(s.size(), 1));
    const double mean = sum / n;
    double squares = 0;  // second pass: no cancellation when the spread is small
    for (double w : s.weight) squares += (w - mean) * (w - mean);
    trace.times.push_back(t);
    trace.mean.push_back(mean);
    trace.stddev.push_back(std::sqrt(squares / n));
    trace.fraction_at_min.push_back(at_min / n);
    trace.fraction_at_max.push_back(at_max / n);
    trace.histogram.push_back(std::move(histogram));
}

void Simulation::Engine::finish_weights() {
    for (std::size_t r = 0; r < results.weights.size(); ++r) {
        if (!model.recording.weights[r].final_weights) continue;
        WeightTrace& trace = results.weights[r];
        const Synapses& s = net.projections[weight_projection[r]];
        trace.has_final = true;
        for (std::uint32_t i = 0; i + 1 < s.row_begin.size(); ++i)
            for (std::uint64_t q = s.row_begin[i]; q < s.row_begin[i + 1]; ++q) {
                trace.final_source.push_back(i);
                trace.final_target.push_back(s.target[q]);
                trace.final_weight.push_back(s.weight[q]);
                trace.final_delay.push_back(s.delay[q]);
            }
    }
}

void Simulation::Engine::run(const std::function<void(const Progress&)>& progress, double progress_interval) {
    if (has_run) throw UserError("a Simulation runs once; build a new one to run again");
    has_run = true;
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    auto last_report = start;
    const auto seconds_since = [](clock::time_point t0) {
        return std::chrono::duration<double>(clock::now() - t0).count();
    };
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
        if (progress && seconds_since(last_report) >= progress_interval) {
            last_report = clock::now();
            progress({std::min(epoch_start, model.duration), model.duration, seconds_since(start),
                      counters.total_events()});
        }
    }
    finish_weights();
    results.duration = model.duration;
    results.seed = model.seed;
    results.synapse_count = net.synapse_count();
    counters.wall_seconds = seconds_since(start);
}

Simulation::Simulation(Model model) : engine_(std::make_unique<Engine>(std::move(model))) {}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;
const Model& Simulation::model() const { return engine_->model; }
const Network& Simulation::network() const { return engine_->net; }

Results Simulation::run(const std::function<void(const Progress&)>& progress, double progress_interval) {
    engine_->run(progress, progress_interval);
    return std::move(engine_->results);
}

Results simulate(const Model& model) { return Simulation(model).run(); }

}  // namespace metabosim
