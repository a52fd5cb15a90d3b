// Exporting a model to Brian2: network.h5 (the data) and run_brian2.py with its modules (the
// runner that reads it, runner_files.hpp).
//
// network.h5 holds what metabosim draws and computes, never a recipe to draw it again. Units are
// in a `units` attribute on every dataset with a unit, and in the name of numeric attributes
// (`duration_ms`). Integers are uint64, reals float64; flags are uint64 0/1. Groups whose names
// are model names are also given an `index` attribute with the model's order, since HDF5 lists
// groups by name.
//
//   /                               format = "metabosim-brian2-export", format_version = 2,
//                                   metabosim_version, duration_ms, seed, neurons, synapses
//   /populations/<P>                index, size, first (global id of local neuron 0)
//       source/                     only for a population of spike sources, which then has no
//                                   initial, segments or drive: kind ("poisson" | "array")
//           times ms                every spike of every source as drawn for the run, source
//           index_pointers          after source, as drive/ below (size + 1 entries)
//       initial/{V mV, ge nS, gi nS}              per neuron (local index), as drawn for the run
//       segments/{time ms, temperature degC, C pF, gL nS, EL mV, Vth mV, Vr mV, t_ref ms,
//                 Ee mV, Ei mV, tau_e ms, tau_i ms, I_ext pA, phi_g 1, poisson_rate Hz}
//                                   the lowered (Q10-scaled) parameters: row 0 at t = 0, then
//                                   one row per metabolic step that affects P, in the order the
//                                   engine applies them (time, then as given); a row holds from
//                                   its time until the next row's
//       drive/                      only with a Poisson drive: receptor, weight_nS (reference
//                                   scale; delivered as phi_g * weight), rate_Hz (reference)
//           times ms                every input, neuron after neuron, each neuron's ascending
//           index_pointers          size + 1 entries: neuron n's inputs are
//                                   times[index_pointers[n] : index_pointers[n + 1]]
//   /projections/<name>             index, pre, post (population names), receptor, plastic
//       source, target              local indices, one entry per synapse in metabosim's synapse
//       weight nS, delay ms         order (CSR by presynaptic neuron); weight at reference scale
//       stdp/                       only if plastic: pairing ("all_to_all" | "nearest_neighbour"),
//                                   update ("additive" | "multiplicative"), w_min_nS, w_max_nS
//           segments/{time ms, temperature degC, tau_plus ms, tau_minus ms, A_plus nS,
//                     A_minus nS}   lowered at the post population's segments (same rows)
//   /generators/<k>                 k = 0, 1, ... in model order: name, target, receptor,
//                                   weight_nS (reference scale)
//       neurons                     local indices of the target (all of them if the model left
//                                   the list empty)
//       times ms                    the spike times as given, each sent to every listed neuron
//   /metabolism/{time ms, population, temperature degC}
//                                   the metabolic timeline as metabosim records it: each
//                                   population's temperature at t = 0, then one row per (step,
//                                   affected population); population is an index
//   /recording                      spikes (0/1), rate_bin_ms
//       states/<k>                  population, variables ("V,ge,gi" or a subset), interval_ms
//           neurons                 local indices
//       weights/<k>                 projection, interval_ms, bins, final (0/1)
//
// All files are written all or nothing; equal model and seed give byte-identical network.h5.
#include "metabosim/brian2/export.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"
#include "metabosim/config/validate.hpp"
#include "metabosim/inputs/inputs.hpp"
#include "metabosim/inputs/spike_sources.hpp"
#include "metabosim/lowering/lowering.hpp"
#include "metabosim/metabolism/schedule.hpp"
#include "metabosim/synapses/network.hpp"
#include "brian2/runner_files.hpp"
#include "hdf5/hdf5_file.hpp"
#include "recording/staged_files.hpp"

#ifndef METABOSIM_VERSION
#define METABOSIM_VERSION "unknown"
#endif

