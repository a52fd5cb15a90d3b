// --set key.path=value, and set_value(): one value of a loaded model changed. The value is read
// by the same field tables and readers as the TOML file's, then the whole model is validated
// again. settings() lists what can be set, with the values the model holds.
#include "metabosim/config/settings.hpp"

#include <charconv>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "config/diagnostics.hpp"
#include "config/values.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/model/error.hpp"
#include "model/schema.hpp"
#include "model/trim.hpp"

namespace metabosim {
namespace {

using schema::Field;

// What messages suggest for limits.max_spikes.
constexpr std::uint64_t default_max_spikes_example = 100'000'000;

// One value to set: the value becomes a node so the TOML readers check it. Messages name it as the
// command line typed it ("--set: path = ...", "--set path=value: ..."), or by the caller's `name`
// for the field ("name = "value": ...").
class Override {
public:
    // As --set: `assignment` as typed.
    static Override typed(std::string path, std::string text, std::string_view assignment) {
        return Override("--set", std::move(path), std::move(text), {}, fmt::format("--set {}", assignment));
    }
    // Through an API, the field called `name`.
    static Override named(std::string path, std::string text, std::string name) {
        return Override("", std::move(path), std::move(text), std::move(name), {});
    }

    const std::string& path() const { return path_; }

    double quantity(const schema::Quantity& q) const {
        return config::read_quantity(doc_, toml::value<std::string>(text_), shown_, q);
    }
    std::uint64_t integer(std::uint64_t min, std::uint64_t max, std::uint64_t example_value) const {
        std::int64_t i = 0;
        const auto [end, error] = std::from_chars(text_.data(), text_.data() + text_.size(), i);
        if (error != std::errc() || end != text_.data() + text_.size())
            return config::read_integer(doc_, toml::value<std::string>(text_), shown_, min, max,
                                        example_value);
        return config::read_integer(doc_, toml::value<std::int64_t>(i), shown_, min, max, example_value);
    }
    // The change as messages name it.
    std::string subject() const {
        return doc_.name.empty() ? fmt::format("{} = \"{}\"", shown_, text_)
                                 : fmt::format("--set {}={}", path_, text_);
    }
    [[noreturn]] void fail(std::string_view problem) const {
        throw UserError(fmt::format("{}: {}", subject(), problem));
    }
    // What validate()'s messages are prefixed with.
    const std::string& origin() const { return origin_; }

private:
    Override(std::string doc, std::string path, std::string text, std::string name, std::string origin)
        : doc_{std::move(doc), "."}, path_(std::move(path)), text_(std::move(text)) {
        shown_ = name.empty() ? path_ : std::move(name);
        origin_ = origin.empty() ? subject() : std::move(origin);
    }

