// Model -> TOML text, the inverse of the reader: every key the reader knows, every quantity as a
// string with its internal unit and 17 significant digits, so that reading it back gives the
// same doubles.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <sstream>

#include "config/values.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/model/units.hpp"

namespace metabosim {
namespace {

std::string quantity(double value, Dimension d) {
    const auto unit = internal_unit(d);
    return unit.empty() ? fmt::format("{:.17g}", value) : fmt::format("{:.17g} {}", value, unit);
}

template <class Enum, std::size_t N>
std::string choice(const config::Choice<Enum> (&choices)[N], Enum value) {
    for (const auto& c : choices)
        if (c.value == value) return std::string(c.name);
    return {};
}

toml::array quantities(const std::vector<double>& values, Dimension d) {
    toml::array out;
    for (double v : values) out.push_back(quantity(v, d));
    return out;
}

toml::array integers(const std::vector<std::uint32_t>& values) {
    toml::array out;
    for (auto v : values) out.push_back(static_cast<std::int64_t>(v));
    return out;
}

std::string receptor(Receptor r) { return choice(config::receptors, r); }

// A constant as its quantity; a random one as a table.
toml::node_view<toml::node> put_distribution(toml::table& t, std::string_view key, const Distribution& d, Dimension dim) {
    switch (d.kind) {
    case Distribution::Kind::constant: t.insert(key, quantity(d.value, dim)); break;
    case Distribution::Kind::uniform:
        t.insert(key, toml::table{{"distribution", "uniform"}, {"low", quantity(d.low, dim)}, {"high", quantity(d.high, dim)}});
        break;
    case Distribution::Kind::normal_clipped:
        t.insert(key, toml::table{{"distribution", "normal"}, {"mean", quantity(d.mean, dim)},
                                  {"stddev", quantity(d.stddev, dim)}, {"low", quantity(d.low, dim)},
                                  {"high", quantity(d.high, dim)}});
        break;
    }
    return t[key];
}

toml::table neuron(const NeuronParameters& n) {
    return toml::table{{"C", quantity(n.C, Dimension::capacitance)},  {"gL", quantity(n.gL, Dimension::conductance)},
            {"EL", quantity(n.EL, Dimension::voltage)},    {"Vth", quantity(n.Vth, Dimension::voltage)},
            {"Vr", quantity(n.Vr, Dimension::voltage)},    {"t_ref", quantity(n.t_ref, Dimension::time)},
            {"Ee", quantity(n.Ee, Dimension::voltage)},    {"Ei", quantity(n.Ei, Dimension::voltage)},
            {"tau_e", quantity(n.tau_e, Dimension::time)}, {"tau_i", quantity(n.tau_i, Dimension::time)},
            {"I_ext", quantity(n.I_ext, Dimension::current)}};
}

toml::table q10(const Q10Table& q) {
    const auto n = [](double v) { return quantity(v, Dimension::dimensionless); };
    return toml::table{{"gL", n(q.gL)},       {"C", n(q.C)},
            {"tau_e", n(q.tau_e)}, {"tau_i", n(q.tau_i)},
            {"synaptic_efficacy", n(q.synaptic_efficacy)},
            {"t_ref", n(q.t_ref)}, {"tau_stdp", n(q.tau_stdp)},
            {"A_plus", n(q.A_plus)}, {"A_minus", n(q.A_minus)},
            {"poisson_rate", n(q.poisson_rate)}};
}

toml::table energy(const EnergyBudget& e) {
    const auto n = [](double v) { return quantity(v, Dimension::dimensionless); };
    toml::array thresholds;
    for (const EnergyThreshold& t : e.thresholds)
        thresholds.push_back(toml::table{{"direction", t.direction == EnergyThreshold::Direction::falling ? "falling" : "rising"},
                                         {"level", n(t.level)},
                                         {"temperature", quantity(t.temperature, Dimension::temperature)}});
    return toml::table{{"capacity", n(e.capacity)},       {"initial_fraction", n(e.initial_fraction)},
            {"supply", n(e.supply)},           {"q10_supply", n(e.q10_supply)},
            {"rest", n(e.rest)},               {"per_spike", n(e.per_spike)},
            {"per_release", n(e.per_release)}, {"interval", quantity(e.interval, Dimension::time)},
            {"thresholds", thresholds}};
}

toml::table source(const SpikeSource& s) {
    if (s.kind == SpikeSource::Kind::array) {
        toml::array lists;
        for (const auto& times : s.times) lists.push_back(quantities(times, Dimension::time));
        return toml::table{{"kind", "array"}, {"times", lists}};
    }
    toml::array steps;
    for (const RateStep& r : s.steps)
        steps.push_back(toml::table{{"time", quantity(r.time, Dimension::time)}, {"rate", quantity(r.rate, Dimension::rate)}});
    return toml::table{{"kind", "poisson"},
                       {"rate", quantity(s.rate, Dimension::rate)},
                       {"steps", steps},
                       {"temperature_scaled", s.temperature_scaled}};
}

toml::table population(const Population& p) {
    toml::table t{{"size", static_cast<std::int64_t>(p.size)},
                  {"temperature", quantity(p.temperature, Dimension::temperature)},
                  {"reference_temperature", quantity(p.reference_temperature, Dimension::temperature)}};
    if (p.source) {  // no membrane: only what scales a Poisson source's rate
        t.insert("q10", q10(p.q10));
        t.insert("source", source(*p.source));
        return t;
    }
    put_distribution(t, "initial_V", p.initial_V, Dimension::voltage);
    put_distribution(t, "initial_ge", p.initial_ge, Dimension::conductance);
    put_distribution(t, "initial_gi", p.initial_gi, Dimension::conductance);
    t.insert("neuron", neuron(p.neuron));
    t.insert("q10", q10(p.q10));
    if (p.drive)
        t.insert("drive", toml::table{{"rate", quantity(p.drive->rate, Dimension::rate)},
                                      {"weight", quantity(p.drive->weight, Dimension::conductance)},
                                      {"receptor", receptor(p.drive->receptor)}});
    if (p.energy) t.insert("energy", energy(*p.energy));
    return t;
}

toml::table connectivity(const Connectivity& c) {
    using Rule = Connectivity::Rule;
    static constexpr config::Choice<Rule> rules[] = {{"probability", Rule::probability},
                                                     {"fixed_indegree", Rule::fixed_indegree},
                                                     {"one_to_one", Rule::one_to_one},
                                                     {"all_to_all", Rule::all_to_all},
                                                     {"list", Rule::explicit_list}};
    toml::table t{{"rule", choice(rules, c.rule)}, {"autapses", c.autapses}};
    if (c.rule == Rule::probability) t.insert("p", quantity(c.p, Dimension::dimensionless));
    if (c.rule == Rule::fixed_indegree) t.insert("indegree", static_cast<std::int64_t>(c.indegree));
    if (c.rule == Rule::explicit_list) {
        t.insert("sources", integers(c.sources));
        t.insert("targets", integers(c.targets));
        if (!c.weights.empty()) t.insert("weights", quantities(c.weights, Dimension::conductance));
        if (!c.delays.empty()) t.insert("delays", quantities(c.delays, Dimension::time));
    }
    return t;
}

toml::table projection(const Projection& p) {
    toml::table t{{"pre", p.pre}, {"post", p.post}, {"receptor", receptor(p.receptor)},
                  {"connectivity", connectivity(p.connectivity)}};
    put_distribution(t, "weight", p.weight, Dimension::conductance);
    put_distribution(t, "delay", p.delay, Dimension::time);
    if (p.stdp) {
        const StdpParameters& s = *p.stdp;
        toml::table stdp{{"pairing", s.pairing == StdpParameters::Pairing::all_to_all ? "all_to_all" : "nearest_neighbour"},
                         {"update", s.update == StdpParameters::Update::additive ? "additive" : "multiplicative"},
                         {"tau_plus", quantity(s.tau_plus, Dimension::time)},
                         {"tau_minus", quantity(s.tau_minus, Dimension::time)},
                         {"w_min", quantity(s.w_min, Dimension::conductance)},
                         {"w_max", quantity(s.w_max, Dimension::conductance)}};
        if (s.A_plus) stdp.insert("A_plus", quantity(*s.A_plus, Dimension::conductance));
        if (s.A_minus) stdp.insert("A_minus", quantity(*s.A_minus, Dimension::conductance));
        t.insert("stdp", stdp);
    }
    return t;
}

toml::table recording(const Recording& r) {
    toml::array states, weights;
    for (const StateRecording& s : r.states) {
        toml::array variables;
        for (const auto& v : s.variables) variables.push_back(v);
        states.push_back(toml::table{{"population", s.population}, {"neurons", integers(s.neurons)},
                                     {"variables", variables}, {"interval", quantity(s.interval, Dimension::time)}});
    }
    for (const WeightRecording& w : r.weights)
        weights.push_back(toml::table{{"projection", w.projection}, {"interval", quantity(w.interval, Dimension::time)},
                                      {"bins", static_cast<std::int64_t>(w.histogram_bins)}, {"final", w.final_weights}});
    return toml::table{{"spikes", r.spikes}, {"rate_bin", quantity(r.rate_bin, Dimension::time)}, {"states", states},
            {"weights", weights}};
}

}  // namespace

std::string to_toml(const Model& model) {
    toml::table root{{"run", toml::table{{"duration", quantity(model.duration, Dimension::time)},
                                         {"seed", static_cast<std::int64_t>(model.seed)}}}};
    // Population order fixes neuron ids: the reader takes tables in file order, as written here.
    std::ostringstream out;
    out << root << "\n";
    for (const Population& p : model.populations)
        out << "\n" << toml::table{{"populations", toml::table{{p.name, population(p)}}}} << "\n";
    for (const Projection& p : model.projections)
        out << "\n" << toml::table{{"projections", toml::table{{p.name, projection(p)}}}} << "\n";
    toml::array generators, steps;
    for (const SpikeGenerator& g : model.generators)
        generators.push_back(toml::table{{"name", g.name},
                                         {"target", g.target},
                                         {"neurons", integers(g.neurons)},
                                         {"times", quantities(g.times, Dimension::time)},
                                         {"weight", quantity(g.weight, Dimension::conductance)},
                                         {"receptor", receptor(g.receptor)}});
    for (const MetabolicStep& s : model.metabolism) {
        toml::table step{{"time", quantity(s.time, Dimension::time)},
                         {"temperature", quantity(s.temperature, Dimension::temperature)}};
        if (!s.population.empty()) step.insert("population", s.population);
        steps.push_back(step);
    }
    toml::table limits{{"max_rate", quantity(model.limits.max_rate, Dimension::rate)},
                       {"rate_window", quantity(model.limits.rate_window, Dimension::time)}};
    if (model.limits.max_spikes) limits.insert("max_spikes", static_cast<std::int64_t>(*model.limits.max_spikes));
    toml::table rest{{"recording", recording(model.recording)}, {"limits", limits}};
    if (!generators.empty()) rest.insert("generators", generators);
    if (!steps.empty()) rest.insert("metabolism", toml::table{{"steps", steps}});
    out << "\n" << rest << "\n";
    return out.str();
}

}  // namespace metabosim
