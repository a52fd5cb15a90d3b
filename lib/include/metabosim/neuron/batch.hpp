// Many gLIF neurons of one population, each advanced over its own interval without input, at once
// (SIMD lanes, the widest the CPU has: chosen at run time).
//
// For each interval the kernel decides cheaply whether the neuron can reach threshold in it and,
// where it cannot, propagates the state exactly (the power series of propagator.hpp, summed to
// machine precision). Where it can, nothing is propagated: the caller searches the crossing with
// first_crossing(). Every lane's arithmetic depends on its own interval only, in the same order of
// IEEE operations on every CPU (no fused multiply-add), so a neuron's trajectory does not depend on
// which neurons share its vector, nor on the machine's vector width.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "metabosim/neuron/glif.hpp"

namespace metabosim {

enum class IntervalOutcome : std::uint8_t {
    propagated,       // V1, ge1, gi1 hold the state after `step`; no crossing on the way
    may_cross,        // the bounds cannot exclude a crossing within `step`: nothing propagated
    not_converged,    // the series did not converge: nothing propagated (use propagate())
    no_crossing,      // check_batch: no crossing within h (nothing propagated)
};

// Structure of arrays, one entry per interval. Storage is kept from one use to the next (and a
// vector's width beyond the last entry), so filling a batch allocates nothing once it has grown.
class IntervalBatch {
public:
    std::size_t size() const { return n_; }
    void clear() { n_ = 0; }
    void push(const MembraneState& s, double length) {
        if (n_ + padding > capacity_) grow();  // kept apart: cheaper than a vector's size
        V[n_] = s.V;
        ge[n_] = s.ge;
        gi[n_] = s.gi;
        h[n_] = length;
        ++n_;
    }

    // In: the state at the interval's start and its length (ms).
    std::vector<double> V, ge, gi, h;
    // Out: the part of h taken (h, or the longest interval one series may span, 2 / (summed
    // rates)), the state at its end, and what happened.
    std::vector<double> step, V1, ge1, gi1;
    std::vector<IntervalOutcome> outcome;

private:
    // Room past the last entry for the kernel's padding lanes: two of the widest vectors.
    static constexpr std::size_t padding = 32;
    void grow();

    std::size_t n_ = 0, capacity_ = 0;
};

// Where no crossing is possible, the state after `step`; elsewhere the outcome says why not.
void propagate_batch(const LoweredNeuron& p, IntervalBatch& batch);
// Only the bounds, over all of h: no_crossing or may_cross.
void check_batch(const LoweredNeuron& p, IntervalBatch& batch);

// The exponential the kernel uses for the conductances' decay, for x <= 0 (0 below -708), one lane
// at a time: equal to the kernel's to the last bit.
double batch_exp(double x);

}  // namespace metabosim
