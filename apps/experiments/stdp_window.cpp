#include "experiments/stdp_window.hpp"

#include <cmath>

#include <fmt/format.h>

#include "metabosim/error.hpp"

namespace metabosim::experiments {
namespace {

constexpr double kick = 200;       // nS at the reference temperature: fires within ~0.3 ms
constexpr double brake = 600;      // nS, inhibitory, 1 ms after the kick
constexpr double first_pairing = 200;  // ms, room for offsets down to -100 ms

double mean_delay(const Distribution& d) {
    switch (d.kind) {
    case Distribution::Kind::constant: return d.value;
    case Distribution::Kind::uniform: return 0.5 * (d.low + d.high);
    case Distribution::Kind::normal_clipped: return d.mean;
    }
    return d.value;
}

WindowPoint pairing_run(const Population& population, const Projection& plastic, double temperature, double offset,
                        const WindowProtocol& protocol) {
    const StdpParameters& rule = *plastic.stdp;
    const double delay = mean_delay(plastic.delay);
    const double period = 1000 / protocol.rate;
    Model m;
    m.seed = 1;
    Population cells = population;
    cells.name = "pair";
    cells.size = 2;
    cells.temperature = temperature;
    cells.drive.reset();
    cells.energy.reset();
    cells.initial_V = Distribution::constant(cells.neuron.EL);
    cells.initial_ge = cells.initial_gi = Distribution::constant(0);
    m.populations = {cells};
    Projection synapse = plastic;
    synapse.name = "synapse";
    synapse.pre = synapse.post = "pair";
    synapse.connectivity = {};
    synapse.connectivity.rule = Connectivity::Rule::explicit_list;
    synapse.connectivity.sources = {0};
    synapse.connectivity.targets = {1};
    synapse.weight = Distribution::constant(0.5 * (rule.w_min + rule.w_max));
    synapse.delay = Distribution::constant(delay);
    // The rule does not depend on what the synapse delivers; an excitatory one grown strong would
    // fire the postsynaptic cell on its own and spoil the timing, an inhibitory one cannot.
    synapse.receptor = Receptor::inhibitory;
    m.projections = {synapse};
    // Kicks: the presynaptic cell at T_k, the postsynaptic one so that its spike comes `offset`
    // after the presynaptic spike's arrival (both fire with the same latency after a kick).
    const auto kicks = [&](std::uint32_t cell, double shift) {
        SpikeGenerator on{.name = fmt::format("kick{}", cell), .target = "pair", .neurons = {cell}, .times = {}, .weight = kick};
        SpikeGenerator off{.name = fmt::format("brake{}", cell), .target = "pair", .neurons = {cell}, .times = {},
                           .weight = brake, .receptor = Receptor::inhibitory};
        for (unsigned k = 0; k < protocol.pairings; ++k) {
            on.times.push_back(first_pairing + k * period + shift);
            off.times.push_back(first_pairing + k * period + shift + 1);
        }
        m.generators.push_back(on);
        m.generators.push_back(off);
    };
    kicks(0, 0);
    kicks(1, delay + offset);
    m.duration = first_pairing + protocol.pairings * period;
    // One weight sample per pairing: sample j (at j * period) follows pairing j - 1.
    m.recording.weights = {{.projection = "synapse", .interval = period, .histogram_bins = 1, .final_weights = false}};
    const Results r = simulate(m, protocol.strategy);

    const auto& spikes = r.spikes[0];
    std::vector<double> pre, post;
    for (std::size_t q = 0; q < spikes.times.size(); ++q) (spikes.node_ids[q] == 0 ? pre : post).push_back(spikes.times[q]);
    if (pre.size() != protocol.pairings || post.size() != protocol.pairings)
        throw InternalError(fmt::format("pairing protocol at {} degC, offset {} ms: {} presynaptic and {} postsynaptic "
                                        "spikes for {} pairings",
                                        temperature, offset, pre.size(), post.size(), protocol.pairings));
    WindowPoint point{.target_dt = offset};
    for (unsigned k = 0; k < protocol.pairings; ++k) point.realised_dt += (post[k] - (pre[k] + delay)) / protocol.pairings;
    // The change per pairing, over the pairings before the weight reached a bound (if it did).
    const auto& w = r.weights[0].mean;
    std::size_t last = w.size() - 1;
    while (last > 1 && (w[last] <= rule.w_min || w[last] >= rule.w_max)) --last;
    point.clipped = w.back() <= rule.w_min || w.back() >= rule.w_max;
    point.dw_per_pairing = (w[last] - w[0]) / static_cast<double>(last);
    return point;
}

}  // namespace

StdpWindow measure_stdp_window(const Population& population, const Projection& plastic, double temperature,
                               const WindowProtocol& protocol) {
    if (!plastic.stdp) throw UserError(fmt::format("projection \"{}\" is not plastic", plastic.name));
    StdpWindow window;
    window.temperature = temperature;
    std::vector<double> x_ltp, y_ltp, x_ltd, y_ltd;
    for (double offset : protocol.offsets) {
        const WindowPoint p = pairing_run(population, plastic, temperature, offset, protocol);
        window.points.push_back(p);
        (p.realised_dt > 0 ? x_ltp : x_ltd).push_back(std::abs(p.realised_dt));
        (p.realised_dt > 0 ? y_ltp : y_ltd).push_back(p.dw_per_pairing);
    }
    window.ltp = analysis::fit_exponential(x_ltp, y_ltp);
    window.ltd = analysis::fit_exponential(x_ltd, y_ltd);
    return window;
}

}  // namespace metabosim::experiments
