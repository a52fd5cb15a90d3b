#include "engine/epochs.hpp"

#include <cmath>

namespace metabosim {

void EpochGrid::reach(std::uint64_t e) {
    while (base_ + starts_.size() <= e) starts_.push_back(starts_.back() + length_);
}

void EpochGrid::forget_before(std::uint64_t e) {
    if (e <= base_ + 1024) return;  // in batches: erasing shifts what is kept
    starts_.erase(starts_.begin(), starts_.begin() + static_cast<std::ptrdiff_t>(e - base_));
    base_ = e;
}

std::uint64_t EpochGrid::epoch_of(double t, std::uint64_t from) const {
    if (t < start(from + 1)) return from;  // the usual case: a delay of one to two epochs
    if (t < start(from + 2)) return from + 1;
    const double ahead = std::floor((t - start(from)) / length_);
    std::uint64_t e = from + static_cast<std::uint64_t>(ahead > 0 ? ahead : 0);
    const std::uint64_t last = base_ + starts_.size() - 1;
    if (e >= last) e = last - 1;
    while (e > from && start(e) > t) --e;
    while (e + 1 < last && start(e + 1) <= t) ++e;
    return e;
}

}  // namespace metabosim
