// The batch kernel of neuron/batch.hpp, compiled once per SIMD target (Highway) and chosen at run
// time. Read propagator.cpp first: the series and its stopping rule are the same, written lane by
// lane. Rules that keep every lane independent of the others:
//  - no fused multiply-add (the library is built with -ffp-contract=off) and no reduction across
//    lanes that feeds back into a lane;
//  - each lane keeps its own count of conductance terms and of series terms; terms past its own
//    count are zero or not summed;
//  - the two accumulators of the convolution take the terms of even and odd j, whatever the
//    number of terms in flight.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "neuron/batch.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>

#include "metabosim/neuron/batch.hpp"

#ifndef METABOSIM_BATCH_CONSTANTS
#define METABOSIM_BATCH_CONSTANTS
namespace metabosim::batch_detail {
constexpr int max_terms = 32;          // as Segment::max_terms
constexpr double tolerance = 0x1p-50;  // of max(|V|, 1 mV), as Segment
constexpr double round_magic = 0x1.8p52;
constexpr double log2e = 1.4426950408889634;
constexpr double ln2_hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000: k * ln2_hi is exact
constexpr double ln2_lo = 1.90821492927058770002e-10;
constexpr double exp_min = -708.0;  // below: 0
// 1/k! for the exponential's Taylor polynomial (degree 13 on |r| <= ln2/2: error below 1e-17).
constexpr std::array<double, 14> inverse_factorial = [] {
    std::array<double, 14> f{};
    f[0] = 1;
    for (int k = 1; k < 14; ++k) f[k] = f[k - 1] / k;
    return f;
}();
constexpr std::array<double, max_terms + 1> inverse = [] {
    std::array<double, max_terms + 1> t{};
    for (int k = 1; k <= max_terms; ++k) t[k] = 1.0 / k;
    return t;
}();
// A bound must exclude a crossing by more than rounding could account for.
constexpr double bound_margin = 1e-12;
}  // namespace metabosim::batch_detail
#endif

HWY_BEFORE_NAMESPACE();
namespace metabosim::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using namespace metabosim::batch_detail;

using D = hn::ScalableTag<double>;
using Vec = hn::Vec<D>;
using Mask = hn::Mask<D>;

// e^x for x <= 0, e^x = 2^k e^r with k = round(x / ln 2), |r| <= ln2 / 2.
HWY_INLINE Vec Exp(D d, Vec x) {
    const hn::RebindToSigned<D> di;
    x = hn::Max(x, hn::Set(d, exp_min));
    const Vec magic = hn::Set(d, round_magic);
    const Vec t = x * hn::Set(d, log2e) + magic;
    const Vec k = t - magic;
    const Vec r = (x - k * hn::Set(d, ln2_hi)) - k * hn::Set(d, ln2_lo);
    Vec p = hn::Set(d, inverse_factorial[13]);
    for (int j = 12; j >= 0; --j) p = p * r + hn::Set(d, inverse_factorial[j]);
    const auto ki = hn::BitCast(di, t) - hn::BitCast(di, magic);
    const Vec scale = hn::BitCast(d, hn::ShiftLeft<52>(ki + hn::Set(di, 1023)));
    return p * scale;
}

// Steady state of V for frozen conductances.
HWY_INLINE Vec Equilibrium(D d, const LoweredNeuron& p, Vec ge, Vec gi) {
    return (hn::Set(d, p.gL * p.EL + p.I_ext) + ge * hn::Set(d, p.Ee) + gi * hn::Set(d, p.Ei)) /
           (hn::Set(d, p.gL) + ge + gi);
}

