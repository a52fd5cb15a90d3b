// The schema of the model description: for each struct, one table of its fields with key,
// member, dimension, bound and an example for messages. The TOML reader, --set and validate()
// all work from these tables, so a parameter is added with its struct member, one entry here
// and its line in docs/config.md. What ties fields together (Vr below Vth, indices below a
// population's size, lengths of lists) is checked by the reader and validate() themselves.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "metabosim/model/model.hpp"
#include "metabosim/model/units.hpp"

namespace metabosim::schema {

// ---- Limits ---------------------------------------------------------------------------------

// The temperatures a metabolic state may take, in degC.
inline constexpr double min_temperature = 0;
inline constexpr double max_temperature = 50;
// Far beyond biology, and where the numerics stay sound (series convergence, segment counts).
inline constexpr double max_current = 1e6;        // pA
inline constexpr double max_conductance = 1e6;    // nS, per synaptic jump
inline constexpr double min_probability = 1e-12;  // smaller p cannot be drawn as geometric gaps in double
// The cell and its synapses: wide beyond biology, narrow enough that the exact engines' series
// converge and an epoch (the shortest delay) covers a useful stretch of time. Outside these,
// values such as a 1e-308 ms delay or a 1e300 mV reversal potential hang or overflow a run.
// (Q10 coefficients are bounded through the values they scale, at every temperature visited.)
inline constexpr double max_voltage = 1e4;        // mV, potentials and reversal potentials in magnitude
inline constexpr double min_cell_time = 1e-3;     // ms: time constants (tau_m = C/gL included), delays
inline constexpr double max_cell_time = 1e7;      // ms
inline constexpr double min_capacitance = 1e-3;   // pF
inline constexpr double max_capacitance = 1e9;    // pF
inline constexpr double min_leak = 1e-3;          // nS
inline constexpr double max_leak = 1e6;           // nS
inline constexpr double max_rate = 1e6;           // Hz, a Poisson drive per neuron
// ms, about 116 days: up to it a time keeps a resolution (2e-6 ms) far below the shortest cell
// time; at 1e300 ms, t + t_ref rounds to t, and a run of such length was accepted.
inline constexpr double max_duration = 1e10;
// What a run may produce: catches an interval given in the wrong unit before the run.
inline constexpr double max_recorded_values = 2e8;
inline constexpr double max_energy_updates = 1e8;
// A rate measured over less than this says little about a population.
inline constexpr double min_rate_window = 1;      // ms
// Counts: neurons are numbered with 32 bits; TOML integers are signed 64-bit.
inline constexpr std::uint64_t max_neurons = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint64_t max_seed = std::numeric_limits<std::int64_t>::max();
inline constexpr std::uint64_t max_histogram_bins = 1'000'000;
inline constexpr std::uint64_t max_ramp_steps = 1'000'000;

// ---- Bounds ---------------------------------------------------------------------------------

// What a value must satisfy besides being finite.
enum class Bound {
    finite,
    positive,
    non_negative,
    temperature,             // [min_temperature, max_temperature]
    probability,             // [0, 1]
    fraction,                // of an energy pool's capacity, [0, 1]
    connection_probability,  // 0, or [min_probability, 1]
    current,                 // magnitude at most max_current
    conductance_jump,        // [0, max_conductance], a jump or an initial conductance
    voltage,                 // magnitude at most max_voltage
    cell_time,               // [min_cell_time, max_cell_time]
    capacitance,             // [min_capacitance, max_capacitance]
    leak,                    // [min_leak, max_leak]
    rate,                    // [0, max_rate]
    window,                  // [min_rate_window, max_cell_time]
    duration,                // (0, max_duration]
};

bool within(double value, Bound bound);

// What `bound` asks of a value of dimension `d`, e.g. "a positive time". Given the failing
// value, the part it fails ("at most 1000000 nS"); without one (a value of the wrong type),
// the whole of it.
std::string expectation(Dimension d, Bound bound, std::optional<double> value = std::nullopt);

// ---- Fields ---------------------------------------------------------------------------------

// The values of a field: its unit, its bound and an example for messages (inside the bound).
struct Quantity {
    Dimension dimension;
    Bound bound;
    double example;
};

// Where a field lives in its struct. A distribution's drawable values (value, low, high) and a
// list's entries each satisfy the bound.
template <class Struct>
using Member = std::variant<double Struct::*, std::optional<double> Struct::*, Distribution Struct::*,
                            std::vector<double> Struct::*>;

// A TOML key the reader requires, or one that may be left out (keeping the default).
enum class Presence { optional, required };
// Whether --set may change the field (a distribution becomes a constant; lists never).
enum class Settable { yes, no };

template <class Struct>
struct Field {
    std::string_view key;
    Member<Struct> member;
    Quantity quantity;
    Presence presence = Presence::optional;
    Settable settable = Settable::yes;
};

// Lambdas overloaded on the type of a field's value.
template <class... Visitors>
struct Overloaded : Visitors... {
    using Visitors::operator()...;
};
// Spelled out for clang before 17, which lacks C++20's deduction for aggregates.
template <class... Visitors>
Overloaded(Visitors...) -> Overloaded<Visitors...>;

// Calls `visitor` with the value of `f` in `object` (a Struct or a const Struct), as a double,
// std::optional<double>, Distribution or std::vector<double> reference.
template <class Struct, class Object, class Visitor>
void visit(const Field<Struct>& f, Object& object, Visitor&& visitor) {
    std::visit(
        [&](auto member) {
            using Value = std::remove_reference_t<decltype(object.*member)>;
            // A struct smaller than a value type holds none; this keeps compilers from warning
            // about accesses on paths no table takes.
            if constexpr (sizeof(Value) <= sizeof(Struct)) visitor(object.*member);
        },
        f.member);
}

// The field named `key`, found while compiling.
template <class Struct, std::size_t N>
consteval const Field<Struct>& field(const Field<Struct> (&fields)[N], std::string_view key) {
    for (const auto& f : fields)
        if (f.key == key) return f;
    throw "no field with this key";
}

// ---- Tables (keys as in docs/config.md; each example is the documented default where there is
// one, so that messages suggest it) ------------------------------------------------------------

using D = Dimension;
using B = Bound;

inline constexpr Field<Model> run_fields[] = {
    {"duration", &Model::duration, {D::time, B::duration, 1000}},
};

inline constexpr Field<Population> population_fields[] = {
    {"temperature", &Population::temperature, {D::temperature, B::temperature, 37}},
    {"reference_temperature", &Population::reference_temperature, {D::temperature, B::temperature, 37}},
    {"initial_V", &Population::initial_V, {D::voltage, B::voltage, -60}, Presence::optional, Settable::no},
    // Conductances are physical: a negative initial gi is what made Brian's COBA self-sustained.
    // At most a synaptic jump's bound: an initial 1e12 nS hung the exact engines in one epoch.
    {"initial_ge", &Population::initial_ge, {D::conductance, B::conductance_jump, 0}, Presence::optional,
     Settable::no},
    {"initial_gi", &Population::initial_gi, {D::conductance, B::conductance_jump, 0}, Presence::optional,
     Settable::no},
};

inline constexpr Field<NeuronParameters> neuron_fields[] = {
    {"C", &NeuronParameters::C, {D::capacitance, B::capacitance, 200}},
    {"gL", &NeuronParameters::gL, {D::conductance, B::leak, 10}},
    {"EL", &NeuronParameters::EL, {D::voltage, B::voltage, -60}},
    {"Vth", &NeuronParameters::Vth, {D::voltage, B::voltage, -50}},
    {"Vr", &NeuronParameters::Vr, {D::voltage, B::voltage, -60}},
    // Positive: it bounds the firing rate of a neuron held above threshold.
    {"t_ref", &NeuronParameters::t_ref, {D::time, B::cell_time, 5}},
    {"Ee", &NeuronParameters::Ee, {D::voltage, B::voltage, 0}},
    {"Ei", &NeuronParameters::Ei, {D::voltage, B::voltage, -80}},
    {"tau_e", &NeuronParameters::tau_e, {D::time, B::cell_time, 5}},
    {"tau_i", &NeuronParameters::tau_i, {D::time, B::cell_time, 10}},
    {"I_ext", &NeuronParameters::I_ext, {D::current, B::current, 0}},
};

inline constexpr Field<Q10Table> q10_fields[] = {
    {"gL", &Q10Table::gL, {D::dimensionless, B::positive, 1.98}},
    {"C", &Q10Table::C, {D::dimensionless, B::positive, 1.0}},
    {"tau_e", &Q10Table::tau_e, {D::dimensionless, B::positive, 3.0}},
    {"tau_i", &Q10Table::tau_i, {D::dimensionless, B::positive, 2.1}},
    {"synaptic_efficacy", &Q10Table::synaptic_efficacy, {D::dimensionless, B::positive, 3.0}},
    {"t_ref", &Q10Table::t_ref, {D::dimensionless, B::positive, 3.0}},
    {"tau_stdp", &Q10Table::tau_stdp, {D::dimensionless, B::positive, 3.0}},
    {"A_plus", &Q10Table::A_plus, {D::dimensionless, B::positive, 3.0}},
    {"A_minus", &Q10Table::A_minus, {D::dimensionless, B::positive, 2.0}},
    {"poisson_rate", &Q10Table::poisson_rate, {D::dimensionless, B::positive, 1.0}},
};

inline constexpr Field<PoissonDrive> drive_fields[] = {
    {"rate", &PoissonDrive::rate, {D::rate, B::rate, 600}},
    {"weight", &PoissonDrive::weight, {D::conductance, B::conductance_jump, 2}},
};

inline constexpr Field<SpikeSource> source_fields[] = {
    {"rate", &SpikeSource::rate, {D::rate, B::rate, 10}},
};

inline constexpr Field<RateStep> rate_step_fields[] = {
    {"time", &RateStep::time, {D::time, B::non_negative, 0}, Presence::required},
    {"rate", &RateStep::rate, {D::rate, B::rate, 20}, Presence::required},
};

// An array source's spike times, in a list per source or one file per source (times_files).
inline constexpr Quantity source_time{D::time, B::non_negative, 10};

// Energy amounts are plain numbers of ATP molecules (per neuron; supply and rest per second).
inline constexpr Field<EnergyBudget> energy_fields[] = {
    {"capacity", &EnergyBudget::capacity, {D::dimensionless, B::positive, 1e10}},
    {"initial_fraction", &EnergyBudget::initial_fraction, {D::dimensionless, B::fraction, 1.0}},
    {"supply", &EnergyBudget::supply, {D::dimensionless, B::non_negative, 3.3e9}},
    {"q10_supply", &EnergyBudget::q10_supply, {D::dimensionless, B::positive, 2.8}},
    {"rest", &EnergyBudget::rest, {D::dimensionless, B::non_negative, 3.4e8}},
    {"per_spike", &EnergyBudget::per_spike, {D::dimensionless, B::non_negative, 3.8e8}},
    {"per_release", &EnergyBudget::per_release, {D::dimensionless, B::non_negative, 1.4e5}},
    {"interval", &EnergyBudget::interval, {D::time, B::positive, 10}},
};

inline constexpr Field<EnergyThreshold> threshold_fields[] = {
    {"level", &EnergyThreshold::level, {D::dimensionless, B::fraction, 0.3}, Presence::required},
    {"temperature", &EnergyThreshold::temperature, {D::temperature, B::temperature, 32}, Presence::required},
};

inline constexpr Field<Projection> projection_fields[] = {
    {"weight", &Projection::weight, {D::conductance, B::conductance_jump, 4}},
    // Positive: the engine's epochs last the minimum delay.
    {"delay", &Projection::delay, {D::time, B::cell_time, 1}},
};

// Each key belongs to one rule: p to "probability", the lists to "list".
inline constexpr Field<Connectivity> connectivity_fields[] = {
    {"p", &Connectivity::p, {D::dimensionless, B::connection_probability, 0.02}},
    {"weights", &Connectivity::weights, {D::conductance, B::non_negative, 4}},
    {"delays", &Connectivity::delays, {D::time, B::cell_time, 1}},
};

inline constexpr Field<StdpParameters> stdp_fields[] = {
    {"tau_plus", &StdpParameters::tau_plus, {D::time, B::cell_time, 16.8}},
    {"tau_minus", &StdpParameters::tau_minus, {D::time, B::cell_time, 33.7}},
    {"w_min", &StdpParameters::w_min, {D::conductance, B::non_negative, 0}},
    {"w_max", &StdpParameters::w_max, {D::conductance, B::positive, 12}},
    // Unset, they follow from w_max and the time constants (model.hpp).
    {"A_plus", &StdpParameters::A_plus, {D::conductance, B::finite, 0.12}},
    {"A_minus", &StdpParameters::A_minus, {D::conductance, B::finite, -0.06}},
};

// `times` is required unless the times come from a file (times_file).
inline constexpr Field<SpikeGenerator> generator_fields[] = {
    {"times", &SpikeGenerator::times, {D::time, B::non_negative, 10}},
    {"weight", &SpikeGenerator::weight, {D::conductance, B::conductance_jump, 2}},
};

// A step's time must also lie within the run.
inline constexpr Field<MetabolicStep> step_fields[] = {
    {"time", &MetabolicStep::time, {D::time, B::non_negative, 0}, Presence::required},
    {"temperature", &MetabolicStep::temperature, {D::temperature, B::temperature, 41}, Presence::required},
};

inline constexpr Field<Recording> recording_fields[] = {
    {"rate_bin", &Recording::rate_bin, {D::time, B::positive, 10}},
};

// limits.max_spikes is a count (read as an integer, like run.seed).
inline constexpr Field<Limits> limits_fields[] = {
    {"max_rate", &Limits::max_rate, {D::rate, B::positive, 1000}},
    {"rate_window", &Limits::rate_window, {D::time, B::window, 100}},
};

inline constexpr Field<StateRecording> state_recording_fields[] = {
    {"interval", &StateRecording::interval, {D::time, B::positive, 1}},
};

inline constexpr Field<WeightRecording> weight_recording_fields[] = {
    {"interval", &WeightRecording::interval, {D::time, B::positive, 100}},
};

}  // namespace metabosim::schema
