#include "metabosim/config/validate.hpp"
#include "metabosim/experiments/findings.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/protocols.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/recording/output.hpp"
#include "metabosim/simulation/progress.hpp"

namespace metabosim::experiments {
namespace {

// The experiments in the order `all` runs them (and numbers their runs); Findings::for_each
// visits them in the same order.
struct Experiment {
    std::string name;
    void (*measure)(RunSets&, Findings&);
};
const std::vector<Experiment>& experiments() {
    static const std::vector<Experiment> table = {
        {"bifurcation", [](RunSets& s, Findings& f) { f.bifurcation = bifurcation(s); }},
        {"stdp-window", [](RunSets& s, Findings& f) { f.stdp_window = stdp_window(s); }},
        {"degradation", [](RunSets& s, Findings& f) { f.degradation = degradation(s); }},
        {"topology", [](RunSets& s, Findings& f) { f.topology = topology(s); }},
        {"robustness", [](RunSets& s, Findings& f) { f.robustness = robustness(s); }},
        {"energy-loop", [](RunSets& s, Findings& f) { f.energy_loop = energy_loop(s); }},
        {"synchrony", [](RunSets& s, Findings& f) { f.synchrony = synchrony_examination(s); }},
        {"energy-map", [](RunSets& s, Findings& f) { f.energy_map = energy_map(s); }},
    };
    return table;
}

// Settings the protocols cannot use, and models without what they need, are refused before any run.
void check(const std::string& name, const Model& base, const Settings& s) {
    if (s.seeds.empty()) throw UserError("--seeds: expected at least one seed");
    if (s.duration < chi_window)
        throw UserError(fmt::format("--duration {} ms: expected at least {} ms (one synchrony window)", s.duration, chi_window));
    validate(s.strategy, s.duration);
    const auto& names = experiment_names();
    if (name != "all" && std::find(names.begin(), names.end(), name) == names.end())
        throw UserError(fmt::format("unknown experiment \"{}\"; expected one of {}, all", name, fmt::join(names, ", ")));
    const auto has = [&](const char* population) {
        return std::any_of(base.populations.begin(), base.populations.end(),
                           [&](const Population& p) { return p.name == population; });
    };
    const bool plastic_ee = std::any_of(base.projections.begin(), base.projections.end(),
                                        [](const Projection& p) { return p.name == "EE" && p.stdp; });
    if (!has("E") || !has("I") || !plastic_ee)
        throw UserError("the experiments need populations \"E\" and \"I\" and a plastic projection \"EE\" (E -> E), "
                        "as in configs/microcircuit.toml");
    check_output_directory(s.output);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

const std::vector<std::string>& experiment_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& e : experiments()) out.push_back(e.name);
        return out;
    }();
    return names;
}

Findings measure_findings(const std::string& name, const Model& base, const Settings& settings) {
    check(name, base, settings);
    const auto start = std::chrono::steady_clock::now();
    Findings f;
    f.settings = settings;
    RunSets sets(base, settings);
    const std::size_t count = name == "all" ? experiments().size() : 1;
    std::size_t k = 0;
    for (const auto& e : experiments())
        if (name == "all" || name == e.name) {
            if (count > 1) sets.say("experiment {}/{}: {} ({} so far)", ++k, count, e.name, format_seconds(seconds_since(start)));
            e.measure(sets, f);
        }
    f.runs = sets.all();
    f.wall_seconds = seconds_since(start);
    return f;
}

std::vector<std::pair<std::string, std::string>> Findings::verdicts() const {
    std::vector<std::pair<std::string, std::string>> out;
    for_each([&](const std::string& name, const Finding& finding) { out.emplace_back(name, finding.verdict()); });
    return out;
}

}  // namespace metabosim::experiments
