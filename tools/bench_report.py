#!/usr/bin/python3
"""The scaling figure of a `metabosim bench` directory.

Usage: tools/bench_report.py DIR

DIR is the output directory of `metabosim bench` (apps/bench.cpp), which runs this script once
it has written DIR/bench.json. Written into DIR:
  scaling.png  left: wall time of the simulation against the number of synaptic events
               (log-log) for metabosim event-driven, clock-driven (dt 0.1 ms) and Brian2's C++
               standalone program (dt 0.1 ms), every workload of the table, the scaling series
               joined by lines (K = synapses per neuron), with a slope-1 reference (time
               proportional to events); the synaptic events of a row are those counted by the
               event-driven run (synapses x rate x duration), the same x for all three;
               right: peak resident memory less the baseline (a program simulating one neuron
               without synapses) against the number of synapses, with lines of constant bytes
               per synapse.

Exit status: 0 written, 1 the figure cannot be drawn or written, 2 DIR/bench.json is missing or
malformed, 3 matplotlib is missing.
"""
import math
import sys
from pathlib import Path

try:
    import matplotlib.pyplot as plt
except ImportError:
    print("bench_report: matplotlib is not installed (Debian: apt-get install python3-matplotlib)", file=sys.stderr)
    sys.exit(3)

from report_common import Malformed, load_checked, save_figure  # noqa: E402 (needs matplotlib)

ENGINES = (("event", "metabosim event-driven", "tab:green", "o", "wall_seconds"),
           ("clock 0.1", "metabosim clock-driven, dt 0.1", "tab:blue", "s", "wall_seconds"),
           ("brian2 0.1", "Brian2 standalone, dt 0.1", "tab:orange", "D", "run_seconds"))
SERIES_STYLES = {"K = 100": "-", "K = 1000": "--"}


def check(bench):
    """bench, or Malformed if it has no list of rows (every other entry is optional)."""
    if not isinstance(bench, dict) or not isinstance(bench.get("rows"), list):
        raise Malformed("\"rows\": expected a list of workloads")
    return bench


def number(run, key):
    if not isinstance(run, dict):
        return None
    x = run.get(key)
    return float(x) if isinstance(x, (int, float)) and math.isfinite(x) and x > 0 else None


def points(rows, label, y_of):
    """(x = synaptic events, y, series) for every row where both are known."""
    out = []
    for row in rows:
        events = number(row.get("event"), "synaptic_events")
        y = y_of(row, label)
        if events is not None and y is not None:
            out.append((events, y, row.get("series"), row))
    return out


def log_log(axes, xlabel, ylabel, title):
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)


def draw(bench, path):
    rows = bench["rows"]
    baselines = {"event": bench.get("baseline_rss_bytes"), "clock 0.1": bench.get("baseline_rss_bytes"),
                 "brian2 0.1": bench.get("brian2_baseline_rss_bytes")}
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))

    for label, name, colour, marker, time_key in ENGINES:
        pts = points(rows, label, lambda row, l, k=time_key: number(row.get(l), k))
        if not pts:
            continue
        left.scatter([p[0] for p in pts], [p[1] for p in pts], color=colour, marker=marker, label=name, zorder=3)
        for series, style in SERIES_STYLES.items():
            line = sorted((p[0], p[1]) for p in pts if p[2] == series)
            if len(line) > 1:
                left.plot([p[0] for p in line], [p[1] for p in line], style, color=colour, alpha=0.7)

        def memory(row, l, base=baselines[label]):
            peak = number(row.get(l), "peak_rss_bytes")
            synapses = number(row.get("event"), "synapses")
            if peak is None or synapses is None or base is None or peak - base <= 0:
                return None
            return synapses, peak - base

        mem = [m for m in (memory(row, label) for row in rows) if m is not None]
        right.scatter([m[0] for m in mem], [m[1] / 2**20 for m in mem], color=colour, marker=marker, label=name, zorder=3)
        for series, style in SERIES_STYLES.items():
            line = sorted(memory(row, label) for row in rows if row.get("series") == series and memory(row, label))
            if len(line) > 1:
                right.plot([m[0] for m in line], [m[1] / 2**20 for m in line], style, color=colour, alpha=0.7)

    # Slope 1 through the median event-driven rate: time proportional to synaptic events.
    ev = points(rows, "event", lambda row, l: number(row.get(l), "wall_seconds"))
    if ev:
        xs = sorted(p[0] for p in ev)
        rate = sorted(p[0] / p[1] for p in ev)[len(ev) // 2]
        left.plot([xs[0], xs[-1]], [xs[0] / rate, xs[-1] / rate], ":", color="grey",
                  label=f"time ∝ events ({rate / 1e6:.3g} M events/s)")
    log_log(left, "synaptic events (synapses × rate × duration, event-driven run)", "wall time of the simulation (s)",
            "Time against synaptic events\n(lines: scaling series, solid K = 100, dashed K = 1000)")

    synapses = [number(row.get("event"), "synapses") for row in rows]
    synapses = [s for s in synapses if s is not None]
    if synapses:
        lo, hi = min(synapses) / 1.5, max(synapses) * 1.5
        for b in (4, 12, 40, 120):
            right.plot([lo, hi], [lo * b / 2**20, hi * b / 2**20], ":", color="grey", alpha=0.6, linewidth=0.8)
            right.annotate(f"{b} B/synapse", (hi, hi * b / 2**20), fontsize=7, color="grey", ha="right", va="bottom")
    log_log(right, "synapses", "peak resident memory less the baseline (MiB)",
            "Memory against synapses\n(baseline: the same program on one neuron, no synapses)")

    machine = bench.get("machine", {})
    fig.suptitle(f"metabosim bench — {machine.get('cpu', '?')}, {machine.get('compiler', '?')}, "
                 + (f"Brian2 {bench['brian2_version']}" if bench.get("brian2_version") else "Brian2 not run"), fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = Path(sys.argv[1])
    try:
        bench = load_checked(directory / "bench.json", "bench", check)
    except Malformed as e:
        print(f"bench_report: {e}", file=sys.stderr)
        return 2
    try:
        draw(bench, directory / "scaling.png")
    except Exception as e:  # noqa: BLE001 - any failure: no figure, the table stands
        print(f"bench_report: the figure could not be drawn: {e!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
