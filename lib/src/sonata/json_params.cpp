#include "sonata/json_params.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace metabosim::sonata {

nlohmann::json read_json_object(const std::filesystem::path& file, const std::string& from) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UserError(fmt::format("{}: cannot open \"{}\"", from, file.string()));
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json object;
    try {
        object = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw UserError(fmt::format("{}: not valid JSON: {}", file.string(), e.what()));
    }
    if (!object.is_object())
        throw UserError(fmt::format("{}: a JSON {}; expected an object of parameter names and values", file.string(),
                                    object.type_name()));
    return object;
}

double checked_number(const nlohmann::json& value, const std::filesystem::path& file, std::string_view name,
                      const schema::Quantity& quantity) {
    const std::string unit(quantity.dimension == Dimension::dimensionless ? "" : internal_unit(quantity.dimension));
    const auto in_unit = [&](const std::string& text) { return unit.empty() ? text : text + " (in " + unit + ")"; };
    if (!value.is_number())
        throw UserError(fmt::format("{}: {} is {}; expected {}", file.string(), name, value.dump(),
                                    in_unit(schema::expectation(quantity.dimension, quantity.bound))));
    const double v = value.get<double>();
    if (!std::isfinite(v) || !schema::within(v, quantity.bound))
        throw UserError(fmt::format("{}: {} is {}; expected {}", file.string(), name, v,
                                    in_unit(schema::expectation(quantity.dimension, quantity.bound, v))));
    return v;
}

}  // namespace metabosim::sonata
