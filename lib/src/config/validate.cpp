// validate(): the model description checked before anything is built from it. Every field is
// checked against its table in lib/src/model/schema.hpp (the reader's bounds); what ties
// fields together and the Q10-scaled values are checked here.
#include "metabosim/config/validate.hpp"

#include <algorithm>
#include <set>
#include <variant>

#include <fmt/format.h>

#include "metabosim/lowering/lowering.hpp"
#include "metabosim/model/echo.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"
#include "model/schema.hpp"

namespace metabosim {
namespace {

using schema::Bound;
using schema::Field;

// Checks the fields of one object and names it, the field, the value and the expectation on failure.
class Checker {
public:
    explicit Checker(std::string object) : object_(std::move(object)) {}

    [[noreturn]] void fail(std::string_view field, std::string_view value,
                           std::string_view expectation) const {
        throw UserError(fmt::format("{}: {} = {}, expected {}", object_, field, value, expectation));
    }

    void require(bool ok, std::string_view field, std::string_view value,
                 std::string_view expectation) const {
        if (!ok) fail(field, value, expectation);
    }

    void value(std::string_view field, double v, Dimension d, Bound bound) const {
        require(schema::within(v, bound), field, format_quantity(v, d), schema::expectation(d, bound, v));
    }

    // Every index below `size`, the size of `what`.
    void indices(std::string_view field, const std::vector<std::uint32_t>& indices, std::uint32_t size,
                 std::string_view what) const {
        for (std::size_t i = 0; i < indices.size(); ++i)
            require(indices[i] < size, fmt::format("{}[{}]", field, i), fmt::format("{}", indices[i]),
                    fmt::format("an index below {} (the size of {})", size, what));
    }

    // A sane shape, and every value it can draw within `bound`.
    void distribution(std::string_view field, const Distribution& d, Dimension dim, Bound bound) const {
        const auto sub = [&](std::string_view name) { return fmt::format("{}.{}", field, name); };
        switch (d.kind) {
            case Distribution::Kind::constant: value(field, d.value, dim, bound); return;
            case Distribution::Kind::uniform:
                value(sub("low"), d.low, dim, bound);
                value(sub("high"), d.high, dim, bound);
                require(d.low <= d.high, sub("high"), format_quantity(d.high, dim),
                        fmt::format("at least {} = {}", sub("low"), format_quantity(d.low, dim)));
                return;
            case Distribution::Kind::normal_clipped:
                value(sub("mean"), d.mean, dim, Bound::finite);
                value(sub("stddev"), d.stddev, dim, Bound::non_negative);
                value(sub("low"), d.low, dim, bound);
                value(sub("high"), d.high, dim, bound);
                require(d.low < d.high, sub("high"), format_quantity(d.high, dim),
                        fmt::format("more than {} = {}", sub("low"), format_quantity(d.low, dim)));
                return;
        }
    }

    // The field `f` of `s`, named `prefix` + its key.
    template <class Struct>
    void field(std::string_view prefix, const Struct& s, const Field<Struct>& f) const {
        const auto path = fmt::format("{}{}", prefix, f.key);
        const Dimension d = f.quantity.dimension;
        const Bound bound = f.quantity.bound;
        schema::visit(f, s,
                      schema::Overloaded{
                          [&](double v) { value(path, v, d, bound); },
                          [&](const std::optional<double>& v) {
                              if (v) value(path, *v, d, bound);
                          },
                          [&](const Distribution& v) { distribution(path, v, d, bound); },
                          [&](const std::vector<double>& v) {
                              for (std::size_t i = 0; i < v.size(); ++i)
                                  value(fmt::format("{}[{}]", path, i), v[i], d, bound);
                          },
                      });
    }

