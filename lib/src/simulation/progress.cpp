#include "metabosim/simulation/progress.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace metabosim {

std::string format_seconds(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    if (seconds == 0) return "0 s";
    if (seconds < 9.95) return fmt::format("{:.1f} s", seconds);
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s < 60) return fmt::format("{} s", s);
    if (s < 3600) return fmt::format("{} min {:02d} s", s / 60, s % 60);
    return fmt::format("{} h {:02d} min", s / 3600, s % 3600 / 60);
}

double seconds_left(double fraction, double elapsed) {
    if (!(fraction > 0) || !std::isfinite(elapsed)) return NAN;
    return fraction >= 1 ? 0 : elapsed * (1 - fraction) / fraction;
}

JobClock::JobClock(double total_work) : start_(std::chrono::steady_clock::now()), total_(total_work) {}

void JobClock::done(double work) { done_ += work; }

double JobClock::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double JobClock::fraction() const { return total_ > 0 ? std::min(done_ / total_, 1.0) : 1.0; }

std::string JobClock::eta() const { return "ETA " + format_seconds(seconds_left(fraction(), elapsed())); }

}  // namespace metabosim
