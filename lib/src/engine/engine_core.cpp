#include "engine/engine_core.hpp"

#include <algorithm>
#include <cmath>

#include "metabosim/config/validate.hpp"
#include "metabosim/inputs/inputs.hpp"

namespace metabosim::detail {
namespace {

double decayed(double value, double since, double now, double tau) {
    return value == 0 ? 0 : value * std::exp(-(now - since) / tau);
}

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

EngineCore::EngineCore(Model m) : model(std::move(m)) {
    validate(model);
    net = build_network(model);
    const std::uint32_t n_total = net.neuron_count();
    V.reserve(n_total);
    ge.reserve(n_total);
    gi.reserve(n_total);
    population_of.reserve(n_total);
    drive_rng.reserve(n_total);
    next_drive.assign(n_total, 0.0);
    outgoing.resize(model.populations.size());
    incoming_plastic.resize(model.populations.size());

    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        const Population& pop = model.populations[p];
        lowered.push_back(lower(pop, pop.temperature));
        results.metabolic_timeline.push_back({0.0, pop.name, pop.temperature});
        const InitialState initial = initial_state(model, p);
        V.insert(V.end(), initial.V.begin(), initial.V.end());
        ge.insert(ge.end(), initial.ge.begin(), initial.ge.end());
        gi.insert(gi.end(), initial.gi.begin(), initial.gi.end());
        for (std::uint32_t i = 0; i < pop.size; ++i) {
            population_of.push_back(p);
            drive_rng.push_back(drive_stream(model, p, i));
        }
        results.spikes.push_back({pop.name, pop.size, {}, {}});
        energy.push_back({pop.energy ? pop.energy->initial_fraction * pop.energy->capacity : 0.0, 0.0, 0, 0});
        if (pop.energy) results.energy.push_back({pop.name, {}, {}, {}});
    }
    for (std::uint32_t n = 0; n < n_total; ++n) draw_drive(n, 0.0);

    plasticity.resize(net.projections.size());
    for (std::uint32_t k = 0; k < net.projections.size(); ++k) {
        const Synapses& s = net.projections[k];
        outgoing[s.pre].push_back(k);
        if (!s.stdp) continue;
        incoming_plastic[s.post].push_back(k);
        Plasticity& pl = plasticity[k];
        pl.lowered = lower(*s.stdp, lowered[s.post]);
        pl.pre_scaled.assign(s.size(), 0.0);
        pl.post_value.assign(net.populations[s.post].size, 0.0);
        pl.post_time.assign(net.populations[s.post].size, 0.0);
    }

    for (const StateRecording& rec : model.recording.states)
        results.states.push_back({rec.population, rec.neurons, rec.variables, 0.0, rec.interval, 0, {}});
    for (const WeightRecording& rec : model.recording.weights) {
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
            const std::vector<double> w = s.weight.expanded(s.size());
            trace.w_min = *std::min_element(w.begin(), w.end());
            trace.w_max = *std::max_element(w.begin(), w.end());
        }
        results.weights.push_back(std::move(trace));
    }
}

void EngineCore::draw_drive(std::uint32_t n, double from) {
    next_drive[n] = next_drive_time(drive_rng[n], from, lowered[population_of[n]].poisson_rate);
}

void EngineCore::record_spike(std::uint32_t n, double t) {
    const std::uint32_t p = population_of[n];
    results.spikes[p].times.push_back(t);
    results.spikes[p].node_ids.push_back(local(n));
    ++energy[p].spikes;
}

double Plasticity::pre_decay(double t) const { return std::exp(-(t - pre_reference) / lowered.tau_plus); }

void Plasticity::rebase_pre(double t) {
    if (t - pre_reference <= 32 * lowered.tau_plus) return;
    const double decay = pre_decay(t);
    for (double& a : pre_scaled) a *= decay;
    pre_reference = t;
}

