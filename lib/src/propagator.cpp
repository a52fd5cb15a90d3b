#include "metabosim/propagator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include <boost/math/tools/toms748_solve.hpp>

#include "metabosim/error.hpp"

namespace metabosim {
namespace {

constexpr int max_terms = 48;
constexpr double never = std::numeric_limits<double>::infinity();

// 1 / k, so that the recurrence multiplies instead of dividing.
constexpr auto inverse = [] {
    std::array<double, max_terms + 1> t{};
    for (int k = 1; k <= max_terms; ++k) t[k] = 1.0 / k;
    return t;
}();
// Below this width (ms) a bracket is not split further: far under the 1e-9 ms accuracy goal.
constexpr double smallest_bracket = 1e-12;

// A conductance whose whole remaining effect on V, at most g tau |E - V| / C, is below 1e-15 mV
// is left out of the series: otherwise its fast decay would force segments of its tau long
// after it stopped mattering. It still decays exactly in the state.
bool spent(const LoweredNeuron& p, double g, double tau, double E, double V) {
    const double span = std::abs(E) + std::max({std::abs(V), std::abs(p.Ee), std::abs(p.Ei),
                                                std::abs(p.EL) + std::abs(p.I_ext) / p.gL});
    return g * tau * span / p.C <= 1e-15;
}

struct Active {
    bool e, i;
    Active(const LoweredNeuron& p, const MembraneState& s)
        : e(!spent(p, s.ge, p.tau_e, p.Ee, s.V)), i(!spent(p, s.gi, p.tau_i, p.Ei, s.V)) {}
};

// The free trajectory over [0, h] from one state, summed to machine precision, then evaluated
// anywhere inside: V(s) = sum_k c[k] x^k with x = s / h (the coefficients carry h^k).
class Segment {
public:
    Segment(const LoweredNeuron& p, const MembraneState& s, double h);
    double length() const { return h_; }
    double V(double s) const;  // s in [0, h]

private:
    double h_;
    int n_;
    std::array<double, max_terms> c_;  // the first n_ are set
};

// Longest segment over which every series term is bounded by (scaled rate)^k / k! with rates
// at most 1: the leak+conductance rate and the decay rates of the conductances that matter.
double segment_length(const LoweredNeuron& p, const MembraneState& s) {
    const Active active(p, s);
    const double rate = (p.gL + s.ge + s.gi) / p.C;
    return std::min({1.0 / rate, active.e ? p.tau_e : never, active.i ? p.tau_i : never});
}

MembraneState end_of_segment(const LoweredNeuron& p, const MembraneState& s, const Segment& seg) {
    return {seg.V(seg.length()), s.ge * std::exp(-seg.length() / p.tau_e), s.gi * std::exp(-seg.length() / p.tau_i)};
}

// Steady state of V for frozen conductances.
double equilibrium(const LoweredNeuron& p, double ge, double gi) {
    return (p.gL * p.EL + p.I_ext + ge * p.Ee + gi * p.Ei) / (p.gL + ge + gi);
}

// Range of the equilibrium over ge in [ge_lo, ge_hi], gi in [gi_lo, gi_hi]. It is a linear-
// fractional function of (ge, gi) with a positive denominator, so its extremes lie at corners.
struct Range {
    double lo, hi;
};
Range equilibrium_range(const LoweredNeuron& p, double ge_lo, double ge_hi, double gi_lo, double gi_hi) {
    const double v[4] = {equilibrium(p, ge_lo, gi_lo), equilibrium(p, ge_lo, gi_hi),
                         equilibrium(p, ge_hi, gi_lo), equilibrium(p, ge_hi, gi_hi)};
    return {*std::min_element(v, v + 4), *std::max_element(v, v + 4)};
}

// dV/ds = a(s) (Veq(s) - V) <= a_max (sup Veq - V) while V <= sup Veq, so V stays below the
// relaxation from v0 towards sup Veq at the fastest rate a_max.
double ceiling(double v0, double eq_hi, double a_max, double ds) {
    if (v0 >= eq_hi) return v0;  // V can only fall
    return v0 - (eq_hi - v0) * std::expm1(-a_max * ds);
}

// What V can do on [s0, s1] given V(s0) = v0 (s measured from the state s).
struct Outlook {
    Range equilibrium;
    double ceiling;  // upper bound of V on the interval
};
Outlook outlook(const LoweredNeuron& p, const MembraneState& s, double s0, double s1, double v0) {
    const double ge_hi = s.ge * std::exp(-s0 / p.tau_e), ge_lo = s.ge * std::exp(-s1 / p.tau_e);
    const double gi_hi = s.gi * std::exp(-s0 / p.tau_i), gi_lo = s.gi * std::exp(-s1 / p.tau_i);
    const Range eq = equilibrium_range(p, ge_lo, ge_hi, gi_lo, gi_hi);
    const double a_max = (p.gL + ge_hi + gi_hi) / p.C;
    return {eq, ceiling(v0, eq.hi, a_max, s1 - s0)};
}

// First s in (s0, s1] with V(s) >= Vth, given V(s0) = v0 < Vth and V(s1) = v1.
// If inf Veq >= Vth, V rises while below Vth, so a crossing exists iff v1 >= Vth and is unique.
// Otherwise, unless the ceiling excludes it, the interval is halved, left half first, so the
// crossing found is the first one.
std::optional<double> search(const LoweredNeuron& p, const MembraneState& s, const Segment& seg,
                             double s0, double v0, double s1, double v1) {
    const Outlook o = outlook(p, s, s0, s1, v0);
    // The crossing inside [a, b], given V(a) < Vth <= V(b).
    const auto locate = [&](double a, double va, double b, double vb) -> double {
        const auto f = [&](double x) { return seg.V(x) - p.Vth; };
        std::uintmax_t iterations = 200;
        const auto bracket = boost::math::tools::toms748_solve(
            f, a, b, va - p.Vth, vb - p.Vth, boost::math::tools::eps_tolerance<double>(), iterations);
        return bracket.second;  // the end where V >= Vth
    };
    if (o.equilibrium.lo >= p.Vth) {
        if (v1 >= p.Vth) return locate(s0, v0, s1, v1);
        return std::nullopt;
    }
    if (o.ceiling < p.Vth) return std::nullopt;
    if (s1 - s0 <= smallest_bracket) {
        if (v1 >= p.Vth) return locate(s0, v0, s1, v1);
        return std::nullopt;  // grazes the threshold without crossing it at this resolution
    }
    const double mid = 0.5 * (s0 + s1);
    const double vm = seg.V(mid);
    if (vm >= p.Vth) {
        if (auto r = search(p, s, seg, s0, v0, mid, vm)) return r;
        return locate(s0, v0, mid, vm);  // bounds rounded at the 1e-14 mV level near a tangency
    }
    if (auto r = search(p, s, seg, s0, v0, mid, vm)) return r;
    return search(p, s, seg, mid, vm, s1, v1);
}


Segment::Segment(const LoweredNeuron& p, const MembraneState& s, double h) : h_(h) {
    const Active active(p, s);
    const double step = h / p.C;
    // Terms shrink like 1/k! once k exceeds every scaled rate; stop when two in a row are
    // below 2^-50 of the value they are added to (1e-13 mV at -60 mV).
    const double negligible = std::max(std::abs(s.V), 1.0) * 0x1p-50;
    // What a conductance term can still add to a later coefficient, in mV.
    const double driving_force = step * std::max({std::abs(p.Ee - s.V), std::abs(p.Ei - s.V), 1.0});

    // Taylor coefficients of the conductances (times h^k), as far as they matter; they die out
    // first, and past them the convolution below needs no more of them.
    std::array<double, max_terms> g;      // ge + gi
    std::array<double, max_terms> drive;  // ge Ee + gi Ei, and gL EL + I at k = 0
    double e = active.e ? s.ge : 0.0, i = active.i ? s.gi : 0.0;
    const double re = -h / p.tau_e, ri = -h / p.tau_i;
    int g_terms = 0;
    while (g_terms < max_terms) {
        g[g_terms] = e + i;
        drive[g_terms] = e * p.Ee + i * p.Ei;
        ++g_terms;
        if ((std::abs(e) + std::abs(i)) * driving_force <= negligible) break;
        e *= re * inverse[g_terms];
        i *= ri * inverse[g_terms];
    }
    drive[0] = p.gL * p.EL + p.I_ext + drive[0];

    c_[0] = s.V;
    n_ = max_terms;
    for (int k = 0; k + 1 < max_terms; ++k) {
        const int last = std::min(k, g_terms - 1);
        double conv = k < g_terms ? drive[k] : 0.0;
        for (int j = 0; j <= last; ++j) conv -= g[j] * c_[k - j];
        c_[k + 1] = step * inverse[k + 1] * (conv - p.gL * c_[k]);
        if (k >= 2 && k >= g_terms && std::abs(c_[k + 1]) <= negligible && std::abs(c_[k]) <= negligible) {
            n_ = k + 2;
            break;
        }
    }
    if (n_ == max_terms) throw InternalError("propagator: power series did not converge");
}

double Segment::V(double s) const {
    const double x = s / h_;
    double v = c_[n_ - 1];
    for (int k = n_ - 2; k >= 0; --k) v = v * x + c_[k];
    return v;
}


}  // namespace

MembraneState propagate(const LoweredNeuron& p, MembraneState s, double dt) {
    while (dt > 0) {
        const double h = std::min(dt, segment_length(p, s));
        s = end_of_segment(p, s, Segment(p, s, h));
        dt -= h;
    }
    return s;
}

MembraneState decay_conductances(const LoweredNeuron& p, MembraneState s, double dt) {
    return {s.V, s.ge * std::exp(-dt / p.tau_e), s.gi * std::exp(-dt / p.tau_i)};
}

double no_crossing_before(const LoweredNeuron& p, const MembraneState& s) {
    if (s.V >= p.Vth) return 0.0;
    // The outlook over [0, infinity): conductances anywhere between their present values and 0.
    const Range eq = equilibrium_range(p, 0, s.ge, 0, s.gi);
    if (eq.hi < p.Vth) return never;
    const double a_max = (p.gL + s.ge + s.gi) / p.C;
    return std::log((eq.hi - s.V) / (eq.hi - p.Vth)) / a_max;  // where ceiling() reaches Vth
}

std::optional<double> first_crossing(const LoweredNeuron& p, MembraneState s, double horizon) {
    if (s.V >= p.Vth) return 0.0;
    double elapsed = 0;
    while (elapsed < horizon) {
        if (s.V >= p.Vth) return elapsed;  // reached exactly at a segment's end
        // From here on the conductances only decay: no crossing if V and every reachable
        // equilibrium stay below threshold.
        if (equilibrium_range(p, 0, s.ge, 0, s.gi).hi < p.Vth) return std::nullopt;
        const double h = std::min(horizon - elapsed, segment_length(p, s));
        // Most predictions end here, without computing the series.
        if (h >= horizon - elapsed && outlook(p, s, 0, h, s.V).ceiling < p.Vth) return std::nullopt;
        const Segment seg(p, s, h);
        if (auto r = search(p, s, seg, 0, s.V, h, seg.V(h))) return elapsed + *r;
        s = end_of_segment(p, s, seg);
        elapsed += h;
    }
    return std::nullopt;
}

}  // namespace metabosim
