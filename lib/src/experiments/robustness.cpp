// Finding 5: the states' orderings across seeds, the inverted U of learning against
// temperature, and findings 1 and 4 with each Q10 varied in turn.
#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "experiments/mean.hpp"
#include "experiments/protocols.hpp"

namespace metabosim::experiments {
namespace {

constexpr double q10_variation = 0.2;    // sensitivity: each Q10 x (1 +- 0.2)

// Each Q10 x 0.8 and x 1.2, hypo and hyper, first seed.
std::vector<Q10Sensitivity> sensitivity(RunSets& sets) {
    const Settings& s = sets.settings();
    const std::vector<std::pair<const char*, double Q10Table::*>> q10s = {
        {"gL", &Q10Table::gL}, {"tau_e", &Q10Table::tau_e}, {"tau_i", &Q10Table::tau_i},
        {"synaptic_efficacy", &Q10Table::synaptic_efficacy}, {"t_ref", &Q10Table::t_ref},
        {"tau_stdp", &Q10Table::tau_stdp}, {"A_plus", &Q10Table::A_plus}, {"A_minus", &Q10Table::A_minus}};
    const auto group = [](const char* name, double factor) { return fmt::format("q10-{}-x{:g}", name, factor); };
    std::vector<Job> jobs;
    for (const auto& [name, member] : q10s)
        for (double factor : {1 - q10_variation, 1 + q10_variation}) {
            Model variant = sets.base();
            for (Population& p : variant.populations) p.q10.*member *= factor;
            for (Job& job : sets.state_jobs(group(name, factor), variant, {s.seeds.front()}, false))
                jobs.push_back(std::move(job));
        }
    for (Job& job : jobs) job.write = false;
    sets.say("network runs: each Q10 x {:g} and x {:g}, hypo and hyper, seed {}", 1 - q10_variation, 1 + q10_variation,
             s.seeds.front());
    const auto runs = sets.run(std::move(jobs));
    std::vector<Q10Sensitivity> out;
    for (const auto& [name, member] : q10s)
        for (double factor : {1 - q10_variation, 1 + q10_variation}) {
            const RunMeasures& lo = run_of(runs, group(name, factor), "hypo", s.seeds.front());
            const RunMeasures& hi = run_of(runs, group(name, factor), "hyper", s.seeds.front());
            const auto hi_slopes = hi.weights.slopes();
            const double hi_peak = *std::max_element(hi_slopes.begin(), hi_slopes.end());
            out.push_back({.q10 = name, .factor = factor,
                           .hypo_final_relative = lo.final_relative, .hyper_final_relative = hi.final_relative,
                           .hypo_chi_max = lo.chi_max, .hyper_chi_max = hi.chi_max,
                           .finding1_holds = std::abs(lo.final_relative - 1) <= 0.1 &&
                                             std::abs(lo.weights.late_slope()) < 0.1 * hi_peak &&
                                             hi.final_relative >= 1.5 && hi.weights.accelerates(),
                           .finding4_holds = lo.chi_max < 0.2 && hi.chi_max > 0.4});
        }
    return out;
}

}  // namespace

Robustness robustness(RunSets& sets) {
    const auto& states = sets.states();
    const auto& sweep = sets.sweep();
    const Settings& s = sets.settings();
    const std::size_t n = s.seeds.size();
    const auto hypo = values(states, "states", "hypo", &RunMeasures::final_relative),
               normo = values(states, "states", "normo", &RunMeasures::final_relative),
               hyper = values(states, "states", "hyper", &RunMeasures::final_relative);
    const auto chi_hypo = values(states, "states", "hypo", &RunMeasures::chi_max),
               chi_hyper = values(states, "states", "hyper", &RunMeasures::chi_max);
    std::vector<double> rho;
    for (std::uint64_t seed : s.seeds) {
        std::vector<double> ws;
        for (double t : s.sweep) ws.push_back(run_of(sweep, "sweep", fmt::format("{:g}C", t), seed).final_mean);
        rho.push_back(analysis::spearman(s.sweep, ws));
    }
    const auto ordering = [&](std::string name, const std::function<bool(std::size_t)>& test) {
        std::size_t k = 0;
        for (std::size_t i = 0; i < n; ++i) k += test(i);
        return Criterion{std::move(name), "seeds where it holds (>= 9 of 10 required)", static_cast<double>(k),
                         k * 10 >= n * 9, k, n};
    };
    Robustness r;
    r.claim = "The attractor states hold across random network initializations; an inverted U between "
              "bioenergetics and learning.";
    r.criteria = {
        ordering("finding 1: w/w0 at the end, hypo < normo < hyper",
                 [&](std::size_t k) { return hypo[k] < normo[k] && normo[k] < hyper[k]; }),
        ordering("finding 3: mean weight rises with T (Spearman rho > 0)", [&](std::size_t k) { return rho[k] > 0; }),
        ordering("finding 4: largest chi(t), hypo < hyper", [&](std::size_t k) { return chi_hypo[k] < chi_hyper[k]; }),
    };

    // Inverted U: pattern-specific weight gain against temperature.
    double best = -INFINITY;
    for (double t : s.sweep) {
        const auto q = values(sweep, "sweep", fmt::format("{:g}C", t), &RunMeasures::learning_quality);
        r.inverted_u.push_back({.temperature = t, .learning_quality = analysis::mean_ci95(q)});
        if (mean_of(q) > best) best = mean_of(q), r.peak_temperature = t;
    }
    r.interior_peak = r.peak_temperature != s.sweep.front() && r.peak_temperature != s.sweep.back();
    if (s.sensitivity) r.sensitivity = sensitivity(sets);
    return r;
}

}  // namespace metabosim::experiments
