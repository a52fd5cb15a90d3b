// Mean and population variance (dividing by n) of a run of values: the one arithmetic every
// measure uses, so that a measure computed two ways gives the same bits.
#pragma once

#include <limits>
#include <numeric>
#include <span>

namespace metabosim::analysis {

// NaN for no values.
inline double mean(std::span<const double> v) {
    return v.empty() ? std::numeric_limits<double>::quiet_NaN()
                     : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// NaN for no values.
inline double variance(std::span<const double> v) {
    const double m = mean(v);
    double ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    return v.empty() ? std::numeric_limits<double>::quiet_NaN() : ss / static_cast<double>(v.size());
}

}  // namespace metabosim::analysis
