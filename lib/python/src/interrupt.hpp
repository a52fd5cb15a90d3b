// Ctrl-C during long library calls. Python runs its signal handlers only in the main thread and
// only when asked, so C++ that runs for minutes with the GIL released must ask: the simulation
// at its progress callback (between epochs, in the calling thread), the experiments from the
// thread that waits for them (their progress lines come from worker threads).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <string>

#include <pybind11/pybind11.h>

#include "metabosim/simulation.hpp"

namespace metabosim::python {

namespace py = pybind11;

// How often a running library call checks for Ctrl-C, in wall-clock seconds.
inline constexpr double signal_check_interval = 0.1;

// The progress callback of a simulation: with the GIL, runs pending signal handlers, then
// `callback` (a Python callable taking a Progress, or None) at most every `interval` seconds.
// A Python exception from either (KeyboardInterrupt on Ctrl-C) asks the simulation to stop at its
// next boundary and is kept for rethrow(): the simulation stays usable, its results() partial.
class RunProgress {
public:
    RunProgress(Simulation& sim, py::object callback, double interval)
        : sim_(sim), callback_(std::move(callback)), interval_(interval) {}
    void operator()(const Progress& p) {
        if (error_) return;  // stopping
        py::gil_scoped_acquire gil;
        try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (callback_.is_none() || p.wall_seconds - last_ < interval_) return;
            last_ = p.wall_seconds;
            callback_(p);
        } catch (py::error_already_set& e) {
            error_ = std::make_unique<py::error_already_set>(std::move(e));
            sim_.request_stop();
        }
    }
    // With the GIL, after the run: raises what stopped it, if anything did.
    void rethrow() {
        if (error_) throw std::move(*error_);
    }
    bool reporting() const { return !callback_.is_none(); }
    // Once more at the end of a stretch, with where the run got to (needs the GIL).
    void finish(const Progress& p) const {
        if (reporting()) callback_(p);
    }

private:
    Simulation& sim_;
    py::object callback_;
    double interval_;
    double last_ = -std::numeric_limits<double>::infinity();
    std::unique_ptr<py::error_already_set> error_;
};

// A long library call whose progress lines may come from any thread. run() calls `work` in a
// thread of its own while this thread, the caller's, waits with the GIL released and checks for
// Ctrl-C; on Ctrl-C the callback from lines() throws at its next line, which ends the work, and
// run() raises KeyboardInterrupt once it has ended.
class Interruptible {
public:
    // `progress`: a Python callable taking one line of text, or None.
    explicit Interruptible(py::object progress) : progress_(std::move(progress)) {}

    // The library's progress callback: each line to `progress` (with the GIL); throws once stopped.
    std::function<void(const std::string&)> lines() {
        return [this](const std::string& line) {
            if (stop_) throw Stopped{};
            if (progress_.is_none()) return;
            py::gil_scoped_acquire gil;
            if (stop_) throw Stopped{};
            try {
                progress_(line);
            } catch (...) {
                stop_ = true;  // the other threads stop at their next line too
                throw;
            }
        };
    }

    // Called with the GIL held; returns what `work` returns or throws what it throws.
    template <class Result>
    Result run(std::function<Result()> work) {
        auto done = std::async(std::launch::async, std::move(work));
        const auto interval = std::chrono::duration<double>(signal_check_interval);
        while (true) {
            {
                py::gil_scoped_release release;
                if (done.wait_for(interval) == std::future_status::ready) break;
            }
            if (PyErr_CheckSignals() != 0) {
                py::error_already_set interrupt;
                stop_ = true;
                {
                    py::gil_scoped_release release;
                    done.wait();
                }
                try {
                    done.get();
                } catch (...) {
                    // Stopped, or what the library made of it: the interrupt is what happened.
                }
                throw interrupt;
            }
        }
        return done.get();
    }

private:
    struct Stopped {};
    py::object progress_;
    std::atomic<bool> stop_{false};
};

}  // namespace metabosim::python
