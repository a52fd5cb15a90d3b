#include "recording/recorders.hpp"

#include <algorithm>
#include <cmath>

namespace metabosim {
namespace {

// The tolerance keeps the last sample when duration / interval is whole but rounds below.
std::uint32_t samples_before(double duration, double interval) {
    return static_cast<std::uint32_t>(std::floor(duration / interval + 1e-9));
}

std::uint32_t projection_index(const Model& model, const std::string& name) {
    return static_cast<std::uint32_t>(
        std::find_if(model.projections.begin(), model.projections.end(),
                     [&](const Projection& p) { return p.name == name; }) -
        model.projections.begin());
}

}  // namespace

Recorders::Recorders(const Model& model, const Network& net)
    : model_(model), energy_trace_(model.populations.size(), 0) {
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        const Population& pop = model.populations[p];
        results_.metabolic_timeline.push_back({0.0, pop.name, pop.temperature});
        results_.spikes.push_back({pop.name, pop.size, {}, {}});
        if (!pop.energy) continue;
        energy_trace_[p] = results_.energy.size();
        EnergyTrace& trace = results_.energy.emplace_back(EnergyTrace{pop.name, {}, {}, {}});
        const std::size_t updates = samples_before(model.duration, pop.energy->interval) + std::size_t{1};
        trace.times.reserve(updates);
        trace.atp_fraction.reserve(updates);
        trace.temperature.reserve(updates);
    }
    for (const StateRecording& rec : model.recording.states) {
        StateRecorder& recorder = states_.emplace_back();
        const std::uint32_t first = net.populations[model.population_index(rec.population)].first;
        for (std::uint32_t i : rec.neurons) recorder.neurons.push_back(first + i);
        for (const std::string& name : rec.variables)
            recorder.variables.push_back(state_variables[state_variable_index(name).value()].member);
        const std::size_t samples = samples_before(model.duration, rec.interval) + std::size_t{1};
        results_.states.push_back({rec.population, rec.neurons, rec.variables, 0.0, rec.interval, samples,
                                   std::vector<double>(samples * rec.neurons.size() * rec.variables.size(), 0.0)});
    }
    for (const WeightRecording& rec : model.recording.weights) {
        const std::uint32_t k = projection_index(model, rec.projection);
        weight_projection_.push_back(k);
        const Synapses& s = net.projections[k];
        WeightTrace& trace = results_.weights.emplace_back();
        trace.projection = rec.projection;
        trace.bins = rec.histogram_bins;
        if (s.stdp) {
            trace.w_min = s.stdp->w_min;
            trace.w_max = s.stdp->w_max;
        } else if (s.size() > 0) {
            const std::vector<double> w = s.weight.expanded(s.size());
            trace.w_min = *std::min_element(w.begin(), w.end());
            trace.w_max = *std::max_element(w.begin(), w.end());
        }
        const std::size_t samples = samples_before(model.duration, rec.interval) + std::size_t{1};
        for (auto* column : {&trace.times, &trace.mean, &trace.stddev, &trace.fraction_at_min, &trace.fraction_at_max})
            column->reserve(samples);
        trace.histogram.reserve(samples * trace.bins);
    }
}

void Recorders::metabolic_change(std::uint32_t population, double temperature, double t) {
    results_.metabolic_timeline.push_back({t, model_.populations[population].name, temperature});
}

void Recorders::energy(std::uint32_t population, double t, double atp_fraction, double temperature) {
    EnergyTrace& trace = results_.energy[energy_trace_[population]];
    trace.times.push_back(t);
    trace.atp_fraction.push_back(atp_fraction);
    trace.temperature.push_back(temperature);
}

double Recorders::interval(std::size_t r) const {
    const std::size_t n_states = results_.states.size();
    return r < n_states ? model_.recording.states[r].interval : model_.recording.weights[r - n_states].interval;
}

std::uint32_t Recorders::last_sample(std::size_t r) const { return samples_before(model_.duration, interval(r)); }

void Recorders::sample_weights(std::size_t r, double t, const Network& net) {
    const Synapses& s = net.projections[weight_projection_[r - results_.states.size()]];
    if (s.entry.empty())
        sample_weights(r, t, s.weight, s.size());
    else  // summed in synapse order, as on several ranks
        sample_weights(r, t, SynapseValues{s.weights(), 0.0}, s.size());
}

