// Parameter files of a SONATA circuit (internal): dynamics_params and metabolism_params JSON
// objects, their values checked against the schema's fields.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"
#include "model/schema.hpp"

namespace metabosim::sonata {

// The JSON object in `file`; `from` says where it is named (types file, column, row).
nlohmann::json read_json_object(const std::filesystem::path& file, const std::string& from);

// `value` (the entry `name` of `file`) as a number within the bound of `quantity`, in its unit.
double checked_number(const nlohmann::json& value, const std::filesystem::path& file, std::string_view name,
                      const schema::Quantity& quantity);

// Sets the double member of field `key` of `fields` in `object` from `value`.
template <class Struct, std::size_t N>
void set_field(const schema::Field<Struct> (&fields)[N], std::string_view key, Struct& object,
               const nlohmann::json& value, const std::filesystem::path& file, std::string_view name) {
    for (const auto& f : fields) {
        if (f.key != key) continue;
        const double v = checked_number(value, file, name, f.quantity);
        schema::visit(f, object, schema::Overloaded{[&](double& member) { member = v; },
                                                    [&](Distribution& member) { member = Distribution::constant(v); },
                                                    [](auto&) {}});
        return;
    }
    throw InternalError(fmt::format("no schema field {}", key));
}

}  // namespace metabosim::sonata
