// Lowering: a population's description at a temperature -> the plain numbers the engine uses.
//
// This is where Q10 scaling lives. phi_x(T) = Q10_x^((T - T0) / 10); rates, conductances and
// amplitudes are multiplied by phi, time constants divided by it. A metabolic-state change
// lowers again from the unchanged description; it never edits the description.
#pragma once

#include "metabosim/model/model.hpp"
#include "metabosim/neuron/glif.hpp"

namespace metabosim {

double q10_factor(double q10, double temperature, double reference_temperature);

// STDP amplitudes and time constants at the postsynaptic population's temperature.
struct LoweredStdp {
    double tau_plus, tau_minus, A_plus, A_minus;
};

struct LoweredPopulation {
    double temperature;
    LoweredNeuron neuron;
    double synaptic_efficacy;   // phi_g: delivered conductance = phi_g * w
    double poisson_rate;        // Hz, 0 without drive
    double poisson_weight;      // nS, already multiplied by phi_g
    // Scaling of plasticity in this population (as postsynaptic side).
    double phi_tau_stdp, phi_A_plus, phi_A_minus;
};

LoweredPopulation lower(const Population& population, double temperature);
LoweredStdp lower(const StdpParameters& stdp, const LoweredPopulation& post);

}  // namespace metabosim
