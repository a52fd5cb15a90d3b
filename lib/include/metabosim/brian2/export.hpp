// Exporting a model to Brian2, for cross-validation against the clock-driven simulator.
//
// The export is data, not a recipe: the connectivity, weights, delays, initial state and every
// external input spike are written as drawn by metabosim, so a Brian2 run of the export sees the
// same network and the same inputs and can be compared spike by spike until chaos separates the
// two. `directory` receives network.h5 (the data) and run_brian2.py with the modules it imports
// (a self-contained Brian2 runner that reads it: `python3 run_brian2.py --dt 0.1 -o OUT`, see its
// --help).
#pragma once

#include <filesystem>

#include "metabosim/model/model.hpp"

namespace metabosim {

void export_brian2(const Model& model, const std::filesystem::path& directory);

}  // namespace metabosim
