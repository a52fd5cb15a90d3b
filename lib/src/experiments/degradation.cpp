// Finding 3 on the temperature sweep: connectivity strength, saturation and sparse coding.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "experiments/mean.hpp"
#include "experiments/protocols.hpp"

namespace metabosim::experiments {

Degradation degradation(RunSets& sets) {
    const auto& runs = sets.sweep();
    const Settings& s = sets.settings();
    const std::size_t n = s.seeds.size();
    Degradation d;
    std::vector<double> temps, w, at_max, sparse, corr;
    for (double t : s.sweep) {
        const std::string label = fmt::format("{:g}C", t);
        const auto get = [&](double RunMeasures::*m) { return values(runs, "sweep", label, m); };
        temps.push_back(t);
        w.push_back(mean_of(get(&RunMeasures::final_mean)));
        at_max.push_back(mean_of(get(&RunMeasures::final_fraction_at_max)));
        sparse.push_back(mean_of(get(&RunMeasures::sparseness)));
        corr.push_back(mean_of(get(&RunMeasures::pattern_correlation)));
        d.sweep.push_back({.temperature = t,
                           .mean_weight = analysis::mean_ci95(get(&RunMeasures::final_mean)),
                           .fraction_at_max = analysis::mean_ci95(get(&RunMeasures::final_fraction_at_max)),
                           .sparseness = analysis::mean_ci95(get(&RunMeasures::sparseness)),
                           .pattern_correlation = analysis::mean_ci95(get(&RunMeasures::pattern_correlation)),
                           .learning_quality = analysis::mean_ci95(get(&RunMeasures::learning_quality)),
                           .rate_E = analysis::mean_ci95(get(&RunMeasures::rate_E))});
    }
    // Per seed: the Spearman correlations along the sweep.
    std::vector<double> rho_max;
    for (std::uint64_t seed : s.seeds) {
        std::vector<double> ws, ms;
        for (double t : s.sweep) {
            const RunMeasures& r = run_of(runs, "sweep", fmt::format("{:g}C", t), seed);
            ws.push_back(r.final_mean);
            ms.push_back(r.final_fraction_at_max);
        }
        d.spearman_weight_per_seed.push_back(analysis::spearman(temps, ws));
        rho_max.push_back(analysis::spearman(temps, ms));
    }
    const auto& rho_w = d.spearman_weight_per_seed;
    const auto at = [&](const std::vector<double>& v, double t) {
        const auto k = std::find(temps.begin(), temps.end(), t);
        return k == temps.end() ? NAN : v[k - temps.begin()];
    };
    const auto per_seed_at = [&](double t, double RunMeasures::*m) { return values(runs, "sweep", fmt::format("{:g}C", t), m); };
    const auto s_hyper = per_seed_at(s.hyper, &RunMeasures::sparseness), s_normo = per_seed_at(s.normo, &RunMeasures::sparseness);
    const auto c_hyper = per_seed_at(s.hyper, &RunMeasures::pattern_correlation),
               c_normo = per_seed_at(s.normo, &RunMeasures::pattern_correlation);
    const auto max_hyper = per_seed_at(s.hyper, &RunMeasures::final_fraction_at_max);
    const double rho_mean = analysis::spearman(temps, w), rho_sat = analysis::spearman(temps, at_max);
    d.claim = "Metabolic rate correlates positively with connectivity strength, but high energy causes synaptic "
              "saturation and loss of sparse-coding specificity.";
    d.criteria = {
        criterion("connectivity strength rises with metabolic rate", "Spearman rho(T, mean E->E weight) > 0", rho_mean,
                  rho_mean > 0, n, [&](std::size_t k) { return rho_w[k] > 0; }),
        criterion("saturation rises with metabolic rate", "Spearman rho(T, fraction at w_max) > 0", rho_sat, rho_sat > 0, n,
                  [&](std::size_t k) { return rho_max[k] > 0; }),
        criterion("high energy saturates synapses", "fraction at w_max >= 0.20 (hyper)", at(at_max, s.hyper),
                  at(at_max, s.hyper) >= 0.2, n, [&](std::size_t k) { return max_hyper[k] >= 0.2; }),
        criterion("sparse coding is lost", "population sparseness: hyper < normo", at(sparse, s.hyper),
                  at(sparse, s.hyper) < at(sparse, s.normo), n, [&](std::size_t k) { return s_hyper[k] < s_normo[k]; }),
        criterion("pattern responses merge", "mean correlation between pattern responses: hyper > normo",
                  at(corr, s.hyper), at(corr, s.hyper) > at(corr, s.normo), n,
                  [&](std::size_t k) { return c_hyper[k] > c_normo[k]; }),
    };
    return d;
}

}  // namespace metabosim::experiments
