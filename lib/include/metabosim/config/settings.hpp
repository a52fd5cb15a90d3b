// The values of a model that can be changed one at a time, by their key paths in the TOML's names
// ("populations.E.temperature", "run.seed"): what `--set` changes, and what bindings to other
// languages read and set. Each value is read from text with its unit ("41 degC") by the same
// readers and bounds as a config file, and the whole model is validated again after the change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metabosim/model/model.hpp"
#include "metabosim/model/units.hpp"

namespace metabosim {

struct Setting {
    enum class Kind { quantity, integer };
    std::string path;                 // "populations.E.neuron.tau_e"
    Kind kind = Kind::quantity;       // integers: populations.<name>.size, run.seed
    Dimension dimension = Dimension::dimensionless;  // of a quantity
    // A quantity's value in the internal unit of its dimension; none where the model holds none
    // (no drive or energy pool yet, an STDP amplitude left to its rule, a value drawn from a
    // distribution).
    std::optional<double> value;
    std::uint64_t integer = 0;        // an integer's value
    std::string expectation;          // what a value must be, e.g. "a positive time (e.g. "5 ms")"
};

// Every value of `model` that set_value() can set: run, then each population and each projection
// in the model's order, each table's fields in docs/config.md's order.
std::vector<Setting> settings(const Model& model);

// Sets the value at `path` from `value`, written as a config file would write it ("41 degC",
// "2.5", "3"), then validates the model; a failure leaves the model as it was. Messages name the
// field `name` (as the caller's user wrote it, e.g. populations["E"].temperature), the value and
// what was expected: `name = "value": expected ...`. Throws UserError.
void set_value(Model& model, std::string_view path, std::string_view value, std::string_view name);

}  // namespace metabosim
