// The conductance-based leaky integrate-and-fire neuron (gLIF): its parameters at one temperature,
// its state, its state variables by name, and the clock-driven step.
//
//   C dV/dt = gL (EL - V) + ge (Ee - V) + gi (Ei - V) + I_ext
//   dge/dt = -ge / tau_e,  dgi/dt = -gi / tau_i;   V >= Vth: spike, V = Vr, clamped for t_ref.
//
// Exact integration between events and the threshold-crossing search are in propagator.hpp.
// This is the seam a second neuron model would use: its own parameters, state, variables, exact
// propagation and clock step beside these.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "metabosim/model/model.hpp"

namespace metabosim {

// gLIF parameters ready for integration, all at one temperature (lowering.hpp scales them).
struct LoweredNeuron {
    double C, gL, EL, Vth, Vr, t_ref, Ee, Ei, tau_e, tau_i, I_ext;
};

struct MembraneState {
    double V;   // mV
    double ge;  // nS
    double gi;  // nS
};

// The state of many neurons, structure of arrays by neuron index.
struct MembraneStates {
    std::vector<double> V, ge, gi;

    MembraneState operator[](std::size_t n) const { return {V[n], ge[n], gi[n]}; }
    void set(std::size_t n, const MembraneState& s) {
        V[n] = s.V;
        ge[n] = s.ge;
        gi[n] = s.gi;
    }
    // A synaptic input: the receptor's conductance jumps by g.
    void add_conductance(std::size_t n, Receptor receptor, double g) {
        (receptor == Receptor::excitatory ? ge : gi)[n] += g;
    }
};

// The state variables a recording can ask for, in the order of MembraneState.
struct StateVariable {
    std::string_view name;
    std::string_view unit;
    double MembraneState::*member;
};
inline constexpr std::array<StateVariable, 3> state_variables{{
    {"V", "mV", &MembraneState::V},
    {"ge", "nS", &MembraneState::ge},
    {"gi", "nS", &MembraneState::gi},
}};
// Index into state_variables, if `name` is one of them.
std::optional<std::size_t> state_variable_index(std::string_view name);

// One clock-driven step of length dt the way Brian2 takes it: V by exponential Euler, exact for V
// with the conductances held at their values at the step's start (V unchanged when `refractory`);
// ge and gi decay exactly by the factors given (exp(-dt / tau), computed once per temperature).
MembraneState exponential_euler_step(const LoweredNeuron& p, const MembraneState& s, double dt, bool refractory,
                                     double decay_e, double decay_i);

}  // namespace metabosim
