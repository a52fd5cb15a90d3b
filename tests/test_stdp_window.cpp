// The pairing protocol recovers the STDP rule's window, and its Q10 deformation, through the engine.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "metabosim/experiments/stdp_window.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/lowering/lowering.hpp"

using namespace metabosim;
using namespace metabosim::experiments;

namespace {

const Model circuit = microcircuit();
const Population& excitatory = circuit.population("E");
const Projection& ee = circuit.projections[0];  // E -> E, the plastic one

// The default protocol (60 pairings at 1 Hz, 26 offsets) at each state, measured once.
const StdpWindow& window_at(double temperature) {
    static std::map<double, StdpWindow> windows;
    if (!windows.contains(temperature)) windows[temperature] = measure_stdp_window(excitatory, ee, temperature);
    return windows[temperature];
}

// The rule's change per pairing at dt, as lowering scales it.
double rule_dw(const LoweredStdp& rule, double dt) {
    return dt >= 0 ? rule.A_plus * std::exp(-dt / rule.tau_plus) : rule.A_minus * std::exp(dt / rule.tau_minus);
}

}  // namespace

TEST_CASE("projection and protocol are checked") {
    CHECK(ee.stdp.has_value());
    CHECK_THROWS_AS(measure_stdp_window(excitatory, circuit.projections[1], 37), UserError);  // E -> I, static
    WindowProtocol p;
    p.offsets = {-1000};  // does not fit between pairings 1 s apart
    CHECK_THROWS_AS(measure_stdp_window(excitatory, ee, 37, p), UserError);
}

TEST_CASE("at 37 degC the fitted window is the lowered rule's: A+, tau+, A-, tau-") {
    const LoweredStdp rule = lower(*ee.stdp, lower(excitatory, 37));
    const StdpWindow& w = window_at(37);
    CHECK(w.ltp.amplitude == doctest::Approx(rule.A_plus).epsilon(0.02));
    CHECK(w.ltp.tau == doctest::Approx(rule.tau_plus).epsilon(0.02));
    CHECK(w.ltd.amplitude == doctest::Approx(rule.A_minus).epsilon(0.02));
    CHECK(w.ltd.tau == doctest::Approx(rule.tau_minus).epsilon(0.02));
    // The largest change is the LTP one at the smallest offset, +1 ms.
    CHECK(w.peak_dw == doctest::Approx(rule_dw(rule, w.points[13].realised_dt)).epsilon(1e-6));
}

TEST_CASE("every point lies on the rule's curve at its realised dt, which is within 1 ms of the target") {
    for (double t : {32.0, 37.0, 41.0}) {
        CAPTURE(t);
        const LoweredStdp rule = lower(*ee.stdp, lower(excitatory, t));
        const StdpWindow& w = window_at(t);
        REQUIRE(w.points.size() == WindowProtocol{}.offsets.size());
        for (const WindowPoint& p : w.points) {
            CAPTURE(p.target_dt);
            CHECK(std::abs(p.realised_dt - p.target_dt) < 1.0);
            CHECK(p.latency > 0);
            CHECK(p.latency < 0.5);  // the kick fires the cell within a fraction of a millisecond
            // The engine is exact, so only the realised dt can blur the window; it does not.
            CHECK(p.dw_per_pairing == doctest::Approx(rule_dw(rule, p.realised_dt)).epsilon(1e-5));
        }
    }
}

TEST_CASE("hyper heightens and narrows the window, hypo lowers and widens it, by the Q10 factors") {
    const StdpWindow &hypo = window_at(32), &normo = window_at(37), &hyper = window_at(41);
    // Q10 3 for A+ and both tau, 2 for A- (docs/model.md).
    const auto ratio = [](double q10, double dT) { return doctest::Approx(std::pow(q10, dT / 10)).epsilon(0.03); };
    CHECK(hyper.ltp.amplitude > normo.ltp.amplitude);
    CHECK(hyper.ltp.tau < normo.ltp.tau);
    CHECK(hypo.ltp.amplitude < normo.ltp.amplitude);
    CHECK(hypo.ltp.tau > normo.ltp.tau);
    CHECK(hyper.ltp.amplitude / normo.ltp.amplitude == ratio(3, 4));
    CHECK(normo.ltp.tau / hyper.ltp.tau == ratio(3, 4));
    CHECK(hypo.ltp.amplitude / normo.ltp.amplitude == ratio(3, -5));
    CHECK(normo.ltp.tau / hypo.ltp.tau == ratio(3, -5));
    CHECK(hyper.ltd.amplitude / normo.ltd.amplitude == ratio(2, 4));
    CHECK(normo.ltd.tau / hyper.ltd.tau == ratio(3, 4));
    CHECK(hypo.ltd.amplitude / normo.ltd.amplitude == ratio(2, -5));
    CHECK(normo.ltd.tau / hypo.ltd.tau == ratio(3, -5));
    CHECK(std::abs(hyper.peak_dw) > std::abs(normo.peak_dw));
    CHECK(std::abs(hypo.peak_dw) < std::abs(normo.peak_dw));
}

TEST_CASE("a point whose pairings would push the weight past a bound is flagged, and measured before it") {
    for (double t : {32.0, 37.0, 41.0}) {
        CAPTURE(t);
        const LoweredStdp rule = lower(*ee.stdp, lower(excitatory, t));
        const double room = 0.5 * (ee.stdp->w_max - ee.stdp->w_min);  // from the initial weight to either bound
        unsigned flagged = 0;
        for (const WindowPoint& p : window_at(t).points) {
            CAPTURE(p.target_dt);
            CHECK(p.clipped == (60 * std::abs(rule_dw(rule, p.realised_dt)) >= room));
            flagged += p.clipped;
        }
        CHECK(flagged == (t == 32 ? 0 : t == 37 ? 3 : 4));  // +1..+3 ms at 37 degC, +1..+5 at 41
    }
    // A bound reached in the first pairing leaves nothing to measure.
    Projection strong = ee;
    strong.stdp->A_plus = 10.0;  // nS: 8.4 nS at dt = 3 ms, more than the 6 nS of room
    WindowProtocol p;
    p.offsets = {3};
    p.pairings = 5;
    const StdpWindow w = measure_stdp_window(excitatory, strong, 37, p);
    REQUIRE(w.points.size() == 1);
    CHECK(w.points[0].clipped);
    CHECK(std::isnan(w.points[0].dw_per_pairing));
}

TEST_CASE("clock-driven, the window is nearly the same") {
    WindowProtocol p;
    p.pairings = 10;  // a clock-driven run costs a step per 0.1 ms
    p.strategy = Strategy::clock_driven(0.1);
    const StdpWindow clock = measure_stdp_window(excitatory, ee, 37, p);
    const StdpWindow& exact = window_at(37);
    CHECK(clock.ltp.amplitude == doctest::Approx(exact.ltp.amplitude).epsilon(0.01));
    CHECK(clock.ltp.tau == doctest::Approx(exact.ltp.tau).epsilon(0.01));
    CHECK(clock.ltd.amplitude == doctest::Approx(exact.ltd.amplitude).epsilon(0.01));
    CHECK(clock.ltd.tau == doctest::Approx(exact.ltd.tau).epsilon(0.01));
    for (const WindowPoint& q : clock.points) CHECK(std::abs(q.realised_dt - q.target_dt) < 1.0);
}
