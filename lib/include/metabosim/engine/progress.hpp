// How far a run has come: what a progress callback receives between epochs (or steps).
#pragma once

#include <cstdint>

namespace metabosim {

struct Progress {
    double simulated = 0;   // ms reached
    double duration = 0;    // ms in all
    double wall_seconds = 0;
    std::uint64_t events = 0;
};

}  // namespace metabosim
