#include "metabosim/neuron/propagator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include <boost/math/tools/toms748_solve.hpp>

#include "metabosim/model/error.hpp"

namespace metabosim {
namespace {

constexpr int max_terms = Segment::max_terms;
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

// Longest segment one series should span: the leak+conductance rate and the decay rates of the
// conductances that matter, summed, times the length, is 2, so the terms fall roughly like
// 2^k / k! (a series that still has not converged after Segment::max_terms halves the segment).
// Longer segments need fewer series per interval but more terms each; this length gave the
// least work on the benchmark networks.
double segment_length(const LoweredNeuron& p, const MembraneState& s) {
    const Active active(p, s);
    const double rate = (p.gL + s.ge + s.gi) / p.C + (active.e ? 1 / p.tau_e : 0) + (active.i ? 1 / p.tau_i : 0);
    return 2 / rate;
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

// What the segment from s says about a crossing inside it: cheap bounds first, then the search.
std::optional<double> crossing_in(const LoweredNeuron& p, const MembraneState& s, const Segment& seg) {
    const double h = seg.length();
    if (seg.V_bound() < p.Vth || outlook(p, s, 0, h, s.V).ceiling < p.Vth) return std::nullopt;
    return search(p, s, seg, 0, s.V, h, seg.V(h));
}

// odd -= g[j] c[k - j] and even -= g[j - 1] c[k - j + 1] for j = Last, Last - 2, ... down to 1, then
// even -= g[0] c[k] if Last is even; ck = c + (k - Last). Last is a constant, so that the terms
// unroll into straight code.
template <int Last, std::size_t... Pair>
inline void convolution_from(const double* g, const double* ck, double& even, double& odd, std::index_sequence<Pair...>) {
    ((odd -= g[Last - 2 * Pair] * ck[2 * Pair], even -= g[Last - 2 * Pair - 1] * ck[2 * Pair + 1]), ...);
    if constexpr (Last % 2 == 0) even -= g[0] * ck[Last];
}
void convolution(int last, const double* g, const double* ck, double& even, double& odd) {
    switch (last) {
#define METABOSIM_CONVOLUTION(t) \
    case t: return convolution_from<t>(g, ck, even, odd, std::make_index_sequence<(t + 1) / 2>());
        METABOSIM_CONVOLUTION(0) METABOSIM_CONVOLUTION(1) METABOSIM_CONVOLUTION(2) METABOSIM_CONVOLUTION(3)
        METABOSIM_CONVOLUTION(4) METABOSIM_CONVOLUTION(5) METABOSIM_CONVOLUTION(6) METABOSIM_CONVOLUTION(7)
        METABOSIM_CONVOLUTION(8) METABOSIM_CONVOLUTION(9) METABOSIM_CONVOLUTION(10) METABOSIM_CONVOLUTION(11)
        METABOSIM_CONVOLUTION(12) METABOSIM_CONVOLUTION(13) METABOSIM_CONVOLUTION(14) METABOSIM_CONVOLUTION(15)
        METABOSIM_CONVOLUTION(16) METABOSIM_CONVOLUTION(17) METABOSIM_CONVOLUTION(18) METABOSIM_CONVOLUTION(19)
        METABOSIM_CONVOLUTION(20) METABOSIM_CONVOLUTION(21) METABOSIM_CONVOLUTION(22) METABOSIM_CONVOLUTION(23)
        METABOSIM_CONVOLUTION(24) METABOSIM_CONVOLUTION(25) METABOSIM_CONVOLUTION(26) METABOSIM_CONVOLUTION(27)
        METABOSIM_CONVOLUTION(28) METABOSIM_CONVOLUTION(29) METABOSIM_CONVOLUTION(30)
#undef METABOSIM_CONVOLUTION
    }
    static_assert(max_terms == 32, "one case for each last in [0, max_terms - 2]");
}

}  // namespace

Segment::Segment(const LoweredNeuron& p, const MembraneState& s, double horizon)
    : h_(std::min(horizon, segment_length(p, s))) {
    // Strong conductances that decay about as fast as the membrane relaxes make the terms grow
    // for a while before the factorial wins (the series of exp(a e^(-t/tau)) does that); a
    // shorter segment always converges.
    while (!sum(p, s)) {
        h_ *= 0.5;
        if (!(h_ > 0)) throw InternalError("propagator: power series did not converge");
    }
}

bool Segment::sum(const LoweredNeuron& p, const MembraneState& s) {
    const double h = h_;
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

    // The leak joins the zeroth conductance term.
    g[0] += p.gL;
    c_[0] = s.V;
    n_ = max_terms;
    for (int k = 0; k + 1 < max_terms; ++k) {
        // c[k+1] = step / (k+1) * (drive[k] - sum_j g[j] c[k-j]). The sum runs from the oldest
        // coefficient to the newest in two accumulators, so that little of it waits for c[k]:
        // the recurrence is latency-bound, not arithmetic-bound.
        const int last = std::min(k, g_terms - 1);
        double even = k < g_terms ? drive[k] : 0.0, odd = 0.0;
        convolution(last, g.data(), c_.data() + (k - last), even, odd);
        c_[k + 1] = step * inverse[k + 1] * (even + odd);
        if (k >= 2 && k >= g_terms && std::abs(c_[k + 1]) <= negligible && std::abs(c_[k]) <= negligible) {
            n_ = k + 2;
            break;
        }
    }
    return n_ < max_terms;
}

double Segment::V(double t) const {
    const double x = t / h_;
    double v = c_[n_ - 1];
    for (int k = n_ - 2; k >= 0; --k) v = v * x + c_[k];
    return v;
}



double Segment::V_bound() const {
    double bound = c_[0];
    for (int k = 1; k < n_; ++k) bound += std::max(c_[k], 0.0);
    return bound;
}

MembraneState Segment::state_at(const LoweredNeuron& p, const MembraneState& start, double t) const {
    return {V(t), start.ge * std::exp(-t / p.tau_e), start.gi * std::exp(-t / p.tau_i)};
}

MembraneState propagate(const LoweredNeuron& p, MembraneState s, double dt) {
    while (dt > 0) {
        const Segment seg(p, s, dt);
        s = seg.state_at(p, s, seg.length());
        dt -= seg.length();
    }
    return s;
}

MembraneState propagate(const LoweredNeuron& p, MembraneState s, double dt, const Segment& first) {
    if (dt <= 0) return s;
    if (dt <= first.length()) return first.state_at(p, s, dt);
    return propagate(p, first.state_at(p, s, first.length()), dt - first.length());
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
    Segment built;
    return first_crossing(p, s, horizon, &built);
}

std::optional<double> first_crossing(const LoweredNeuron& p, MembraneState s, double horizon, Segment* built) {
    if (s.V >= p.Vth) return 0.0;
    if (!(horizon > 0) || equilibrium_range(p, 0, s.ge, 0, s.gi).hi < p.Vth) return std::nullopt;
    // Most predictions end here, without computing the series.
    const double h = std::min(horizon, segment_length(p, s));
    if (h >= horizon && outlook(p, s, 0, h, s.V).ceiling < p.Vth) return std::nullopt;
    *built = Segment(p, s, horizon);
    return first_crossing(p, s, horizon, *built);
}

std::optional<double> first_crossing(const LoweredNeuron& p, MembraneState s, double horizon, const Segment& first) {
    double elapsed = 0;
    const Segment* seg = &first;
    Segment next;
    while (true) {
        if (s.V >= p.Vth) return elapsed;  // reached exactly at a segment's end
        // From here on the conductances only decay: no crossing if V and every reachable
        // equilibrium stay below threshold.
        if (equilibrium_range(p, 0, s.ge, 0, s.gi).hi < p.Vth) return std::nullopt;
        if (auto r = crossing_in(p, s, *seg)) return elapsed + *r;
        elapsed += seg->length();
        if (!(elapsed < horizon)) return std::nullopt;
        s = seg->state_at(p, s, seg->length());
        next = Segment(p, s, horizon - elapsed);
        seg = &next;
    }
}

}  // namespace metabosim
