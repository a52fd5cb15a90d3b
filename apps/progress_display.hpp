// Progress on stderr wherever a user looks: on a terminal, a status line redrawn in place (a bar
// for a run); anywhere else (a file, a pipe, a batch system's log, nohup), whole lines, a run's
// every few seconds; with --quiet, nothing.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "metabosim/simulation.hpp"

namespace metabosim::cli {

// --progress / --quiet as given, and how often a run's progress is written as a line.
struct ProgressOptions {
    bool lines = false;            // lines even on a terminal
    bool quiet = false;
    double line_interval = 5000;   // ms of wall-clock time
};
void add_progress_options(CLI::App* command, ProgressOptions& options);
// The same with --progress-interval, for the commands that run one simulation (run, resume).
void add_run_progress_options(CLI::App* command, ProgressOptions& options);

class ProgressDisplay {
public:
    enum class Style { bar, lines, none };
    static constexpr double bar_interval = 0.25;  // wall-clock seconds between redraws

    // The bar if stderr is a terminal, unless the options say otherwise.
    explicit ProgressDisplay(const ProgressOptions& options);
    // A bar left mid-line (a run stopped by an error) ends its line, so the error has its own.
    ~ProgressDisplay() { finish(); }
    ProgressDisplay(const ProgressDisplay&) = delete;
    ProgressDisplay& operator=(const ProgressDisplay&) = delete;

    Style style() const { return style_; }
    bool quiet() const { return style_ == Style::none; }

    // A line of text (after the bar, which is drawn again by the next update).
    void say(const std::string& text);
    // say() as a callback, for the library's Settings::progress.
    std::function<void(const std::string&)> lines();

    // A run's progress: simulated time, %, ETA, real-time factor, events per second. Called by
    // Simulation::run_until every update_interval() seconds (through run_progress(), which is
    // empty with --quiet), and once at the end (run_ended()).
    void update(const Progress& p);
    double update_interval() const { return style_ == Style::bar ? bar_interval : line_interval_; }
    std::function<void(const Progress&)> run_progress();
    // The run has reached its end: its last figures, then the bar's line ended.
    void run_ended(const Results& results);
    // The bar's line ended (before a message of another kind).
    void finish();

private:
    Style style_;
    double line_interval_;  // s
    bool bar_drawn_ = false;
};

}  // namespace metabosim::cli
