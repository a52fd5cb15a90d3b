// `metabosim validate`: check a config and print the lowered model at every temperature it visits.
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/lowering/lowering.hpp"
#include "metabosim/synapses/network.hpp"

namespace metabosim::cli {
namespace {

struct ValidateOptions {
    std::string config;
    std::vector<std::string> overrides;
};

// A spike-source population: what it emits instead of a neuron's parameters.
void print_source(const Population& p) {
    const SpikeSource& s = *p.source;
    if (s.kind == SpikeSource::Kind::array) {
        std::size_t spikes = 0;
        for (const auto& times : s.times) spikes += times.size();
        fmt::print("\npopulation {} ({} spike sources, given times: {} spikes)\n", p.name, p.size, spikes);
        return;
    }
    fmt::print("\npopulation {} ({} Poisson spike sources, {} Hz{}{})\n", p.name, p.size, s.rate,
               s.steps.empty() ? "" : fmt::format(", then {} rate steps", s.steps.size()),
               s.temperature_scaled ? fmt::format(", scaled with Q10 {} of the population's temperature", p.q10.poisson_rate)
                                    : "");
}

int validate_config(const ValidateOptions& o) {
    const Model model = load_model(o.config, o.overrides, std::nullopt);
    fmt::print("{}: valid. {} populations, {} neurons, {} projections, {:.0f} ms, seed {}\n", o.config,
               model.populations.size(), model.neuron_count(), model.projections.size(), model.duration,
               model.seed);
    for (const auto& p : model.populations) {
        if (p.source) {
            print_source(p);
            continue;
        }
        fmt::print("\npopulation {} ({} neurons, T0 = {} degC{})\n", p.name, p.size, p.reference_temperature,
                   p.drive ? fmt::format(", Poisson drive {} Hz x {} nS", p.drive->rate, p.drive->weight) : "");
        fmt::print("  {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}\n", "T degC", "gL nS", "C pF",
                   "tau_e ms", "tau_i ms", "t_ref ms", "phi_g", "drive Hz", "tau_m ms");
        for (double t : temperatures_visited(model, p)) {
            const LoweredPopulation l = lower(p, t);
            fmt::print("  {:7.1f} {:8.3f} {:8.2f} {:8.3f} {:8.3f} {:8.3f} {:8.3f} {:9.1f} {:9.3f}\n", t,
                       l.neuron.gL, l.neuron.C, l.neuron.tau_e, l.neuron.tau_i, l.neuron.t_ref,
                       l.synaptic_efficacy, l.poisson_rate, l.neuron.C / l.neuron.gL);
        }
    }
    for (const auto& proj : model.projections) {
        fmt::print("\nprojection {}: {} -> {}, {}, ~{:.0f} synapses{}\n", proj.name, proj.pre, proj.post,
                   proj.receptor == Receptor::excitatory ? "excitatory" : "inhibitory", expected_synapse_count(model, proj),
                   proj.stdp ? ", plastic" : "");
        if (!proj.stdp) continue;
        fmt::print("  {:>7} {:>11} {:>12} {:>10} {:>10}\n", "T degC", "tau_plus ms", "tau_minus ms", "A+ nS", "A- nS");
        for (double t : temperatures_visited(model, model.population(proj.post))) {
            const LoweredStdp s = lower(*proj.stdp, lower(model.population(proj.post), t));
            fmt::print("  {:7.1f} {:11.3f} {:12.3f} {:10.5f} {:10.5f}\n", t, s.tau_plus, s.tau_minus, s.A_plus,
                       s.A_minus);
        }
    }
    if (!model.metabolism.empty()) {
        fmt::print("\nmetabolic steps\n");
        for (const auto& s : model.metabolism)
            fmt::print("  t = {:10.3f} ms  {:>8}  -> {} degC\n", s.time, s.population.empty() ? "all" : s.population,
                       s.temperature);
    }
    return 0;
}

}  // namespace

Command add_validate(CLI::App& app) {
    auto o = std::make_shared<ValidateOptions>();
    auto* check = app.add_subcommand("validate", "Check a config and print the lowered model:\n"
                                                 "sizes and the Q10-scaled parameters at every temperature it visits.");
    check->add_option("config", o->config, config_help)->required()->transform(config_file());
    check->add_option("--set", o->overrides, "override one key before checking")->type_name("KEY=VALUE");
    return {check, [o] { return validate_config(*o); }};
}

}  // namespace metabosim::cli
