#include "compare/compared_models.hpp"

#include <algorithm>

#include "metabosim/model/resize.hpp"

namespace metabosim::compare {

Model single_neurons(Model model, std::uint32_t count, double duration) {
    model.duration = std::min(model.duration, duration);
    // The first population of neurons: spike sources have no membrane to compare.
    const auto cells = std::find_if(model.populations.begin(), model.populations.end(),
                                    [](const Population& p) { return !p.source; });
    const Population kept = cells != model.populations.end() ? *cells : model.populations[0];
    model.populations = {kept};
    Population& p = model.populations[0];
    p.size = count;
    if (p.source && p.source->kind == SpikeSource::Kind::array) p.source->times.resize(count);
    model.projections.clear();
    std::erase_if(model.generators, [&](SpikeGenerator& g) {
        if (g.target != p.name) return true;
        if (g.neurons.empty()) return false;
        std::erase_if(g.neurons, [&](std::uint32_t i) { return i >= count; });
        return g.neurons.empty();
    });
    if (!p.source && !p.drive && model.generators.empty()) p.drive = PoissonDrive{};
    std::erase_if(model.metabolism, [&](const MetabolicStep& s) {
        return (!s.population.empty() && s.population != p.name) || s.time > model.duration;
    });
    model.recording = {};
    return model;
}

Model shrink(Model model, std::uint32_t max_neurons, double duration) {
    model.duration = std::min(model.duration, duration);
    std::erase_if(model.metabolism, [&](const MetabolicStep& s) { return s.time > model.duration; });
    model.recording.states.clear();
    model.recording.weights.clear();
    return resize(model, std::min(max_neurons, model.neuron_count()));
}

Probes add_probes(Model& model) {
    Probes probes;
    for (const Population& p : model.populations) {
        if (p.source) {  // no state to record
            probes.voltage[p.name] = {};
            continue;
        }
        StateRecording rec{.population = p.name, .neurons = {}, .variables = {"V"}, .interval = Probes::interval};
        const std::uint32_t n = std::min<std::uint32_t>(p.size, 100);
        for (std::uint32_t k = 0; k < n; ++k) rec.neurons.push_back(static_cast<std::uint32_t>(std::uint64_t{k} * p.size / n));
        probes.voltage[p.name] = rec.neurons;
        model.recording.states.push_back(rec);
    }
    for (const Projection& proj : model.projections) {
        if (!proj.stdp) continue;
        const auto& w = model.recording.weights;
        probes.plastic.push_back(proj.name);
        if (std::none_of(w.begin(), w.end(), [&](const WeightRecording& r) { return r.projection == proj.name; }))
            model.recording.weights.push_back({.projection = proj.name, .interval = model.duration / 20,
                                               .histogram_bins = 48, .final_weights = false});
    }
    return probes;
}

}  // namespace metabosim::compare
