// `metabosim compare`: the event-driven engine beside the clock-driven engine and Brian2.
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/compare/compare.hpp"
#include "metabosim/compare/compare_output.hpp"
#include "progress_display.hpp"

namespace metabosim::cli {
namespace {

struct CompareOptions {
    std::string config;
    std::vector<std::string> overrides;
    compare::Settings settings;
    bool figures = true;
    ProgressOptions progress;
};

int run_compare(CompareOptions& o) {
    const Model model = load_model(o.config, o.overrides, std::nullopt);
    ProgressDisplay display(o.progress);
    o.settings.progress = display.lines();
    const auto& say = o.settings.progress;
    if (o.figures) warn_if_no_report_python(say);
    const compare::Comparison c =
        compare::run_comparison(model, o.config.empty() ? "built-in microcircuit" : o.config, o.settings);
    const auto json = o.settings.output / "compare.json";
    compare::write_compare_json(c, json);
    say(fmt::format("numbers in {}", json.string()));
    if (!o.figures) return 0;
    const processes::ScriptRun report = compare::make_compare_report(o.settings.output);
    if (!report.succeeded()) {
        say("  the figures and report.md could not be made: " + report.failure());
        return 1;
    }
    say(fmt::format("report: {}", (o.settings.output / "report.md").string()));
    return 0;
}

}  // namespace

Command add_compare(CLI::App& app) {
    auto o = std::make_shared<CompareOptions>();
    compare::Settings& s = o->settings;
    auto* cmp = app.add_subcommand(
        "compare", "Run a model event-driven, clock-driven at several dt and in Brian2, and report:\n"
                   "spike-time error against the exact solution versus dt (one neuron and a small\n"
                   "network drawn from the model, with the convergence order), network statistics\n"
                   "over seeds with 95% confidence intervals (rates, CV, synchrony chi, Fano factor,\n"
                   "weights), wall times as ratios, figures and report.md. See docs/comparison.md.");
    cmp->add_option("config", o->config, std::string(config_help) + " (default: the built-in microcircuit)")
        ->transform(config_file());
    cmp->add_option("-o,--output", s.output, "directory for compare.json, report.md, figures, runs")->capture_default_str();
    cmp->add_option("--seeds", s.seeds, "seeds of the network runs")->delimiter(',')->capture_default_str();
    add_times_option(cmp, "--dts", s.dts, "clock-driven steps of the network runs");
    add_times_option(cmp, "--brian2-dts", s.brian2_dts, "Brian2 steps of the network runs");
    add_times_option(cmp, "--convergence-dts", s.convergence_dts, "steps of the convergence study");
    cmp->add_option("--brian2-device", s.brian2_device,
                    "Brian2 device for the network runs (cpp_standalone: compile time reported apart)")
        ->check(CLI::IsMember({"runtime", "cpp_standalone"}))
        ->capture_default_str();
    cmp->add_option("--brian2-codegen", s.brian2_codegen, "Brian2 code generation with --brian2-device runtime")
        ->check(CLI::IsMember({"numpy", "cython"}))
        ->capture_default_str();
    cmp->add_flag("!--no-brian2", s.brian2, "skip Brian2");
    cmp->add_flag("!--no-figures", o->figures, "numbers only (compare.json), no figures or report");
    cmp->add_option("--set", o->overrides, "override one key of the model")->type_name("KEY=VALUE");
    add_python_option(cmp);
    add_progress_options(cmp, o->progress);
    return {cmp, [o] { return run_compare(*o); }};
}

}  // namespace metabosim::cli