// The end of each lane's step and whether the bounds exclude a crossing within it. With the
// conductances anywhere in their box [ge1, ge] x [gi1, gi], C dV/dt at V = Vth is linear in them,
// so largest at a corner: if it is negative there, V cannot climb through Vth. Else the exponential
// ceiling: V stays below the relaxation towards the largest equilibrium at the fastest rate.
struct Bounded {
    Vec ge1, gi1;
    Mask may_cross;
};
HWY_INLINE Bounded Bound(D d, const LoweredNeuron& p, Vec V, Vec ge, Vec gi, Vec a0, Vec step) {
    const Vec zero = hn::Zero(d), one = hn::Set(d, 1.0);
    const Vec ge1 = ge * Exp(d, zero - step * hn::Set(d, 1 / p.tau_e));
    const Vec gi1 = gi * Exp(d, zero - step * hn::Set(d, 1 / p.tau_i));
    const Vec Vth = hn::Set(d, p.Vth);
    const Vec push_e = hn::Set(d, p.Ee - p.Vth), push_i = hn::Set(d, p.Ei - p.Vth);
    const Vec at_threshold = hn::Set(d, p.gL * (p.EL - p.Vth) + p.I_ext) + hn::Max(ge * push_e, ge1 * push_e) +
                             hn::Max(gi * push_i, gi1 * push_i);
    const Vec magnitude = hn::Set(d, p.gL * std::abs(p.EL - p.Vth) + std::abs(p.I_ext)) + ge * hn::Abs(push_e) +
                          gi * hn::Abs(push_i);
    Mask excluded = at_threshold < zero - hn::Set(d, bound_margin) * magnitude;
    if (!hn::AllTrue(d, excluded)) {
        const Vec margin = hn::Set(d, bound_margin * std::max(std::abs(p.Vth), 1.0));
        const Vec eq_hi = hn::Max(hn::Max(Equilibrium(d, p, ge, gi), Equilibrium(d, p, ge, gi1)),
                                  hn::Max(Equilibrium(d, p, ge1, gi), Equilibrium(d, p, ge1, gi1)));
        const Vec ceiling = V + (eq_hi - V) * (one - Exp(d, zero - a0 * step));
        excluded = hn::Or(excluded, hn::Or(eq_hi < Vth - margin, ceiling < Vth - margin));
    }
    return {ge1, gi1, hn::Or(V >= Vth, hn::Not(excluded))};
}

// even -= g[j] c[k - j] over even j, odd -= over odd j, j from Top down to 0; ck = c + (k - Top),
// for vector u. Top is a constant, so that the terms unroll into straight code.
template <int J, int U>
HWY_INLINE void ConvolutionTerm(const Vec (*g)[U], Vec c, int u, Vec& even, Vec& odd) {
    if constexpr (J % 2 == 0)
        even = even - g[J][u] * c;
    else
        odd = odd - g[J][u] * c;
}
template <int Top, int U, std::size_t... Step>
HWY_INLINE void ConvolutionUpTo(const Vec (*g)[U], const Vec (*ck)[U], int u, Vec& even, Vec& odd,
                                std::index_sequence<Step...>) {
    (ConvolutionTerm<Top - static_cast<int>(Step), U>(g, ck[Step][u], u, even, odd), ...);
}

// The series of U vectors of lanes at once (their dependency chains interleave, so the core is
// not left waiting on one): the conductances' Taylor coefficients (times hs^k, each lane as far as
// they matter to it: G of them in all) and the terms c[k] of V summed so far.
template <int U>
struct Terms {
    Vec g[max_terms][U], drive[max_terms][U], c[max_terms][U];
    Vec dt_c[U], tol[U], first[U], sum[U];
    Mask open[U];
    int G, stops_from;
};

