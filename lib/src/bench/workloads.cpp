#include "bench/workloads.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "metabosim/model/builtin.hpp"
#include "metabosim/model/resize.hpp"

namespace metabosim::bench {
namespace {

// COBA's network with `synapses_per_neuron` expected inputs (4:1 E:I) and `neurons` cells.
Model scaling(std::uint32_t neurons, double synapses_per_neuron, double duration) {
    Model m = resize(coba(duration), neurons);
    for (Projection& p : m.projections) p.connectivity.p = std::min(1.0, synapses_per_neuron / neurons);
    return m;
}

}  // namespace

std::vector<Workload> workloads(bool quick) {
    const double short_run = quick ? 500 : 1000;
    Model plain = microcircuit(37, short_run);
    for (Projection& p : plain.projections) p.stdp.reset();
    plain.recording.weights.clear();
    std::vector<Workload> w = {
        {"COBA, 1 s", coba(1000), true, true},
        {"microcircuit 37 degC, STDP", microcircuit(37, short_run), true, true},
        {"microcircuit 37 degC, no STDP", plain, false, false},
        {"microcircuit 41 degC, STDP", microcircuit(41, short_run), false, false},
    };
    if (!quick) w.insert(w.begin() + 1, {"COBA, 10 s", coba(10000), false, false});
    const auto series = [&](double k, const std::vector<std::uint32_t>& sizes) {
        for (std::uint32_t n : sizes)
            w.push_back({fmt::format("scaling N = {}, K = {:g}", n, k), scaling(n, k, 200), false, false, k});
    };
    if (quick) {
        series(100, {1000, 4000, 16000});
        series(1000, {1000, 4000});
    } else {
        series(100, {1000, 4000, 16000, 64000, 100000});
        series(1000, {1000, 4000, 16000});
    }
    for (Workload& x : w) x.model.recording.states.clear();
    return w;
}

}  // namespace metabosim::bench
