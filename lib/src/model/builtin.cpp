#include "metabosim/model/builtin.hpp"

#include <string>
#include <utility>

namespace metabosim {

namespace {

Projection make_projection(std::string name, std::string pre, std::string post, Receptor receptor,
                           double weight) {
    Projection p;
    p.name = std::move(name);
    p.pre = std::move(pre);
    p.post = std::move(post);
    p.receptor = receptor;
    p.weight = Distribution::constant(weight);
    return p;
}

Population driven_population(std::string name, std::uint32_t size, double temperature) {
    Population p;
    p.name = std::move(name);
    p.size = size;
    p.temperature = temperature;
    p.drive = PoissonDrive{};
    return p;
}

}  // namespace

// Every value not set here is the model.hpp default (docs/model.md).
Model microcircuit(double temperature, double duration) {
    Model m;
    m.populations = {driven_population("E", 4000, temperature), driven_population("I", 1000, temperature)};
    auto ee = make_projection("EE", "E", "E", Receptor::excitatory, 4);
    ee.stdp = StdpParameters{};
    m.projections = {
        ee,
        make_projection("EI", "E", "I", Receptor::excitatory, 4),
        make_projection("IE", "I", "E", Receptor::inhibitory, 51),
        make_projection("II", "I", "I", Receptor::inhibitory, 51),
    };
    m.recording.states = {StateRecording{"E", {0, 1, 2, 3, 4}, {"V", "ge", "gi"}, 1}};
    m.recording.weights = {WeightRecording{"EE", 100, 50, true}};
    m.duration = duration;
    m.seed = 1;
    return m;
}

// Brian's COBA has no delays, but the engine needs positive ones: a constant 1 ms, the lower
// end of the microcircuit's range. Initial conductances are 0 and the Poisson drive sustains
// the activity (docs/model.md).
Model coba(double duration) {
    Model m;
    m.populations = {driven_population("E", 3200, 37), driven_population("I", 800, 37)};
    m.projections = {
        make_projection("EE", "E", "E", Receptor::excitatory, 6),
        make_projection("EI", "E", "I", Receptor::excitatory, 6),
        make_projection("IE", "I", "E", Receptor::inhibitory, 67),
        make_projection("II", "I", "I", Receptor::inhibitory, 67),
    };
    for (auto& p : m.projections) p.delay = Distribution::constant(1);
    m.duration = duration;
    m.seed = 1;
    return m;
}

}  // namespace metabosim
