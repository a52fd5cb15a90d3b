// An independent high-precision reference for the gLIF free trajectory: the full ODE system
// (V, ge, gi) integrated in long double by Boost.Odeint's Bulirsch-Stoer stepper at a tolerance
// far below the accuracy we assert. It shares no code with the engine's series propagator.
#pragma once

#include <array>
#include <cmath>

#include <boost/numeric/odeint.hpp>

#include "metabosim/lowering/lowering.hpp"
#include "metabosim/neuron/propagator.hpp"

namespace reference {

using State = std::array<long double, 3>;  // V, ge, gi

inline State integrate(const metabosim::LoweredNeuron& p, State x, long double dt) {
    if (dt <= 0) return x;
    const auto rhs = [&](const State& s, State& d, long double) {
        d[0] = (p.gL * (p.EL - s[0]) + s[1] * (p.Ee - s[0]) + s[2] * (p.Ei - s[0]) + p.I_ext) / p.C;
        d[1] = -s[1] / p.tau_e;
        d[2] = -s[2] / p.tau_i;
    };
    boost::numeric::odeint::bulirsch_stoer<State, long double> stepper(1e-17L, 1e-17L);
    boost::numeric::odeint::integrate_adaptive(stepper, rhs, x, 0.0L, dt, dt / 64);
    return x;
}

inline State from(const metabosim::MembraneState& s) { return {s.V, s.ge, s.gi}; }

// First time in (0, horizon] at which V reaches Vth: a fine scan for the first sign change,
// then bisection to long-double resolution, each point integrated from the start.
inline std::optional<long double> crossing(const metabosim::LoweredNeuron& p, State x0, long double horizon,
                                           int scan_points = 4000) {
    long double lo = 0;
    long double hi = -1;
    State x = x0;
    const long double step = horizon / scan_points;
    for (int k = 1; k <= scan_points; ++k) {
        x = integrate(p, x, step);
        if (x[0] >= p.Vth) {
            lo = (k - 1) * step;
            hi = k * step;
            break;
        }
    }
    if (hi < 0) return std::nullopt;
    for (int it = 0; it < 80; ++it) {
        const long double mid = 0.5L * (lo + hi);
        if (integrate(p, x0, mid)[0] >= p.Vth) hi = mid; else lo = mid;
    }
    return hi;
}

}  // namespace reference