// Presynaptic spike arriving at synapse s: a_pre += A+, w += a_post.
void EngineCore::stdp_on_arrival(std::uint32_t k, std::uint64_t s, double t) {
    Synapses& syn = net.projections[k];
    Plasticity& pl = plasticity[k];
    const StdpParameters& rule = *syn.stdp;
    const std::uint32_t j = syn.target[s];
    pl.rebase_pre(t);
    const double decay = pl.pre_decay(t);
    pl.pre_scaled[s] = bump(rule, pl.pre_scaled[s] * decay, pl.lowered.A_plus) / decay;
    const double post = decayed(pl.post_value[j], pl.post_time[j], t, pl.lowered.tau_minus);
    syn.weight.each[s] = apply_stdp(rule, syn.weight.each[s], post);
}

// Postsynaptic spike: a_post += A-, w += a_pre at every incoming synapse.
void EngineCore::stdp_on_spike(std::uint32_t n, double t) {
    const std::uint32_t j = local(n);
    for (std::uint32_t k : incoming_plastic[population_of[n]]) {
        Synapses& syn = net.projections[k];
        Plasticity& pl = plasticity[k];
        const StdpParameters& rule = *syn.stdp;
        pl.post_value[j] = bump(rule, decayed(pl.post_value[j], pl.post_time[j], t, pl.lowered.tau_minus), pl.lowered.A_minus);
        pl.post_time[j] = t;
        const double decay = pl.pre_decay(t);
        for (std::uint64_t q = syn.incoming_begin[j]; q < syn.incoming_begin[j + 1]; ++q) {
            const std::uint32_t s = syn.incoming[q];
            syn.weight.each[s] = apply_stdp(rule, syn.weight.each[s], pl.pre_scaled[s] * decay);
        }
    }
}

bool EngineCore::change_temperature(std::uint32_t p, double temperature, double t) {
    for (std::uint32_t k : incoming_plastic[p]) {
        Plasticity& pl = plasticity[k];
        const double decay = pl.pre_decay(t);  // under the old tau+
        for (double& a : pl.pre_scaled) a *= decay;
        pl.pre_reference = t;
        for (std::size_t j = 0; j < pl.post_value.size(); ++j) {
            pl.post_value[j] = decayed(pl.post_value[j], pl.post_time[j], t, pl.lowered.tau_minus);
            pl.post_time[j] = t;
        }
    }
    // The pool's supply up to t follows the old temperature (the costs wait for the next update).
    if (const auto& budget = model.populations[p].energy) {
        EnergyPool& pool = energy[p];
        const double phi = q10_factor(budget->q10_supply, lowered[p].temperature, model.populations[p].reference_temperature);
        pool.atp = std::clamp(pool.atp + (budget->supply * phi - budget->rest) * (t - pool.updated) / 1000.0, 0.0,
                              budget->capacity);
        pool.updated = t;
    }
    const double old_rate = lowered[p].poisson_rate;
    lowered[p] = lower(model.populations[p], temperature);
    for (std::uint32_t k : incoming_plastic[p]) plasticity[k].lowered = lower(*net.projections[k].stdp, lowered[p]);
    results.metabolic_timeline.push_back({t, model.populations[p].name, temperature});
    return lowered[p].poisson_rate != old_rate;
}

std::optional<double> EngineCore::update_energy(std::uint32_t p, double t) {
    const Population& pop = model.populations[p];
    const EnergyBudget& budget = *pop.energy;
    EnergyPool& pool = energy[p];
    const double temperature = lowered[p].temperature;
    const double supply = budget.supply * q10_factor(budget.q10_supply, temperature, pop.reference_temperature);
    const double before = pool.atp / budget.capacity;
    pool.atp += (supply - budget.rest) * (t - pool.updated) / 1000.0 -
                (budget.per_spike * pool.spikes + budget.per_release * pool.releases) / pop.size;
    pool.atp = std::clamp(pool.atp, 0.0, budget.capacity);
    pool.updated = t;
    pool.spikes = pool.releases = 0;
    const double after = pool.atp / budget.capacity;

    std::optional<double> target;
    for (const EnergyThreshold& threshold : budget.thresholds) {
        const bool crossed = threshold.direction == EnergyThreshold::Direction::falling
                                 ? before >= threshold.level && after < threshold.level
                                 : before <= threshold.level && after > threshold.level;
        if (crossed && threshold.temperature != temperature) target = threshold.temperature;
    }
    EnergyTrace& trace = *std::find_if(results.energy.begin(), results.energy.end(),
                                       [&](const EnergyTrace& e) { return e.population == pop.name; });
    trace.times.push_back(t);
    trace.atp_fraction.push_back(after);
    trace.temperature.push_back(target.value_or(temperature));
    return target;
}

