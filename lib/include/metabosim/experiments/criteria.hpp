// A finding's claim tested on measures: each criterion holds or not on the mean over seeds, and
// is counted per seed; the verdict follows from the criteria.
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace metabosim::experiments {

struct Criterion {
    std::string claim, measure;
    double value = NAN;                 // on the mean over seeds
    bool holds = false;
    std::size_t seeds_holding = 0, seeds = 0;
};

// A criterion that holds when `on_mean`, counted over the seeds k = 0 .. seeds - 1 for which
// `holds_for_seed(k)`.
Criterion criterion(std::string claim, std::string measure, double value, bool on_mean, std::size_t seeds,
                    const std::function<bool(std::size_t)>& holds_for_seed);

// "reproduced" when every criterion holds, "not reproduced" when none does, else
// "partly reproduced".
std::string verdict(const std::vector<Criterion>& criteria);

}  // namespace metabosim::experiments
