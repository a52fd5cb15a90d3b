#include "command.hpp"

#include <fmt/format.h>

#include "metabosim/config/validate.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"
#include "metabosim/sonata/circuit.hpp"

namespace metabosim::cli {

namespace {
constexpr double default_duration = 2000;  // ms of the built-in microcircuit run
}

Model load_model(const std::string& config, const std::vector<std::string>& overrides, std::optional<std::uint64_t> seed) {
    // A .json file is a SONATA circuit config; anything else a TOML model.
    Model model = config.empty()              ? microcircuit(37, default_duration)
                  : config.ends_with(".json") ? read_sonata_circuit(config)
                                              : load_config(config);
    for (const auto& o : overrides) apply_override(model, o);
    if (seed) model.seed = *seed;
    validate(model);
    return model;
}

Strategy strategy_from(const std::string& engine, const std::string& dt, unsigned threads) {
    if (engine != "clock" && !dt.empty())
        throw UserError("--dt applies to --engine clock only (the event-driven engines have no step)");
    if (engine == "event") return Strategy::event_driven(threads);
    if (engine == "queue") return Strategy::event_queue();
    return Strategy::clock_driven(dt.empty() ? 0.1 : parse_quantity(dt, Dimension::time));
}

std::function<void(const std::string&)> progress_lines(bool quiet) {
    if (quiet) return [](const std::string&) {};
    return [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
}

}  // namespace metabosim::cli
