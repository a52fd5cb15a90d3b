// Two roots for everything metabosim throws.
//  - UserError: bad input (a config, a model built in code, a missing file). The message names
//    the object, the value and what was expected, with units; apps exit with status 2.
//  - InternalError: a broken invariant inside the engine (a bug); apps exit with status 1.
#pragma once

#include <stdexcept>
#include <string>

namespace metabosim {

struct UserError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct InternalError : std::logic_error {
    using std::logic_error::logic_error;
};

}  // namespace metabosim
