#include "synapses/stdp.hpp"

#include <algorithm>
#include <cmath>

namespace metabosim {
namespace {

double decayed(double value, double since, double now, double tau) {
    return value == 0 ? 0 : value * std::exp(-(now - since) / tau);
}

// Weight change of one pairing, clipped to the bounds. Multiplicative updates scale potentiation
// by the room left below w_max and depression by the distance from w_min.
double apply(const StdpParameters& rule, double w, double dw) {
    if (rule.update == StdpParameters::Update::multiplicative)
        dw *= (dw > 0 ? rule.w_max - w : w - rule.w_min) / (rule.w_max - rule.w_min);
    return std::clamp(w + dw, rule.w_min, rule.w_max);
}

double bump(const StdpParameters& rule, double trace, double amplitude) {
    return rule.pairing == StdpParameters::Pairing::all_to_all ? trace + amplitude : amplitude;
}

}  // namespace

StdpTraces::StdpTraces(const Synapses& synapses, const LoweredPopulation& post)
    : lowered(lower(*synapses.stdp, post)),
      pre_scaled(synapses.size(), 0.0),
      post_value(synapses.incoming_begin.size() - 1, 0.0),
      post_time(synapses.incoming_begin.size() - 1, 0.0) {}

double StdpTraces::pre_decay(double t) const { return std::exp(-(t - pre_reference) / lowered.tau_plus); }

void StdpTraces::rebase_pre(double t) {
    if (t - pre_reference <= 32 * lowered.tau_plus) return;
    const double decay = pre_decay(t);
    for (double& a : pre_scaled) a *= decay;
    pre_reference = t;
}

void StdpTraces::on_arrival(Synapses& synapses, std::uint64_t e, std::uint32_t j, double t) {
    const StdpParameters& rule = *synapses.stdp;
    const double decay = pre_decay(t);
    pre_scaled[e] = bump(rule, pre_scaled[e] * decay, lowered.A_plus) / decay;
    const double post = decayed(post_value[j], post_time[j], t, lowered.tau_minus);
    synapses.weight.each[e] = apply(rule, synapses.weight.each[e], post);
}

void StdpTraces::on_post_spike(Synapses& synapses, std::uint32_t j, double t) {
    const StdpParameters& rule = *synapses.stdp;
    post_value[j] = bump(rule, decayed(post_value[j], post_time[j], t, lowered.tau_minus), lowered.A_minus);
    post_time[j] = t;
    const double decay = pre_decay(t);
    for (std::uint64_t e = synapses.incoming_begin[j]; e < synapses.incoming_begin[j + 1]; ++e)
        synapses.weight.each[e] = apply(rule, synapses.weight.each[e], pre_scaled[e] * decay);
}

void StdpTraces::settle(double t) {
    const double decay = pre_decay(t);
    for (double& a : pre_scaled) a *= decay;
    pre_reference = t;
    for (std::size_t j = 0; j < post_value.size(); ++j) {
        post_value[j] = decayed(post_value[j], post_time[j], t, lowered.tau_minus);
        post_time[j] = t;
    }
}

Plasticity::Plasticity(const Network& net, const std::vector<LoweredPopulation>& lowered)
    : projections(net.projections.size()), incoming(net.populations.size()) {
    for (std::uint32_t k = 0; k < net.projections.size(); ++k) {
        const Synapses& s = net.projections[k];
        if (!s.stdp) continue;
        incoming[s.post].push_back(k);
        projections[k] = StdpTraces(s, lowered[s.post]);
    }
}

void Plasticity::on_spike(Network& net, std::uint32_t p, std::uint32_t j, double t) {
    for (std::uint32_t k : incoming[p]) projections[k].on_post_spike(net.projections[k], j, t);
}

void Plasticity::settle(std::uint32_t p, double t) {
    for (std::uint32_t k : incoming[p]) projections[k].settle(t);
}

void Plasticity::save(const Network& net, CheckpointWriter& out) const {
    for (std::uint32_t k = 0; k < projections.size(); ++k) {
        if (!net.projections[k].stdp) continue;
        const StdpTraces& t = projections[k];
        out.put(t.pre_scaled);
        out.put(t.pre_reference);
        out.put(t.post_value);
        out.put(t.post_time);
        out.put(net.projections[k].weight.each);
    }
}

void Plasticity::load(Network& net, CheckpointReader& in) {
    for (std::uint32_t k = 0; k < projections.size(); ++k) {
        Synapses& s = net.projections[k];
        if (!s.stdp) continue;
        StdpTraces& t = projections[k];
        in.get_exactly(t.pre_scaled, s.size(), "plastic synapses");
        t.pre_reference = in.get<double>();
        in.get_exactly(t.post_value, t.post_time.size(), "postsynaptic traces");
        in.get_exactly(t.post_time, t.post_value.size(), "postsynaptic traces");
        in.get_exactly(s.weight.each, s.size(), "plastic weights");
    }
}

void Plasticity::relower(const Network& net, std::uint32_t p, const LoweredPopulation& post) {
    for (std::uint32_t k : incoming[p]) projections[k].lowered = lower(*net.projections[k].stdp, post);
}

}  // namespace metabosim