// c[k+1] = dt/C / (k+1) * (drive[k] - sum_j g[j] c[k-j]) for j up to Top = min(k, G - 1) (even
// holds drive[k], or zero past G): the terms of even and odd j in two sums, j downwards, added to
// the open lanes' sums. Then the stopping test (kk = k); false once every lane has converged.
template <int Top, int U>
HWY_INLINE bool Term(D d, Terms<U>& s, int k, Vec kk, Vec (&even)[U]) {
    for (int u = 0; u < U; ++u) {
        Vec odd = hn::Zero(d);
        ConvolutionUpTo<Top, U>(s.g, s.c + (k - Top), u, even[u], odd, std::make_index_sequence<Top + 1>());
        s.c[k + 1][u] = (s.dt_c[u] * hn::Set(d, inverse[k + 1])) * (even[u] + odd);
        s.sum[u] = hn::IfThenElse(s.open[u], s.sum[u] + s.c[k + 1][u], s.sum[u]);
    }
    if (k + 1 < s.stops_from) return true;  // no lane may stop yet: the test would change nothing
    bool any_open = false;
    for (int u = 0; u < U; ++u) {
        const Mask small = hn::And(hn::Abs(s.c[k + 1][u]) <= s.tol[u], hn::Abs(s.c[k][u]) <= s.tol[u]);
        s.open[u] = hn::AndNot(hn::And(kk >= s.first[u], small), s.open[u]);
        any_open = any_open || !hn::AllFalse(d, s.open[u]);
    }
    return any_open;
}

// The terms while k < G - 1, each its own code (Top = k); false once every lane has converged.
template <int K, int U>
HWY_INLINE bool RisingTerms(D d, Terms<U>& s) {
    if constexpr (K + 1 < max_terms) {
        if (K >= s.G - 1) return true;
        Vec even[U];
        for (int u = 0; u < U; ++u) even[u] = s.drive[K][u];
        return Term<K, U>(d, s, K, hn::Set(d, K), even) && RisingTerms<K + 1, U>(d, s);
    }
    return true;
}

// The terms from k = G - 1 = Top on, every one through all G coefficients.
template <int Top, int U>
HWY_NOINLINE void SteadyTerms(D d, Terms<U>& s) {
    Vec even[U], kk = hn::Set(d, Top);
    for (int u = 0; u < U; ++u) even[u] = s.drive[Top][u];
    for (int k = Top; k + 1 < max_terms; ++k, kk = kk + hn::Set(d, 1.0)) {
        if (!Term<Top, U>(d, s, k, kk, even)) return;
        for (int u = 0; u < U; ++u) even[u] = hn::Zero(d);
    }
}
template <int U, std::size_t... Top>
constexpr auto SteadyTermsByTop(std::index_sequence<Top...>) {
    return std::array{&SteadyTerms<static_cast<int>(Top), U>...};
}

