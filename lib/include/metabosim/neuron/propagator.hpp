// Exact integration of one gLIF neuron between events, and the time of its next threshold
// crossing when no further input arrives.
//
// Between events the conductances decay exactly, ge(t) = ge0 exp(-t / tau_e), and V solves
//   C dV/dt = gL (EL - V) + ge(t) (Ee - V) + gi(t) (Ei - V) + I.
// For tau_e != tau_i this linear equation has no elementary closed form. We expand V in a power
// series in time (the Parker-Sochacki method: the conductances are themselves series, so every
// coefficient follows by recurrence) and sum it to machine precision. The interval is cut into
// segments short enough that every series term is bounded by 2^k / k! (shortened further if the
// sum does not converge); the conductances at the segment ends come from exp() directly.
// tau_e == tau_i needs no special case.
// tests/test_propagator.cpp checks trajectories and crossing times against a long-double
// Bulirsch-Stoer reference (|dV| <= 1e-9 mV, |dt_spike| <= 1e-9 ms).
#pragma once

#include <array>
#include <optional>

#include "metabosim/neuron/glif.hpp"

namespace metabosim {

// The free trajectory from one state over [0, length()]: the series summed once, then evaluated
// anywhere inside. An engine keeps the segment its prediction built, so that the neuron's next
// update costs one polynomial evaluation instead of a second series.
class Segment {
public:
    static constexpr int max_terms = 32;

    Segment() = default;  // empty: length() == 0
    // Covers [0, min(horizon, the longest interval one series may span)]; horizon > 0.
    Segment(const LoweredNeuron& p, const MembraneState& s, double horizon);
    double length() const { return h_; }
    double V(double t) const;  // 0 <= t <= length()
    // An upper bound of V(t) over [0, length()]: c0 plus the positive coefficients (x^k <= 1).
    double V_bound() const;
    // The state t ms after `start`, the state the segment was built from.
    MembraneState state_at(const LoweredNeuron& p, const MembraneState& start, double t) const;

private:
    bool sum(const LoweredNeuron& p, const MembraneState& s);  // false if max_terms do not suffice
    double h_ = 0;
    int n_ = 0;
    std::array<double, max_terms> c_{};  // V(t) = sum_k c_[k] (t / h_)^k, the first n_ set
};

// The state after `dt` ms without input and without threshold (the free trajectory).
MembraneState propagate(const LoweredNeuron& p, MembraneState s, double dt);
// The same, starting with `first`, a segment built from s (any length; empty is allowed).
MembraneState propagate(const LoweredNeuron& p, MembraneState s, double dt, const Segment& first);

// While refractory V is clamped and only the conductances decay.
MembraneState decay_conductances(const LoweredNeuron& p, MembraneState s, double dt);

// A time before which the free trajectory certainly stays below Vth (0 if V >= Vth, infinity if
// it never gets there). Cheap: no integration, one bound on how fast V can rise.
double no_crossing_before(const LoweredNeuron& p, const MembraneState& s);

// Time in (0, horizon] at which the free trajectory first reaches Vth, if it does.
// Cheap bounds settle most calls without integrating; a crossing found is bracketed and
// located with TOMS 748 on the segment's series.
std::optional<double> first_crossing(const LoweredNeuron& p, MembraneState s, double horizon);
// The same; where the search builds its first segment, Segment(p, s, horizon), it is left in
// `built` (else `built` is left as it was), so that propagate(p, s, horizon, *built) reuses it.
std::optional<double> first_crossing(const LoweredNeuron& p, MembraneState s, double horizon, Segment* built);
// The same, searching `first` (Segment(p, s, horizon)) before building any further segment.
std::optional<double> first_crossing(const LoweredNeuron& p, MembraneState s, double horizon, const Segment& first);

}  // namespace metabosim
