#include "metabosim/neuron/glif.hpp"

#include <cmath>

namespace metabosim {

std::optional<std::size_t> state_variable_index(std::string_view name) {
    for (std::size_t v = 0; v < state_variables.size(); ++v)
        if (state_variables[v].name == name) return v;
    return std::nullopt;
}

MembraneState exponential_euler_step(const LoweredNeuron& p, const MembraneState& s, double dt, bool refractory,
                                     double decay_e, double decay_i) {
    double V = s.V;
    if (!refractory) {
        const double g = p.gL + s.ge + s.gi;
        const double v_inf = (p.gL * p.EL + s.ge * p.Ee + s.gi * p.Ei + p.I_ext) / g;
        V = v_inf + (V - v_inf) * std::exp(-dt * g / p.C);
    }
    return {V, s.ge * decay_e, s.gi * decay_i};
}

}  // namespace metabosim
