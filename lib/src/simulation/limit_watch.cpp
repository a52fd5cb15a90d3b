#include "simulation/limit_watch.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "metabosim/model/units.hpp"

namespace metabosim {

std::uint64_t default_max_spikes() {
    const double memory = double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGE_SIZE));
    // Unknown memory: 8 GB assumed.
    return static_cast<std::uint64_t>((memory > 0 ? memory : 8e9) / 2 / recorded_spike_bytes);
}

LimitWatch::LimitWatch(const Model& model, double time)
    : window_(model.limits.rate_window),
      max_rate_(model.limits.max_rate),
      max_spikes_(model.limits.max_spikes.value_or(default_max_spikes())),
      checked_(static_cast<std::uint64_t>(std::floor(time / window_))) {}

std::optional<std::string> LimitWatch::check(const Engine& engine) {
    const Model& model = engine.circuit().model;
    const double now = engine.time();
    if (next_check() > now) return std::nullopt;
    const std::vector<std::uint64_t> all = engine.spikes_before(std::numeric_limits<double>::infinity());
    const std::uint64_t total = std::accumulate(all.begin(), all.end(), std::uint64_t{0});
    // Every window that ended by now, the earliest first (an epoch may span several; without a
    // spike in them, none can exceed).
    std::vector<std::uint64_t> before = engine.spikes_before(static_cast<double>(checked_) * window_);
    const auto ended = static_cast<std::uint64_t>(std::floor(now / window_));
    if (engine.spikes_before(static_cast<double>(ended) * window_) == before) checked_ = std::max(checked_, ended);
    while (next_check() <= now) {
        const double from = static_cast<double>(checked_) * window_, to = next_check();
        const std::vector<std::uint64_t> after = engine.spikes_before(to);
        ++checked_;
        for (std::size_t p = 0; p < after.size(); ++p) {
            const double rate = double(after[p] - before[p]) / model.populations[p].size / (window_ / 1000);
            if (rate > max_rate_)
                return fmt::format("population \"{}\" fired at {:.4g} Hz on average from {} ms to {} ms, above "
                                   "limits.max_rate = {}",
                                   model.populations[p].name, rate, from, to, format_quantity(max_rate_, Dimension::rate));
        }
        before = after;
    }
    if (total > max_spikes_)
        return fmt::format("{} spikes recorded by t = {} ms ({:.3g} GB), more than limits.max_spikes = {}", total, now,
                           double(total) * recorded_spike_bytes / 1e9, max_spikes_);
    return std::nullopt;
}

}  // namespace metabosim
