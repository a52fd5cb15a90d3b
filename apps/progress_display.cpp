#include "progress_display.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "metabosim/simulation/progress.hpp"

namespace metabosim::cli {

void add_progress_options(CLI::App* command, ProgressOptions& options) {
    auto* lines = command->add_flag("--progress", options.lines,
                                    "progress as lines, a run's every few seconds, even on a terminal (the default "
                                    "when stderr is a file or a pipe; on a terminal, a bar)");
    command->add_flag("-q,--quiet", options.quiet, "nothing on stderr but errors")->excludes(lines);
}

void add_run_progress_options(CLI::App* command, ProgressOptions& options) {
    add_progress_options(command, options);
    add_time_option(command, "--progress-interval", options.line_interval,
                    "wall-clock time between the run's progress lines (when they are lines, not a bar)",
                    TimeBound::positive);
}

ProgressDisplay::ProgressDisplay(const ProgressOptions& options)
    : style_(options.quiet   ? Style::none
             : options.lines ? Style::lines
             : isatty(STDERR_FILENO) ? Style::bar
                                     : Style::lines),
      line_interval_(options.line_interval / 1000) {}

void ProgressDisplay::say(const std::string& text) {
    if (style_ == Style::none) return;
    finish();
    fmt::print(stderr, "{}\n", text);
    std::fflush(stderr);
}

std::function<void(const std::string&)> ProgressDisplay::lines() {
    return [this](const std::string& text) { say(text); };
}

void ProgressDisplay::update(const Progress& p) {
    if (style_ == Style::none) return;
    const double fraction = p.duration > 0 ? std::clamp(p.simulated / p.duration, 0.0, 1.0) : 1;
    const double rtf = p.wall_seconds > 0 ? p.simulated / 1000 / p.wall_seconds : 0;
    const std::string figures =
        fmt::format("t = {:.2f} / {:.2f} s ({:.0f}%), wall {}, ETA {}, real-time factor {:.3f}, {:.2f} M events/s",
                    p.simulated / 1000, p.duration / 1000, 100 * fraction, format_seconds(p.wall_seconds),
                    format_seconds(seconds_left(fraction, p.wall_seconds)), rtf,
                    p.events / std::max(p.wall_seconds, 1e-9) / 1e6);
    if (style_ == Style::lines) {
        fmt::print(stderr, "  {}\n", figures);
    } else {
        constexpr int width = 24;
        const int filled = static_cast<int>(std::lround(fraction * width));
        // \r and "erase to the end of the line": the line is drawn anew each time.
        fmt::print(stderr, "\r  [{}{}] {}\x1b[K", std::string(filled, '#'), std::string(width - filled, '.'), figures);
        bar_drawn_ = true;
    }
    std::fflush(stderr);
}

std::function<void(const Progress&)> ProgressDisplay::run_progress() {
    if (style_ == Style::none) return {};
    return [this](const Progress& p) { update(p); };
}

void ProgressDisplay::run_ended(const Results& results) {
    update({.simulated = results.reached, .duration = results.duration, .wall_seconds = results.counters.wall_seconds,
            .events = results.counters.total_events()});
    finish();
}

void ProgressDisplay::finish() {
    if (!bar_drawn_) return;
    fmt::print(stderr, "\n");
    bar_drawn_ = false;
}

}  // namespace metabosim::cli
