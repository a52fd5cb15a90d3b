// Findings 1 and 4 on the three states' runs: how the weights evolve, how the network fires.
#include <algorithm>
#include <cmath>

#include "experiments/mean.hpp"
#include "experiments/protocols.hpp"

namespace metabosim::experiments {

using analysis::mean_ci95;

Bifurcation bifurcation(RunSets& sets) {
    const auto& runs = sets.states();
    const auto& seeds = sets.settings().seeds;
    const std::size_t n = seeds.size();
    const auto final = [&](const char* label) { return values(runs, "states", label, &RunMeasures::final_relative); };
    std::vector<double> hypo_late, hyper_peak;
    std::vector<bool> hyper_accel;
    for (std::uint64_t seed : seeds) {
        hypo_late.push_back(run_of(runs, "states", "hypo", seed).weights.late_slope());
        const auto sl = run_of(runs, "states", "hyper", seed).weights.slopes();
        hyper_peak.push_back(*std::max_element(sl.begin(), sl.end()));
        hyper_accel.push_back(run_of(runs, "states", "hyper", seed).weights.accelerates());
    }
    const auto hypo = final("hypo"), normo = final("normo"), hyper = final("hyper");
    const double m_hypo = mean_of(hypo), m_normo = mean_of(normo), m_hyper = mean_of(hyper);
    const double m_late = mean_of(hypo_late), m_peak = mean_of(hyper_peak);
    const auto accel = static_cast<std::size_t>(std::count(hyper_accel.begin(), hyper_accel.end(), true));
    Bifurcation b;
    b.claim = "Learning trajectories diverge: hypometabolic states plateau near baseline, hypermetabolic "
              "states show non-linear, runaway potentiation.";
    b.criteria = {
        criterion("hypo plateaus near baseline", "w/w0 at the end within [0.9, 1.1] (hypo)", m_hypo,
                  std::abs(m_hypo - 1) <= 0.1, n, [&](std::size_t k) { return std::abs(hypo[k] - 1) <= 0.1; }),
        criterion("hypo's late slope is small", "|slope over the last half| < 0.1 x hyper's peak slope (1/s)", m_late,
                  std::abs(m_late) < 0.1 * m_peak, n,
                  [&](std::size_t k) { return std::abs(hypo_late[k]) < 0.1 * hyper_peak[k]; }),
        criterion("hyper runs away", "w/w0 at the end >= 1.5 (hyper)", m_hyper, m_hyper >= 1.5, n,
                  [&](std::size_t k) { return hyper[k] >= 1.5; }),
        criterion("hyper accelerates before it saturates", "seeds whose slope rises to its peak after the first interval",
                  static_cast<double>(accel), accel * 10 >= n * 9, n, [&](std::size_t k) { return hyper_accel[k]; }),
        criterion("normo lies between", "w/w0 at the end of normo, between hypo's and hyper's", m_normo,
                  m_hypo <= m_normo && m_normo <= m_hyper, n,
                  [&](std::size_t k) { return hypo[k] <= normo[k] && normo[k] <= hyper[k]; }),
    };
    b.final_relative = {mean_ci95(hypo), mean_ci95(normo), mean_ci95(hyper)};
    b.hypo_late_slope = mean_ci95(hypo_late);
    b.hyper_peak_slope = mean_ci95(hyper_peak);
    const auto trajectories = [&](const char* label) {
        std::vector<WeightTrajectory> per_seed;
        for (std::uint64_t seed : seeds) per_seed.push_back(run_of(runs, "states", label, seed).weights);
        return per_seed;
    };
    b.trajectories = {trajectories("hypo"), trajectories("normo"), trajectories("hyper")};
    return b;
}

Topology topology(RunSets& sets) {
    const auto& runs = sets.states();
    const auto& seeds = sets.settings().seeds;
    const std::size_t n = seeds.size();
    const auto activity = [&](const char* label) {
        const auto estimate = [&](double RunMeasures::*m) { return mean_ci95(values(runs, "states", label, m)); };
        StateActivity a{.chi_max = estimate(&RunMeasures::chi_max), .chi_run = estimate(&RunMeasures::chi_run),
                        .rate_E = estimate(&RunMeasures::rate_E), .rate_I = estimate(&RunMeasures::rate_I),
                        .cv_E = estimate(&RunMeasures::cv_E), .fano_E = estimate(&RunMeasures::fano_E), .windows = {}};
        for (std::uint64_t seed : seeds) a.windows.push_back(run_of(runs, "states", label, seed).windows);
        return a;
    };
    Topology t;
    t.per_state = {activity("hypo"), activity("normo"), activity("hyper")};
    const auto chi_hypo = values(runs, "states", "hypo", &RunMeasures::chi_max),
               chi_hyper = values(runs, "states", "hyper", &RunMeasures::chi_max);
    const auto rate_hypo = values(runs, "states", "hypo", &RunMeasures::rate_E),
               rate_normo = values(runs, "states", "normo", &RunMeasures::rate_E);
    const auto fano_hyper = values(runs, "states", "hyper", &RunMeasures::fano_E);
    t.claim = "Sparse asynchronous firing in energy-restricted states, seizure-like hypersynchronization in "
              "high-energy states.";
    t.criteria = {
        criterion("hypo is asynchronous", "largest chi(t) over 500 ms windows < 0.2 (hypo)", mean_of(chi_hypo),
                  mean_of(chi_hypo) < 0.2, n, [&](std::size_t k) { return chi_hypo[k] < 0.2; }),
        criterion("hypo fires sparsely", "E rate: hypo < normo (Hz)", mean_of(rate_hypo),
                  mean_of(rate_hypo) < mean_of(rate_normo), n, [&](std::size_t k) { return rate_hypo[k] < rate_normo[k]; }),
        criterion("hyper hypersynchronizes", "largest chi(t) over 500 ms windows > 0.4 (hyper)", mean_of(chi_hyper),
                  mean_of(chi_hyper) > 0.4, n, [&](std::size_t k) { return chi_hyper[k] > 0.4; }),
        criterion("hyper fires in population bursts", "Fano factor of E counts in 5 ms bins > 1 (hyper)",
                  mean_of(fano_hyper), mean_of(fano_hyper) > 1, n, [&](std::size_t k) { return fano_hyper[k] > 1; }),
    };
    return t;
}

}  // namespace metabosim::experiments
