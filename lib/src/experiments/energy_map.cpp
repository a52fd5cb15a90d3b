// The energy loop mapped: the loop's protocol (a hyper start, falling and rising thresholds) over
// a grid of supplies and cost scales, each point classified by how E's state went (holds, locks,
// regulates: analysis/energy_regime.hpp) beside what the steady-state balance of the pool
// predicts (docs/findings.md, "The energy loop mapped").
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "experiments/protocols.hpp"
#include "metabosim/lowering/lowering.hpp"

namespace metabosim::experiments {
namespace {

const std::vector<double> supply_factors{0.5, 1, 2, 4, 8};
const std::vector<double> cost_scales{0.25, 0.5, 1, 2, 4};
constexpr std::uint32_t map_neurons = 1000;  // at most: the map is 25 runs
constexpr double map_duration = 6000;        // ms at most

// Expected synapses leaving one neuron of `pre` (the releases each of its spikes makes).
double expected_out_degree(const Model& m, const std::string& pre) {
    const double n_pre = m.population(pre).size;
    double k = 0;
    for (const Projection& p : m.projections) {
        if (p.pre != pre) continue;
        const double n_post = m.population(p.post).size;
        const double others = p.pre == p.post && !p.connectivity.autapses ? n_post - 1 : n_post;
        switch (p.connectivity.rule) {
            case Connectivity::Rule::probability: k += p.connectivity.p * others; break;
            case Connectivity::Rule::fixed_indegree: k += p.connectivity.indegree * n_post / n_pre; break;
            case Connectivity::Rule::all_to_all: k += others; break;
            case Connectivity::Rule::one_to_one: k += 1; break;
            case Connectivity::Rule::explicit_list: k += p.connectivity.sources.size() / n_pre; break;
        }
    }
    return k;
}

double median(std::vector<double> v) {
    std::erase_if(v, [](double x) { return !std::isfinite(x); });
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const std::size_t h = v.size() / 2;
    return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

double rate_at(const EnergyTrajectory& e, double temperature) {
    for (const auto& [t, rate] : e.rate_E_by_state)
        if (t == temperature) return rate;
    return NAN;
}

double level_of(const EnergyBudget& b, EnergyThreshold::Direction d, double otherwise) {
    for (const EnergyThreshold& t : b.thresholds)
        if (t.direction == d) return t.level;
    return otherwise;
}

// The balance's verdict on one point, at the map's median rates: the pool drains in hyper iff E
// fires above r*(hyper), refills in hypo iff E fires below r*(hypo); regulation needs both. The
// times say whether that happens within the run.
void predict(const EnergyMap& map, double rest, EnergyMapPoint& p) {
    const double c = p.per_spike + map.out_degree * p.per_release;
    const analysis::PoolBalance hyper{.supply = p.supply, .phi = map.phi_hyper, .rest = rest, .cost_per_spike = c};
    const analysis::PoolBalance hypo{.supply = p.supply, .phi = map.phi_hypo, .rest = rest, .cost_per_spike = c};
    const double band = (map.rising - map.falling) * map.capacity;
    p.first_drain_s = hyper.seconds_to_move(std::min(0.0, map.falling - map.initial_fraction) * map.capacity,
                                            map.rate_hyper);
    p.refill_s = hypo.seconds_to_move(band, map.rate_hypo);
    p.redrain_s = hyper.seconds_to_move(-band, map.rate_hyper);
    if (std::isnan(p.refill_s)) {  // no run reached hypo: its rate is unknown
        p.predicted = p.predicted_in_run = std::isinf(p.first_drain_s) ? "holds hyper" : "leaves hyper";
        return;
    }
    p.predicted = std::isinf(p.first_drain_s) ? "holds hyper" : std::isinf(p.refill_s) ? "locks hypo" : "regulates";
    const double seconds = map.duration / 1000;
    p.predicted_in_run = !(p.first_drain_s < seconds)              ? "holds hyper"
                         : !(p.first_drain_s + p.refill_s < seconds) ? "locks hypo"
                                                                      : "regulates";
}

}  // namespace

EnergyMap energy_map(RunSets& sets) {
    const Settings& s = sets.settings();
    Settings small = s;
    small.neurons = std::min(s.neurons, map_neurons);
    small.duration = std::min(2 * s.duration, map_duration);
    EnergyMap map;
    map.neurons = small.neurons;
    map.duration = small.duration;
    map.seed = s.seeds.front();
    map.hypo = s.hypo;
    map.hyper = s.hyper;
    map.supply_factors = supply_factors;
    map.cost_scales = cost_scales;
    const auto state_name = [&](double t) {
        return t == s.hypo ? std::string("hypo") : t == s.normo ? "normo" : t == s.hyper ? "hyper" : fmt::format("{:g} degC", t);
    };

    std::vector<Job> jobs;
    for (double supply : supply_factors)
        for (double cost : cost_scales) {
            Model m = network(sets.base(), small, s.hyper, map.seed, false);
            for (std::size_t k = 0; k < m.populations.size(); ++k) {
                EnergyBudget e = loop_budget(sets.base().populations[k], s);
                e.supply *= supply;
                e.per_spike *= cost;
                e.per_release *= cost;
                m.populations[k].energy = e;
            }
            jobs.push_back({"energy-map", fmt::format("supply{:g}-cost{:g}", supply, cost), s.hyper, map.seed,
                            std::move(m), false, false, false});
        }
    const Model reference = network(sets.base(), small, s.hyper, map.seed, false);
    const Population& E = reference.population("E");
    const EnergyBudget base = loop_budget(sets.base().population("E"), s);
    map.falling = level_of(base, EnergyThreshold::Direction::falling, NAN);
    map.rising = level_of(base, EnergyThreshold::Direction::rising, NAN);
    map.capacity = base.capacity;
    map.initial_fraction = base.initial_fraction;
    map.out_degree = expected_out_degree(reference, "E");
    map.rest = base.rest;
    map.supply = base.supply;
    map.cost_per_spike = base.per_spike + map.out_degree * base.per_release;
    map.phi_hypo = q10_factor(base.q10_supply, s.hypo, E.reference_temperature);
    map.phi_hyper = q10_factor(base.q10_supply, s.hyper, E.reference_temperature);

    sets.say("network runs: the energy loop over {} supplies x {} cost scales, {} neurons, {:g} s (seed {})",
             supply_factors.size(), cost_scales.size(), map.neurons, map.duration / 1000, map.seed);
    const auto runs = sets.run(std::move(jobs));

    std::vector<double> hypo_rates, hyper_rates;
    std::size_t q = 0;
    for (double supply : supply_factors)
        for (double cost : cost_scales) {
            const RunMeasures& r = runs[q++];
            EnergyMapPoint p{.supply_factor = supply, .cost_scale = cost, .supply = base.supply * supply,
                             .per_spike = base.per_spike * cost, .per_release = base.per_release * cost};
            p.energy = r.energy.value();
            p.course = analysis::state_course(p.energy.temperature);
            p.regime = p.course.regime == analysis::EnergyRegime::regulates ? "regulates"
                       : to_string(p.course.regime) + " " +
                             state_name(p.course.regime == analysis::EnergyRegime::holds ? p.course.start : p.course.final);
            p.rate_hypo = rate_at(p.energy, s.hypo);
            p.rate_hyper = rate_at(p.energy, s.hyper);
            const double c = p.per_spike + map.out_degree * p.per_release;
            p.r_star_hypo = analysis::PoolBalance{p.supply, map.phi_hypo, base.rest, c}.steady_rate();
            p.r_star_hyper = analysis::PoolBalance{p.supply, map.phi_hyper, base.rest, c}.steady_rate();
            p.final_atp = p.energy.atp_fraction.back();
            p.min_atp = *std::min_element(p.energy.atp_fraction.begin(), p.energy.atp_fraction.end());
            p.final_relative = r.final_relative;
            hypo_rates.push_back(p.rate_hypo);
            hyper_rates.push_back(p.rate_hyper);
            map.points.push_back(std::move(p));
        }
    // The prediction uses the medians of the rates the map's runs show in each state.
    map.rate_hypo = median(hypo_rates);
    map.rate_hyper = median(hyper_rates);
    for (EnergyMapPoint& p : map.points) predict(map, base.rest, p);
    for (double cost : cost_scales) {
        map.supply_refills_hypo.push_back((base.rest + cost * map.cost_per_spike * map.rate_hypo) / map.phi_hypo / base.supply);
        map.supply_drains_hyper.push_back((base.rest + cost * map.cost_per_spike * map.rate_hyper) / map.phi_hyper /
                                          base.supply);
    }
    return map;
}

}  // namespace metabosim::experiments
