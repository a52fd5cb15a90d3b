// The two networks of docs/model.md, built in code; configs/microcircuit.toml and
// configs/coba.toml describe the same models.
#pragma once

#include "metabosim/model/model.hpp"

namespace metabosim {

// The metaboplastic microcircuit: 4000 E + 1000 I gLIF cells, p = 0.02, plastic E->E,
// 600 Hz Poisson drive, at `temperature` for `duration`.
Model microcircuit(double temperature = 37, double duration = 1000);

// Brette et al. (2007) benchmark 1 (COBA, 3200 E + 800 I) with the microcircuit's Poisson drive
// so that activity is sustained with non-negative initial conductances.
Model coba(double duration = 1000);

}  // namespace metabosim