// V after `hs` from (V, ge, gi) by the series, for U vectors of lanes, each lane to its own
// convergence; `failed` marks lanes that did not converge within max_terms.
template <int U>
HWY_INLINE void Series(D d, const LoweredNeuron& p, const Vec (&V)[U], const Vec (&ge)[U], const Vec (&gi)[U],
                       const Vec (&hs)[U], Vec (&V1)[U], Mask (&failed)[U]) {
    const Vec zero = hn::Zero(d), one = hn::Set(d, 1.0);
    const Vec Ee = hn::Set(d, p.Ee), Ei = hn::Set(d, p.Ei);
    Terms<U> s;
    Vec force[U], e[U], in[U], re[U], ri[U], count[U];
    Mask alive[U];
    for (int u = 0; u < U; ++u) {
        s.tol[u] = hn::Max(hn::Abs(V[u]), one) * hn::Set(d, tolerance);
        s.dt_c[u] = hs[u] / hn::Set(d, p.C);
        force[u] = s.dt_c[u] * hn::Max(hn::Max(hn::Abs(Ee - V[u]), hn::Abs(Ei - V[u])), one);
        e[u] = ge[u];
        in[u] = gi[u];
        re[u] = zero - hs[u] * hn::Set(d, 1 / p.tau_e);
        ri[u] = zero - hs[u] * hn::Set(d, 1 / p.tau_i);
        alive[u] = hn::Lt(zero, one);
        count[u] = zero;  // per lane: its own number of coefficients
    }
    int G = 0;
    for (bool any = true; G < max_terms && any; ++G) {
        any = false;
        for (int u = 0; u < U; ++u) {
            s.g[G][u] = hn::IfThenElseZero(alive[u], e[u] + in[u]);
            s.drive[G][u] = hn::IfThenElseZero(alive[u], e[u] * Ee + in[u] * Ei);
            count[u] = count[u] + hn::IfThenElseZero(alive[u], one);
            alive[u] = hn::AndNot((hn::Abs(e[u]) + hn::Abs(in[u])) * force[u] <= s.tol[u], alive[u]);
            any = any || !hn::AllFalse(d, alive[u]);
            e[u] = e[u] * (re[u] * hn::Set(d, inverse[G + 1]));
            in[u] = in[u] * (ri[u] * hn::Set(d, inverse[G + 1]));
        }
    }
    s.G = G;
    s.stops_from = max_terms;
    for (int u = 0; u < U; ++u) {
        s.drive[0][u] = hn::Set(d, p.gL * p.EL + p.I_ext) + s.drive[0][u];
        s.g[0][u] = s.g[0][u] + hn::Set(d, p.gL);
        s.first[u] = hn::Max(count[u], hn::Set(d, 2.0));  // per lane: the first k at which it may stop
        // V(hs) = c[0] + (c[1] + c[2] + ...): the small terms summed apart first.
        s.c[0][u] = V[u];
        s.sum[u] = zero;
        s.open[u] = hn::Lt(zero, one);
        // The earliest k at which some lane may stop (only to skip tests that cannot succeed).
        s.stops_from = std::min(s.stops_from, static_cast<int>(hn::GetLane(hn::MinOfLanes(d, s.first[u]))));
    }
    static constexpr auto steady = SteadyTermsByTop<U>(std::make_index_sequence<max_terms - 1>());
    if (RisingTerms<0, U>(d, s) && G - 1 < max_terms - 1) steady[G - 1](d, s);
    for (int u = 0; u < U; ++u) {
        V1[u] = V[u] + s.sum[u];
        failed[u] = s.open[u];
    }
}

// Padding lanes past the last interval: a resting neuron over no time.
void Pad(const LoweredNeuron& p, IntervalBatch& b, std::size_t padded) {
    for (std::size_t i = b.size(); i < padded; ++i) {
        b.V[i] = p.EL;
        b.ge[i] = b.gi[i] = b.h[i] = 0;
    }
}

// Each lane's outcome code narrowed to the byte of IntervalOutcome.
HWY_INLINE void Outcomes(D, Vec code, IntervalBatch& b, std::size_t i) {
    static_assert(sizeof(IntervalOutcome) == 1);
    const hn::Rebind<std::int32_t, D> d32;
    const hn::Rebind<std::uint8_t, D> d8;
    hn::StoreU(hn::DemoteTo(d8, hn::DemoteTo(d32, code)), d8, reinterpret_cast<std::uint8_t*>(b.outcome.data() + i));
}

