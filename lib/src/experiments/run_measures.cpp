#include "metabosim/experiments/run_measures.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "metabosim/model/error.hpp"

namespace metabosim::experiments {

std::vector<double> WeightTrajectory::slopes() const {
    std::vector<double> out;
    for (std::size_t k = 1; k < time.size(); ++k)
        out.push_back((relative[k] - relative[k - 1]) / ((time[k] - time[k - 1]) / 1000));
    return out;
}

double WeightTrajectory::late_slope() const {
    const std::size_t mid = time.size() / 2;
    return (relative.back() - relative[mid]) / ((time.back() - time[mid]) / 1000);
}

bool WeightTrajectory::accelerates() const {
    const auto s = slopes();
    const auto peak = std::max_element(s.begin(), s.end());
    return peak != s.begin() && *peak > s.front();
}

std::vector<double> values(const std::vector<RunMeasures>& runs, const std::string& group, const std::string& label,
                           double RunMeasures::*measure) {
    std::vector<std::pair<std::uint64_t, double>> found;
    for (const RunMeasures& r : runs)
        if (r.group == group && r.label == label) found.emplace_back(r.seed, r.*measure);
    std::sort(found.begin(), found.end());
    std::vector<double> out;
    for (const auto& f : found) out.push_back(f.second);
    return out;
}

const RunMeasures& run_of(const std::vector<RunMeasures>& runs, const std::string& group, const std::string& label,
                          std::uint64_t seed) {
    for (const RunMeasures& r : runs)
        if (r.group == group && r.label == label && r.seed == seed) return r;
    throw InternalError(fmt::format("no run {} {} seed {}", group, label, seed));
}

}  // namespace metabosim::experiments
