#include "metabosim/brian2_export.hpp"

#include "metabosim/error.hpp"

namespace metabosim {
void export_brian2(const Model&, const std::filesystem::path&) { throw UserError("export: not yet built"); }
}  // namespace metabosim
