#include "command.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>

#include <fmt/format.h>

#include "metabosim/config/validate.hpp"
#include "metabosim/model/builtin.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"
#include "metabosim/model/echo.hpp"

namespace metabosim::cli {

namespace {
constexpr double default_duration = 2000;  // ms of the built-in microcircuit run
}

Model load_model(const std::string& config, const std::vector<std::string>& overrides, std::optional<std::uint64_t> seed) {
    Model model = config.empty() ? microcircuit(37, default_duration) : load_config(config);
    for (const auto& o : overrides) apply_override(model, o);
    if (seed) model.seed = *seed;
    validate(model);
    return model;
}

double positive_time(const std::string& text, const std::string& option) {
    double t = 0;
    try {
        t = parse_quantity(text, Dimension::time);
    } catch (const UserError& e) {
        throw UserError(fmt::format("{} {}: {}", option, text, e.what()));
    }
    if (!(t > 0)) throw UserError(fmt::format("{} {}: expected a positive time, e.g. \"10 s\"", option, text));
    return t;
}

CLI::Option* add_seed_option(CLI::App* app, std::optional<std::uint64_t>& seed, const std::string& help) {
    return app
        ->add_option_function<std::string>(
            "--seed",
            [&seed](const std::string& text) {
                constexpr std::uint64_t max_seed = std::numeric_limits<std::int64_t>::max();  // as run.seed
                std::uint64_t value = 0;
                const char* end = text.data() + text.size();
                const auto [stop, error] = std::from_chars(text.data(), end, value);
                if (text.empty() || stop != end || error != std::errc() || value > max_seed)
                    throw UserError(fmt::format("--seed {}: expected a whole number from 0 to {}", echo(text),
                                                max_seed));
                seed = value;
            },
            help)
        ->type_name("UINT");
}

Strategy strategy_from(const std::string& engine, const std::string& dt, unsigned threads) {
    if (engine != "clock" && !dt.empty())
        throw UserError("--dt applies to --engine clock only (the event-driven engines have no step)");
    if (engine == "event") return Strategy::event_driven(threads);
    if (engine == "queue") return Strategy::event_queue();
    return Strategy::clock_driven(dt.empty() ? 0.1 : parse_quantity(dt, Dimension::time));
}

std::function<void(const Progress&)> run_progress(bool quiet) {
    if (quiet || !isatty(STDERR_FILENO)) return {};
    return [](const Progress& p) {
        const double fraction = p.duration > 0 ? p.simulated / p.duration : 1;
        const double rtf = p.wall_seconds > 0 ? p.simulated / 1000 / p.wall_seconds : 0;
        const double eta = fraction > 0 ? p.wall_seconds * (1 - fraction) / fraction : 0;
        fmt::print(stderr, "\r  t = {:.2f} / {:.2f} s ({:3.0f}%)  wall {:.1f} s  ETA {:.0f} s  RTF {:.3f}  {:.2f} M events/s   ",
                   p.simulated / 1000, p.duration / 1000, 100 * fraction, p.wall_seconds, eta, rtf,
                   p.events / std::max(p.wall_seconds, 1e-9) / 1e6);
        std::fflush(stderr);
    };
}

void end_run_progress(bool quiet) {
    if (!quiet && isatty(STDERR_FILENO)) fmt::print(stderr, "\n");
}

std::function<void(const std::string&)> progress_lines(bool quiet) {
    if (quiet) return [](const std::string&) {};
    return [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
}

}  // namespace metabosim::cli
