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
      checked_(std::floor(time / window_)) {}

namespace {
std::uint64_t sum(const std::vector<std::uint64_t>& counts) {
    return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
}
}  // namespace

std::optional<std::string> LimitWatch::check(const Engine& engine) {
    const Model& model = engine.circuit().model;
    const double now = engine.time();
    if (next_check() > now) return std::nullopt;
    const double ended = std::max(std::floor(now / window_), after(checked_));  // windows [0, ended) are over
    // Only windows with a spike can exceed max_rate: each is found by bisection over the
    // spike counts, so a long quiet stretch costs a few counts, not one per window.
    std::vector<std::uint64_t> before = engine.spikes_before(checked_ * window_);
    while (checked_ < ended) {
        const std::uint64_t base = sum(before);
        if (sum(engine.spikes_before(ended * window_)) == base) {
            checked_ = ended;
            break;
        }
        double low = checked_, high = std::nextafter(ended, -HUGE_VAL);  // the first window with a spike
        while (low < high) {
            double middle = std::floor(low / 2 + high / 2);
            if (!(middle < high) || middle < low) middle = low;
            if (sum(engine.spikes_before(after(middle) * window_)) > base)
                high = middle;
            else
                low = after(middle);
        }
        checked_ = low;
        const double from = checked_ * window_, to = after(checked_) * window_;
        const std::vector<std::uint64_t> counts = engine.spikes_before(to);
        checked_ = after(checked_);
        for (std::size_t p = 0; p < counts.size(); ++p) {
            if (model.populations[p].source) continue;  // a source fires at the rate it was given
            const double rate = double(counts[p] - before[p]) / model.populations[p].size / (window_ / 1000);
            if (rate > max_rate_)
                return fmt::format("population \"{}\" fired at {:.4g} Hz on average from {} ms to {} ms, above "
                                   "limits.max_rate = {}",
                                   model.populations[p].name, rate, from, to, format_quantity(max_rate_, Dimension::rate));
        }
        before = counts;
    }
    const std::uint64_t total = sum(engine.spikes_before(std::numeric_limits<double>::infinity()));
    if (total > max_spikes_)
        return fmt::format("{} spikes recorded by t = {} ms ({:.3g} GB), more than limits.max_spikes = {}", total, now,
                           double(total) * recorded_spike_bytes / 1e9, max_spikes_);
    return std::nullopt;
}

}  // namespace metabosim
