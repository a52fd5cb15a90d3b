// The energy loop: a hyper drive with and without the ATP pool. Does the loop stop the runaway,
// and where does the network settle? Runs twice as long as the other experiments.
#include <algorithm>

#include "experiments/mean.hpp"
#include "experiments/protocols.hpp"

namespace metabosim::experiments {

EnergyBudget loop_budget(const Population& base, const Settings& s) {
    EnergyBudget e = base.energy.value_or(EnergyBudget{});
    if (e.thresholds.empty())
        e.thresholds = {{.direction = EnergyThreshold::Direction::falling, .level = 0.3, .temperature = s.hypo},
                        {.direction = EnergyThreshold::Direction::rising, .level = 0.7, .temperature = s.hyper}};
    return e;
}

EnergyLoop energy_loop(RunSets& sets) {
    const Settings& s = sets.settings();
    const std::vector<std::uint64_t> seeds(s.seeds.begin(), s.seeds.begin() + std::min<std::size_t>(3, s.seeds.size()));
    Settings longer = s;
    longer.duration = 2 * s.duration;
    std::vector<Job> jobs;
    for (std::uint64_t seed : seeds)
        for (const bool loop : {false, true}) {
            Model m = network(sets.base(), longer, s.hyper, seed, false);
            if (loop)
                for (std::size_t k = 0; k < m.populations.size(); ++k)
                    m.populations[k].energy = loop_budget(sets.base().populations[k], s);
            jobs.push_back({"energy", loop ? "loop-on" : "loop-off", s.hyper, seed, std::move(m), false, seed == seeds.front(), false});
        }
    sets.say("network runs: hyper drive ({:g} degC) with and without the energy loop x {} seeds, {:g} s", s.hyper,
             seeds.size(), longer.duration / 1000);
    const auto runs = sets.run(std::move(jobs));
    const std::size_t n = seeds.size();
    const auto off = values(runs, "energy", "loop-off", &RunMeasures::final_relative),
               on = values(runs, "energy", "loop-on", &RunMeasures::final_relative);
    EnergyLoop e;
    std::vector<double> time_hypo;
    for (std::uint64_t seed : seeds) {
        const RunMeasures& r = run_of(runs, "energy", "loop-on", seed);
        const auto& temps = r.energy.value().temperature;
        time_hypo.push_back(std::count(temps.begin(), temps.end(), s.hypo) / static_cast<double>(temps.size()));
        e.final_temperature.push_back(temps.back());
        e.runs.push_back({.seed = seed, .loop_on = r, .loop_off = run_of(runs, "energy", "loop-off", seed)});
    }
    e.claim = "With activity spending energy and energy setting the state, a hyper drive no longer runs away.";
    e.thresholds = "ATP below 30 % of capacity: hypo; above 70 %: back to hyper";
    e.final_relative_loop_off = analysis::mean_ci95(off);
    e.final_relative_loop_on = analysis::mean_ci95(on);
    e.fraction_of_time_hypo = analysis::mean_ci95(time_hypo);
    e.criteria = {
        criterion("without the loop the hyper drive runs away", "w/w0 at the end >= 1.5 (loop off)", mean_of(off),
                  mean_of(off) >= 1.5, n, [&](std::size_t k) { return off[k] >= 1.5; }),
        criterion("metabolic constraints regulate stability", "w/w0 at the end < 1.5 (loop on)", mean_of(on),
                  mean_of(on) < 1.5, n, [&](std::size_t k) { return on[k] < 1.5; }),
    };
    return e;
}

}  // namespace metabosim::experiments
