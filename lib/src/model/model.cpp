#include "metabosim/model/model.hpp"
#include "metabosim/lowering/lowering.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"

namespace metabosim {

const Population& Model::population(const std::string& name) const {
    return populations[population_index(name)];
}

std::uint32_t Model::population_index(const std::string& name) const {
    for (std::size_t i = 0; i < populations.size(); ++i)
        if (populations[i].name == name) return static_cast<std::uint32_t>(i);
    std::vector<std::string_view> known;
    for (const auto& p : populations) known.push_back(p.name);
    throw UserError(fmt::format("unknown population \"{}\" (known: {})", name, fmt::join(known, ", ")));
}

std::uint32_t Model::neuron_count() const {
    std::uint32_t count = 0;
    for (const auto& p : populations) count += p.size;
    return count;
}

std::vector<MetabolicStep> metabolic_ramp(double start, double stop, double from, double to, unsigned steps,
                                          const std::string& population) {
    if (steps < 1)
        throw UserError(
            fmt::format("metabolic ramp from {} ms to {} ms: steps = 0, expected at least 1", start, stop));
    std::vector<MetabolicStep> ramp;
    for (unsigned k = 0; k <= steps; ++k) {
        // std::lerp is exact at both ends: the first step is (start, from), the last (stop, to).
        const double fraction = static_cast<double>(k) / steps;
        ramp.push_back({std::lerp(start, stop, fraction), population, std::lerp(from, to, fraction)});
    }
    return ramp;
}

namespace {

constexpr double min_temperature = 0;   // degC
constexpr double max_temperature = 50;  // degC
// Far beyond biology, and where the numerics stay sound (series convergence, segment counts).
constexpr double max_current = 1e6;       // pA
constexpr double max_conductance = 1e6;   // nS, per synaptic jump
constexpr double min_probability = 1e-12; // smaller p cannot be drawn as geometric gaps in double
constexpr double max_recorded_values = 2e8;

enum class Bound { finite, non_negative, positive };

std::string with_unit(double value, Dimension d) {
    auto unit = internal_unit(d);
    return unit.empty() ? fmt::format("{}", value) : fmt::format("{} {}", value, unit);
}

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
        const bool ok =
            std::isfinite(v) && (bound == Bound::finite || (bound == Bound::non_negative && v >= 0) ||
                                 (bound == Bound::positive && v > 0));
        static constexpr std::string_view adjective[] = {"finite", "non-negative", "positive"};
        require(ok, field, with_unit(v, d),
                fmt::format("a {} {}", adjective[static_cast<int>(bound)], dimension_name(d)));
    }

    void at_most(std::string_view field, double v, Dimension d, double limit) const {
        require(v <= limit, field, with_unit(v, d), fmt::format("at most {}", with_unit(limit, d)));
    }

    void temperature(std::string_view field, double t) const {
        require(std::isfinite(t) && t >= min_temperature && t <= max_temperature, field,
                with_unit(t, Dimension::temperature),
                fmt::format("a temperature in [{}, {}] degC", min_temperature, max_temperature));
    }

    // Every index below `size`, the size of `what`.
    void indices(std::string_view field, const std::vector<std::uint32_t>& indices, std::uint32_t size,
                 std::string_view what) const {
        for (std::size_t i = 0; i < indices.size(); ++i)
            require(indices[i] < size, fmt::format("{}[{}]", field, i), fmt::format("{}", indices[i]),
                    fmt::format("an index below {} (the size of {})", size, what));
    }

