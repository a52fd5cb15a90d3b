// The pairing protocol recovers the STDP rule's window, and its Q10 deformation, through the engine.
#include <doctest/doctest.h>

#include <cmath>

#include "experiments/stdp_window.hpp"
#include "metabosim/lowering.hpp"

using namespace metabosim;
using namespace metabosim::experiments;

namespace {

const Model circuit = microcircuit();
const Population& excitatory = circuit.populations[0];
const Projection& ee = circuit.projections[0];

WindowProtocol short_protocol() {
    WindowProtocol p;
    p.offsets = {-60, -30, -15, -8, -3, 3, 8, 15, 30, 60};
    p.pairings = 5;
    return p;
}

}  // namespace

TEST_CASE("at each temperature the fitted window is the lowered rule's: A+, tau+, A-, tau-") {
    for (double t : {32.0, 37.0, 41.0}) {
        CAPTURE(t);
        const LoweredStdp rule = lower(*ee.stdp, lower(excitatory, t));
        const StdpWindow w = measure_stdp_window(excitatory, ee, t, short_protocol());
        for (const WindowPoint& p : w.points) {
            CHECK(std::abs(p.realised_dt - p.target_dt) < 1.0);
            CHECK_FALSE(p.clipped);
        }
        CHECK(w.ltp.amplitude == doctest::Approx(rule.A_plus).epsilon(0.02));
        CHECK(w.ltp.tau == doctest::Approx(rule.tau_plus).epsilon(0.02));
        CHECK(w.ltd.amplitude == doctest::Approx(rule.A_minus).epsilon(0.02));
        CHECK(w.ltd.tau == doctest::Approx(rule.tau_minus).epsilon(0.02));
    }
}

TEST_CASE("hyper sharpens and heightens the window, hypo flattens and widens it, by the Q10 factors") {
    const StdpWindow hypo = measure_stdp_window(excitatory, ee, 32, short_protocol());
    const StdpWindow normo = measure_stdp_window(excitatory, ee, 37, short_protocol());
    const StdpWindow hyper = measure_stdp_window(excitatory, ee, 41, short_protocol());
    const double up = std::pow(3.0, 0.4), down = std::pow(3.0, -0.5);  // A+ and tau Q10 = 3
    CHECK(hyper.ltp.amplitude / normo.ltp.amplitude == doctest::Approx(up).epsilon(0.03));
    CHECK(normo.ltp.tau / hyper.ltp.tau == doctest::Approx(up).epsilon(0.03));
    CHECK(hypo.ltp.amplitude / normo.ltp.amplitude == doctest::Approx(down).epsilon(0.03));
    CHECK(normo.ltp.tau / hypo.ltp.tau == doctest::Approx(down).epsilon(0.03));
}

TEST_CASE("a weight pushed to its bound is flagged and measured before it got there") {
    Projection strong = ee;
    strong.stdp->A_plus = 1.0;  // 6 nS of room: clipped after 6 of 20 pairings at dt = +3 ms
    WindowProtocol p;
    p.offsets = {3};
    p.pairings = 20;
    const StdpWindow w = measure_stdp_window(excitatory, strong, 37, p);
    REQUIRE(w.points.size() == 1);
    CHECK(w.points[0].clipped);
    const double expected = lower(*strong.stdp, lower(excitatory, 37)).A_plus * std::exp(-w.points[0].realised_dt / 16.8);
    CHECK(w.points[0].dw_per_pairing == doctest::Approx(expected).epsilon(0.02));
}
