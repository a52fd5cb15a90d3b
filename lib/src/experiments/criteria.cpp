#include "metabosim/experiments/criteria.hpp"

#include <algorithm>

namespace metabosim::experiments {

Criterion criterion(std::string claim, std::string measure, double value, bool on_mean, std::size_t seeds,
                    const std::function<bool(std::size_t)>& holds_for_seed) {
    Criterion c{std::move(claim), std::move(measure), value, on_mean, 0, seeds};
    for (std::size_t k = 0; k < seeds; ++k) c.seeds_holding += holds_for_seed(k);
    return c;
}

std::string verdict(const std::vector<Criterion>& criteria) {
    const auto n = std::count_if(criteria.begin(), criteria.end(), [](const Criterion& c) { return c.holds; });
    return n == static_cast<long>(criteria.size()) ? "reproduced" : n == 0 ? "not reproduced" : "partly reproduced";
}

}  // namespace metabosim::experiments