    // A sane shape, and every value it can draw satisfies `bound`.
    void distribution(std::string_view field, const Distribution& d, Dimension dim, Bound bound) const {
        const auto sub = [&](std::string_view name) { return fmt::format("{}.{}", field, name); };
        switch (d.kind) {
            case Distribution::Kind::constant: value(field, d.value, dim, bound); return;
            case Distribution::Kind::uniform:
                value(sub("low"), d.low, dim, bound);
                value(sub("high"), d.high, dim, bound);
                require(d.low <= d.high, sub("high"), with_unit(d.high, dim),
                        fmt::format("at least {} = {}", sub("low"), with_unit(d.low, dim)));
                return;
            case Distribution::Kind::normal_clipped:
                value(sub("mean"), d.mean, dim, Bound::finite);
                value(sub("stddev"), d.stddev, dim, Bound::non_negative);
                value(sub("low"), d.low, dim, bound);
                value(sub("high"), d.high, dim, bound);
                require(d.low < d.high, sub("high"), with_unit(d.high, dim),
                        fmt::format("more than {} = {}", sub("low"), with_unit(d.low, dim)));
                return;
        }
    }

private:
    std::string object_;
};

std::string quoted(std::string_view name) { return fmt::format("\"{}\"", name); }

double largest(const Distribution& d) { return d.kind == Distribution::Kind::constant ? d.value : d.high; }

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
        c.require(seen.insert(items[i].name).second, "name", quoted(items[i].name), "a unique name");
    }
}

