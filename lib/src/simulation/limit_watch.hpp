// The [limits] of a model (model.hpp, Limits) checked while it runs: at the end of every window of
// simulated time, each population's mean rate over that window, and the spikes recorded in all.
// Windows are fixed on simulated time ([k w, (k + 1) w)) and counted from the recorded spike
// times, so the same model stops at the same point whatever the threads, the stretches it is run
// in, or a checkpoint on the way.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/engine.hpp"

namespace metabosim {

// Memory a recorded spike can take until the outputs are written: its time and id (12 B) in a
// vector that may hold twice what it uses, and once more in the results written.
inline constexpr double recorded_spike_bytes = 48;

class LimitWatch {
public:
    // Windows ending at or before `time` (ms) count as checked: a run resumed there goes on as it
    // would have.
    LimitWatch(const Model& model, double time);

    // Where the engine should next stop to check (ms).
    double next_check() const { return after(checked_) * window_; }
    // Checks every window that ended by the engine's time(); what is exceeded, if anything, as
    // "population "E" fired at 812 Hz from 100 ms to 200 ms, above limits.max_rate = 500 Hz".
    std::optional<std::string> check(const Engine& engine);

private:
    // Window indices are whole doubles: a run may last up to the largest double. The next index
    // is k + 1, or the next double where k + 1 rounds to k.
    static double after(double k) { return k + 1 > k ? k + 1 : std::nextafter(k, HUGE_VAL); }

    double window_, max_rate_;
    std::uint64_t max_spikes_;
    double checked_;  // windows [0, checked_) checked
};

// Spikes that half of this machine's memory holds (recorded_spike_bytes each).
std::uint64_t default_max_spikes();

}  // namespace metabosim