    template <class Struct, std::size_t N>
    void fields(std::string_view prefix, const Struct& s, const Field<Struct> (&table)[N]) const {
        for (const auto& f : table) field(prefix, s, f);
    }

private:
    std::string object_;
};

// Names come from the user: shown short and printable (a 1 MB name is not echoed whole).
std::string quoted(std::string_view name) { return echo_quoted(name); }

// Names are non-empty and unique within their kind.
template <class Item>
void check_names(const std::vector<Item>& items, std::string_view kind) {
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < items.size(); ++i) {
        Checker c(fmt::format("{} #{}", kind, i));
        c.require(!items[i].name.empty(), "name", "\"\"", "a non-empty name");
        // names become HDF5 group names in the outputs
        c.require(items[i].name.find('/') == std::string::npos, "name", quoted(items[i].name),
                  "a name without '/'");
        // and CSV column names: no line breaks, nothing that would drive a terminal
        const bool printable = std::none_of(items[i].name.begin(), items[i].name.end(), [](char ch) {
            return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
        });
        c.require(printable, "name", quoted(items[i].name), "a name without control characters");
        c.require(seen.insert(items[i].name).second, "name", quoted(items[i].name), "a unique name");
    }
}

// A spike source has no membrane: what feeds or drains one is refused rather than ignored.
void check_source(const Checker& c, const Population& p) {
    const SpikeSource& s = *p.source;
    c.require(!p.drive, "drive", "a Poisson drive", "none: a spike source receives no input");
    c.require(!p.energy, "energy", "an energy budget", "none: a spike source has no energy pool");
    if (s.kind == SpikeSource::Kind::poisson) {
        c.fields("source.", s, schema::source_fields);
        for (std::size_t k = 0; k < s.steps.size(); ++k) {
            c.fields(fmt::format("source.steps[{}].", k), s.steps[k], schema::rate_step_fields);
            if (k > 0)
                c.require(s.steps[k].time > s.steps[k - 1].time, fmt::format("source.steps[{}].time", k),
                          format_quantity(s.steps[k].time, Dimension::time), "a time after the step before it");
        }
        return;
    }
    c.require(s.times.size() == p.size, "source.times", fmt::format("{} lists", s.times.size()),
              fmt::format("one list of times per source ({})", p.size));
    for (std::size_t i = 0; i < s.times.size(); ++i)
        for (std::size_t j = 0; j < s.times[i].size(); ++j) {
            const auto field = fmt::format("source.times[{}][{}]", i, j);
            c.value(field, s.times[i][j], Dimension::time, schema::source_time.bound);
            if (j > 0)
                c.require(s.times[i][j] > s.times[i][j - 1], field, format_quantity(s.times[i][j], Dimension::time),
                          "times strictly ascending");
        }
}

// The population named `name` may be the target of input only if it has neurons.
void require_neurons(const Checker& c, std::string_view field, const Population& p) {
    c.require(!p.source, field, quoted(p.name),
              "a population of neurons; a spike source (source = ...) receives no input and has no state");
}

void check_population(const Model& model, const Population& p) {
    Checker c(fmt::format("population {}", quoted(p.name)));
    c.require(p.size > 0, "size", "0", "at least 1 neuron");
    if (p.source) check_source(c, p);
    const NeuronParameters& n = p.neuron;
    c.fields("neuron.", n, schema::neuron_fields);
    c.require(n.Vr < n.Vth, "neuron.Vr", format_quantity(n.Vr, Dimension::voltage),
              fmt::format("below neuron.Vth = {}", format_quantity(n.Vth, Dimension::voltage)));
    c.fields("q10.", p.q10, schema::q10_fields);
    c.fields("", p, schema::population_fields);
    if (p.drive) c.fields("drive.", *p.drive, schema::drive_fields);
    if (p.energy) {
        const EnergyBudget& e = *p.energy;
        c.fields("energy.", e, schema::energy_fields);
        c.require(model.duration / e.interval <= schema::max_energy_updates, "energy.interval",
                  format_quantity(e.interval, Dimension::time),
                  fmt::format("at most {:g} updates in the {} run", schema::max_energy_updates,
                              format_quantity(model.duration, Dimension::time)));
        for (std::size_t k = 0; k < e.thresholds.size(); ++k)
            c.fields(fmt::format("energy.thresholds[{}].", k), e.thresholds[k], schema::threshold_fields);
    }
}

// A population by name, or a failure naming the field that refers to it.
const Population& referenced_population(const Model& model, const Checker& c, std::string_view field,
                                        const std::string& name) {
    auto it = std::find_if(model.populations.begin(), model.populations.end(),
                           [&](const Population& p) { return p.name == name; });
    if (it == model.populations.end()) c.fail(field, quoted(name), "the name of a population");
    return *it;
}

void check_list(const Checker& c, const Connectivity& k, const Population& pre, const Population& post) {
    const auto n = k.sources.size();
    const auto count = [](std::size_t size) { return fmt::format("{} entries", size); };
    const auto expected = fmt::format("as many entries as connectivity.sources ({})", n);
    c.require(k.targets.size() == n, "connectivity.targets", count(k.targets.size()), expected);
    c.require(k.weights.empty() || k.weights.size() == n, "connectivity.weights", count(k.weights.size()),
              "none or " + expected);
    c.require(k.delays.empty() || k.delays.size() == n, "connectivity.delays", count(k.delays.size()),
              "none or " + expected);
    c.indices("connectivity.sources", k.sources, pre.size, "population " + quoted(pre.name));
    c.indices("connectivity.targets", k.targets, post.size, "population " + quoted(post.name));
    c.field("connectivity.", k, schema::field(schema::connectivity_fields, "weights"));
    c.field("connectivity.", k, schema::field(schema::connectivity_fields, "delays"));
}

void check_connectivity(const Checker& c, const Connectivity& k, const Population& pre,
                        const Population& post) {
    using Rule = Connectivity::Rule;
    switch (k.rule) {
        case Rule::probability:
            c.field("connectivity.", k, schema::field(schema::connectivity_fields, "p"));
            return;
        case Rule::fixed_indegree: {
            const bool self = pre.name == post.name && !k.autapses;
            const std::uint32_t sources = pre.size - (self ? 1 : 0);
            c.require(k.indegree <= sources, "connectivity.indegree", fmt::format("{}", k.indegree),
                      fmt::format("at most {} (the sources in population {}{})", sources, quoted(pre.name),
                                  self ? " without autapses" : ""));
            return;
        }
        case Rule::one_to_one:
            c.require(pre.size == post.size, "connectivity.rule", "one_to_one",
                      fmt::format("populations of equal size ({} has {}, {} has {})", quoted(pre.name),
                                  pre.size, quoted(post.name), post.size));
            return;
        case Rule::all_to_all: return;
        case Rule::explicit_list: check_list(c, k, pre, post); return;
    }
}

void check_stdp(const Checker& c, const StdpParameters& s) {
    c.fields("stdp.", s, schema::stdp_fields);
    c.require(s.w_min < s.w_max, "stdp.w_max", format_quantity(s.w_max, Dimension::conductance),
              fmt::format("more than stdp.w_min = {}", format_quantity(s.w_min, Dimension::conductance)));
}

void check_projection(const Model& model, const Projection& p) {
    Checker c(fmt::format("projection {}", quoted(p.name)));
    const Population& pre = referenced_population(model, c, "pre", p.pre);
    const Population& post = referenced_population(model, c, "post", p.post);
    require_neurons(c, "post", post);
    check_connectivity(c, p.connectivity, pre, post);
    c.fields("", p, schema::projection_fields);
    if (p.stdp) check_stdp(c, *p.stdp);
}

void check_generator(const Model& model, std::size_t index, const SpikeGenerator& g) {
    Checker c(g.name.empty() ? fmt::format("generator #{}", index) : "generator " + quoted(g.name));
    const Population& target = referenced_population(model, c, "target", g.target);
    require_neurons(c, "target", target);
    c.indices("neurons", g.neurons, target.size, "population " + quoted(target.name));
    c.fields("", g, schema::generator_fields);
    for (std::size_t i = 1; i < g.times.size(); ++i)
        c.require(g.times[i] >= g.times[i - 1], fmt::format("times[{}]", i),
                  format_quantity(g.times[i], Dimension::time),
                  fmt::format("at least times[{}] = {} (sorted ascending)", i - 1,
                              format_quantity(g.times[i - 1], Dimension::time)));
}

void check_metabolic_step(const Model& model, std::size_t index, const MetabolicStep& s) {
    Checker c(fmt::format("metabolic step #{}", index));
    c.fields("", s, schema::step_fields);
    c.require(s.time <= model.duration, "time", format_quantity(s.time, Dimension::time),
              fmt::format("a time in [0, {}] (the run's duration)",
                          format_quantity(model.duration, Dimension::time)));
    if (!s.population.empty()) referenced_population(model, c, "population", s.population);
}

double max_rate(const SpikeSource& s) {
    double rate = s.rate;
    for (const RateStep& r : s.steps) rate = std::max(rate, r.rate);
    return rate;
}

// Extreme Q10 values can scale a parameter to 0 or infinity at a temperature the run visits.
void check_scaled(const Model& model) {
    for (const Population& p : model.populations) {
        for (double t : temperatures_visited(model, p)) {
            Checker c(fmt::format("population {} at {}", quoted(p.name),
                                  format_quantity(t, Dimension::temperature)));
            const LoweredPopulation l = lower(p, t);
            const auto scaled = [&](std::string_view field, double v, Dimension d, Bound b) {
                c.value(fmt::format("Q10-scaled {}", field), v, d, b);
            };
            scaled("C", l.neuron.C, Dimension::capacitance, Bound::capacitance);
            scaled("gL", l.neuron.gL, Dimension::conductance, Bound::leak);
            scaled("tau_m = C/gL", l.neuron.C / l.neuron.gL, Dimension::time, Bound::cell_time);
            scaled("tau_e", l.neuron.tau_e, Dimension::time, Bound::cell_time);
            scaled("tau_i", l.neuron.tau_i, Dimension::time, Bound::cell_time);
            scaled("t_ref", l.neuron.t_ref, Dimension::time, Bound::cell_time);
            scaled("synaptic efficacy", l.synaptic_efficacy, Dimension::dimensionless, Bound::positive);
            scaled("drive rate", l.poisson_rate, Dimension::rate, Bound::rate);
            if (p.source && p.source->temperature_scaled)
                scaled("source rate", q10_factor(p.q10.poisson_rate, t, p.reference_temperature) * max_rate(*p.source),
                       Dimension::rate, Bound::rate);
            for (const Projection& proj : model.projections) {
                if (proj.post != p.name || !proj.stdp) continue;
                const LoweredStdp s = lower(*proj.stdp, l);
                scaled("stdp.tau_plus", s.tau_plus, Dimension::time, Bound::cell_time);
                scaled("stdp.tau_minus", s.tau_minus, Dimension::time, Bound::cell_time);
                scaled("stdp.A_plus", s.A_plus, Dimension::conductance, Bound::finite);
                scaled("stdp.A_minus", s.A_minus, Dimension::conductance, Bound::finite);
            }
        }
    }
}

void check_recording(const Model& model) {
    const Recording& r = model.recording;
    Checker c("recording");
    c.fields("", r, schema::recording_fields);
    const auto bounded_count = [&](std::string_view field, double interval, double per_sample) {
        c.require(model.duration / interval * per_sample <= schema::max_recorded_values, field,
                  format_quantity(interval, Dimension::time),
                  fmt::format("an interval that keeps the recording below {:g} values over {}",
                              schema::max_recorded_values, format_quantity(model.duration, Dimension::time)));
    };
    bounded_count("rate_bin", r.rate_bin, double(model.populations.size()));
    for (std::size_t i = 0; i < r.states.size(); ++i) {
        const StateRecording& s = r.states[i];
        const auto prefix = fmt::format("states[{}].", i);
        const auto field = [&](std::string_view name) { return prefix + std::string(name); };
        const Population& p = referenced_population(model, c, field("population"), s.population);
        require_neurons(c, field("population"), p);
        c.indices(field("neurons"), s.neurons, p.size, "population " + quoted(p.name));
        for (const auto& v : s.variables)
            c.require(v == "V" || v == "ge" || v == "gi", field("variables"), quoted(v), "one of V, ge, gi");
        c.fields(prefix, s, schema::state_recording_fields);
        bounded_count(field("interval"), s.interval, double(s.neurons.size() * s.variables.size()));
    }
    std::set<std::string_view> recorded;
    for (std::size_t i = 0; i < r.weights.size(); ++i) {
        const WeightRecording& w = r.weights[i];
        const auto prefix = fmt::format("weights[{}].", i);
        const auto field = [&](std::string_view name) { return prefix + std::string(name); };
        const bool known = std::any_of(model.projections.begin(), model.projections.end(),
                                       [&](const Projection& p) { return p.name == w.projection; });
        c.require(known, field("projection"), quoted(w.projection), "the name of a projection");
        c.fields(prefix, w, schema::weight_recording_fields);
        c.require(w.histogram_bins >= 1, field("histogram_bins"), "0", "at least 1 bin");
        bounded_count(field("interval"), w.interval, double(w.histogram_bins + 5));
        c.require(recorded.insert(w.projection).second, field("projection"), quoted(w.projection),
                  "each projection recorded once");
    }
}

void check_limits(const Limits& limits) {
    Checker c("limits");
    c.fields("", limits, schema::limits_fields);
    if (limits.max_spikes)
        c.require(*limits.max_spikes >= 1 && *limits.max_spikes <= schema::max_seed, "max_spikes",
                  fmt::format("{}", *limits.max_spikes), "a positive integer (e.g. 100000000)");
}

}  // namespace

void validate(const Model& model) {
    Checker c("model");
    c.fields("", model, schema::run_fields);
    check_names(model.populations, "population");
    check_names(model.projections, "projection");
    std::uint64_t neurons = 0;
    for (const auto& p : model.populations) {
        check_population(model, p);
        neurons += p.size;
    }
    c.require(neurons <= schema::max_neurons, "neuron count", fmt::format("{}", neurons),
              "at most 2^32 - 1 neurons in all populations");
    for (const auto& p : model.projections) check_projection(model, p);
    for (std::size_t i = 0; i < model.generators.size(); ++i) check_generator(model, i, model.generators[i]);
    for (std::size_t i = 0; i < model.metabolism.size(); ++i)
        check_metabolic_step(model, i, model.metabolism[i]);
    check_recording(model);
    check_limits(model.limits);
    check_scaled(model);
}

}  // namespace metabosim
