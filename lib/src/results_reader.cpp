#include "metabosim/error.hpp"
#include "metabosim/output.hpp"

namespace metabosim {
Results read_results(const std::filesystem::path&) { throw UserError("read_results: not yet built"); }
}  // namespace metabosim
