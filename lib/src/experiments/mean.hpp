// The plain mean the criteria compare (NaN for no values).
#pragma once

#include <cmath>
#include <numeric>
#include <vector>

namespace metabosim::experiments {

inline double mean_of(const std::vector<double>& v) {
    return v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace metabosim::experiments
