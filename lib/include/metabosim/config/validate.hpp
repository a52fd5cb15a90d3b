// Checking a model description before it is built or run, whether it was read from TOML or
// built in code: the same bounds as the reader's (lib/src/model/schema.hpp), what ties values
// together, and the Q10-scaled values at every temperature a population visits.
#pragma once

#include "metabosim/model/model.hpp"

namespace metabosim {

// Checks every value for range and every name for existence; throws UserError naming the
// object, the field, the value with its unit and what was expected.
void validate(const Model& model);

}  // namespace metabosim
