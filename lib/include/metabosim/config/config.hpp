// TOML configuration files -> Model. Every quantity is a string with its unit ("20 ms");
// every key is known, checked for dimension and range. Errors name the file, the line, the key
// path, the value and what was expected (UserError). docs/config.md lists every key.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "metabosim/model/model.hpp"

namespace metabosim {

// Reads a configuration file. Relative paths inside it (spike-time files) are resolved against
// the file's directory.
Model load_config(const std::filesystem::path& file);

// Parses configuration text; `source_name` is used in error messages, `base_dir` for relative
// paths inside it.
Model parse_config(std::string_view text, const std::string& source_name,
                   const std::filesystem::path& base_dir = ".");

// The same for text that a program wrote (from a Python dict, say): messages name `source_name`
// and the key path but no line, which would point into text nobody has read.
Model parse_generated_config(std::string_view text, const std::string& source_name,
                             const std::filesystem::path& base_dir = ".");

// Applies one "--set key.path=value" override, e.g. "populations.E.temperature=41 degC",
// "run.duration=5 s", "run.seed=3". Throws UserError for unknown keys or bad values, worded for
// the command line (settings.hpp: set_value() sets a value through an API).
void apply_override(Model& model, std::string_view assignment);

// The model as configuration text that parse_config() reads back into the same model (every
// value written to the last digit; ramps as the steps they expand to; spike times inline).
std::string to_toml(const Model& model);

}  // namespace metabosim
