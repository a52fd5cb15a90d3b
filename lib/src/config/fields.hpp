// The tables of lib/src/model/schema.hpp read from TOML: each field from its key in a Section,
// checked for dimension and bound where the line is known.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "config/section.hpp"
#include "config/values.hpp"
#include "model/schema.hpp"

namespace metabosim::config {

// A constant ("4 nS") or { distribution = "uniform" | "normal" | "constant", ... }; the bound
// holds for every value that can be drawn. Absent: `fallback`.
Distribution read_distribution(Section& parent, std::string_view key, const schema::Quantity& q,
                               const Distribution& fallback);

// The entries of the array under `key`; absent: `fallback`.
std::vector<double> read_quantity_list(Section& s, std::string_view key, const schema::Quantity& q,
                                       const std::vector<double>& fallback);

// The field `f` of `out` from its key in `s`; an absent key leaves the value as it is.
template <class Struct>
void read_field(Section& s, Struct& out, const schema::Field<Struct>& f) {
    if (f.presence == schema::Presence::required) s.need(f.key, expectation(f.quantity));
    const auto& q = f.quantity;
    schema::visit(f, out,
                  schema::Overloaded{
                      [&](double& v) { v = s.quantity(f.key, q, v); },
                      [&](std::optional<double>& v) {
                          if (const auto* node = s.find(f.key))
                              v = read_quantity(s.doc(), *node, s.path_of(f.key), q);
                      },
                      [&](Distribution& v) { v = read_distribution(s, f.key, q, v); },
                      [&](std::vector<double>& v) { v = read_quantity_list(s, f.key, q, v); },
                  });
}

template <class Struct, std::size_t N>
void read_fields(Section& s, Struct& out, const schema::Field<Struct> (&fields)[N]) {
    for (const auto& f : fields) read_field(s, out, f);
}

}  // namespace metabosim::config
