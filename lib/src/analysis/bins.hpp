// Consecutive time bins [t0 + k bin, t0 + (k+1) bin) that lie wholly inside [t0, t1), shared by
// the measures that count spikes in bins.
#pragma once

#include <cstddef>

namespace metabosim::analysis {

class Bins {
public:
    // UserError unless bin is finite and > 0.
    Bins(double bin, double t0, double t1);
    std::size_t count() const { return n_; }
    // The bin holding t, or count() if t lies outside every bin. Indices from floor() are
    // corrected against the edges as computed, so a spike exactly on an edge lands in the bin
    // that edge opens, whatever the rounding of (t - t0) / bin.
    std::size_t of(double t) const;

private:
    double edge(double k) const { return t0_ + k * bin_; }
    double bin_, t0_;
    std::size_t n_ = 0;
};

}  // namespace metabosim::analysis
