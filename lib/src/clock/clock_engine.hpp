// The clock-driven engine (clock_engine.cpp).
#pragma once

#include <memory>

#include "engine/engine.hpp"

namespace metabosim {

std::unique_ptr<Engine> make_clock_engine(Model model, double dt);

}  // namespace metabosim
