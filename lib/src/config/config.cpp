// TOML -> Model. The schema is documented key by key in docs/config.md.
//
// Reading is schema-driven: a Section hands out the keys of one TOML table and remembers which
// ones the schema asked for, so whatever is left is a misspelling. Range checks happen here,
// where the node and its line are known; validate() runs last as the net for what spans tables.
// Overrides (--set) reuse the same field tables and readers on a synthetic node.
#include "metabosim/config/config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <span>
#include <sstream>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "metabosim/model/error.hpp"
#include "metabosim/model/units.hpp"

namespace metabosim {
namespace {

// As validate(): the temperatures a metabolic state may take, in degC.
constexpr double min_temperature = 0;
constexpr double max_temperature = 50;
constexpr std::uint64_t max_uint32 = std::numeric_limits<std::uint32_t>::max();

// ---- Messages -------------------------------------------------------------------------------

// Where the text came from: named in every message, the base of relative paths inside it.
struct Document {
    std::string name;
    std::filesystem::path base_dir;
};

std::string_view trim(std::string_view s) {
    constexpr std::string_view space = " \t\r\n";
    const auto first = s.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

// The value as the user wrote it (toml++ would print strings in single quotes).
std::string written(const toml::node& node) {
    if (const auto* s = node.as_string()) return fmt::format("\"{}\"", s->get());
    std::ostringstream out;
    out << toml::node_view<const toml::node>(node);
    return out.str();
}

std::string location(const Document& doc, const toml::node& node) {
    const auto line = node.source().begin.line;
    return line > 0 ? fmt::format("{}:{}", doc.name, line) : doc.name;
}

[[noreturn]] void fail_at(const Document& doc, const toml::node& node, std::string_view path,
                          std::string_view problem) {
    throw UserError(fmt::format("{}: {}: {}", location(doc, node), path, problem));
}

[[noreturn]] void fail_value(const Document& doc, const toml::node& node, std::string_view path,
                             std::string_view expectation) {
    throw UserError(
        fmt::format("{}: {} = {}: expected {}", location(doc, node), path, written(node), expectation));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The candidate a typo most likely meant, if any is close.
template <class Range>
std::optional<std::string_view> closest(std::string_view word, const Range& candidates) {
    constexpr std::size_t max_typos = 2;
    std::optional<std::string_view> best;
    std::size_t best_distance = max_typos + 1;
    for (std::string_view candidate : candidates) {
        const auto d = edit_distance(word, candidate);
        if (d > 0 && d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

// ---- Values ---------------------------------------------------------------------------------

enum class Bound { any, positive, non_negative, temperature, probability };

bool within(double v, Bound bound) {
    if (!std::isfinite(v)) return false;
    switch (bound) {
        case Bound::any: return true;
        case Bound::positive: return v > 0;
        case Bound::non_negative: return v >= 0;
        case Bound::temperature: return v >= min_temperature && v <= max_temperature;
        case Bound::probability: return v >= 0 && v <= 1;
    }
    return false;
}

std::string example(double v, Dimension d) {
    if (d == Dimension::dimensionless) return fmt::format("{}", v);
    return fmt::format("\"{} {}\"", v, internal_unit(d));
}

std::string expectation(Dimension d, Bound bound, double example_value) {
    std::string what;
    switch (bound) {
        case Bound::any: what = fmt::format("a {}", dimension_name(d)); break;
        case Bound::positive: what = fmt::format("a positive {}", dimension_name(d)); break;
        case Bound::non_negative: what = fmt::format("a non-negative {}", dimension_name(d)); break;
        case Bound::temperature:
            what = fmt::format("a temperature in [{}, {}] degC", min_temperature, max_temperature);
            break;
        case Bound::probability: what = "a probability in [0, 1]"; break;
    }
    return fmt::format("{} (e.g. {})", what, example(example_value, d));
}

// A quantity is a string with its unit; a dimensionless one may also be a TOML number.
double read_quantity(const Document& doc, const toml::node& node, std::string_view path, Dimension d,
                     Bound bound, double example_value) {
    double v = 0;
    if (const auto* s = node.as_string()) {
        try {
            v = parse_quantity(s->get(), d);
        } catch (const UserError& e) {
            fail_at(doc, node, path, e.what());
        }
    } else if (d == Dimension::dimensionless && node.is_integer()) {
        v = static_cast<double>(node.as_integer()->get());
    } else if (d == Dimension::dimensionless && node.is_floating_point()) {
        v = node.as_floating_point()->get();
    } else {
        fail_value(doc, node, path, expectation(d, bound, example_value));
    }
    if (!within(v, bound)) fail_value(doc, node, path, expectation(d, bound, example_value));
    return v;
}

std::string integer_expectation(std::uint64_t min, std::uint64_t max, std::uint64_t example_value) {
    if (max != max_uint32 && max != std::numeric_limits<std::int64_t>::max())
        return fmt::format("an integer in [{}, {}]", min, max);
    return fmt::format("{} integer (e.g. {})", min == 0 ? "a non-negative" : "a positive", example_value);
}

std::uint64_t read_integer(const Document& doc, const toml::node& node, std::string_view path,
                           std::uint64_t min, std::uint64_t max, std::uint64_t example_value) {
    const auto* i = node.as_integer();
    if (!i || i->get() < 0 || static_cast<std::uint64_t>(i->get()) < min ||
        static_cast<std::uint64_t>(i->get()) > max)
        fail_value(doc, node, path, integer_expectation(min, max, example_value));
    return static_cast<std::uint64_t>(i->get());
}

std::string read_string(const Document& doc, const toml::node& node, std::string_view path,
                        std::string_view what) {
    const auto* s = node.as_string();
    if (!s) fail_value(doc, node, path, what);
    return s->get();
}

template <class Enum>
struct Choice {
    std::string_view name;
    Enum value;
};

template <class Enum>
Enum read_choice(const Document& doc, const toml::node& node, std::string_view path,
                 std::span<const Choice<Enum>> choices) {
    std::vector<std::string_view> names;
    for (const auto& c : choices) names.push_back(c.name);
    if (const auto* s = node.as_string())
        for (const auto& c : choices)
            if (c.name == s->get()) return c.value;
    fail_value(doc, node, path, fmt::format("one of \"{}\"", fmt::join(names, "\", \"")));
}

constexpr Choice<Receptor> receptors[] = {{"excitatory", Receptor::excitatory},
                                          {"inhibitory", Receptor::inhibitory}};

// ---- Tables ---------------------------------------------------------------------------------

// One TOML table read against the schema; finish() rejects every key the schema did not ask for.
class Section {
public:
    Section(const Document& doc, const toml::table& table, std::string path)
        : doc_(doc), table_(table), path_(std::move(path)) {}

    const Document& doc() const { return doc_; }
    const toml::table& table() const { return table_; }
    const std::string& path() const { return path_; }
    std::string path_of(std::string_view key) const {
        return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
    }

    const toml::node* find(std::string_view key) {
        if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
        return table_.get(key);
    }

    const toml::node& need(std::string_view key, std::string_view what) {
        if (const auto* node = find(key)) return *node;
        std::vector<std::string_view> present;
        for (auto&& [k, v] : table_) present.push_back(k.str());
        const auto typo = closest(key, present);
        fail_at(doc_, table_, path_of(key),
                fmt::format("missing, expected {}{}", what,
                            typo ? fmt::format(" (is \"{}\" a misspelling of it?)", *typo) : ""));
    }

    double quantity(std::string_view key, Dimension d, Bound bound, double fallback) {
        const auto* node = find(key);
        return node ? read_quantity(doc_, *node, path_of(key), d, bound, fallback) : fallback;
    }
    double required_quantity(std::string_view key, Dimension d, Bound bound, double example_value) {
        return read_quantity(doc_, need(key, expectation(d, bound, example_value)), path_of(key), d, bound,
                             example_value);
    }

    std::uint64_t integer(std::string_view key, std::uint64_t fallback, std::uint64_t min,
                          std::uint64_t max) {
        const auto* node = find(key);
        return node ? read_integer(doc_, *node, path_of(key), min, max, fallback) : fallback;
    }
    std::uint64_t required_integer(std::string_view key, std::uint64_t example_value, std::uint64_t min,
                                   std::uint64_t max) {
        const auto& node = need(key, integer_expectation(min, max, example_value));
        return read_integer(doc_, node, path_of(key), min, max, example_value);
    }

    bool boolean(std::string_view key, bool fallback) {
        const auto* node = find(key);
        if (!node) return fallback;
        if (!node->is_boolean()) fail_value(doc_, *node, path_of(key), "true or false");
        return node->as_boolean()->get();
    }

    std::string required_string(std::string_view key, std::string_view what) {
        return read_string(doc_, need(key, what), path_of(key), what);
    }

    template <class Enum, std::size_t N>
    Enum choice(std::string_view key, const Choice<Enum> (&choices)[N], Enum fallback) {
        const auto* node = find(key);
        return node ? read_choice<Enum>(doc_, *node, path_of(key), choices) : fallback;
    }

    std::optional<Section> section(std::string_view key) {
        const auto* node = find(key);
        if (!node) return std::nullopt;
        if (!node->is_table()) fail_value(doc_, *node, path_of(key), "a table");
        return Section(doc_, *node->as_table(), path_of(key));
    }

    // The array under `key`, or an empty one.
    const toml::array& array(std::string_view key) {
        static const toml::array empty;
        const auto* node = find(key);
        if (!node) return empty;
        if (!node->is_array()) fail_value(doc_, *node, path_of(key), "an array");
        return *node->as_array();
    }

    const toml::array& required_array(std::string_view key, std::string_view what) {
        const auto& node = need(key, what);
        if (!node.is_array()) fail_value(doc_, node, path_of(key), what);
        return *node.as_array();
    }

    // Each table of an array of tables ([[key]]), with its path key[i].
    std::vector<Section> sections(std::string_view key) {
        const auto& items = array(key);
        std::vector<Section> out;
        for (std::size_t i = 0; i < items.size(); ++i) {
            const auto path = fmt::format("{}[{}]", path_of(key), i);
            if (!items[i].is_table()) fail_value(doc_, items[i], path, "a table");
            out.emplace_back(doc_, *items[i].as_table(), path);
        }
        return out;
    }

    void finish() const {
        for (auto&& [key, node] : table_) {
            if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
            const auto typo = closest(key.str(), known_);
            fail_at(doc_, node, path_of(key.str()),
                    typo ? fmt::format("unknown key; did you mean \"{}\"?", *typo)
                         : fmt::format("unknown key (known here: {})", fmt::join(known_, ", ")));
        }
    }

private:
    const Document& doc_;
    const toml::table& table_;
    std::string path_;
    std::vector<std::string> known_;
};

// The sub-tables of `table` in file order: population order fixes the global neuron indices.
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& table) {
    std::vector<std::pair<std::string, const toml::node*>> entries;
    for (auto&& [key, node] : table) entries.emplace_back(std::string(key.str()), &node);
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& sa = a.second->source().begin;
        const auto& sb = b.second->source().begin;
        return std::tie(sa.line, sa.column) < std::tie(sb.line, sb.column);
    });
    return entries;
}

std::vector<double> read_quantities(const Document& doc, const toml::array& items, std::string_view path,
                                    Dimension d, Bound bound, double example_value) {
    std::vector<double> out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out.push_back(read_quantity(doc, items[i], fmt::format("{}[{}]", path, i), d, bound, example_value));
    return out;
}

// Local neuron indices into a population of `size` neurons.
std::vector<std::uint32_t> read_indices(const Document& doc, const toml::array& items, std::string_view path,
                                        const Population& population) {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto* index = items[i].as_integer();
        if (!index || index->get() < 0 || static_cast<std::uint64_t>(index->get()) >= population.size)
            fail_value(doc, items[i], fmt::format("{}[{}]", path, i),
                       fmt::format("an index below {} (the size of population \"{}\")", population.size,
                                   population.name));
        out.push_back(static_cast<std::uint32_t>(index->get()));
    }
    return out;
}

// ---- Field tables, shared by the TOML reader and --set --------------------------------------

template <class Struct>
struct QuantityField {
    std::string_view key;
    double Struct::*member;
    Dimension dimension;
    Bound bound;
};

constexpr QuantityField<NeuronParameters> neuron_fields[] = {
    {"C", &NeuronParameters::C, Dimension::capacitance, Bound::positive},
    {"gL", &NeuronParameters::gL, Dimension::conductance, Bound::positive},
    {"EL", &NeuronParameters::EL, Dimension::voltage, Bound::any},
    {"Vth", &NeuronParameters::Vth, Dimension::voltage, Bound::any},
    {"Vr", &NeuronParameters::Vr, Dimension::voltage, Bound::any},
    {"t_ref", &NeuronParameters::t_ref, Dimension::time, Bound::positive},
    {"Ee", &NeuronParameters::Ee, Dimension::voltage, Bound::any},
    {"Ei", &NeuronParameters::Ei, Dimension::voltage, Bound::any},
    {"tau_e", &NeuronParameters::tau_e, Dimension::time, Bound::positive},
    {"tau_i", &NeuronParameters::tau_i, Dimension::time, Bound::positive},
    {"I_ext", &NeuronParameters::I_ext, Dimension::current, Bound::any},
};

constexpr QuantityField<Q10Table> q10_fields[] = {
    {"gL", &Q10Table::gL, Dimension::dimensionless, Bound::positive},
    {"C", &Q10Table::C, Dimension::dimensionless, Bound::positive},
    {"tau_e", &Q10Table::tau_e, Dimension::dimensionless, Bound::positive},
    {"tau_i", &Q10Table::tau_i, Dimension::dimensionless, Bound::positive},
    {"synaptic_efficacy", &Q10Table::synaptic_efficacy, Dimension::dimensionless, Bound::positive},
    {"t_ref", &Q10Table::t_ref, Dimension::dimensionless, Bound::positive},
    {"tau_stdp", &Q10Table::tau_stdp, Dimension::dimensionless, Bound::positive},
    {"A_plus", &Q10Table::A_plus, Dimension::dimensionless, Bound::positive},
    {"A_minus", &Q10Table::A_minus, Dimension::dimensionless, Bound::positive},
    {"poisson_rate", &Q10Table::poisson_rate, Dimension::dimensionless, Bound::positive},
};

constexpr QuantityField<Population> population_fields[] = {
    {"temperature", &Population::temperature, Dimension::temperature, Bound::temperature},
    {"reference_temperature", &Population::reference_temperature, Dimension::temperature, Bound::temperature},
};

constexpr QuantityField<PoissonDrive> drive_fields[] = {
    {"rate", &PoissonDrive::rate, Dimension::rate, Bound::non_negative},
    {"weight", &PoissonDrive::weight, Dimension::conductance, Bound::non_negative},
};

// Energy amounts are plain numbers of ATP molecules (per neuron; supply and rest per second).
constexpr QuantityField<EnergyBudget> energy_fields[] = {
    {"capacity", &EnergyBudget::capacity, Dimension::dimensionless, Bound::positive},
    {"initial_fraction", &EnergyBudget::initial_fraction, Dimension::dimensionless, Bound::probability},
    {"supply", &EnergyBudget::supply, Dimension::dimensionless, Bound::non_negative},
    {"q10_supply", &EnergyBudget::q10_supply, Dimension::dimensionless, Bound::positive},
    {"rest", &EnergyBudget::rest, Dimension::dimensionless, Bound::non_negative},
    {"per_spike", &EnergyBudget::per_spike, Dimension::dimensionless, Bound::non_negative},
    {"per_release", &EnergyBudget::per_release, Dimension::dimensionless, Bound::non_negative},
    {"interval", &EnergyBudget::interval, Dimension::time, Bound::positive},
};

constexpr Choice<EnergyThreshold::Direction> directions[] = {{"falling", EnergyThreshold::Direction::falling},
                                                             {"rising", EnergyThreshold::Direction::rising}};

constexpr QuantityField<StdpParameters> stdp_fields[] = {
    {"tau_plus", &StdpParameters::tau_plus, Dimension::time, Bound::positive},
    {"tau_minus", &StdpParameters::tau_minus, Dimension::time, Bound::positive},
    {"w_min", &StdpParameters::w_min, Dimension::conductance, Bound::non_negative},
    {"w_max", &StdpParameters::w_max, Dimension::conductance, Bound::positive},
};

// A+ and A- default to formulas of w_max and the time constants (model.hpp).
struct OptionalStdpField {
    std::string_view key;
    std::optional<double> StdpParameters::*member;
    double example;
};
constexpr OptionalStdpField optional_stdp_fields[] = {
    {"A_plus", &StdpParameters::A_plus, 0.12},
    {"A_minus", &StdpParameters::A_minus, -0.06},
};

template <class Struct>
void read_fields(Section& section, Struct& out, std::span<const QuantityField<Struct>> fields) {
    for (const auto& f : fields) out.*f.member = section.quantity(f.key, f.dimension, f.bound, out.*f.member);
}

template <class Struct>
const QuantityField<Struct>* find_field(std::span<const QuantityField<Struct>> fields, std::string_view key) {
    for (const auto& f : fields)
        if (f.key == key) return &f;
    return nullptr;
}

template <class Field>
void append_keys(std::vector<std::string_view>& keys, std::span<const Field> fields) {
    for (const auto& f : fields) keys.push_back(f.key);
}

// ---- Schema ---------------------------------------------------------------------------------

// A constant ("4 nS") or { distribution = "uniform" | "normal" | "constant", ... }. `bound`
// holds for every value that can be drawn.
Distribution read_distribution(Section& parent, std::string_view key, Dimension d, Bound bound,
                               Distribution fallback, double example_value) {
    const auto* node = parent.find(key);
    if (!node) return fallback;
    const auto path = parent.path_of(key);
    if (!node->is_table())
        return Distribution::constant(read_quantity(parent.doc(), *node, path, d, bound, example_value));

    enum class Kind { constant, uniform, normal };
    static constexpr Choice<Kind> kinds[] = {
        {"constant", Kind::constant}, {"uniform", Kind::uniform}, {"normal", Kind::normal}};
    Section s(parent.doc(), *node->as_table(), path);
    const auto kind =
        read_choice<Kind>(s.doc(), s.need("distribution", "\"constant\", \"uniform\" or \"normal\""),
                          s.path_of("distribution"), kinds);
    Distribution out;
    if (kind == Kind::constant) {
        out = Distribution::constant(s.required_quantity("value", d, bound, example_value));
    } else {
        const double mean =
            kind == Kind::normal ? s.required_quantity("mean", d, Bound::any, example_value) : 0;
        const double stddev =
            kind == Kind::normal ? s.required_quantity("stddev", d, Bound::non_negative, example_value) : 0;
        const double low = s.required_quantity("low", d, bound, example_value);
        const double high = s.required_quantity("high", d, bound, example_value);
        const bool ordered = kind == Kind::normal ? low < high : low <= high;
        if (!ordered)
            fail_value(s.doc(), *s.find("high"), s.path_of("high"),
                       fmt::format("{} low = {} {}", kind == Kind::normal ? "more than" : "at least", low,
                                   internal_unit(d)));
        out = kind == Kind::normal ? Distribution::normal_clipped(mean, stddev, low, high)
                                   : Distribution::uniform(low, high);
    }
    s.finish();
    return out;
}

void read_neuron(Section& s, NeuronParameters& n) {
    read_fields<NeuronParameters>(s, n, neuron_fields);
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

Population read_population(Section& s, std::string name) {
    Population p;
    p.name = std::move(name);
    p.size = static_cast<std::uint32_t>(s.required_integer("size", 4000, 1, max_uint32));
    read_fields<Population>(s, p, population_fields);
    p.initial_V = read_distribution(s, "initial_V", Dimension::voltage, Bound::any, p.initial_V, -60);
    p.initial_ge =
        read_distribution(s, "initial_ge", Dimension::conductance, Bound::non_negative, p.initial_ge, 0);
    p.initial_gi =
        read_distribution(s, "initial_gi", Dimension::conductance, Bound::non_negative, p.initial_gi, 0);
    if (auto neuron = s.section("neuron")) read_neuron(*neuron, p.neuron);
    if (auto q10 = s.section("q10")) {
        read_fields<Q10Table>(*q10, p.q10, q10_fields);
        q10->finish();
    }
    if (auto drive = s.section("drive")) {
        PoissonDrive d;
        read_fields<PoissonDrive>(*drive, d, drive_fields);
        d.receptor = drive->choice("receptor", receptors, d.receptor);
        drive->finish();
        p.drive = d;
    }
    if (auto energy = s.section("energy")) {
        EnergyBudget e;
        read_fields<EnergyBudget>(*energy, e, energy_fields);
        for (auto& threshold : energy->sections("thresholds")) {
            EnergyThreshold t;
            t.direction = threshold.choice("direction", directions, t.direction);
            t.level = threshold.required_quantity("level", Dimension::dimensionless, Bound::probability, 0.3);
            t.temperature = threshold.required_quantity("temperature", Dimension::temperature, Bound::temperature, 32);
            threshold.finish();
            e.thresholds.push_back(t);
        }
        energy->finish();
        p.energy = e;
    }
    s.finish();
    return p;
}

const Population& read_population_name(Section& s, std::string_view key, const Model& model) {
    const auto& node = s.need(key, "the name of a population");
    const auto name = read_string(s.doc(), node, s.path_of(key), "the name of a population");
    for (const auto& p : model.populations)
        if (p.name == name) return p;
    std::vector<std::string_view> names;
    for (const auto& p : model.populations) names.push_back(p.name);
    fail_value(s.doc(), node, s.path_of(key),
               fmt::format("the name of a population (one of {})", fmt::join(names, ", ")));
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
            c.p = s.quantity("p", Dimension::dimensionless, Bound::probability, c.p);
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
        case Rule::explicit_list: {
            c.sources = read_indices(s.doc(), s.required_array("sources", "an array of indices into pre"),
                                     s.path_of("sources"), pre);
            c.targets = read_indices(s.doc(), s.required_array("targets", "an array of indices into post"),
                                     s.path_of("targets"), post);
            c.weights = read_quantities(s.doc(), s.array("weights"), s.path_of("weights"),
                                        Dimension::conductance, Bound::non_negative, 4);
            c.delays = read_quantities(s.doc(), s.array("delays"), s.path_of("delays"), Dimension::time,
                                       Bound::positive, 1);
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
            break;
        }
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
    read_fields<StdpParameters>(s, stdp, stdp_fields);
    if (stdp.w_min >= stdp.w_max) {
        const auto* node = s.find("w_max");
        fail_value(s.doc(), node ? *node : *s.find("w_min"), s.path_of(node ? "w_max" : "w_min"),
                   fmt::format("w_min < w_max (here w_min = {} nS, w_max = {} nS)", stdp.w_min, stdp.w_max));
    }
    for (const auto& f : optional_stdp_fields)
        if (const auto* node = s.find(f.key))
            stdp.*f.member = read_quantity(s.doc(), *node, s.path_of(f.key), Dimension::conductance,
                                           Bound::any, f.example);
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
    p.receptor = s.choice("receptor", receptors, p.receptor);
    if (auto connectivity = s.section("connectivity"))
        p.connectivity = read_connectivity(*connectivity, pre, post);
    p.weight = read_distribution(s, "weight", Dimension::conductance, Bound::non_negative, p.weight, 4);
    // Positive: the engine's epochs last the minimum delay.
    p.delay = read_distribution(s, "delay", Dimension::time, Bound::positive, p.delay, 1);
    if (auto stdp = s.section("stdp")) p.stdp = read_stdp(*stdp);
    s.finish();
    return p;
}

// Spike times in ms, one per line; '#' starts a comment.
std::vector<double> read_times_file(const Document& doc, const toml::node& node, std::string_view path) {
    const auto file = doc.base_dir / read_string(doc, node, path, "a file name");
    std::ifstream in(file);
    if (!in) fail_value(doc, node, path, fmt::format("a readable file, cannot open \"{}\"", file.string()));
    std::vector<double> times;
    std::string line;
    for (unsigned number = 1; std::getline(in, line); ++number) {
        const auto text = trim(std::string_view(line).substr(0, line.find('#')));
        if (text.empty()) continue;
        double t = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), t);
        const bool ok =
            error == std::errc() && end == text.data() + text.size() && within(t, Bound::non_negative);
        if (!ok)
            throw UserError(fmt::format("{}:{}: \"{}\": expected a non-negative time in ms (e.g. 12.5)",
                                        file.string(), number, text));
        if (!times.empty() && t < times.back())
            throw UserError(fmt::format("{}:{}: {} ms: expected times sorted ascending (after {} ms)",
                                        file.string(), number, t, times.back()));
        times.push_back(t);
    }
    return times;
}

SpikeGenerator read_generator(Section& s, const Model& model) {
    SpikeGenerator g;
    g.name = s.required_string("name", "a name (e.g. \"pre\")");
    const Population& target = read_population_name(s, "target", model);
    g.target = target.name;
    g.neurons = read_indices(s.doc(), s.array("neurons"), s.path_of("neurons"), target);
    const auto* times = s.find("times");
    const auto* file = s.find("times_file");
    if (!times == !file)
        fail_at(s.doc(), s.table(), s.path(),
                "expected exactly one of times = [...] and times_file = \"...\"");
    if (times) {
        if (!times->is_array()) fail_value(s.doc(), *times, s.path_of("times"), "an array of times");
        const auto& items = *times->as_array();
        g.times =
            read_quantities(s.doc(), items, s.path_of("times"), Dimension::time, Bound::non_negative, 10);
        for (std::size_t i = 1; i < g.times.size(); ++i)
            if (g.times[i] < g.times[i - 1])
                fail_value(s.doc(), items[i], fmt::format("{}[{}]", s.path_of("times"), i),
                           fmt::format("times sorted ascending (after {} ms)", g.times[i - 1]));
    } else {
        g.times = read_times_file(s.doc(), *file, s.path_of("times_file"));
    }
    g.weight = s.quantity("weight", Dimension::conductance, Bound::non_negative, g.weight);
    g.receptor = s.choice("receptor", receptors, g.receptor);
    s.finish();
    return g;
}

// A time within the run, which starts at 0 and lasts `duration`.
double read_run_time(Section& s, std::string_view key, double duration) {
    const double t = s.required_quantity(key, Dimension::time, Bound::non_negative, 0);
    if (t > duration)
        fail_value(s.doc(), *s.find(key), s.path_of(key),
                   fmt::format("a time within the run's duration ({} ms)", duration));
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
        m.time = read_run_time(step, "time", model.duration);
        m.population = read_step_population(step, model);
        m.temperature = step.required_quantity("temperature", Dimension::temperature, Bound::temperature, 41);
        step.finish();
        steps.push_back(m);
    }
    for (auto& ramp : s.sections("ramps")) {
        const double start = read_run_time(ramp, "start", model.duration);
        const double stop = read_run_time(ramp, "stop", model.duration);
        if (stop <= start)
            fail_value(ramp.doc(), *ramp.find("stop"), ramp.path_of("stop"),
                       fmt::format("a time after start = {} ms", start));
        const double from = ramp.required_quantity("from", Dimension::temperature, Bound::temperature, 32);
        const double to = ramp.required_quantity("to", Dimension::temperature, Bound::temperature, 41);
        const auto count = static_cast<unsigned>(ramp.required_integer("steps", 9, 1, 1'000'000));
        auto expanded = metabolic_ramp(start, stop, from, to, count, read_step_population(ramp, model));
        ramp.finish();
        steps.insert(steps.end(), expanded.begin(), expanded.end());
    }
    std::stable_sort(steps.begin(), steps.end(),
                     [](const MetabolicStep& a, const MetabolicStep& b) { return a.time < b.time; });
    s.finish();
    return steps;
}

Recording read_recording(Section& s, const Model& model) {
    Recording r;
    r.spikes = s.boolean("spikes", r.spikes);
    r.rate_bin = s.quantity("rate_bin", Dimension::time, Bound::positive, r.rate_bin);
    for (auto& state : s.sections("states")) {
        StateRecording sr;
        const Population& p = read_population_name(state, "population", model);
        sr.population = p.name;
        constexpr std::string_view what = "a non-empty array of neuron indices (e.g. [0, 1, 2])";
        const auto& neurons = state.required_array("neurons", what);
        if (neurons.empty()) fail_value(state.doc(), neurons, state.path_of("neurons"), what);
        sr.neurons = read_indices(state.doc(), neurons, state.path_of("neurons"), p);
        if (const auto* variables = state.find("variables")) {
            static constexpr Choice<std::string_view> names[] = {{"V", "V"}, {"ge", "ge"}, {"gi", "gi"}};
            if (!variables->is_array())
                fail_value(state.doc(), *variables, state.path_of("variables"), "an array");
            const auto& items = *variables->as_array();
            sr.variables.clear();
            for (std::size_t i = 0; i < items.size(); ++i)
                sr.variables.emplace_back(read_choice<std::string_view>(
                    state.doc(), items[i], fmt::format("{}[{}]", state.path_of("variables"), i), names));
        }
        sr.interval = state.quantity("interval", Dimension::time, Bound::positive, sr.interval);
        state.finish();
        r.states.push_back(sr);
    }
    for (auto& weights : s.sections("weights")) {
        WeightRecording w;
        const auto& node = weights.need("projection", "the name of a projection");
        w.projection =
            read_string(weights.doc(), node, weights.path_of("projection"), "the name of a projection");
        const bool known = std::any_of(model.projections.begin(), model.projections.end(),
                                       [&](const Projection& p) { return p.name == w.projection; });
        if (!known)
            fail_value(weights.doc(), node, weights.path_of("projection"), "the name of a projection");
        w.interval = weights.quantity("interval", Dimension::time, Bound::positive, w.interval);
        w.histogram_bins = static_cast<unsigned>(weights.integer("bins", w.histogram_bins, 1, 1'000'000));
        w.final_weights = weights.boolean("final", w.final_weights);
        weights.finish();
        r.weights.push_back(w);
    }
    s.finish();
    return r;
}

// Named tables ([populations.E], [projections.EE]) in file order.
template <class Read>
void read_named(Section& top, std::string_view key, Read read) {
    auto section = top.section(key);
    if (!section) return;
    for (const auto& [name, node] : in_file_order(section->table())) {
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
    if (auto run = top.section("run")) {
        model.duration = run->quantity("duration", Dimension::time, Bound::positive, model.duration);
        model.seed = run->integer("seed", model.seed, 0, std::numeric_limits<std::int64_t>::max());
        run->finish();
    }
    read_named(top, "populations", [&](Section& s, const std::string& name) {
        model.populations.push_back(read_population(s, name));
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
    top.finish();
    return model;
}

// validate() messages name objects, not lines: say at least which file or override they came from.
void validate_from(const Model& model, std::string_view origin) {
    try {
        validate(model);
    } catch (const UserError& e) {
        throw UserError(fmt::format("{}: {}", origin, e.what()));
    }
}

// ---- Overrides ------------------------------------------------------------------------------

// One "--set path=value": the value becomes a node so the TOML readers check it.
class Override {
public:
    Override(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {}

    const std::string& path() const { return path_; }

    double quantity(Dimension d, Bound bound, double example_value) const {
        const toml::value<std::string> node(text_);
        return read_quantity(doc_, node, path_, d, bound, example_value);
    }
    template <class Struct>
    void field(Struct& out, const QuantityField<Struct>& f) const {
        out.*f.member = quantity(f.dimension, f.bound, out.*f.member);
    }
    std::uint64_t integer(std::uint64_t min, std::uint64_t max, std::uint64_t example_value) const {
        std::int64_t i = 0;
        const auto [end, error] = std::from_chars(text_.data(), text_.data() + text_.size(), i);
        if (error != std::errc() || end != text_.data() + text_.size())
            return read_integer(doc_, toml::value<std::string>(text_), path_, min, max, example_value);
        return read_integer(doc_, toml::value<std::int64_t>(i), path_, min, max, example_value);
    }
    [[noreturn]] void fail(std::string_view problem) const {
        throw UserError(fmt::format("--set {}={}: {}", path_, text_, problem));
    }

private:
    inline static const Document doc_{"--set", "."};
    std::string path_;
    std::string text_;
};

std::vector<std::string_view> split(std::string_view path) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const auto dot = path.find('.', start);
        parts.push_back(path.substr(start, dot - start));
        if (dot == std::string_view::npos) return parts;
        start = dot + 1;
    }
}

template <class Item>
Item& named(std::vector<Item>& items, std::string_view name, std::string_view kind, const Override& o) {
    for (auto& item : items)
        if (item.name == name) return item;
    std::vector<std::string_view> names;
    for (const auto& item : items) names.push_back(item.name);
    o.fail(fmt::format("no {} \"{}\" (known: {})", kind, name, fmt::join(names, ", ")));
}

// Each set_* returns false when its part of the path is not settable.
template <class Struct>
bool set_field(Struct& out, std::span<const QuantityField<Struct>> fields, std::string_view key,
               const Override& o) {
    const auto* f = find_field(fields, key);
    if (f) o.field(out, *f);
    return f != nullptr;
}

bool set_population(Population& p, std::span<const std::string_view> rest, const Override& o) {
    if (rest.size() == 1 && rest[0] == "size") {
        p.size = static_cast<std::uint32_t>(o.integer(1, max_uint32, 4000));
        return true;
    }
    if (rest.size() == 1) return set_field<Population>(p, population_fields, rest[0], o);
    if (rest.size() != 2) return false;
    if (rest[0] == "neuron") return set_field<NeuronParameters>(p.neuron, neuron_fields, rest[1], o);
    if (rest[0] == "q10") return set_field<Q10Table>(p.q10, q10_fields, rest[1], o);
    if (rest[0] == "drive") {
        // Setting a drive field turns the drive on, with defaults for the other fields.
        PoissonDrive drive = p.drive.value_or(PoissonDrive{});
        if (!set_field<PoissonDrive>(drive, drive_fields, rest[1], o)) return false;
        p.drive = drive;
        return true;
    }
    if (rest[0] == "energy") {
        // Setting an energy field turns the pool on, with defaults for the other fields.
        EnergyBudget energy = p.energy.value_or(EnergyBudget{});
        if (!set_field<EnergyBudget>(energy, energy_fields, rest[1], o)) return false;
        p.energy = energy;
        return true;
    }
    return false;
}

bool set_projection(Projection& p, std::span<const std::string_view> rest, const Override& o) {
    if (rest.size() == 1 && (rest[0] == "weight" || rest[0] == "delay")) {
        const bool weight = rest[0] == "weight";
        const double v = weight ? o.quantity(Dimension::conductance, Bound::non_negative, 4)
                                : o.quantity(Dimension::time, Bound::positive, 1);
        (weight ? p.weight : p.delay) = Distribution::constant(v);
        return true;
    }
    if (rest.size() != 2) return false;
    if (rest[0] == "connectivity" && rest[1] == "p") {
        if (p.connectivity.rule != Connectivity::Rule::probability)
            o.fail(fmt::format("projection \"{}\" does not connect by probability", p.name));
        p.connectivity.p = o.quantity(Dimension::dimensionless, Bound::probability, 0.02);
        return true;
    }
    if (rest[0] != "stdp") return false;
    if (!p.stdp) o.fail(fmt::format("projection \"{}\" has no [stdp] table", p.name));
    for (const auto& f : optional_stdp_fields) {
        if (rest[1] != f.key) continue;
        (*p.stdp).*f.member = o.quantity(Dimension::conductance, Bound::any, f.example);
        return true;
    }
    return set_field<StdpParameters>(*p.stdp, stdp_fields, rest[1], o);
}

bool set(Model& model, std::span<const std::string_view> parts, const Override& o) {
    if (parts.size() == 2 && parts[0] == "run") {
        if (parts[1] == "duration") {
            model.duration = o.quantity(Dimension::time, Bound::positive, 1000);
            return true;
        }
        if (parts[1] == "seed") {
            model.seed = o.integer(0, std::numeric_limits<std::int64_t>::max(), 1);
            return true;
        }
        return false;
    }
    if (parts.size() < 3) return false;
    if (parts[0] == "populations")
        return set_population(named(model.populations, parts[1], "population", o), parts.subspan(2), o);
    if (parts[0] == "projections")
        return set_projection(named(model.projections, parts[1], "projection", o), parts.subspan(2), o);
    return false;
}

std::string settable() {
    std::vector<std::string_view> population{"size"}, neuron, q10, drive, energy, stdp;
    append_keys<QuantityField<Population>>(population, population_fields);
    append_keys<QuantityField<NeuronParameters>>(neuron, neuron_fields);
    append_keys<QuantityField<Q10Table>>(q10, q10_fields);
    append_keys<QuantityField<PoissonDrive>>(drive, drive_fields);
    append_keys<QuantityField<EnergyBudget>>(energy, energy_fields);
    append_keys<QuantityField<StdpParameters>>(stdp, stdp_fields);
    append_keys<OptionalStdpField>(stdp, optional_stdp_fields);
    return fmt::format(
        "run.duration, run.seed, populations.<name>.{{{}}}, populations.<name>.neuron.{{{}}}, "
        "populations.<name>.q10.{{{}}}, populations.<name>.drive.{{{}}}, populations.<name>.energy.{{{}}}, "
        "projections.<name>.{{weight, delay}}, projections.<name>.connectivity.p, projections.<name>.stdp.{{{}}}",
        fmt::join(population, ", "), fmt::join(neuron, ", "), fmt::join(q10, ", "), fmt::join(drive, ", "),
        fmt::join(energy, ", "), fmt::join(stdp, ", "));
}

}  // namespace

Model load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UserError(fmt::format("cannot open config file \"{}\"", file.string()));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file.string(), file.parent_path());
}

Model parse_config(std::string_view text, const std::string& source_name,
                   const std::filesystem::path& base_dir) {
    const Document doc{source_name, base_dir};
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(source_name));
    } catch (const toml::parse_error& e) {
        throw UserError(fmt::format("{}:{}:{}: {}", source_name, e.source().begin.line,
                                    e.source().begin.column, e.description()));
    }
    Model model = read_model(doc, root);
    validate_from(model, source_name);
    return model;
}

// Copy, set, validate, then commit: a failed override leaves the model as it was.
void apply_override(Model& model, std::string_view assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos)
        throw UserError(fmt::format(
            "--set {}: expected key.path=value (e.g. \"populations.E.temperature=41 degC\")", assignment));
    const Override o(std::string(trim(assignment.substr(0, eq))),
                     std::string(trim(assignment.substr(eq + 1))));
    Model changed = model;
    const auto parts = split(o.path());
    if (!set(changed, parts, o)) o.fail(fmt::format("unknown setting; settable are {}", settable()));
    validate_from(changed, fmt::format("--set {}", assignment));
    model = std::move(changed);
}

}  // namespace metabosim