namespace metabosim {
namespace {

namespace fs = std::filesystem;
using namespace detail;

const char* receptor_name(Receptor r) { return r == Receptor::excitatory ? "excitatory" : "inhibitory"; }

struct Segment {
    double time;
    LoweredPopulation lowered;
};

struct TimelineEntry {
    double time;
    std::uint32_t population;
    double temperature;
};

// The lowered parameters of every population over the run, and its metabolic timeline, in the
// order the engines apply the steps: by time, simultaneous ones as given; steps after the end
// are never reached.
struct Protocol {
    std::vector<std::vector<Segment>> segments;  // per population
    std::vector<TimelineEntry> timeline;
};

Protocol protocol(const Model& model, const MetabolicSchedule& schedule) {
    Protocol out;
    for (std::uint32_t p = 0; p < model.populations.size(); ++p) {
        const Population& pop = model.populations[p];
        out.segments.push_back({{0.0, lower(pop, pop.temperature)}});
        out.timeline.push_back({0.0, p, pop.temperature});
    }
    for (const MetabolicSchedule::Step& step : schedule.steps())
        for (std::uint32_t p : step.populations) {
            out.segments[p].push_back({step.time, lower(model.populations[p], step.temperature)});
            out.timeline.push_back({step.time, p, step.temperature});
        }
    return out;
}

// One column of a table of structs.
template <class Row, class F>
std::vector<double> column(const std::vector<Row>& rows, F field) {
    std::vector<double> out;
    out.reserve(rows.size());
    for (const Row& row : rows) out.push_back(field(row));
    return out;
}

void real(Hdf5Writer& h5, const std::string& path, const std::vector<double>& values, const char* units) {
    h5.dataset(path, values);
    if (units[0] != '\0') h5.attribute(path, "units", units);
}

// One spike train per neuron (or source), concatenated: times, and index_pointers into them.
template <class Train>
void write_trains(Hdf5Writer& h5, const std::string& group, std::uint32_t size, Train train) {
    std::vector<double> times;
    std::vector<std::uint64_t> pointers{0};
    for (std::uint32_t n = 0; n < size; ++n) {
        const std::vector<double> own = train(n);
        times.insert(times.end(), own.begin(), own.end());
        pointers.push_back(times.size());
    }
    real(h5, group + "/times", times, "ms");
    h5.dataset(group + "/index_pointers", pointers);
}

void write_population(Hdf5Writer& h5, const Model& model, const MetabolicSchedule& schedule, std::uint32_t p,
                      std::uint32_t first, const std::vector<Segment>& segments) {
    const Population& pop = model.populations[p];
    const std::string group = "/populations/" + hdf5_name(pop.name);
    h5.group(group);
    h5.number_attribute(group, "index", std::uint64_t{p});
    h5.number_attribute(group, "size", std::uint64_t{pop.size});
    h5.number_attribute(group, "first", std::uint64_t{first});
    if (pop.source) {
        const SourceTrain train(model, schedule, p);
        write_trains(h5, group + "/source", pop.size, [&](std::uint32_t i) { return train.times(i); });
        h5.attribute(group + "/source", "kind", pop.source->kind == SpikeSource::Kind::poisson ? "poisson" : "array");
        return;
    }

    const InitialState initial = initial_state(model, p);
    real(h5, group + "/initial/V", initial.V, "mV");
    real(h5, group + "/initial/ge", initial.ge, "nS");
    real(h5, group + "/initial/gi", initial.gi, "nS");

    const std::string seg = group + "/segments/";
    real(h5, seg + "time", column(segments, [](const Segment& s) { return s.time; }), "ms");
    real(h5, seg + "temperature", column(segments, [](const Segment& s) { return s.lowered.temperature; }), "degC");
    const auto neuron = [&](const char* name, double LoweredNeuron::*field, const char* units) {
        real(h5, seg + name, column(segments, [&](const Segment& s) { return s.lowered.neuron.*field; }), units);
    };
    neuron("C", &LoweredNeuron::C, "pF");
    neuron("gL", &LoweredNeuron::gL, "nS");
    neuron("EL", &LoweredNeuron::EL, "mV");
    neuron("Vth", &LoweredNeuron::Vth, "mV");
    neuron("Vr", &LoweredNeuron::Vr, "mV");
    neuron("t_ref", &LoweredNeuron::t_ref, "ms");
    neuron("Ee", &LoweredNeuron::Ee, "mV");
    neuron("Ei", &LoweredNeuron::Ei, "mV");
    neuron("tau_e", &LoweredNeuron::tau_e, "ms");
    neuron("tau_i", &LoweredNeuron::tau_i, "ms");
    neuron("I_ext", &LoweredNeuron::I_ext, "pA");
    real(h5, seg + "phi_g", column(segments, [](const Segment& s) { return s.lowered.synaptic_efficacy; }), "1");
    real(h5, seg + "poisson_rate", column(segments, [](const Segment& s) { return s.lowered.poisson_rate; }), "Hz");

    if (!pop.drive) return;
    const std::string drive = group + "/drive";
    const DriveTrains trains(model, schedule, p);
    write_trains(h5, drive, pop.size, [&](std::uint32_t n) { return trains.times(n); });
    h5.attribute(drive, "receptor", receptor_name(pop.drive->receptor));
    h5.number_attribute(drive, "weight_nS", pop.drive->weight);
    h5.number_attribute(drive, "rate_Hz", pop.drive->rate);
}

void write_projection(Hdf5Writer& h5, const Model& model, std::uint32_t k, const Synapses& syn,
                      const std::vector<Segment>& post_segments) {
    const Projection& proj = model.projections[k];
    const std::string group = "/projections/" + hdf5_name(proj.name);
    h5.group(group);
    h5.number_attribute(group, "index", std::uint64_t{k});
    h5.attribute(group, "pre", proj.pre);
    h5.attribute(group, "post", proj.post);
    h5.attribute(group, "receptor", receptor_name(syn.receptor));
    h5.number_attribute(group, "plastic", std::uint64_t{syn.stdp ? 1u : 0u});

    std::vector<std::uint32_t> source(syn.size());
    for (std::uint32_t i = 0; i + 1 < syn.row_begin.size(); ++i)
        std::fill(source.begin() + syn.row_begin[i], source.begin() + syn.row_begin[i + 1], i);
    h5.dataset(group + "/source", source);
    h5.dataset(group + "/target", syn.target);
    real(h5, group + "/weight", syn.weights(), "nS");
    real(h5, group + "/delay", syn.delay.expanded(syn.size()), "ms");

    if (!syn.stdp) return;
    const StdpParameters& rule = *syn.stdp;
    const std::string stdp = group + "/stdp";
    std::vector<LoweredStdp> lowered;
    for (const Segment& s : post_segments) lowered.push_back(lower(rule, s.lowered));
    h5.group(stdp);
    h5.attribute(stdp, "pairing",
                 rule.pairing == StdpParameters::Pairing::all_to_all ? "all_to_all" : "nearest_neighbour");
    h5.attribute(stdp, "update", rule.update == StdpParameters::Update::additive ? "additive" : "multiplicative");
    h5.number_attribute(stdp, "w_min_nS", rule.w_min);
    h5.number_attribute(stdp, "w_max_nS", rule.w_max);
    const std::string seg = stdp + "/segments/";
    real(h5, seg + "time", column(post_segments, [](const Segment& s) { return s.time; }), "ms");
    real(h5, seg + "temperature", column(post_segments, [](const Segment& s) { return s.lowered.temperature; }),
         "degC");
    real(h5, seg + "tau_plus", column(lowered, [](const LoweredStdp& s) { return s.tau_plus; }), "ms");
    real(h5, seg + "tau_minus", column(lowered, [](const LoweredStdp& s) { return s.tau_minus; }), "ms");
    real(h5, seg + "A_plus", column(lowered, [](const LoweredStdp& s) { return s.A_plus; }), "nS");
    real(h5, seg + "A_minus", column(lowered, [](const LoweredStdp& s) { return s.A_minus; }), "nS");
}

void write_generator(Hdf5Writer& h5, const Model& model, std::uint32_t k) {
    const SpikeGenerator& gen = model.generators[k];
    const std::string group = fmt::format("/generators/{}", k);
    h5.group(group);
    h5.attribute(group, "name", gen.name);
    h5.attribute(group, "target", gen.target);
    h5.attribute(group, "receptor", receptor_name(gen.receptor));
    h5.number_attribute(group, "weight_nS", gen.weight);
    std::vector<std::uint32_t> neurons = gen.neurons;
    if (neurons.empty()) {
        neurons.resize(model.population(gen.target).size);
        for (std::uint32_t i = 0; i < neurons.size(); ++i) neurons[i] = i;
    }
    h5.dataset(group + "/neurons", neurons);
    real(h5, group + "/times", gen.times, "ms");
}

void write_recording(Hdf5Writer& h5, const Recording& recording) {
    h5.group("/recording");
    h5.number_attribute("/recording", "spikes", std::uint64_t{recording.spikes ? 1u : 0u});
    h5.number_attribute("/recording", "rate_bin_ms", recording.rate_bin);
    h5.group("/recording/states");
    for (std::size_t k = 0; k < recording.states.size(); ++k) {
        const StateRecording& rec = recording.states[k];
        const std::string group = fmt::format("/recording/states/{}", k);
        h5.group(group);
        h5.attribute(group, "population", rec.population);
        std::string variables;
        for (const std::string& v : rec.variables) variables += (variables.empty() ? "" : ",") + v;
        h5.attribute(group, "variables", variables);
        h5.number_attribute(group, "interval_ms", rec.interval);
        h5.dataset(group + "/neurons", rec.neurons);
    }
    h5.group("/recording/weights");
    for (std::size_t k = 0; k < recording.weights.size(); ++k) {
        const WeightRecording& rec = recording.weights[k];
        const std::string group = fmt::format("/recording/weights/{}", k);
        h5.group(group);
        h5.attribute(group, "projection", rec.projection);
        h5.number_attribute(group, "interval_ms", rec.interval);
        h5.number_attribute(group, "bins", std::uint64_t{rec.histogram_bins});
        h5.number_attribute(group, "final", std::uint64_t{rec.final_weights ? 1u : 0u});
    }
}

void write_network(const Model& model, const fs::path& path) {
    const Network net = build_network(model);
    const MetabolicSchedule schedule(model);
    const Protocol prot = protocol(model, schedule);
    Hdf5Writer h5(path);
    h5.attribute("/", "format", "metabosim-brian2-export");
    h5.number_attribute("/", "format_version", std::uint64_t{2});
    h5.attribute("/", "metabosim_version", METABOSIM_VERSION);
    h5.number_attribute("/", "duration_ms", model.duration);
    h5.number_attribute("/", "seed", model.seed);
    h5.number_attribute("/", "neurons", std::uint64_t{net.neuron_count()});
    h5.number_attribute("/", "synapses", net.synapse_count());

    h5.group("/populations");
    for (std::uint32_t p = 0; p < model.populations.size(); ++p)
        write_population(h5, model, schedule, p, net.populations[p].first, prot.segments[p]);
    h5.group("/projections");
    for (std::uint32_t k = 0; k < model.projections.size(); ++k)
        write_projection(h5, model, k, net.projections[k], prot.segments[net.projections[k].post]);
    h5.group("/generators");
    for (std::uint32_t k = 0; k < model.generators.size(); ++k) write_generator(h5, model, k);

    real(h5, "/metabolism/time", column(prot.timeline, [](const TimelineEntry& e) { return e.time; }), "ms");
    std::vector<std::uint64_t> populations;
    for (const TimelineEntry& e : prot.timeline) populations.push_back(e.population);
    h5.dataset("/metabolism/population", populations);
    real(h5, "/metabolism/temperature",
         column(prot.timeline, [](const TimelineEntry& e) { return e.temperature; }), "degC");

    write_recording(h5, model.recording);
    h5.close();
}

void write_runner_file(const RunnerFile& file, const fs::path& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot create the file");
    out << file.text;
    out.close();
    if (!out) throw std::runtime_error("cannot write the file (disk full?)");
    if (file.executable)
        fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add);
}

}  // namespace

void export_brian2(const Model& model, const fs::path& directory) {
    validate(model);  // build_network and the draws rely on it
    // The segment table is fixed in advance; a pool that changes the state as the run goes
    // cannot be written as one, and Brian2 would silently run the model open-loop.
    for (const Population& p : model.populations)
        if (p.energy)
            throw UserError(fmt::format("population \"{}\" has an energy budget: its metabolic state depends on "
                                        "its activity during the run, which a Brian2 export cannot express; remove "
                                        "[populations.{}.energy] to export",
                                        p.name, p.name));
    // The network is built inside the write, so a bad directory is reported before that work.
    std::vector<StagedFile> files{{"network.h5", [&](const fs::path& p) { write_network(model, p); }}};
    for (const RunnerFile& file : brian2_runner_files())
        files.push_back({file.name, [&file](const fs::path& p) { write_runner_file(file, p); }});
    write_staged(directory, files, "the Brian2 export");
}

}  // namespace metabosim
