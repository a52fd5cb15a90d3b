// What the configuration reader must do with any text, shared by the fuzz target and the test of
// the malformed corpus: read and validate it, or refuse it with a UserError. Anything else (an
// InternalError, another exception, a crash or a hang) is a bug.
#pragma once

#include <string_view>

#include "metabosim/config/config.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim::fuzz {

// True when the text was accepted, false when refused with a UserError; other exceptions pass.
inline bool read_config_text(std::string_view text) {
    try {
        // The directory of relative spike-time files: none exists there, so they are refused too.
        validate(parse_config(text, "fuzz.toml", "/nonexistent"));
        return true;
    } catch (const UserError&) {
        return false;
    }
}

}  // namespace metabosim::fuzz
