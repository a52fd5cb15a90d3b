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

// One vector of intervals starting at `i`.
HWY_INLINE void Lanes(D d, const LoweredNeuron& p, IntervalBatch& b, std::size_t i, double* out_code) {
    const Vec V = hn::LoadU(d, b.V.data() + i), ge = hn::LoadU(d, b.ge.data() + i), gi = hn::LoadU(d, b.gi.data() + i);
    const Vec h = hn::LoadU(d, b.h.data() + i);
    const Mask check = hn::LoadU(d, b.check.data() + i) > hn::Zero(d);
    const Vec zero = hn::Zero(d), one = hn::Set(d, 1.0);
    const Vec inv_te = hn::Set(d, 1 / p.tau_e), inv_ti = hn::Set(d, 1 / p.tau_i);
    const Vec Vth = hn::Set(d, p.Vth);

    // The step: all of h, unless one series may not span it.
    const Vec a0 = (hn::Set(d, p.gL) + ge + gi) / hn::Set(d, p.C);
    const Vec longest = hn::Set(d, 2.0) / (a0 + inv_te + inv_ti);
    const Vec step = hn::IfThenElse(check, h, hn::Min(h, longest));
    const Vec ge1 = ge * Exp(d, zero - step * inv_te);
    const Vec gi1 = gi * Exp(d, zero - step * inv_ti);

    // Can V reach Vth within the step? With the conductances anywhere in their box
    // [ge1, ge] x [gi1, gi], C dV/dt at V = Vth is linear in them, so largest at a corner; if it is
    // negative there, V cannot climb through Vth. Else the exponential ceiling: V stays below the
    // relaxation towards the largest equilibrium at the fastest rate.
    const Vec margin = hn::Set(d, bound_margin * std::max(std::abs(p.Vth), 1.0));
    const Vec push_e = hn::Set(d, p.Ee - p.Vth), push_i = hn::Set(d, p.Ei - p.Vth);
    const Vec at_threshold = hn::Set(d, p.gL * (p.EL - p.Vth) + p.I_ext) + hn::Max(ge * push_e, ge1 * push_e) +
                             hn::Max(gi * push_i, gi1 * push_i);
    const Vec eq_hi = hn::Max(hn::Max(Equilibrium(d, p, ge, gi), Equilibrium(d, p, ge, gi1)),
                              hn::Max(Equilibrium(d, p, ge1, gi), Equilibrium(d, p, ge1, gi1)));
    const Vec ceiling = V + (eq_hi - V) * (one - Exp(d, zero - a0 * step));
    const Vec magnitude = hn::Set(d, p.gL * std::abs(p.EL - p.Vth) + std::abs(p.I_ext)) + ge * hn::Abs(push_e) +
                          gi * hn::Abs(push_i);
    const Mask excluded = hn::Or(at_threshold < zero - hn::Set(d, bound_margin) * magnitude,
                                 hn::Or(eq_hi < Vth - margin, ceiling < Vth - margin));
    const Mask may_cross = hn::Or(V >= Vth, hn::Not(excluded));

    // The series, where a propagation is wanted (elsewhere over a zero step: converges at once).
    const Mask wanted = hn::Not(hn::Or(check, may_cross));
    const Vec hs = hn::IfThenElseZero(wanted, step);
    const Vec tol = hn::Max(hn::Abs(V), one) * hn::Set(d, tolerance);
    const Vec dt_c = hs / hn::Set(d, p.C);
    const Vec force = dt_c * hn::Max(hn::Max(hn::Abs(hn::Set(d, p.Ee) - V), hn::Abs(hn::Set(d, p.Ei) - V)), one);

    Vec g[max_terms], drive[max_terms];
    Vec e = ge, in = gi;
    const Vec re = zero - hs * inv_te, ri = zero - hs * inv_ti;
    const Mask all = hn::Lt(zero, one);
    Mask alive = all;
    Vec g_terms = zero;                       // per lane: conductance terms kept
    int G = 0;
    while (G < max_terms && !hn::AllFalse(d, alive)) {
        g[G] = hn::IfThenElseZero(alive, e + in);
        drive[G] = hn::IfThenElseZero(alive, e * hn::Set(d, p.Ee) + in * hn::Set(d, p.Ei));
        g_terms = hn::IfThenElse(alive, g_terms + one, g_terms);
        alive = hn::AndNot((hn::Abs(e) + hn::Abs(in)) * force <= tol, alive);
        ++G;
        e = e * (re * hn::Set(d, inverse[G]));
        in = in * (ri * hn::Set(d, inverse[G]));
    }
    drive[0] = hn::Set(d, p.gL * p.EL + p.I_ext) + drive[0];
    g[0] = g[0] + hn::Set(d, p.gL);

    Vec c[max_terms];
    c[0] = V;
    Vec terms = hn::Set(d, static_cast<double>(max_terms));  // per lane: coefficients summed
    Mask open = all;                                          // lanes still adding coefficients
    int n = max_terms;
    for (int k = 0; k + 1 < max_terms; ++k) {
        Vec even = k < G ? drive[k] : zero, odd = zero;
        for (int j = std::min(k, G - 1); j >= 0; --j) {
            if (j % 2)
                odd = odd - g[j] * c[k - j];
            else
                even = even - g[j] * c[k - j];
        }
        c[k + 1] = (dt_c * hn::Set(d, inverse[k + 1])) * (even + odd);
        const Vec kk = hn::Set(d, static_cast<double>(k));
        const Mask done = hn::And(hn::And(kk >= hn::Set(d, 2.0), kk >= g_terms),
                                  hn::And(hn::Abs(c[k + 1]) <= tol, hn::Abs(c[k]) <= tol));
        const Mask now = hn::And(open, done);
        terms = hn::IfThenElse(now, hn::Set(d, static_cast<double>(k + 2)), terms);
        open = hn::AndNot(now, open);
        if (hn::AllFalse(d, open)) {
            n = k + 2;
            break;
        }
    }
    // V(step) = sum of c[0 .. terms), smallest first.
    Vec V1 = zero;
    for (int k = n - 1; k >= 0; --k) V1 = hn::IfThenElse(hn::Set(d, static_cast<double>(k)) < terms, V1 + c[k], V1);

    // Outcome codes, as IntervalOutcome.
    const Mask failed = hn::And(wanted, open);
    Vec code = hn::Set(d, static_cast<double>(IntervalOutcome::propagated));
    code = hn::IfThenElse(may_cross, hn::Set(d, static_cast<double>(IntervalOutcome::may_cross)), code);
    code = hn::IfThenElse(failed, hn::Set(d, static_cast<double>(IntervalOutcome::not_converged)), code);
    code = hn::IfThenElse(hn::AndNot(may_cross, check), hn::Set(d, static_cast<double>(IntervalOutcome::no_crossing)), code);
    hn::StoreU(step, d, b.step.data() + i);
    hn::StoreU(V1, d, b.V1.data() + i);
    hn::StoreU(ge1, d, b.ge1.data() + i);
    hn::StoreU(gi1, d, b.gi1.data() + i);
    hn::StoreU(code, d, out_code);
}

