// The sets of network runs the experiments draw on: the three states and the temperature sweep
// are shared by several experiments and made once, on first use; every run made is kept.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "experiments/network_runs.hpp"
#include "metabosim/experiments/findings.hpp"

namespace metabosim::experiments {

class RunSets {
public:
    RunSets(const Model& base, const Settings& s) : base_(base), s_(s) {}

    const Model& base() const { return base_; }
    const Settings& settings() const { return s_; }

    template <class... Args>
    void say(fmt::format_string<Args...> format, Args&&... args) const {
        s_.progress(fmt::format(format, std::forward<Args>(args)...));
    }

    // Hypo, normo and hyper over every seed (findings 1 and 4 and their robustness), labelled by state.
    const std::vector<RunMeasures>& states();
    // The sweep's temperatures with input patterns over every seed (finding 3 and the inverted U),
    // labelled "32C" etc.
    const std::vector<RunMeasures>& sweep();

    // The jobs of the three states (without normo if asked) of `base` for `seeds` in `group`,
    // the first seed's outputs kept.
    std::vector<Job> state_jobs(const std::string& group, const Model& base, const std::vector<std::uint64_t>& seeds,
                                bool with_normo) const;
    // Runs and measures `jobs` (run_jobs), keeping them among all().
    std::vector<RunMeasures> run(std::vector<Job> jobs);

    const std::vector<RunMeasures>& all() const { return all_; }

private:
    const Model& base_;
    const Settings& s_;
    std::vector<RunMeasures> all_, states_, sweep_;
};

}  // namespace metabosim::experiments