void Recorders::sample_weights(std::size_t r, double t, const SynapseValues& weights, std::uint64_t count) {
    WeightTrace& trace = results_.weights[r - results_.states.size()];
    const std::size_t bins = trace.bins;
    const std::size_t row = trace.histogram.size();
    trace.histogram.resize(row + bins, 0);
    double sum = 0;
    std::uint64_t at_min = 0, at_max = 0;
    const double width = (trace.w_max - trace.w_min) / bins;
    for (std::uint64_t q = 0; q < count; ++q) {
        const double weight = weights[q];
        sum += weight;
        at_min += weight <= trace.w_min;
        at_max += weight >= trace.w_max;
        const double x = width > 0 ? (weight - trace.w_min) / width : 0;
        trace.histogram[row + static_cast<std::size_t>(std::clamp(x, 0.0, bins - 1.0))] += 1;
    }
    const double n = static_cast<double>(std::max<std::uint64_t>(count, 1));
    const double mean = sum / n;
    double squares = 0;  // second pass: no cancellation when the spread is small
    for (std::uint64_t q = 0; q < count; ++q) squares += (weights[q] - mean) * (weights[q] - mean);
    trace.times.push_back(t);
    trace.mean.push_back(mean);
    trace.stddev.push_back(std::sqrt(squares / n));
    trace.fraction_at_min.push_back(at_min / n);
    trace.fraction_at_max.push_back(at_max / n);
}

void Recorders::save(CheckpointWriter& out) const {
    for (const PopulationSpikes& s : results_.spikes) {
        out.put(s.times);
        out.put(s.node_ids);
    }
    for (const StateTrace& s : results_.states) out.put(s.values);
    for (const WeightTrace& w : results_.weights)
        for (const auto* column : {&w.times, &w.mean, &w.stddev, &w.fraction_at_min, &w.fraction_at_max}) out.put(*column);
    for (const WeightTrace& w : results_.weights) out.put(w.histogram);
    out.put(static_cast<std::uint64_t>(results_.metabolic_timeline.size()));
    for (const StateChange& c : results_.metabolic_timeline) {
        out.put(c.time);
        out.put(c.population);
        out.put(c.temperature);
    }
    for (const EnergyTrace& e : results_.energy)
        for (const auto* column : {&e.times, &e.atp_fraction, &e.temperature}) out.put(*column);
}

void Recorders::load(CheckpointReader& in) {
    for (PopulationSpikes& s : results_.spikes) {
        in.get(s.times);
        in.get_exactly(s.node_ids, s.times.size(), "spike ids");
    }
    for (StateTrace& s : results_.states) in.get_exactly(s.values, s.values.size(), "recorded state values");
    for (WeightTrace& w : results_.weights) {
        in.get(w.times);
        for (auto* column : {&w.mean, &w.stddev, &w.fraction_at_min, &w.fraction_at_max})
            in.get_exactly(*column, w.times.size(), "weight samples");
    }
    for (WeightTrace& w : results_.weights) in.get_exactly(w.histogram, w.times.size() * w.bins, "histogram counts");
    const auto changes = in.get<std::uint64_t>();
    results_.metabolic_timeline.clear();
    for (std::uint64_t k = 0; k < changes; ++k) {
        StateChange c;
        c.time = in.get<double>();
        c.population = in.get_string();
        c.temperature = in.get<double>();
        results_.metabolic_timeline.push_back(std::move(c));
    }
    for (EnergyTrace& e : results_.energy) {
        in.get(e.times);
        in.get_exactly(e.atp_fraction, e.times.size(), "energy samples");
        in.get_exactly(e.temperature, e.times.size(), "energy samples");
    }
}

Results Recorders::snapshot(const Network& net, RunCounters counters) const {
    Results results = results_;
    for (std::size_t w = 0; w < results.weights.size(); ++w) {
        if (!model_.recording.weights[w].final_weights) continue;
        WeightTrace& trace = results.weights[w];
        const Synapses& s = net.projections[weight_projection_[w]];
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
                trace.final_weight.push_back(s.weight_of(q));
                trace.final_delay.push_back(s.delay[q]);
            }
    }
    results.duration = model_.duration;
    results.seed = model_.seed;
    results.synapse_count = net.synapse_count();
    results.counters = std::move(counters);
    return results;
}

}  // namespace metabosim
