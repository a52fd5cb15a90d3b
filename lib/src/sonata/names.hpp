// What metabosim's SONATA files call things (internal), shared by the reader (sonata/) and the
// writer (sonata_export/). docs/sonata.md gives the same tables.
#pragma once

#include <string_view>

namespace metabosim::sonata {

// The neuron: NEST's iaf_cond_exp (conductance-based LIF, exponential conductances) is
// metabosim's gLIF; its dynamics_params carry NEST's names, in NEST's units (pF, nS, mV, ms, pA),
// which are metabosim's. `key` is the field's key in schema::neuron_fields.
struct NeuronName {
    std::string_view nest, key;
};
inline constexpr NeuronName neuron_names[] = {
    {"C_m", "C"},     {"g_L", "gL"},      {"E_L", "EL"},           {"V_th", "Vth"},        {"V_reset", "Vr"},
    {"t_ref", "t_ref"}, {"E_ex", "Ee"},   {"E_in", "Ei"},          {"tau_syn_ex", "tau_e"}, {"tau_syn_in", "tau_i"},
    {"I_e", "I_ext"},
};
inline constexpr std::string_view neuron_template = "nest:iaf_cond_exp";
inline constexpr std::string_view initial_V_name = "V_m";       // the membrane potential at t = 0
inline constexpr std::string_view tau_minus_name = "tau_minus";  // NEST keeps STDP's tau_minus on the neuron
inline constexpr double nest_tau_minus = 20;                     // ms, NEST's default

// The node types column naming a JSON file (in point_neuron_models_dir) of metabosim's own per
// type values: {"temperature": degC, "reference_temperature": degC, "q10": {<Q10 table>}}.
// Readers that do not know the column (NEST, bmtk) leave it alone.
inline constexpr std::string_view metabolism_column = "metabolism_params";

// Synapses: NEST's static_synapse and stdp_synapse. stdp_synapse's parameters (with NEST's
// defaults for those left out) give additive (mu_plus = mu_minus = 0) or multiplicative (both 1)
// all-to-all STDP with w_min = 0, w_max = Wmax, A_plus = lambda Wmax, A_minus = -alpha lambda Wmax.
inline constexpr std::string_view static_template = "static_synapse";
inline constexpr std::string_view stdp_template = "stdp_synapse";
struct StdpName {
    std::string_view nest;
    double nest_default;
};
inline constexpr StdpName stdp_names[] = {{"tau_plus", 20},  {"lambda", 0.01},  {"alpha", 1},
                                          {"mu_plus", 1},    {"mu_minus", 1},   {"Wmax", 100}};

}  // namespace metabosim::sonata
