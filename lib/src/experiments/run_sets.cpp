#include "experiments/run_sets.hpp"

namespace metabosim::experiments {

std::vector<Job> RunSets::state_jobs(const std::string& group, const Model& base, const std::vector<std::uint64_t>& seeds,
                                     bool with_normo) const {
    std::vector<Job> jobs;
    for (std::uint64_t seed : seeds)
        for (const auto& [label, t] : {std::pair{"hyper", s_.hyper}, {"normo", s_.normo}, {"hypo", s_.hypo}}) {
            if (!with_normo && std::string(label) == "normo") continue;
            jobs.push_back({group, label, t, seed, network(base, s_, t, seed, false), false, seed == seeds.front(),
                            false});
        }
    return jobs;
}

std::vector<RunMeasures> RunSets::run(std::vector<Job> jobs) {
    auto runs = run_jobs(std::move(jobs), s_);
    all_.insert(all_.end(), runs.begin(), runs.end());
    return runs;
}

const std::vector<RunMeasures>& RunSets::states() {
    if (states_.empty()) {
        say("network runs: hypo, normo, hyper x {} seeds", s_.seeds.size());
        states_ = run(state_jobs("states", base_, s_.seeds, true));
    }
    return states_;
}

const std::vector<RunMeasures>& RunSets::sweep() {
    if (sweep_.empty()) {
        say("network runs: {} temperatures with {} input patterns x {} seeds", s_.sweep.size(), pattern_count,
            s_.seeds.size());
        std::vector<Job> jobs;
        for (std::uint64_t seed : s_.seeds)
            for (double t : s_.sweep)
                jobs.push_back({"sweep", fmt::format("{:g}C", t), t, seed, network(base_, s_, t, seed, true), true,
                                seed == s_.seeds.front(), false});
        sweep_ = run(std::move(jobs));
    }
    return sweep_;
}

}  // namespace metabosim::experiments
