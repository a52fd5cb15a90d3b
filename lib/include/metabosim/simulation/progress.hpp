// Progress as people read it: wall-clock times as text, and the time left of a job from the
// part of it done so far (a run's simulated time, an experiment's runs, a benchmark's workloads).
#pragma once

#include <chrono>
#include <string>

namespace metabosim {

// "0.4 s", "8.2 s", "45 s", "3 min 05 s", "2 h 07 min"; "?" for a negative or non-finite time.
std::string format_seconds(double seconds);

// Wall-clock seconds left when `fraction` (0 to 1) of a job took `elapsed` seconds, assuming the
// rest goes at the same pace; NaN before any progress.
double seconds_left(double fraction, double elapsed);

// A job of known total work (runs, or their simulated milliseconds), timed from construction.
class JobClock {
public:
    explicit JobClock(double total_work);

    // `work` more of it done (called by one thread at a time).
    void done(double work = 1);

    double elapsed() const;       // s
    double fraction() const;      // done / total
    // "ETA 1 min 20 s" from the pace so far; "ETA ?" before anything is done.
    std::string eta() const;

private:
    std::chrono::steady_clock::time_point start_;
    double total_, done_ = 0;
};

}  // namespace metabosim
