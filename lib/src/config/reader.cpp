// TOML -> Model. The schema is documented key by key in docs/config.md.
//
// Each struct's fields come from its table in lib/src/model/schema.hpp; what ties fields
// together (Vr below Vth, indices below a population's size, lengths of lists) is checked here,
// where the node and its line are known. validate() runs last as the net for what spans tables.
#include "metabosim/config/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "config/diagnostics.hpp"
#include "config/fields.hpp"
#include "config/section.hpp"
#include "config/spike_times.hpp"
#include "config/values.hpp"
#include "metabosim/model/echo.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"
#include "metabosim/sonata/circuit.hpp"
#include "model/schema.hpp"

namespace metabosim {
namespace {

using config::Choice;
using config::Document;
using config::fail_at;
using config::fail_value;
using config::read_choice;
using config::read_fields;
using config::Section;
using schema::Bound;

void read_neuron(Section& s, NeuronParameters& n) {
    read_fields(s, n, schema::neuron_fields);
    if (n.Vr >= n.Vth) {
        const auto* vr = s.find("Vr");
        const auto* node = vr ? vr : s.find("Vth");
        const auto key = vr ? "Vr" : "Vth";
        fail_value(s.doc(), *node, s.path_of(key),
                   vr ? fmt::format("a voltage below Vth = {} mV", n.Vth)
                      : fmt::format("a voltage above Vr = {} mV", n.Vr));
    }
    s.finish();
}

constexpr Choice<EnergyThreshold::Direction> directions[] = {{"falling", EnergyThreshold::Direction::falling},
                                                             {"rising", EnergyThreshold::Direction::rising}};

EnergyBudget read_energy(Section& s) {
    EnergyBudget e;
    read_fields(s, e, schema::energy_fields);
    for (auto& threshold : s.sections("thresholds")) {
        EnergyThreshold t;
        t.direction = threshold.choice("direction", directions, t.direction);
        read_fields(threshold, t, schema::threshold_fields);
        threshold.finish();
        e.thresholds.push_back(t);
    }
    s.finish();
    return e;
}

// A population of its own (`sized`), or one a SONATA circuit gave (its size and values stay
// unless the table sets them).
void read_population(Section& s, Population& p, bool sized) {
    if (sized) {
        p.size = static_cast<std::uint32_t>(s.required_integer("size", 4000, 1, schema::max_neurons));
    } else if (const auto* size = s.find("size")) {
        fail_value(s.doc(), *size, s.path_of("size"),
                   fmt::format("no size: population \"{}\" comes from the circuit, with {} neurons", p.name, p.size));
    }
    if (const auto* source = s.find("source")) {
        for (const std::string_view key : {"neuron", "drive", "energy", "initial_V", "initial_ge", "initial_gi"})
            if (const auto* node = s.find(key))
                fail_value(s.doc(), *node, s.path_of(key),
                           "no such key: population \"" + p.name + "\" is a spike source (source = ...), which has no "
                           "membrane, drive or energy pool");
        (void)source;
    }
    read_fields(s, p, schema::population_fields);
    if (auto neuron = s.section("neuron")) read_neuron(*neuron, p.neuron);
    if (auto q10 = s.section("q10")) {
        read_fields(*q10, p.q10, schema::q10_fields);
        q10->finish();
    }
    if (auto drive = s.section("drive")) {
        PoissonDrive d;
        read_fields(*drive, d, schema::drive_fields);
        d.receptor = drive->choice("receptor", config::receptors, d.receptor);
        drive->finish();
        p.drive = d;
    }
    if (auto energy = s.section("energy")) p.energy = read_energy(*energy);
    if (auto source = s.section("source")) p.source = config::read_source(*source, p.size);
    s.finish();
}

// [network] sonata = "circuit_config.json": the circuit's populations and projections, and its
// run.tstop as the duration; the rest of the file adds to them.
void read_network(Section& s, const Document& doc, Model& model) {
    const auto& node = s.need("sonata", "the path of a SONATA circuit config (e.g. \"circuit_config.json\")");
    const auto file = doc.base_dir / config::read_string(doc, node, s.path_of("sonata"), "a file name");
    try {
        const Model circuit = read_sonata_circuit(file);
        model.populations = circuit.populations;
        model.projections = circuit.projections;
        model.duration = circuit.duration;
    } catch (const UserError& e) {
        throw UserError(fmt::format("{}: {}: {}", doc.name, s.path_of("sonata"), e.what()));
    }
    s.finish();
}

const Population& read_population_name(Section& s, std::string_view key, const Model& model) {
    const auto& node = s.need(key, "the name of a population");
    const auto name = config::read_string(s.doc(), node, s.path_of(key), "the name of a population");
    for (const auto& p : model.populations)
        if (p.name == name) return p;
    std::vector<std::string_view> names;
    for (const auto& p : model.populations) names.push_back(p.name);
    fail_value(s.doc(), node, s.path_of(key),
               fmt::format("the name of a population (one of {})", fmt::join(names, ", ")));
}

// Explicit synapses: sources and targets, and optionally a weight and a delay each.
void read_list(Section& s, Connectivity& c, const Population& pre, const Population& post) {
    c.sources = config::read_indices(s.doc(), s.required_array("sources", "an array of indices into pre"),
                                     s.path_of("sources"), pre);
    c.targets = config::read_indices(s.doc(), s.required_array("targets", "an array of indices into post"),
                                     s.path_of("targets"), post);
    config::read_field(s, c, schema::field(schema::connectivity_fields, "weights"));
    config::read_field(s, c, schema::field(schema::connectivity_fields, "delays"));
    const auto n = c.sources.size();
    const std::pair<std::string_view, std::size_t> lengths[] = {
        {"targets", c.targets.size()}, {"weights", c.weights.size()}, {"delays", c.delays.size()}};
    for (const auto& [key, size] : lengths) {
        const bool optional = key != "targets";
        if (size == n || (optional && size == 0)) continue;
        const auto* node = s.find(key);
        fail_value(s.doc(), node ? *node : s.table(), s.path_of(key),
                   fmt::format("{}{} entries, as many as sources", optional ? "none or " : "", n));
    }
}

Connectivity read_connectivity(Section& s, const Population& pre, const Population& post) {
    using Rule = Connectivity::Rule;
    static constexpr Choice<Rule> rules[] = {{"probability", Rule::probability},
                                             {"fixed_indegree", Rule::fixed_indegree},
                                             {"one_to_one", Rule::one_to_one},
                                             {"all_to_all", Rule::all_to_all},
                                             {"list", Rule::explicit_list}};
    Connectivity c;
    c.rule = s.choice("rule", rules, c.rule);
    c.autapses = s.boolean("autapses", c.autapses);
    const bool self = pre.name == post.name && !c.autapses;
    switch (c.rule) {
        case Rule::probability:
            config::read_field(s, c, schema::field(schema::connectivity_fields, "p"));
            break;
        case Rule::fixed_indegree:
            c.indegree =
                static_cast<std::uint32_t>(s.required_integer("indegree", 80, 0, pre.size - (self ? 1 : 0)));
            break;
        case Rule::one_to_one:
            if (pre.size != post.size)
                fail_value(s.doc(), *s.find("rule"), s.path_of("rule"),
                           fmt::format("populations of equal size (\"{}\" has {}, \"{}\" has {})", pre.name,
                                       pre.size, post.name, post.size));
            break;
        case Rule::all_to_all: break;
        case Rule::explicit_list: read_list(s, c, pre, post); break;
    }
    s.finish();
    return c;
}

StdpParameters read_stdp(Section& s) {
    using Pairing = StdpParameters::Pairing;
    using Update = StdpParameters::Update;
    static constexpr Choice<Pairing> pairings[] = {{"all_to_all", Pairing::all_to_all},
                                                   {"nearest_neighbour", Pairing::nearest_neighbour}};
    static constexpr Choice<Update> updates[] = {{"additive", Update::additive},
                                                 {"multiplicative", Update::multiplicative}};
    StdpParameters stdp;
    stdp.pairing = s.choice("pairing", pairings, stdp.pairing);
    stdp.update = s.choice("update", updates, stdp.update);
    read_fields(s, stdp, schema::stdp_fields);
    if (stdp.w_min >= stdp.w_max) {
        const auto* node = s.find("w_max");
        fail_value(s.doc(), node ? *node : *s.find("w_min"), s.path_of(node ? "w_max" : "w_min"),
                   fmt::format("w_min < w_max (here w_min = {} nS, w_max = {} nS)", stdp.w_min, stdp.w_max));
    }
    s.finish();
    return stdp;
}

Projection read_projection(Section& s, std::string name, const Model& model) {
    Projection p;
    p.name = std::move(name);
    const Population& pre = read_population_name(s, "pre", model);
    const Population& post = read_population_name(s, "post", model);
    p.pre = pre.name;
    p.post = post.name;
    p.receptor = s.choice("receptor", config::receptors, p.receptor);
    if (auto connectivity = s.section("connectivity"))
        p.connectivity = read_connectivity(*connectivity, pre, post);
    read_fields(s, p, schema::projection_fields);
    if (auto stdp = s.section("stdp")) p.stdp = read_stdp(*stdp);
    s.finish();
    return p;
}

SpikeGenerator read_generator(Section& s, const Model& model) {
    SpikeGenerator g;
    g.name = s.required_string("name", "a name (e.g. \"pre\")");
    const Population& target = read_population_name(s, "target", model);
    g.target = target.name;
    g.neurons = config::read_indices(s.doc(), s.array("neurons"), s.path_of("neurons"), target);
    const auto* times = s.find("times");
    const auto* file = s.find("times_file");
    if (!times == !file)
        fail_at(s.doc(), s.table(), s.path(),
                "expected exactly one of times = [...] and times_file = \"...\"");
    read_fields(s, g, schema::generator_fields);
    if (times) {
        for (std::size_t i = 1; i < g.times.size(); ++i)
            if (g.times[i] < g.times[i - 1])
                fail_value(s.doc(), *times->as_array()->get(i), fmt::format("{}[{}]", s.path_of("times"), i),
                           fmt::format("times sorted ascending (after {} ms)", g.times[i - 1]));
    } else {
        g.times = config::read_times_file(s.doc(), *file, s.path_of("times_file"));
    }
    g.receptor = s.choice("receptor", config::receptors, g.receptor);
    s.finish();
    return g;
}

// A time within the run, which starts at 0 and lasts `duration`.
void check_run_time(Section& s, std::string_view key, double t, double duration) {
    if (t > duration)
        fail_value(s.doc(), *s.find(key), s.path_of(key),
                   fmt::format("a time within the run's duration ({} ms)", duration));
}

double read_run_time(Section& s, std::string_view key, double duration) {
    const double t = s.required_quantity(key, schema::field(schema::step_fields, "time").quantity);
    check_run_time(s, key, t, duration);
    return t;
}

// Absent or "": every population.
std::string read_step_population(Section& s, const Model& model) {
    const auto* node = s.find("population");
    if (!node || (node->is_string() && node->as_string()->get().empty())) return {};
    return read_population_name(s, "population", model).name;
}

// Steps and ramps as one list of steps in time order (ties keep the order written).
std::vector<MetabolicStep> read_metabolism(Section& s, const Model& model) {
    std::vector<MetabolicStep> steps;
    for (auto& step : s.sections("steps")) {
        MetabolicStep m;
        read_fields(step, m, schema::step_fields);
        check_run_time(step, "time", m.time, model.duration);
        m.population = read_step_population(step, model);
        step.finish();
        steps.push_back(m);
    }
    for (auto& ramp : s.sections("ramps")) {
        const double start = read_run_time(ramp, "start", model.duration);
        const double stop = read_run_time(ramp, "stop", model.duration);
        if (stop <= start)
            fail_value(ramp.doc(), *ramp.find("stop"), ramp.path_of("stop"),
                       fmt::format("a time after start = {} ms", start));
        const double from = ramp.required_quantity("from", {Dimension::temperature, Bound::temperature, 32});
        const double to = ramp.required_quantity("to", {Dimension::temperature, Bound::temperature, 41});
        const auto count =
            static_cast<unsigned>(ramp.required_integer("steps", 9, 1, schema::max_ramp_steps));
        auto expanded = metabolic_ramp(start, stop, from, to, count, read_step_population(ramp, model));
        ramp.finish();
        steps.insert(steps.end(), expanded.begin(), expanded.end());
    }
    std::stable_sort(steps.begin(), steps.end(),
                     [](const MetabolicStep& a, const MetabolicStep& b) { return a.time < b.time; });
    s.finish();
    return steps;
}

StateRecording read_state_recording(Section& s, const Model& model) {
    StateRecording sr;
    const Population& p = read_population_name(s, "population", model);
    sr.population = p.name;
    constexpr std::string_view what = "a non-empty array of neuron indices (e.g. [0, 1, 2])";
    const auto& neurons = s.required_array("neurons", what);
    if (neurons.empty()) fail_value(s.doc(), neurons, s.path_of("neurons"), what);
    sr.neurons = config::read_indices(s.doc(), neurons, s.path_of("neurons"), p);
    if (const auto* variables = s.find("variables")) {
        static constexpr Choice<std::string_view> names[] = {{"V", "V"}, {"ge", "ge"}, {"gi", "gi"}};
        if (!variables->is_array()) fail_value(s.doc(), *variables, s.path_of("variables"), "an array");
        const auto& items = *variables->as_array();
        sr.variables.clear();
        for (std::size_t i = 0; i < items.size(); ++i) {
            const std::string item_path = fmt::format("{}[{}]", s.path_of("variables"), i);
            const std::string_view v = read_choice<std::string_view>(s.doc(), items[i], item_path, names);
            // Two traces of one variable would collide in states.h5 only after the whole run.
            if (std::find(sr.variables.begin(), sr.variables.end(), v) != sr.variables.end())
                fail_value(s.doc(), items[i], item_path, fmt::format("each variable once; \"{}\" is named twice", v));
            sr.variables.emplace_back(v);
        }
    }
    read_fields(s, sr, schema::state_recording_fields);
    s.finish();
    return sr;
}

WeightRecording read_weight_recording(Section& s, const Model& model) {
    WeightRecording w;
    const auto& node = s.need("projection", "the name of a projection");
    w.projection = config::read_string(s.doc(), node, s.path_of("projection"), "the name of a projection");
    const bool known = std::any_of(model.projections.begin(), model.projections.end(),
                                   [&](const Projection& p) { return p.name == w.projection; });
    if (!known) fail_value(s.doc(), node, s.path_of("projection"), "the name of a projection");
    read_fields(s, w, schema::weight_recording_fields);
    w.histogram_bins =
        static_cast<unsigned>(s.integer("bins", w.histogram_bins, 1, schema::max_histogram_bins));
    w.final_weights = s.boolean("final", w.final_weights);
    s.finish();
    return w;
}

Recording read_recording(Section& s, const Model& model) {
    Recording r;
    r.spikes = s.boolean("spikes", r.spikes);
    read_fields(s, r, schema::recording_fields);
    for (auto& state : s.sections("states")) r.states.push_back(read_state_recording(state, model));
    for (auto& weights : s.sections("weights")) r.weights.push_back(read_weight_recording(weights, model));
    s.finish();
    return r;
}

Limits read_limits(Section& s) {
    Limits l;
    read_fields(s, l, schema::limits_fields);
    if (s.find("max_spikes")) l.max_spikes = s.required_integer("max_spikes", 100'000'000, 1, schema::max_seed);
    s.finish();
    return l;
}

// Named tables ([populations.E], [projections.EE]) in file order.
template <class Read>
void read_named(Section& top, std::string_view key, Read read) {
    auto section = top.section(key);
    if (!section) return;
    for (const auto& [name, node] : config::in_file_order(section->table())) {
        const auto path = section->path_of(name);
        if (name.empty()) fail_at(top.doc(), *node, path, "expected a non-empty name");
        if (!node->is_table()) fail_value(top.doc(), *node, path, "a table");
        Section s(top.doc(), *node->as_table(), path);
        read(s, name);
    }
}

Model read_model(const Document& doc, const toml::table& root) {
    Section top(doc, root, "");
    Model model;
    if (auto network = top.section("network")) read_network(*network, doc, model);
    if (auto run = top.section("run")) {
        read_fields(*run, model, schema::run_fields);
        model.seed = run->integer("seed", model.seed, 0, schema::max_seed);
        run->finish();
    }
    read_named(top, "populations", [&](Section& s, const std::string& name) {
        const auto given = std::find_if(model.populations.begin(), model.populations.end(),
                                        [&](const Population& p) { return p.name == name; });
        if (given != model.populations.end()) return read_population(s, *given, false);
        Population& p = model.populations.emplace_back();
        p.name = name;
        read_population(s, p, true);
    });
    if (model.populations.empty())
        throw UserError(fmt::format(
            "{}: populations: missing, expected at least one [populations.<name>] table", doc.name));
    read_named(top, "projections", [&](Section& s, const std::string& name) {
        model.projections.push_back(read_projection(s, name, model));
    });
    for (auto& g : top.sections("generators")) model.generators.push_back(read_generator(g, model));
    if (auto metabolism = top.section("metabolism")) model.metabolism = read_metabolism(*metabolism, model);
    if (auto recording = top.section("recording")) model.recording = read_recording(*recording, model);
    if (auto limits = top.section("limits")) model.limits = read_limits(*limits);
    top.finish();
    return model;
}

Model parse(std::string_view text, const Document& doc) {
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(doc.name));
    } catch (const toml::parse_error& e) {
        const std::string what = echo(e.description(), 300);
        if (!doc.lines) throw UserError(fmt::format("{}: {}", doc.name, what));
        throw UserError(fmt::format("{}:{}:{}: {}", doc.name, e.source().begin.line, e.source().begin.column, what));
    }
    Model model = read_model(doc, root);
    config::validate_from(model, doc.name);
    return model;
}

}  // namespace

Model load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UserError(fmt::format("cannot open config file {}", echo_quoted(file.string())));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file.string(), file.parent_path());
}

Model parse_config(std::string_view text, const std::string& source_name,
                   const std::filesystem::path& base_dir) {
    return parse(text, {source_name, base_dir});
}

Model parse_generated_config(std::string_view text, const std::string& source_name,
                             const std::filesystem::path& base_dir) {
    return parse(text, {source_name, base_dir, false});
}

}  // namespace metabosim
