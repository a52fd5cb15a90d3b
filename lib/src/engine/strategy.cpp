#include "metabosim/engine/strategy.hpp"

#include <cmath>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim {

void validate(const Strategy& strategy, double duration) {
    if (strategy.threads < 1 || strategy.threads > 1024)
        throw UserError(fmt::format("{} threads: expected 1 to 1024", strategy.threads));
    if (strategy.kind != Strategy::Kind::clock_driven) return;
    if (!(std::isfinite(strategy.dt) && strategy.dt > 0))
        throw UserError(fmt::format("clock-driven time step dt = {} ms: expected a positive time, e.g. 0.1 ms",
                                    strategy.dt));
    if (strategy.dt > duration)
        throw UserError(fmt::format("clock-driven time step dt = {} ms is longer than the run ({} ms)", strategy.dt,
                                    duration));
    if (duration / strategy.dt > 1e12)
        throw UserError(fmt::format("clock-driven time step dt = {} ms makes {:.3g} steps of a {} ms run; expected at "
                                    "most 1e12",
                                    strategy.dt, duration / strategy.dt, duration));
}

}  // namespace metabosim
