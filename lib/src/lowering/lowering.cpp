#include "metabosim/lowering/lowering.hpp"

#include <cmath>

namespace metabosim {

double q10_factor(double q10, double temperature, double reference_temperature) {
    return std::pow(q10, (temperature - reference_temperature) / 10.0);
}

LoweredPopulation lower(const Population& p, double temperature) {
    const auto phi = [&](double q10) { return q10_factor(q10, temperature, p.reference_temperature); };
    const NeuronParameters& n = p.neuron;
    LoweredPopulation out{};
    out.temperature = temperature;
    out.neuron = LoweredNeuron{
        .C = n.C * phi(p.q10.C),
        .gL = n.gL * phi(p.q10.gL),
        .EL = n.EL,
        .Vth = n.Vth,
        .Vr = n.Vr,
        .t_ref = n.t_ref / phi(p.q10.t_ref),
        .Ee = n.Ee,
        .Ei = n.Ei,
        .tau_e = n.tau_e / phi(p.q10.tau_e),
        .tau_i = n.tau_i / phi(p.q10.tau_i),
        .I_ext = n.I_ext,
    };
    out.synaptic_efficacy = phi(p.q10.synaptic_efficacy);
    out.poisson_rate = p.drive ? p.drive->rate * phi(p.q10.poisson_rate) : 0.0;
    out.poisson_weight = p.drive ? p.drive->weight * out.synaptic_efficacy : 0.0;
    out.phi_tau_stdp = phi(p.q10.tau_stdp);
    out.phi_A_plus = phi(p.q10.A_plus);
    out.phi_A_minus = phi(p.q10.A_minus);
    return out;
}

LoweredStdp lower(const StdpParameters& s, const LoweredPopulation& post) {
    return LoweredStdp{
        .tau_plus = s.tau_plus / post.phi_tau_stdp,
        .tau_minus = s.tau_minus / post.phi_tau_stdp,
        .A_plus = s.resolved_A_plus() * post.phi_A_plus,
        .A_minus = s.resolved_A_minus() * post.phi_A_minus,
    };
}

}  // namespace metabosim