void check_population(const Population& p) {
    Checker c(fmt::format("population {}", quoted(p.name)));
    c.require(p.size > 0, "size", "0", "at least 1 neuron");

    const NeuronParameters& n = p.neuron;
    c.value("neuron.C", n.C, Dimension::capacitance, Bound::positive);
    c.value("neuron.gL", n.gL, Dimension::conductance, Bound::positive);
    c.value("neuron.EL", n.EL, Dimension::voltage, Bound::finite);
    c.value("neuron.Vth", n.Vth, Dimension::voltage, Bound::finite);
    c.value("neuron.Vr", n.Vr, Dimension::voltage, Bound::finite);
    c.require(n.Vr < n.Vth, "neuron.Vr", with_unit(n.Vr, Dimension::voltage),
              fmt::format("below neuron.Vth = {}", with_unit(n.Vth, Dimension::voltage)));
    // t_ref > 0 bounds the firing rate: without it, input strong enough to hold V above threshold
    // makes a neuron fire without bound.
    c.value("neuron.t_ref", n.t_ref, Dimension::time, Bound::positive);
    c.value("neuron.Ee", n.Ee, Dimension::voltage, Bound::finite);
    c.value("neuron.Ei", n.Ei, Dimension::voltage, Bound::finite);
    c.value("neuron.tau_e", n.tau_e, Dimension::time, Bound::positive);
    c.value("neuron.tau_i", n.tau_i, Dimension::time, Bound::positive);
    c.value("neuron.I_ext", n.I_ext, Dimension::current, Bound::finite);
    c.require(std::abs(n.I_ext) <= max_current, "neuron.I_ext", with_unit(n.I_ext, Dimension::current),
              fmt::format("at most {} in magnitude", with_unit(max_current, Dimension::current)));

    const Q10Table& q = p.q10;
    const std::pair<std::string_view, double> q10s[] = {
        {"q10.gL", q.gL},
        {"q10.C", q.C},
        {"q10.tau_e", q.tau_e},
        {"q10.tau_i", q.tau_i},
        {"q10.synaptic_efficacy", q.synaptic_efficacy},
        {"q10.t_ref", q.t_ref},
        {"q10.tau_stdp", q.tau_stdp},
        {"q10.A_plus", q.A_plus},
        {"q10.A_minus", q.A_minus},
        {"q10.poisson_rate", q.poisson_rate},
    };
    for (const auto& [field, value] : q10s) c.value(field, value, Dimension::dimensionless, Bound::positive);

    c.temperature("reference_temperature", p.reference_temperature);
    c.temperature("temperature", p.temperature);
    c.distribution("initial_V", p.initial_V, Dimension::voltage, Bound::finite);
    // Conductances are physical: a negative initial gi is what made Brian's COBA self-sustained.
    c.distribution("initial_ge", p.initial_ge, Dimension::conductance, Bound::non_negative);
    c.distribution("initial_gi", p.initial_gi, Dimension::conductance, Bound::non_negative);
    if (p.drive) {
        c.value("drive.rate", p.drive->rate, Dimension::rate, Bound::non_negative);
        c.value("drive.weight", p.drive->weight, Dimension::conductance, Bound::non_negative);
        c.at_most("drive.weight", p.drive->weight, Dimension::conductance, max_conductance);
    }
    if (p.energy) {
        const EnergyBudget& e = p.energy.value();
        c.value("energy.capacity", e.capacity, Dimension::dimensionless, Bound::positive);
        c.require(e.initial_fraction >= 0 && e.initial_fraction <= 1, "energy.initial_fraction",
                  fmt::format("{}", e.initial_fraction), "a fraction of capacity in [0, 1]");
        c.value("energy.supply", e.supply, Dimension::dimensionless, Bound::non_negative);
        c.value("energy.q10_supply", e.q10_supply, Dimension::dimensionless, Bound::positive);
        c.value("energy.rest", e.rest, Dimension::dimensionless, Bound::non_negative);
        c.value("energy.per_spike", e.per_spike, Dimension::dimensionless, Bound::non_negative);
        c.value("energy.per_release", e.per_release, Dimension::dimensionless, Bound::non_negative);
        c.value("energy.interval", e.interval, Dimension::time, Bound::positive);
        for (std::size_t k = 0; k < e.thresholds.size(); ++k) {
            const EnergyThreshold& t = e.thresholds[k];
            const std::string field = fmt::format("energy.thresholds[{}]", k);
            c.require(t.level >= 0 && t.level <= 1, field + ".level", fmt::format("{}", t.level),
                      "a fraction of capacity in [0, 1]");
            c.temperature(field + ".temperature", t.temperature);
        }
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

void check_connectivity(const Checker& c, const Connectivity& k, const Population& pre,
                        const Population& post) {
    using Rule = Connectivity::Rule;
    switch (k.rule) {
        case Rule::probability:
            c.require(k.p == 0 || (k.p >= min_probability && k.p <= 1), "connectivity.p", fmt::format("{}", k.p),
                      fmt::format("0 or a probability in [{}, 1]", min_probability));
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
        case Rule::explicit_list: {
            const auto n = k.sources.size();
            const auto count = [](std::size_t size) { return fmt::format("{} entries", size); };
            const auto expected = fmt::format("as many entries as connectivity.sources ({})", n);
            c.require(k.targets.size() == n, "connectivity.targets", count(k.targets.size()), expected);
            c.require(k.weights.empty() || k.weights.size() == n, "connectivity.weights",
                      count(k.weights.size()), "none or " + expected);
            c.require(k.delays.empty() || k.delays.size() == n, "connectivity.delays", count(k.delays.size()),
                      "none or " + expected);
            c.indices("connectivity.sources", k.sources, pre.size, "population " + quoted(pre.name));
            c.indices("connectivity.targets", k.targets, post.size, "population " + quoted(post.name));
            for (std::size_t i = 0; i < k.weights.size(); ++i)
                c.value(fmt::format("connectivity.weights[{}]", i), k.weights[i], Dimension::conductance,
                        Bound::non_negative);
            for (std::size_t i = 0; i < k.delays.size(); ++i)
                c.value(fmt::format("connectivity.delays[{}]", i), k.delays[i], Dimension::time,
                        Bound::positive);
            return;
        }
    }
}

void check_stdp(const Checker& c, const StdpParameters& s) {
    c.value("stdp.tau_plus", s.tau_plus, Dimension::time, Bound::positive);
    c.value("stdp.tau_minus", s.tau_minus, Dimension::time, Bound::positive);
    c.value("stdp.w_min", s.w_min, Dimension::conductance, Bound::non_negative);
    c.value("stdp.w_max", s.w_max, Dimension::conductance, Bound::finite);
    c.require(s.w_min < s.w_max, "stdp.w_max", with_unit(s.w_max, Dimension::conductance),
              fmt::format("more than stdp.w_min = {}", with_unit(s.w_min, Dimension::conductance)));
    if (s.A_plus) c.value("stdp.A_plus", *s.A_plus, Dimension::conductance, Bound::finite);
    if (s.A_minus) c.value("stdp.A_minus", *s.A_minus, Dimension::conductance, Bound::finite);
}

void check_projection(const Model& model, const Projection& p) {
    Checker c(fmt::format("projection {}", quoted(p.name)));
    const Population& pre = referenced_population(model, c, "pre", p.pre);
    const Population& post = referenced_population(model, c, "post", p.post);
    check_connectivity(c, p.connectivity, pre, post);
    c.distribution("weight", p.weight, Dimension::conductance, Bound::non_negative);
    c.at_most("weight", largest(p.weight), Dimension::conductance, max_conductance);
    // The engine's epochs last the minimum delay, so every delay must be positive.
    c.distribution("delay", p.delay, Dimension::time, Bound::positive);
    if (p.stdp) check_stdp(c, *p.stdp);
}

void check_generator(const Model& model, std::size_t index, const SpikeGenerator& g) {
    Checker c(g.name.empty() ? fmt::format("generator #{}", index) : "generator " + quoted(g.name));
    const Population& target = referenced_population(model, c, "target", g.target);
    c.indices("neurons", g.neurons, target.size, "population " + quoted(target.name));
    for (std::size_t i = 0; i < g.times.size(); ++i) {
        const auto field = fmt::format("times[{}]", i);
        c.value(field, g.times[i], Dimension::time, Bound::non_negative);
        if (i > 0)
            c.require(g.times[i] >= g.times[i - 1], field, with_unit(g.times[i], Dimension::time),
                      fmt::format("at least times[{}] = {} (sorted ascending)", i - 1,
                                  with_unit(g.times[i - 1], Dimension::time)));
    }
    c.value("weight", g.weight, Dimension::conductance, Bound::non_negative);
    c.at_most("weight", g.weight, Dimension::conductance, max_conductance);
}

void check_metabolic_step(const Model& model, std::size_t index, const MetabolicStep& s) {
    Checker c(fmt::format("metabolic step #{}", index));
    c.require(
        std::isfinite(s.time) && s.time >= 0 && s.time <= model.duration, "time",
        with_unit(s.time, Dimension::time),
        fmt::format("a time in [0, {}] (the run's duration)", with_unit(model.duration, Dimension::time)));
    if (!s.population.empty()) referenced_population(model, c, "population", s.population);
    c.temperature("temperature", s.temperature);
}

// Extreme Q10 values can scale a parameter to 0 or infinity at a temperature the run visits.
void check_scaled(const Model& model) {
    for (const Population& p : model.populations) {
        for (double t : temperatures_visited(model, p)) {
            Checker c(fmt::format("population {} at {}", quoted(p.name), with_unit(t, Dimension::temperature)));
            const LoweredPopulation l = lower(p, t);
            const auto scaled = [&](std::string_view field, double v, Dimension d, Bound b) {
                c.value(fmt::format("Q10-scaled {}", field), v, d, b);
            };
            scaled("C", l.neuron.C, Dimension::capacitance, Bound::positive);
            scaled("gL", l.neuron.gL, Dimension::conductance, Bound::positive);
            scaled("tau_e", l.neuron.tau_e, Dimension::time, Bound::positive);
            scaled("tau_i", l.neuron.tau_i, Dimension::time, Bound::positive);
            scaled("t_ref", l.neuron.t_ref, Dimension::time, Bound::non_negative);
            scaled("synaptic efficacy", l.synaptic_efficacy, Dimension::dimensionless, Bound::positive);
            scaled("drive rate", l.poisson_rate, Dimension::rate, Bound::non_negative);
            for (const Projection& proj : model.projections) {
                if (proj.post != p.name || !proj.stdp) continue;
                const LoweredStdp s = lower(*proj.stdp, l);
                scaled("stdp.tau_plus", s.tau_plus, Dimension::time, Bound::positive);
                scaled("stdp.tau_minus", s.tau_minus, Dimension::time, Bound::positive);
                scaled("stdp.A_plus", s.A_plus, Dimension::conductance, Bound::finite);
                scaled("stdp.A_minus", s.A_minus, Dimension::conductance, Bound::finite);
            }
        }
    }
}

void check_recording(const Model& model) {
    const Recording& r = model.recording;
    Checker c("recording");
    c.value("rate_bin", r.rate_bin, Dimension::time, Bound::positive);
    const auto bounded_count = [&](std::string_view field, double interval, double per_sample) {
        c.require(model.duration / interval * per_sample <= max_recorded_values, field,
                  with_unit(interval, Dimension::time),
                  fmt::format("an interval that keeps the recording below {:g} values over {}", max_recorded_values,
                              with_unit(model.duration, Dimension::time)));
    };
    bounded_count("rate_bin", r.rate_bin, double(model.populations.size()));
    for (std::size_t i = 0; i < r.states.size(); ++i) {
        const StateRecording& s = r.states[i];
        const auto field = [&](std::string_view name) { return fmt::format("states[{}].{}", i, name); };
        const Population& p = referenced_population(model, c, field("population"), s.population);
        c.indices(field("neurons"), s.neurons, p.size, "population " + quoted(p.name));
        for (const auto& v : s.variables)
            c.require(v == "V" || v == "ge" || v == "gi", field("variables"), quoted(v), "one of V, ge, gi");
        c.value(field("interval"), s.interval, Dimension::time, Bound::positive);
        bounded_count(field("interval"), s.interval, double(s.neurons.size() * s.variables.size()));
    }
    std::set<std::string_view> recorded;
    for (std::size_t i = 0; i < r.weights.size(); ++i) {
        const WeightRecording& w = r.weights[i];
        const auto field = [&](std::string_view name) { return fmt::format("weights[{}].{}", i, name); };
        const bool known = std::any_of(model.projections.begin(), model.projections.end(),
                                       [&](const Projection& p) { return p.name == w.projection; });
        c.require(known, field("projection"), quoted(w.projection), "the name of a projection");
        c.value(field("interval"), w.interval, Dimension::time, Bound::positive);
        c.require(w.histogram_bins >= 1, field("histogram_bins"), "0", "at least 1 bin");
        bounded_count(field("interval"), w.interval, double(w.histogram_bins + 5));
        c.require(recorded.insert(w.projection).second, field("projection"), quoted(w.projection),
                  "each projection recorded once");
    }
}

}  // namespace

std::set<double> temperatures_visited(const Model& model, const Population& population) {
    std::set<double> out{population.temperature};
    for (const auto& step : model.metabolism)
        if (step.population.empty() || step.population == population.name) out.insert(step.temperature);
    if (population.energy)
        for (const auto& threshold : population.energy->thresholds) out.insert(threshold.temperature);
    return out;
}

void validate(const Model& model) {
    Checker c("model");
    c.value("duration", model.duration, Dimension::time, Bound::positive);
    check_names(model.populations, "population");
    check_names(model.projections, "projection");
    std::uint64_t neurons = 0;
    for (const auto& p : model.populations) {
        check_population(p);
        neurons += p.size;
        if (p.energy)
            Checker(fmt::format("population {}", quoted(p.name)))
                .require(model.duration / p.energy->interval <= 1e8, "energy.interval",
                         with_unit(p.energy->interval, Dimension::time),
                         fmt::format("at most 1e8 updates in the {} run", with_unit(model.duration, Dimension::time)));
    }
    c.require(neurons <= std::numeric_limits<std::uint32_t>::max(), "neuron count",
              fmt::format("{}", neurons), "at most 2^32 - 1 neurons in all populations");
    for (const auto& p : model.projections) check_projection(model, p);
    for (std::size_t i = 0; i < model.generators.size(); ++i) check_generator(model, i, model.generators[i]);
    for (std::size_t i = 0; i < model.metabolism.size(); ++i)
        check_metabolic_step(model, i, model.metabolism[i]);
    check_recording(model);
    check_scaled(model);
}

}  // namespace metabosim