void PropagateBatch(const LoweredNeuron& p, IntervalBatch& b) {
    const D d;
    const std::size_t N = hn::Lanes(d);
    const std::size_t n = b.size();
    const std::size_t padded = (n + N - 1) / N * N;
    // Padding lanes: a resting neuron over no time.
    b.V.resize(padded, p.EL);
    for (auto* v : {&b.ge, &b.gi, &b.h, &b.check}) v->resize(padded, 0.0);
    for (auto* v : {&b.step, &b.V1, &b.ge1, &b.gi1}) v->resize(padded);
    b.outcome.resize(padded);
    HWY_ALIGN double code[HWY_MAX_BYTES / sizeof(double)];
    for (std::size_t i = 0; i < padded; i += N) {
        Lanes(d, p, b, i, code);
        for (std::size_t l = 0; l < N; ++l) b.outcome[i + l] = static_cast<IntervalOutcome>(static_cast<int>(code[l]));
    }
    for (auto* v : {&b.V, &b.ge, &b.gi, &b.h, &b.check, &b.step, &b.V1, &b.ge1, &b.gi1}) v->resize(n);
    b.outcome.resize(n);
}

}  // namespace metabosim::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace metabosim {

HWY_EXPORT(PropagateBatch);

void propagate_batch(const LoweredNeuron& p, IntervalBatch& batch) { HWY_DYNAMIC_DISPATCH(PropagateBatch)(p, batch); }

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

void IntervalBatch::clear() {
    for (auto* v : {&V, &ge, &gi, &h, &check, &step, &V1, &ge1, &gi1}) v->clear();
    outcome.clear();
}

void IntervalBatch::push(const MembraneState& s, double length, bool check_only) {
    V.push_back(s.V);
    ge.push_back(s.ge);
    gi.push_back(s.gi);
    h.push_back(length);
    check.push_back(check_only ? 1.0 : 0.0);
}

}  // namespace metabosim
#endif