// The intervals of U vectors from entry `at` on: bounds per vector, then one series for all.
template <int U>
HWY_INLINE void PropagateVectors(D d, const LoweredNeuron& p, IntervalBatch& b, std::size_t at) {
    const std::size_t N = hn::Lanes(d);
    const Vec inv_te = hn::Set(d, 1 / p.tau_e), inv_ti = hn::Set(d, 1 / p.tau_i);
    Vec V[U], ge[U], gi[U], hs[U], V1[U];
    Mask may_cross[U], failed[U];
    for (int u = 0; u < U; ++u) {
        const std::size_t i = at + u * N;
        V[u] = hn::LoadU(d, b.V.data() + i);
        ge[u] = hn::LoadU(d, b.ge.data() + i);
        gi[u] = hn::LoadU(d, b.gi.data() + i);
        // The step: all of h, unless one series may not span it.
        const Vec a0 = (hn::Set(d, p.gL) + ge[u] + gi[u]) / hn::Set(d, p.C);
        const Vec step = hn::Min(hn::LoadU(d, b.h.data() + i), hn::Set(d, 2.0) / (a0 + inv_te + inv_ti));
        const Bounded bound = Bound(d, p, V[u], ge[u], gi[u], a0, step);
        hn::StoreU(step, d, b.step.data() + i);
        hn::StoreU(bound.ge1, d, b.ge1.data() + i);
        hn::StoreU(bound.gi1, d, b.gi1.data() + i);
        may_cross[u] = bound.may_cross;
        hs[u] = hn::IfThenZeroElse(bound.may_cross, step);
    }
    Series<U>(d, p, V, ge, gi, hs, V1, failed);
    for (int u = 0; u < U; ++u) {
        const std::size_t i = at + u * N;
        Vec code = hn::Set(d, static_cast<double>(IntervalOutcome::propagated));
        code = hn::IfThenElse(failed[u], hn::Set(d, static_cast<double>(IntervalOutcome::not_converged)), code);
        code = hn::IfThenElse(may_cross[u], hn::Set(d, static_cast<double>(IntervalOutcome::may_cross)), code);
        hn::StoreU(V1[u], d, b.V1.data() + i);
        Outcomes(d, code, b, i);
    }
}

// Two vectors at a time while two are left (the padding has room for them), then one.
void PropagateBatch(const LoweredNeuron& p, IntervalBatch& b) {
    const D d;
    const std::size_t N = hn::Lanes(d), padded = (b.size() + N - 1) / N * N;
    Pad(p, b, padded);
    std::size_t at = 0;
    for (; at + N < padded; at += 2 * N) PropagateVectors<2>(d, p, b, at);
    if (at < padded) PropagateVectors<1>(d, p, b, at);
}

void CheckBatch(const LoweredNeuron& p, IntervalBatch& b) {
    const D d;
    const std::size_t N = hn::Lanes(d), padded = (b.size() + N - 1) / N * N;
    Pad(p, b, padded);
    for (std::size_t i = 0; i < padded; i += N) {
        const Vec V = hn::LoadU(d, b.V.data() + i), ge = hn::LoadU(d, b.ge.data() + i), gi = hn::LoadU(d, b.gi.data() + i);
        const Vec h = hn::LoadU(d, b.h.data() + i);
        const Vec a0 = (hn::Set(d, p.gL) + ge + gi) / hn::Set(d, p.C);
        const Bounded bound = Bound(d, p, V, ge, gi, a0, h);
        hn::StoreU(h, d, b.step.data() + i);
        Outcomes(d,
                 hn::IfThenElse(bound.may_cross, hn::Set(d, static_cast<double>(IntervalOutcome::may_cross)),
                                hn::Set(d, static_cast<double>(IntervalOutcome::no_crossing))),
                 b, i);
    }
}

}  // namespace metabosim::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace metabosim {

HWY_EXPORT(PropagateBatch);
HWY_EXPORT(CheckBatch);

void propagate_batch(const LoweredNeuron& p, IntervalBatch& batch) { HWY_DYNAMIC_DISPATCH(PropagateBatch)(p, batch); }
void check_batch(const LoweredNeuron& p, IntervalBatch& batch) { HWY_DYNAMIC_DISPATCH(CheckBatch)(p, batch); }

double batch_exp(double x) {
    using namespace batch_detail;
    x = std::max(x, exp_min);
    const double t = x * log2e + round_magic;
    const double k = t - round_magic;
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    double p = inverse_factorial[13];
    for (int j = 12; j >= 0; --j) p = p * r + inverse_factorial[j];
    const auto ki = static_cast<std::int64_t>(k);
    const std::uint64_t bits = static_cast<std::uint64_t>(ki + 1023) << 52;
    double scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

void IntervalBatch::grow() {
    capacity_ = 2 * (n_ + padding);
    for (auto* v : {&V, &ge, &gi, &h, &step, &V1, &ge1, &gi1}) v->resize(capacity_);
    outcome.resize(capacity_);
}

}  // namespace metabosim
#endif
