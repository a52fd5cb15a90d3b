// The SIMD interval kernel (neuron/batch.hpp): each lane independent of the vector it shares,
// exact against the series propagator and the long-double reference, and its bounds never
// excluding a crossing that happens.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <hwy/targets.h>

#include "metabosim/lowering/lowering.hpp"
#include "metabosim/neuron/batch.hpp"
#include "metabosim/neuron/propagator.hpp"
#include "reference.hpp"

using namespace metabosim;

namespace {

LoweredNeuron neuron(double I = 0) {
    Population p;
    p.neuron.I_ext = I;
    return lower(p, 37).neuron;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Random states and intervals like a network's: V below and near threshold, conductances from
// none to strong, intervals from microseconds to tens of ms.
IntervalBatch random_batch(unsigned seed, std::size_t n) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> v(-75, -49.5), g(0, 60), gi(0, 300), log_h(-3, 1.5);
    IntervalBatch b;
    for (std::size_t k = 0; k < n; ++k)
        b.push({v(rng), rng() % 4 ? g(rng) : 0.0, rng() % 3 ? gi(rng) : 0.0}, std::pow(10.0, log_h(rng)));
    return b;
}

using Kernel = void (*)(const LoweredNeuron&, IntervalBatch&);

}  // namespace

TEST_CASE("a lane's result does not depend on the lanes beside it") {
    const LoweredNeuron p = neuron(150);
    for (const Kernel kernel : {Kernel{propagate_batch}, Kernel{check_batch}}) {
    IntervalBatch all = random_batch(1, 203);
    kernel(p, all);
    for (std::size_t k = 0; k < all.size(); ++k) {
        IntervalBatch one;
        one.push({all.V[k], all.ge[k], all.gi[k]}, all.h[k]);
        kernel(p, one);
        CHECK(one.outcome[0] == all.outcome[k]);
        CHECK(same_bits(one.step[0], all.step[k]));
        CHECK(same_bits(one.ge1[0], all.ge1[k]));
        CHECK(same_bits(one.gi1[0], all.gi1[k]));
        if (all.outcome[k] == IntervalOutcome::propagated) CHECK(same_bits(one.V1[0], all.V1[k]));
    }
    }
}

TEST_CASE("every SIMD target the machine has gives the same bits") {
    // Narrow targets take the batch's vectors in other groupings (one or two at a time): no
    // lane's result may change with them.
    const LoweredNeuron p = neuron(150);
    const IntervalBatch input = random_batch(4, 203);
    std::vector<IntervalBatch> results;
    for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
        hwy::SetSupportedTargetsForTest(target);
        results.push_back(input);
        propagate_batch(p, results.back());
        MESSAGE(std::string(hwy::TargetName(target)));
    }
    hwy::SetSupportedTargetsForTest(0);
    REQUIRE(!results.empty());
    for (const IntervalBatch& b : results)
        for (std::size_t k = 0; k < input.size(); ++k) {
            CHECK(b.outcome[k] == results[0].outcome[k]);
            CHECK(same_bits(b.step[k], results[0].step[k]));
            if (b.outcome[k] == IntervalOutcome::propagated) CHECK(same_bits(b.V1[k], results[0].V1[k]));
        }
}

TEST_CASE("propagated lanes are exact and decide crossings soundly") {
    for (double I : {0.0, 150.0, 400.0}) {
        const LoweredNeuron p = neuron(I);
        IntervalBatch b = random_batch(2 + static_cast<unsigned>(I), 400), checked_batch = b;
        propagate_batch(p, b);
        check_batch(p, checked_batch);
        int propagated = 0, checked = 0, failed = 0;
        for (std::size_t k = 0; k < b.size(); ++k) {
            const MembraneState s{b.V[k], b.ge[k], b.gi[k]};
            if (b.outcome[k] == IntervalOutcome::propagated)
                CHECK(same_bits(b.ge1[k], s.ge * batch_exp(0 - b.step[k] * (1 / p.tau_e))));
            CHECK(b.step[k] <= b.h[k]);
            const auto crossing = first_crossing(p, s, b.step[k]);
            switch (b.outcome[k]) {
            case IntervalOutcome::propagated: {
                ++propagated;
                CHECK(!crossing);
                const auto r = reference::integrate(p, reference::from(s), b.step[k]);
                CHECK(std::abs(b.V1[k] - static_cast<double>(r[0])) <= 1e-9);
                CHECK(std::abs(b.V1[k] - propagate(p, s, b.step[k]).V) <= 1e-11);
                break;
            }
            case IntervalOutcome::no_crossing: FAIL("propagate_batch says propagated or why not"); break;
            case IntervalOutcome::may_cross: break;
            case IntervalOutcome::not_converged: ++failed; break;
            }
            if (crossing) CHECK(b.outcome[k] == IntervalOutcome::may_cross);
            // Over all of h, the check alone.
            const auto anywhere = first_crossing(p, s, b.h[k]);
            if (checked_batch.outcome[k] == IntervalOutcome::no_crossing) {
                ++checked;
                CHECK(!anywhere);
            } else {
                CHECK(checked_batch.outcome[k] == IntervalOutcome::may_cross);
            }
        }
        CHECK(propagated > 100);  // the test exercises the series, not only the bounds
        CHECK(checked > 10);
        CHECK(failed <= 8);  // long steps with strong, slowly decaying conductances (propagator.cpp): rare
    }
}

TEST_CASE("the kernel's exponential is accurate to 2 ulp and its own to the last bit") {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> x(-720, 0);
    for (int k = 0; k < 100000; ++k) {
        const double v = k < 1000 ? -k * 1e-3 : x(rng);
        const double e = batch_exp(v), want = std::exp(std::max(v, -708.0));
        CHECK(std::abs(e - want) <= 2 * std::abs(std::nextafter(want, 0.0) - want));
    }
    CHECK(batch_exp(0) == 1.0);
}
