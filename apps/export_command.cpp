// `metabosim export`: a model as data plus a Brian2 script that runs it, or (--sonata) its network
// as a SONATA circuit.
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/brian2/export.hpp"
#include "metabosim/sonata_export/export.hpp"

namespace metabosim::cli {
namespace {

struct ExportOptions {
    std::string config, out_dir;
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> seed;
    bool sonata = false;
};

int export_model(const ExportOptions& o) {
    const Model model = load_model(o.config, o.overrides, o.seed);
    if (o.sonata) {
        export_sonata(model, o.out_dir);
        fmt::print(stderr, "metabosim: exported the network of {} neurons, seed {}, as a SONATA circuit to {}\n"
                           "  run it with: metabosim run {}/circuit_config.json\n",
                   model.neuron_count(), model.seed, o.out_dir, o.out_dir);
        return 0;
    }
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
                                                  "the same connectivity, weights, delays, initial state and input spikes;\n"
                                                  "or, with --sonata, its network and the drawn trains of its spike sources\n"
                                                  "as a SONATA circuit.");
    exporter->add_option("config", o->config, std::string(config_help) + " (default: the built-in microcircuit)")
        ->transform(config_file());
    exporter->add_option("-o,--output", o->out_dir, "directory for network.h5 and run_brian2.py (or the circuit)")->required();
    exporter->add_flag("--sonata", o->sonata, "write the built network as a SONATA circuit (circuit_config.json, nodes "
                                              "and edges HDF5, types CSV, dynamics JSON) that NEST, bmtk and metabosim "
                                              "read; spike sources become virtual nodes whose trains, Poisson ones as "
                                              "drawn for the seed, are written as spike files, so every reader replays "
                                              "the same input spikes; see docs/sonata.md");
    add_seed_option(exporter, o->seed, "random seed; overrides run.seed");
    exporter->add_option("--set", o->overrides, "override one key before exporting")->type_name("KEY=VALUE");
    return {exporter, [o] { return export_model(*o); }};
}

}  // namespace metabosim::cli
