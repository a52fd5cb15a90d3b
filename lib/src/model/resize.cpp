#include "metabosim/model/resize.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace metabosim {

Model resize(Model model, std::uint32_t neurons) {
    const double f = static_cast<double>(neurons) / model.neuron_count();
    std::map<std::string, std::uint32_t> size;
    for (Population& p : model.populations) {
        p.size = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(p.size * f)));
        size[p.name] = p.size;
        if (p.source && p.source->kind == SpikeSource::Kind::array) p.source->times.resize(p.size);  // added sources stay silent
    }
    for (Projection& proj : model.projections) {
        Connectivity& c = proj.connectivity;
        const std::uint32_t pre = size[proj.pre], post = size[proj.post];
        const std::uint32_t self = proj.pre == proj.post && !c.autapses ? 1 : 0;
        if (c.rule == Connectivity::Rule::probability) c.p = std::min(1.0, c.p / f);
        if (c.rule == Connectivity::Rule::fixed_indegree) c.indegree = std::min(c.indegree, pre - self);
        if (c.rule == Connectivity::Rule::explicit_list) {
            Connectivity kept = c;
            kept.sources.clear(), kept.targets.clear(), kept.weights.clear(), kept.delays.clear();
            for (std::size_t k = 0; k < c.sources.size(); ++k) {
                if (c.sources[k] >= pre || c.targets[k] >= post) continue;
                kept.sources.push_back(c.sources[k]);
                kept.targets.push_back(c.targets[k]);
                if (!c.weights.empty()) kept.weights.push_back(c.weights[k]);
                if (!c.delays.empty()) kept.delays.push_back(c.delays[k]);
            }
            c = kept;
        }
    }
    const auto outside = [&](const std::string& population) {
        return [&, population](std::uint32_t i) { return i >= size[population]; };
    };
    std::erase_if(model.generators, [&](SpikeGenerator& g) {
        if (g.neurons.empty()) return false;
        std::erase_if(g.neurons, outside(g.target));
        return g.neurons.empty();
    });
    std::erase_if(model.recording.states, [&](StateRecording& r) {
        std::erase_if(r.neurons, outside(r.population));
        return r.neurons.empty();
    });
    return model;
}

}  // namespace metabosim