std::uint32_t EngineCore::last_energy_update(std::uint32_t p) const {
    return static_cast<std::uint32_t>(std::floor(model.duration / model.populations[p].energy->interval + 1e-9));
}

double EngineCore::recorder_interval(std::size_t r) const {
    const std::size_t n_states = results.states.size();
    return r < n_states ? model.recording.states[r].interval : model.recording.weights[r - n_states].interval;
}

// The tolerance keeps the last sample when duration / interval is whole but rounds below.
std::uint32_t EngineCore::last_sample(std::size_t r) const {
    return static_cast<std::uint32_t>(std::floor(model.duration / recorder_interval(r) + 1e-9));
}

void EngineCore::sample_state(std::size_t r, const std::function<MembraneState(std::uint32_t)>& state) {
    StateTrace& trace = results.states[r];
    const std::uint32_t first = net.populations[model.population_index(trace.population)].first;
    std::vector<MembraneState> now;  // once per neuron, whatever the number of variables
    for (std::uint32_t i : trace.neurons) now.push_back(state(first + i));
    for (const std::string& var : trace.variables)
        for (const MembraneState& s : now) trace.values.push_back(var == "V" ? s.V : var == "ge" ? s.ge : s.gi);
    ++trace.samples;
}

void EngineCore::sample_weights(std::size_t r, double t) {
    WeightTrace& trace = results.weights[r];
    const Synapses& s = net.projections[weight_projection[r]];
    const unsigned bins = model.recording.weights[r].histogram_bins;
    std::vector<std::uint64_t> histogram(bins, 0);
    double sum = 0;
    std::uint64_t at_min = 0, at_max = 0;
    const double width = (trace.w_max - trace.w_min) / bins;
    for (std::uint64_t q = 0; q < s.size(); ++q) {
        const double w = s.weight[q];
        sum += w;
        at_min += w <= trace.w_min;
        at_max += w >= trace.w_max;
        const double x = width > 0 ? (w - trace.w_min) / width : 0;
        histogram[static_cast<std::size_t>(std::clamp(x, 0.0, bins - 1.0))] += 1;
    }
    const double n = static_cast<double>(std::max<std::uint64_t>(s.size(), 1));
    const double mean = sum / n;
    double squares = 0;  // second pass: no cancellation when the spread is small
    for (std::uint64_t q = 0; q < s.size(); ++q) squares += (s.weight[q] - mean) * (s.weight[q] - mean);
    trace.times.push_back(t);
    trace.mean.push_back(mean);
    trace.stddev.push_back(std::sqrt(squares / n));
    trace.fraction_at_min.push_back(at_min / n);
    trace.fraction_at_max.push_back(at_max / n);
    trace.histogram.push_back(std::move(histogram));
}

void EngineCore::finish(double wall_seconds) {
    for (std::size_t r = 0; r < results.weights.size(); ++r) {
        if (!model.recording.weights[r].final_weights) continue;
        WeightTrace& trace = results.weights[r];
        const Synapses& s = net.projections[weight_projection[r]];
        trace.has_final = true;
        // reserved: grown one by one, these copies of every synapse would take up to twice it
        trace.final_source.reserve(s.size());
        trace.final_target.reserve(s.size());
        trace.final_weight.reserve(s.size());
        trace.final_delay.reserve(s.size());
        for (std::uint32_t i = 0; i + 1 < s.row_begin.size(); ++i)
            for (std::uint64_t q = s.row_begin[i]; q < s.row_begin[i + 1]; ++q) {
                trace.final_source.push_back(i);
                trace.final_target.push_back(s.target[q]);
                trace.final_weight.push_back(s.weight[q]);
                trace.final_delay.push_back(s.delay[q]);
            }
    }
    results.duration = model.duration;
    results.seed = model.seed;
    results.synapse_count = net.synapse_count();
    results.counters.wall_seconds = wall_seconds;
}

}  // namespace metabosim::detail
