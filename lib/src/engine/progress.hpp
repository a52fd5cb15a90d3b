// Calls a progress callback about every `interval` wall-clock seconds, and times the run (across
// all the stretches it is advanced in).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>

#include "metabosim/simulation.hpp"

namespace metabosim {

class ProgressReporter {
public:
    ProgressReporter(const std::function<void(const Progress&)>& callback, double interval, double duration,
                     double earlier_seconds = 0)
        : callback_(callback), interval_(interval), duration_(duration), earlier_(earlier_seconds),
          start_(clock::now()), last_(start_) {}
    void maybe_report(double simulated, std::uint64_t events) {
        if (!callback_ || seconds_since(last_) < interval_) return;
        last_ = clock::now();
        callback_({std::min(simulated, duration_), duration_, elapsed(), events});
    }
    // Seconds of running, this stretch and those before.
    double elapsed() const { return earlier_ + seconds_since(start_); }

private:
    using clock = std::chrono::steady_clock;
    static double seconds_since(clock::time_point t0) {
        return std::chrono::duration<double>(clock::now() - t0).count();
    }
    const std::function<void(const Progress&)>& callback_;
    double interval_, duration_, earlier_;
    clock::time_point start_, last_;
};

}  // namespace metabosim
