// metabosim: run, check and inspect metaboplastic spiking-network models from the command line.
// Each command's options and call into the library are in its own file (command.hpp).
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/distribution/ranks.hpp"
#include "metabosim/model/error.hpp"

using namespace metabosim;

namespace {

const char* const description = R"(metabosim - event-driven simulation of spiking networks whose neurons feel their metabolism.

Conductance-based LIF neurons are integrated exactly between events; spikes travel with axonal
delays; STDP acts on pre- and postsynaptic events; temperature (the metabolic state) scales time
constants, conductances and plasticity through Q10 factors, and can change during a run.

The main job, `metabosim experiment all`, reproduces the five findings of the metaboplastic
microcircuit (learning bifurcation, STDP-window deformation, signal degradation,
hypersynchronization, robustness) and the energy loop at a reduced size (1000 neurons, 3 s runs,
10 seeds, a few minutes on 2 cores) and writes metabosim-findings/report.md.

Examples:
  metabosim experiment all                       the five findings, measured, with a report
  metabosim experiment bifurcation --full        one finding at the paper's size (5000 cells, 10 s)
  metabosim run                                  the built-in microcircuit (4000 E + 1000 I, STDP, 37 degC, 2 s)
  metabosim run coba -o coba-out                 one of metabosim's configs by name (also microcircuit, song_abbott, billion)
  metabosim run my-model.toml                    a model from a TOML file
  metabosim run coba --engine clock --dt 0.1ms   the same on a fixed grid, as Brian2 runs it
  metabosim run --set populations.E.temperature="41 degC" --set populations.I.temperature="41 degC"
  metabosim validate microcircuit                check a config and print the scaled parameters
  metabosim compare coba                         event-driven vs clock-driven vs Brian2: errors, statistics, speed
  metabosim export coba -o coba-b2               the same network as data + a Brian2 script

Times on the command line carry their unit, as in a config: --dt 0.1ms, --duration "3 s",
--dts 0.1ms,0.05ms. Progress goes to stderr: a bar on a terminal, a line every few seconds in a file
or a pipe (--progress for lines anywhere, --quiet for none). The report scripts and Brian2 run
with the first python3 on PATH that has what they import, else /usr/bin/python3 (--python or
METABOSIM_PYTHON to name one).

Outputs (in the directory given by -o): spikes.h5 and V.h5, ge.h5, gi.h5 (SONATA spikes and
reports), weights.h5, rates.csv, metabolism.csv, energy.csv (with an energy budget), summary.json. See docs/config.md for every configuration key.

Exit status: 0 success, 2 bad input (config, option or file), 1 internal error, 3 a run stopped
because its network ran away (a [limits] value exceeded: a population's rate, the spikes recorded;
the outputs so far and a checkpoint are written), 130 / 143 a run interrupted (SIGINT / SIGTERM).)";

}  // namespace

int main(int argc, char** argv) {
    const RankSession ranks(argc, argv);  // under mpirun: one of several; only rank 0 speaks
    const bool speaks = rank() == 0;
    CLI::App app{description, "metabosim"};
    app.set_version_flag("--version", std::string("metabosim ") + METABOSIM_VERSION);
    app.require_subcommand(0, 1);  // none: the help
    app.get_formatter()->column_width(34);
    // Bad options read like every other error: "metabosim: error: ...", exit status 2.
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return fmt::format("metabosim: error: {}\nRun with --help for more information.\n", e.what());
    });

    std::string command_line;  // as typed, for the findings' report
    for (int k = 0; k < argc; ++k) command_line += (k ? " " : "") + std::string(argv[k]);
    // In the order --help lists them.
    std::vector<cli::Command> commands;
    commands.push_back(cli::add_run(app));
    commands.push_back(cli::add_resume(app));
    commands.push_back(cli::add_validate(app));
    commands.push_back(cli::add_export(app));
    commands.push_back(cli::add_compare(app));
    commands.push_back(cli::add_experiment(app, command_line));
    commands.push_back(cli::add_bench(app));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = speaks ? app.exit(e) : e.get_exit_code();
        return code == 0 ? 0 : 2;
    } catch (const UserError& e) {  // from an option's own parser (--seed, --checkpoint-every)
        fmt::print(stderr, "metabosim: error: {}\n", e.what());
        return 2;
    }
    try {
        if (rank_count() > 1 && !*commands.front().options)
            throw UserError("only `metabosim run` runs on several processes (mpirun); run the others as one process");
        for (const cli::Command& command : commands)
            if (*command.options) return command.run();
        // Nothing to do without a command (no minutes of computation into the current directory).
        if (speaks) fmt::print("{}", app.help());
        return 0;
    } catch (const UserError& e) {  // on several ranks, every rank has it (Communicator::agree)
        if (speaks) fmt::print(stderr, "metabosim: error: {}\n", e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        if (speaks)
            fmt::print(stderr, "metabosim: error: not enough memory for this model; "
                               "`metabosim validate` shows how many synapses it asks for\n");
        return 2;
    } catch (const std::exception& e) {
        if (speaks) fmt::print(stderr, "metabosim: internal error: {}\n", e.what());
        return 1;
    }
}
