#include "metabosim/experiments/stdp_window.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim::experiments {
namespace {

// A kick of 200 nS (reference scale; 115 nS after phi_g at 32 degC) takes a cell from EL to
// threshold in well under a millisecond at 32-41 degC (WindowPoint::latency reports it). The
// kick's conductance outlasts the refractory period and would fire the cell again, so a strong
// inhibitory brake follows 1 ms later; tau_i > tau_e keeps it ahead of the kick from then on.
constexpr double kick = 200;   // nS, excitatory
constexpr double brake = 600;  // nS, inhibitory
constexpr double brake_after = 1;  // ms

double mean_of(const Distribution& d) {
    switch (d.kind) {
    case Distribution::Kind::constant: return d.value;
    case Distribution::Kind::uniform: return 0.5 * (d.low + d.high);
    case Distribution::Kind::normal_clipped: return d.mean;  // the mean before clipping
    }
    return d.value;
}

WindowPoint pairing_run(const Population& population, const Projection& plastic, double temperature, double delay,
                        double offset, const WindowProtocol& protocol) {
    const StdpParameters& rule = *plastic.stdp;
    const double period = 1000 / protocol.rate;
    Model m;
    Population cells = population;
    cells.name = "pair";
    cells.size = 2;  // 0 presynaptic, 1 postsynaptic
    cells.temperature = temperature;
    cells.neuron.I_ext = 0;  // the kicks are the only input
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
    // The rule does not depend on what the synapse delivers. An excitatory synapse grown towards
    // w_max could fire the postsynaptic cell by itself and add spikes; an inhibitory one cannot.
    synapse.receptor = Receptor::inhibitory;
    m.projections = {synapse};

    // Pairing k is centred on (k + 1/2) period, so that the weight samples at k * period fall
    // between pairings: the presynaptic kick (delay + offset) / 2 before the centre, the
    // postsynaptic one as much after it.
    const double span = delay + offset;
    std::vector<double> kick_times[2];
    for (std::uint32_t cell : {0u, 1u}) {
        SpikeGenerator on{fmt::format("kick{}", cell), "pair", {cell}, {}, kick, Receptor::excitatory};
        SpikeGenerator off{fmt::format("brake{}", cell), "pair", {cell}, {}, brake, Receptor::inhibitory};
        for (unsigned k = 0; k < protocol.pairings; ++k) {
            const double t = (k + 0.5) * period + (cell == 0 ? -0.5 : 0.5) * span;
            on.times.push_back(t);
            off.times.push_back(t + brake_after);
        }
        kick_times[cell] = on.times;
        m.generators.push_back(std::move(on));
        m.generators.push_back(std::move(off));
    }
    m.duration = protocol.pairings * period;
    // Samples at 0, period, ..., duration: sample k + 1 follows pairing k.
    m.recording.weights = {{.projection = "synapse", .interval = period, .histogram_bins = 1, .final_weights = false}};
    const Results r = simulate(m, protocol.strategy);

    std::vector<double> spikes[2];
    for (std::size_t q = 0; q < r.spikes[0].times.size(); ++q) spikes[r.spikes[0].node_ids[q]].push_back(r.spikes[0].times[q]);
    WindowPoint point{.target_dt = offset};
    for (std::uint32_t cell : {0u, 1u}) {
        if (spikes[cell].size() != protocol.pairings)
            throw InternalError(fmt::format("pairing protocol at {} degC, offset {} ms: the {} cell fired {} times for {} kicks",
                                            temperature, offset, cell == 0 ? "presynaptic" : "postsynaptic",
                                            spikes[cell].size(), protocol.pairings));
        for (unsigned k = 0; k < protocol.pairings; ++k) point.latency = std::max(point.latency, spikes[cell][k] - kick_times[cell][k]);
    }
    // Hard bounds clamp the weight, and a clamped pairing changes it by less than the rule says.
    // The changes have one sign, so every sample before the first one at a bound is unclamped:
    // the change per pairing is taken over the pairings before it.
    const std::vector<double>& w = r.weights[0].mean;
    if (w.size() != protocol.pairings + 1)
        throw InternalError(fmt::format("pairing protocol: {} weight samples for {} pairings", w.size(), protocol.pairings));
    const auto at_bound = [&](double x) { return x <= rule.w_min || x >= rule.w_max; };
    const std::size_t first_at_bound = std::find_if(w.begin() + 1, w.end(), at_bound) - w.begin();
    point.clipped = first_at_bound < w.size();
    const std::size_t clean = first_at_bound - 1;  // pairings before the bound (all if none)
    point.dw_per_pairing = clean > 0 ? (w[clean] - w[0]) / static_cast<double>(clean) : std::numeric_limits<double>::quiet_NaN();
    // The cells fire slightly after their kicks, and not always by the same amount: the synapse's
    // IPSP, which grows with the weight, delays the postsynaptic cell when it comes first. So dt
    // is averaged over the same pairings as the weight change.
    const std::size_t used = std::max<std::size_t>(clean, 1);
    for (std::size_t k = 0; k < used; ++k) point.realised_dt += spikes[1][k] - (spikes[0][k] + delay);
    point.realised_dt /= static_cast<double>(used);
    return point;
}

}  // namespace

StdpWindow measure_stdp_window(const Population& population, const Projection& plastic, double temperature,
                               const WindowProtocol& protocol) {
    if (!plastic.stdp) throw UserError(fmt::format("projection \"{}\" is not plastic", plastic.name));
    if (protocol.pairings == 0 || !(protocol.rate > 0))
        throw UserError(fmt::format("pairing protocol: {} pairings at {} Hz; expected at least one, at a positive rate",
                                    protocol.pairings, protocol.rate));
    // The synapse sees the presynaptic spike one delay after emission. A clock-driven engine
    // rounds delays to whole steps (as Brian2 does); give it the rounded delay so that the dt
    // computed here is the one the rule sees.
    double delay = mean_of(plastic.delay);
    if (protocol.strategy.kind == Strategy::Kind::clock_driven)
        delay = std::max(1.0, std::floor(delay / protocol.strategy.dt + 0.5)) * protocol.strategy.dt;
    const double period = 1000 / protocol.rate;
    for (double offset : protocol.offsets)
        if (std::abs(offset + delay) + 2 * brake_after >= period)
            throw UserError(fmt::format("pairing protocol: an offset of {} ms with a delay of {} ms does not fit between "
                                        "pairings {} ms apart",
                                        offset, delay, period));

    StdpWindow window;
    window.temperature = temperature;
    std::vector<double> x_ltp, y_ltp, x_ltd, y_ltd;
    for (double offset : protocol.offsets) {
        const WindowPoint p = pairing_run(population, plastic, temperature, delay, offset, protocol);
        window.points.push_back(p);
        if (std::isnan(p.dw_per_pairing)) continue;  // clamped at once: no clean measure
        // dt = 0 potentiates: an arrival is processed before a spike at the same time.
        (p.realised_dt >= 0 ? x_ltp : x_ltd).push_back(std::abs(p.realised_dt));
        (p.realised_dt >= 0 ? y_ltp : y_ltd).push_back(p.dw_per_pairing);
        if (std::abs(p.dw_per_pairing) > std::abs(window.peak_dw)) window.peak_dw = p.dw_per_pairing;
    }
    window.ltp = analysis::fit_exponential(x_ltp, y_ltp);
    window.ltd = analysis::fit_exponential(x_ltd, y_ltd);
    return window;
}

}  // namespace metabosim::experiments