    config::Document doc_;
    std::string path_;
    std::string text_;
    std::string shown_;
    std::string origin_;
};

// Lists are never settable: one value cannot say them.
template <class Struct>
bool settable(const Field<Struct>& f) {
    return f.settable == schema::Settable::yes &&
           !std::holds_alternative<std::vector<double> Struct::*>(f.member);
}

// Sets the field named `key`; false when no settable field has that key.
template <class Struct, std::size_t N>
bool set_field(Struct& out, const Field<Struct> (&fields)[N], std::string_view key, const Override& o) {
    for (const auto& f : fields) {
        if (f.key != key || !settable(f)) continue;
        schema::visit(f, out,
                      schema::Overloaded{
                          [&](double& v) { v = o.quantity(f.quantity); },
                          [&](std::optional<double>& v) { v = o.quantity(f.quantity); },
                          [&](Distribution& v) { v = Distribution::constant(o.quantity(f.quantity)); },
                          [](std::vector<double>&) {},
                      });
        return true;
    }
    return false;
}

template <class Struct, std::size_t N>
std::vector<std::string_view> settable_keys(const Field<Struct> (&fields)[N]) {
    std::vector<std::string_view> keys;
    for (const auto& f : fields)
        if (settable(f)) keys.push_back(f.key);
    return keys;
}

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
bool set_population(Population& p, std::span<const std::string_view> rest, const Override& o) {
    if (rest.size() == 1 && rest[0] == "size") {
        p.size = static_cast<std::uint32_t>(o.integer(1, schema::max_neurons, 4000));
        return true;
    }
    if (rest.size() == 1) return set_field(p, schema::population_fields, rest[0], o);
    if (rest.size() != 2) return false;
    if (rest[0] == "neuron") return set_field(p.neuron, schema::neuron_fields, rest[1], o);
    if (rest[0] == "q10") return set_field(p.q10, schema::q10_fields, rest[1], o);
    if (rest[0] == "drive") {
        // Setting a drive field turns the drive on, with defaults for the other fields.
        PoissonDrive drive = p.drive.value_or(PoissonDrive{});
        if (!set_field(drive, schema::drive_fields, rest[1], o)) return false;
        p.drive = drive;
        return true;
    }
    if (rest[0] == "source") {  // only a Poisson source's rate: a population does not become a source
        if (!p.source || p.source->kind != SpikeSource::Kind::poisson) return false;
        return set_field(*p.source, schema::source_fields, rest[1], o);
    }
    if (rest[0] == "energy") {
        // Setting an energy field turns the pool on, with defaults for the other fields.
        EnergyBudget energy = p.energy.value_or(EnergyBudget{});
        if (!set_field(energy, schema::energy_fields, rest[1], o)) return false;
        p.energy = energy;
        return true;
    }
    return false;
}

bool set_projection(Projection& p, std::span<const std::string_view> rest, const Override& o) {
    if (rest.size() == 1) return set_field(p, schema::projection_fields, rest[0], o);
    if (rest.size() != 2) return false;
    if (rest[0] == "connectivity") {
        if (rest[1] == "p" && p.connectivity.rule != Connectivity::Rule::probability)
            o.fail(fmt::format("projection \"{}\" does not connect by probability", p.name));
        return set_field(p.connectivity, schema::connectivity_fields, rest[1], o);
    }
    if (rest[0] != "stdp") return false;
    if (!p.stdp) o.fail(fmt::format("projection \"{}\" has no [stdp] table", p.name));
    return set_field(*p.stdp, schema::stdp_fields, rest[1], o);
}

bool set(Model& model, std::span<const std::string_view> parts, const Override& o) {
    if (parts.size() == 2 && parts[0] == "run") {
        if (parts[1] == "seed") {
            model.seed = o.integer(0, schema::max_seed, 1);
            return true;
        }
        return set_field(model, schema::run_fields, parts[1], o);
    }
    if (parts.size() == 2 && parts[0] == "limits") {
        if (parts[1] == "max_spikes") {
            model.limits.max_spikes = o.integer(1, schema::max_seed, default_max_spikes_example);
            return true;
        }
        return set_field(model.limits, schema::limits_fields, parts[1], o);
    }
    if (parts.size() < 3) return false;
    if (parts[0] == "populations")
        return set_population(named(model.populations, parts[1], "population", o), parts.subspan(2), o);
    if (parts[0] == "projections")
        return set_projection(named(model.projections, parts[1], "projection", o), parts.subspan(2), o);
    return false;
}

// "prefix.key" for one key, "prefix.{a, b}" for several.
std::string paths(std::string_view prefix, const std::vector<std::string_view>& keys) {
    if (keys.size() == 1) return fmt::format("{}.{}", prefix, keys[0]);
    return fmt::format("{}.{{{}}}", prefix, fmt::join(keys, ", "));
}

std::string settable_paths() {
    std::vector<std::string> run;
    for (auto key : settable_keys(schema::run_fields)) run.push_back(fmt::format("run.{}", key));
    run.emplace_back("run.seed");
    auto limits = settable_keys(schema::limits_fields);
    limits.push_back("max_spikes");
    auto population = settable_keys(schema::population_fields);
    population.insert(population.begin(), "size");
    const std::string all[] = {
        fmt::format("{}", fmt::join(run, ", ")),
        paths("limits", limits),
        paths("populations.<name>", population),
        paths("populations.<name>.neuron", settable_keys(schema::neuron_fields)),
        paths("populations.<name>.q10", settable_keys(schema::q10_fields)),
        paths("populations.<name>.drive", settable_keys(schema::drive_fields)),
        paths("populations.<name>.energy", settable_keys(schema::energy_fields)),
        paths("populations.<name>.source (a Poisson source)", settable_keys(schema::source_fields)),
        paths("projections.<name>", settable_keys(schema::projection_fields)),
        paths("projections.<name>.connectivity", settable_keys(schema::connectivity_fields)),
        paths("projections.<name>.stdp", settable_keys(schema::stdp_fields)),
    };
    return fmt::format("{}", fmt::join(all, ", "));
}

// The settable fields of one table, from `object` (none: the table is absent, e.g. no drive yet).
template <class Struct, std::size_t N>
void list_fields(std::vector<Setting>& out, const std::string& prefix, const Field<Struct> (&fields)[N],
                 const Struct* object) {
    for (const auto& f : fields) {
        if (!settable(f)) continue;
        Setting s;
        s.path = fmt::format("{}.{}", prefix, f.key);
        s.dimension = f.quantity.dimension;
        s.expectation = config::expectation(f.quantity);
        if (object)
            schema::visit(f, *object,
                          schema::Overloaded{
                              [&](const double& v) { s.value = v; },
                              [&](const std::optional<double>& v) { s.value = v; },
                              [&](const Distribution& v) {
                                  if (v.kind == Distribution::Kind::constant) s.value = v.value;
                              },
                              [](const std::vector<double>&) {},
                          });
        out.push_back(std::move(s));
    }
}

Setting integer_setting(std::string path, std::uint64_t value, std::uint64_t min, std::uint64_t max,
                        std::uint64_t example_value) {
    Setting s;
    s.path = std::move(path);
    s.kind = Setting::Kind::integer;
    s.integer = value;
    s.expectation = config::integer_expectation(min, max, example_value);
    return s;
}

// Copy, set, validate, then commit: a failed change leaves the model as it was.
void set_from(Model& model, const Override& o) {
    Model changed = model;
    const auto parts = split(o.path());
    if (!set(changed, parts, o)) o.fail(fmt::format("unknown setting; settable are {}", settable_paths()));
    config::validate_from(changed, o.origin());
    model = std::move(changed);
}

}  // namespace

std::vector<Setting> settings(const Model& model) {
    std::vector<Setting> out;
    list_fields(out, "run", schema::run_fields, &model);
    out.push_back(integer_setting("run.seed", model.seed, 0, schema::max_seed, 1));
    list_fields(out, "limits", schema::limits_fields, &model.limits);
    // limits.max_spikes, unset by default, is --set's only (a Setting's integer is always set).
    for (const Population& p : model.populations) {
        const auto prefix = fmt::format("populations.{}", p.name);
        out.push_back(integer_setting(prefix + ".size", p.size, 1, schema::max_neurons, 4000));
        list_fields(out, prefix, schema::population_fields, &p);
        list_fields(out, prefix + ".neuron", schema::neuron_fields, &p.neuron);
        list_fields(out, prefix + ".q10", schema::q10_fields, &p.q10);
        list_fields(out, prefix + ".drive", schema::drive_fields, p.drive ? &*p.drive : nullptr);
        list_fields(out, prefix + ".energy", schema::energy_fields, p.energy ? &*p.energy : nullptr);
        if (p.source && p.source->kind == SpikeSource::Kind::poisson)
            list_fields(out, prefix + ".source", schema::source_fields, &*p.source);
    }
    for (const Projection& p : model.projections) {
        const auto prefix = fmt::format("projections.{}", p.name);
        list_fields(out, prefix, schema::projection_fields, &p);
        if (p.connectivity.rule == Connectivity::Rule::probability)
            list_fields(out, prefix + ".connectivity", schema::connectivity_fields, &p.connectivity);
        if (p.stdp) list_fields(out, prefix + ".stdp", schema::stdp_fields, &*p.stdp);
    }
    return out;
}

void set_value(Model& model, std::string_view path, std::string_view value, std::string_view name) {
    set_from(model, Override::named(std::string(trim(path)), std::string(trim(value)), std::string(name)));
}

void apply_override(Model& model, std::string_view assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos)
        throw UserError(fmt::format(
            "--set {}: expected key.path=value (e.g. \"populations.E.temperature=41 degC\")", assignment));
    set_from(model, Override::typed(std::string(trim(assignment.substr(0, eq))),
                                    std::string(trim(assignment.substr(eq + 1))), assignment));
}

}  // namespace metabosim
