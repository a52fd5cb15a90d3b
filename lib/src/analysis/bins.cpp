#include "analysis/bins.hpp"

#include <cmath>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim::analysis {

Bins::Bins(double bin, double t0, double t1) : bin_(bin), t0_(t0) {
    if (!(bin > 0) || !std::isfinite(bin))
        throw UserError(fmt::format("analysis: bin width {} ms, expected a finite value > 0", bin));
    double n = t1 > t0 ? std::floor((t1 - t0) / bin) : 0;
    while (edge(n + 1) <= t1) ++n;
    while (n > 0 && edge(n) > t1) --n;
    n_ = static_cast<std::size_t>(n);
}

std::size_t Bins::of(double t) const {
    if (!(t >= t0_)) return n_;
    double k = std::floor((t - t0_) / bin_);
    if (t < edge(k)) --k;
    else if (t >= edge(k + 1)) ++k;
    return k < static_cast<double>(n_) ? static_cast<std::size_t>(k) : n_;
}

}  // namespace metabosim::analysis
