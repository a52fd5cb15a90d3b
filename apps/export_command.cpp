// `metabosim export`: a model as data plus a Brian2 script that runs it.
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/brian2/export.hpp"

namespace metabosim::cli {
namespace {

struct ExportOptions {
    std::string config, out_dir;
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> seed;
};

int export_model(const ExportOptions& o) {
    const Model model = load_model(o.config, o.overrides, o.seed);
    export_brian2(model, o.out_dir);
    fmt::print(stderr, "metabosim: exported {} neurons, {:.0f} ms, seed {} to {}\n"
                       "  run it with: python3 {}/run_brian2.py --dt 0.1 -o {}/brian2-out\n",
               model.neuron_count(), model.duration, model.seed, o.out_dir, o.out_dir, o.out_dir);
    return 0;
}

}  // namespace

Command add_export(CLI::App& app) {
    auto o = std::make_shared<ExportOptions>();
    auto* exporter = app.add_subcommand("export", "Write a model as data plus a Brian2 script that runs it:\n"
                                                  "the same connectivity, weights, delays, initial state and input spikes.");
    exporter->add_option("config", o->config, "TOML model file (default: the built-in microcircuit)")
        ->check(CLI::ExistingFile);
    exporter->add_option("-o,--output", o->out_dir, "directory for network.h5 and run_brian2.py")->required();
    add_seed_option(exporter, o->seed, "random seed; overrides run.seed");
    exporter->add_option("--set", o->overrides, "override one key before exporting")->type_name("KEY=VALUE");
    return {exporter, [o] { return export_model(*o); }};
}

}  // namespace metabosim::cli
