// The machine and the build the bench ran on.
#pragma once

#include "metabosim/bench/bench.hpp"

namespace metabosim::bench {

Machine this_machine();

}  // namespace metabosim::bench
