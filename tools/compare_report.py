#!/usr/bin/python3
"""Figures and report of a `metabosim compare` directory.

Usage: tools/compare_report.py DIR

DIR is the output directory of `metabosim compare` (apps/compare.cpp), which runs this script
once it has written DIR/compare.json and the network runs (DIR/runs/LABEL/seed-N/, in the layout
of `metabosim run`). Labels are "event", "clock-dtX" and "brian2-dtX". Written into DIR:
  convergence.png  median |t - t_exact| of the spike times versus dt (log-log) for each small
                   model (unconnected neurons, a small network): clock-driven engine (filled)
                   and Brian2 (open), a slope-1 reference and the fitted orders;
  rasters.png      a raster per label of the first seed, first 500 ms, up to 150 neurons per
                   population;
  statistics.png   rate, CV of ISI, synchrony chi and Fano factor per population and label:
                   mean over seeds with its 95 % confidence interval, seeds as faint dots;
  weights.png      only with plastic projections: mean weight over time and final weight
                   distribution per label;
  wall.png         wall time per label with its ratio to the event-driven run; Brian2's build
                   and compile times apart from its run time;
  report.md        the numbers as tables, the figures and a short reading of the numbers.

Exit status: 0 all written, 1 a run's output is unreadable or a file cannot be written,
2 DIR/compare.json is missing or malformed.
"""
import argparse
import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

RASTER_MS = 500.0
RASTER_NEURONS = 150  # per population
MEASURES = [("rate_Hz", "rate (Hz)"), ("cv_isi", "CV of ISI"), ("chi", "synchrony χ"),
            ("fano_5ms", "Fano factor (5 ms bins)")]
CONVERGENCE_NAMES = {"single_neurons": "Unconnected neurons", "single_neuron": "Single neuron",
                     "small_network": "Small network"}
ENGINE_NAMES = {"event": "event-driven", "clock": "clock-driven", "brian2": "Brian2"}
ENGINE_MAPS = {"clock": "Blues", "brian2": "Oranges"}
ENGINE_MARKERS = {"event": "o", "clock": "s", "brian2": "D"}
POPULATION_COLOURS = plt.get_cmap("tab10").colors
CLOCK_COLOUR, BRIAN2_COLOUR = "tab:blue", "tab:orange"

# Student's t quantile t_{0.975, dof} for dof = 1..30.
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


class Malformed(Exception):
    """compare.json is missing or does not hold what apps/compare.cpp writes."""


def ci95(values):
    """(mean, half-width of its 95 % confidence interval, n) over the values that are numbers.

    Student's t with n - 1 degrees of freedom; beyond 30, the Cornish-Fisher expansion of t about
    the normal quantile (error below 1e-3). The half-width is None for n < 2, the mean for n = 0.
    """
    x = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(x) < 2:
        return (float(x[0]) if len(x) else None), None, len(x)
    dof = len(x) - 1
    z = 1.959964
    t = T975[dof - 1] if dof <= 30 else (
        z + (z**3 + z) / (4 * dof) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * dof**2))
    return float(x.mean()), t * float(x.std(ddof=1)) / math.sqrt(len(x)), len(x)


# ---------------------------------------------------------------------------------------------
# Reading compare.json and the runs.

NUMBER = (int, float)
OPTIONAL_NUMBER = (int, float, type(None))


def expect(obj, where, fields):
    """Raise Malformed unless obj is an object with each field of the given type(s)."""
    if not isinstance(obj, dict):
        raise Malformed(f"{where}: expected an object, found {json.dumps(obj)[:60]}")
    for key, kinds in fields.items():
        if key not in obj:
            raise Malformed(f"{where}: \"{key}\" is missing")
        if not isinstance(obj[key], kinds) or isinstance(obj[key], bool):
            raise Malformed(f"{where}.{key}: unexpected value {json.dumps(obj[key])[:60]}")


def load_checked(path, command, check):
    """The JSON that `metabosim COMMAND` wrote at path, checked by check(data) for everything the
    calling script uses."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Malformed(f"{path} does not exist; is {path.parent} the output directory of "
                        f"`metabosim {command}`?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Malformed(f"{path} is not readable JSON: {error}") from None
    try:
        return check(data)
    except Malformed as error:
        raise Malformed(f"{path}: {error}") from None


def check(data):
    """data, or Malformed naming the first entry that is absent or of the wrong type."""
    expect(data, "top level", {"config": str, "model": dict, "seeds": list,
                               "convergence": dict, "runs": list})
    expect(data["model"], "model", {"neurons": int, "duration_ms": NUMBER})
    if not data["seeds"] or not data["runs"]:
        raise Malformed("\"seeds\" and \"runs\" must not be empty")
    for key, model in data["convergence"].items():
        expect(model, f"convergence.{key}", {"neurons": int, "duration_ms": NUMBER,
                                             "spikes_per_neuron": int, "clock": list})
        for engine in ("clock", "brian2"):
            for k, point in enumerate(model.get(engine, [])):
                expect(point, f"convergence.{key}.{engine}[{k}]",
                       {"dt_ms": NUMBER, "median_ms": OPTIONAL_NUMBER, "spikes": int})
        for k, point in enumerate(model.get("brian2_vs_clock", [])):
            expect(point, f"convergence.{key}.brian2_vs_clock[{k}]",
                   {"dt_ms": NUMBER, "same_step": int, "spikes": int})
    for k, run in enumerate(data["runs"]):
        where = f"runs[{k}]"
        expect(run, where, {"label": str, "engine": str, "dt_ms": OPTIONAL_NUMBER, "seed": int,
                            "wall_seconds": NUMBER, "directory": str, "populations": dict})
        if run["engine"] not in ENGINE_NAMES:
            raise Malformed(f"{where}.engine: unknown engine \"{run['engine']}\"")
        for name, population in run["populations"].items():
            expect(population, f"{where}.populations.{name}",
                   {key: OPTIONAL_NUMBER for key, _ in MEASURES})
        for name, w in run.setdefault("weights", {}).items():
            expect(w, f"{where}.weights.{name}",
                   {"time_ms": list, "mean_nS": list, "fraction_at_max": list,
                    "w_min_nS": NUMBER, "w_max_nS": NUMBER, "final_histogram": list})
        if run["engine"] == "brian2":
            run["brian2"] = run.get("brian2") or {}
            expect(run["brian2"], f"{where}.brian2", {})
            for key in ("build_seconds", "compile_seconds"):
                if not isinstance(run["brian2"].get(key), OPTIONAL_NUMBER):
                    raise Malformed(f"{where}.brian2.{key}: unexpected value "
                                    f"{json.dumps(run['brian2'][key])[:60]}")
    return data


class Comparison:
    """compare.json with its runs grouped by label (in the order they ran) and the spikes of the
    run directories, read when first needed."""

    def __init__(self, directory):
        self.dir = directory
        self.data = load_checked(directory / "compare.json", "compare", check)
        self.runs = self.data["runs"]
        self.labels = list(dict.fromkeys(r["label"] for r in self.runs))
        self.by_label = {label: sorted((r for r in self.runs if r["label"] == label),
                                       key=lambda r: r["seed"]) for label in self.labels}
        self.populations = list(dict.fromkeys(p for r in self.runs for p in r["populations"]))
        self.projections = list(dict.fromkeys(p for r in self.runs for p in r["weights"]))
        self.duration_ms = float(self.data["model"]["duration_ms"])
        self._spikes = {}

    def convergence(self):
        """[(name, results)] of the convergence models, in the order of compare.json."""
        return [(CONVERGENCE_NAMES.get(key, key.replace("_", " ").capitalize()), model)
                for key, model in self.data["convergence"].items()]

    def engine(self, label):
        return self.by_label[label][0]["engine"]

    def dt(self, label):
        return self.by_label[label][0]["dt_ms"]

    def values(self, label, population, key):
        return [r["populations"].get(population, {}).get(key) for r in self.by_label[label]]

    def estimate(self, label, population, key):
        return ci95(self.values(label, population, key))

    def wall(self, label):
        return [r["wall_seconds"] for r in self.by_label[label]]

    def mean_wall(self, label):
        return ci95(self.wall(label))[0] if label in self.by_label else None

    def weights(self, label, projection):
        return [r["weights"][projection] for r in self.by_label[label]
                if projection in r["weights"]]

    def labels_of(self, engine):
        return [label for label in self.labels if self.engine(label) == engine]

    def brian2_info(self):
        return next((r["brian2"] for r in self.runs if r["engine"] == "brian2"), None)

    def colour(self, label):
        engine = self.engine(label)
        if engine == "event":
            return "black"
        same = self.labels_of(engine)
        shade = np.linspace(0.5, 0.9, len(same))[same.index(label)] if len(same) > 1 else 0.7
        return plt.get_cmap(ENGINE_MAPS[engine])(shade)

    def spikes(self, run):
        """({population: (times in ms, node ids)}, {population: size}) of a run directory."""
        directory = self.dir / run["directory"]
        if directory not in self._spikes:
            with h5py.File(directory / "spikes.h5", "r") as h5:
                spikes = {name: (group["timestamps"][()], group["node_ids"][()].astype(np.int64))
                          for name, group in h5.get("spikes", {}).items()}
            summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
            sizes = {p: info["size"] for p, info in summary.get("populations", {}).items()
                     if "size" in info}
            self._spikes[directory] = spikes, sizes
        return self._spikes[directory]


def same_step_spikes(c, a, b, dt):
    """(spikes of the same neuron in the same step of length dt, the larger spike count) of two
    runs, over all populations."""
    (spikes_a, _), (spikes_b, _) = c.spikes(a), c.spikes(b)
    shared = larger = 0
    for population in c.populations:
        keys = []
        for spikes in (spikes_a, spikes_b):
            times, ids = spikes.get(population, (np.empty(0), np.empty(0, dtype=np.int64)))
            keys.append(np.unique(ids * (round(c.duration_ms / dt) + 2) + np.round(times / dt)))
        shared += len(np.intersect1d(*keys))
        larger += max(len(keys[0]), len(keys[1]))
    return shared, larger


# ---------------------------------------------------------------------------------------------
# Figures.


def open_frame(ax):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def finite_points(points):
    """dt and median error of the convergence points that can go on a log scale."""
    kept = [(p["dt_ms"], p["median_ms"]) for p in points
            if p["median_ms"] is not None and p["median_ms"] > 0]
    return np.array(kept).reshape(-1, 2).T


def plot_convergence(c):
    models = c.convergence()
    fig, axes = plt.subplots(1, len(models), figsize=(5.6 * len(models), 4.6), squeeze=False,
                             layout="constrained")
    for ax, (name, m) in zip(axes[0], models):
        dt, error = finite_points(m["clock"])
        ax.loglog(dt, error, "o-", color=CLOCK_COLOUR, markersize=5, zorder=3,
                  label=f"clock-driven, order {order(m.get('order_clock'))}")
        if m.get("brian2"):
            b_dt, b_error = finite_points(m["brian2"])
            same, total = same_step_total(m)
            ax.loglog(b_dt, b_error, "o", markersize=12, markerfacecolor="none",
                      markeredgewidth=1.6, color=BRIAN2_COLOUR, zorder=4,
                      label=f"Brian2, order {order(m.get('order_brian2'))}\n"
                            f"(same step as clock: {same}/{total} spikes)")
        if len(dt):
            # Through the geometric centre of the clock points, a factor 3 below them.
            offset = math.exp(np.mean(np.log(error)) - np.mean(np.log(dt))) / 3
            span = np.array([dt.min(), dt.max()])
            ax.loglog(span, offset * span, "--", color="0.55", linewidth=1, label="slope 1")
        else:
            ax.text(0.5, 0.5, "no spike times to compare", transform=ax.transAxes, ha="center")
        open_frame(ax)
        ax.set_xlabel("time step dt (ms)")
        ax.set_ylabel("median |t − t_exact| (ms)")
        ax.set_title(f"{name}: {m['neurons']} neuron{'s' * (m['neurons'] != 1)}, "
                     f"{m['duration_ms']:g} ms,\nfirst {m['spikes_per_neuron']} spikes per neuron",
                     fontsize="medium")
        ax.legend(fontsize="small", frameon=False, loc="upper left")
    fig.suptitle("Spike-time error against the event-driven (exact) spike times")
    return fig


def plot_rasters(c):
    seed = c.data["seeds"][0]
    window = min(RASTER_MS, c.duration_ms)
    width = min(max(3.2 * len(c.labels), 7.0), 24.0)
    fig, axes = plt.subplots(1, len(c.labels), figsize=(width, 5.0), sharey=True, squeeze=False,
                             layout="constrained")
    shown_counts = dict.fromkeys(c.populations)
    for ax, label in zip(axes[0], c.labels):
        run = next((r for r in c.by_label[label] if r["seed"] == seed), c.by_label[label][0])
        spikes, sizes = c.spikes(run)
        offset, ticks = 0, []
        for k, population in reversed(list(enumerate(c.populations))):
            times, ids = spikes.get(population, (np.empty(0), np.empty(0, dtype=np.int64)))
            size = max(sizes.get(population, 0), int(ids.max()) + 1 if len(ids) else 0)
            shown = np.unique(np.linspace(0, size - 1, min(size, RASTER_NEURONS)).round())
            keep = np.isin(ids, shown) & (times <= window)
            rows = offset + np.searchsorted(shown, ids[keep])
            ax.vlines(times[keep], rows - 0.4, rows + 0.4, linewidth=0.6,
                      color=POPULATION_COLOURS[k % len(POPULATION_COLOURS)])
            ticks.append(offset + len(shown) / 2)
            shown_counts[population] = (len(shown), size)
            offset += len(shown)
            if k > 0:
                ax.axhline(offset - 0.5, color="0.8", linewidth=0.6)
        ax.set_xlim(0, window)
        ax.set_ylim(-0.5, max(offset, 1) - 0.5)
        ax.set_yticks(ticks, list(reversed(c.populations)), fontweight="bold")
        for tick, k in zip(ax.get_yticklabels(), reversed(range(len(c.populations)))):
            tick.set_color(POPULATION_COLOURS[k % len(POPULATION_COLOURS)])
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("time (ms)")
        ax.set_title(label + ("" if run["seed"] == seed else f" (seed {run['seed']})"),
                     color=c.colour(label), fontweight="bold", fontsize="medium")
        open_frame(ax)
    counts = ", ".join(f"{p} {n}" if n == size else f"{p} {n} of {size}"
                       for p, (n, size) in shown_counts.items())
    fig.suptitle(f"Spike rasters, seed {seed}, first {window:g} ms (neurons shown: {counts})")
    return fig


def plot_statistics(c):
    n_seeds = len(c.data["seeds"])
    fig, axes = plt.subplots(len(c.populations), len(MEASURES), squeeze=False, sharex=True,
                             figsize=(3.3 * len(MEASURES), 2.6 * len(c.populations) + 1.2),
                             layout="constrained")
    jitter = np.linspace(-0.18, 0.18, n_seeds) if n_seeds > 1 else np.zeros(1)
    for row, population in zip(axes, c.populations):
        for ax, (key, name) in zip(row, MEASURES):
            if "event" in c.labels:
                mean, half, _ = c.estimate("event", population, key)
                if half is not None:
                    ax.axhspan(mean - half, mean + half, color="0.92", zorder=0, linewidth=0)
            for x, label in enumerate(c.labels):
                colour, values = c.colour(label), c.values(label, population, key)
                seeds = [(x + j, v) for j, v in zip(jitter, values) if v is not None]
                if seeds:
                    ax.plot(*zip(*seeds), ".", color=colour, alpha=0.3, markersize=5)
                mean, half, _ = ci95(values)
                if mean is not None:
                    ax.errorbar(x, mean, yerr=half, fmt=ENGINE_MARKERS[c.engine(label)],
                                color=colour, markersize=6, capsize=4, linewidth=1.4)
            ax.set_title(f"{population}: {name}", fontsize="medium")
            ax.set_xticks(range(len(c.labels)), c.labels, rotation=40, ha="right")
            ax.set_xlim(-0.6, len(c.labels) - 0.4)
            open_frame(ax)
    fig.suptitle(f"Network statistics: mean over {n_seeds} seeds ± 95 % CI (Student t); faint "
                 "dots: seeds; grey band: event-driven CI" if n_seeds > 1 else
                 f"Network statistics, seed {c.data['seeds'][0]} (one seed: no CI)")
    return fig


def plot_weights(c):
    fig, axes = plt.subplots(len(c.projections), 2, squeeze=False, layout="constrained",
                             figsize=(12, 3.8 * len(c.projections) + 0.6))
    for (ax_t, ax_h), projection in zip(axes, c.projections):
        for label in c.labels:
            traces = c.weights(label, projection)
            if not traces:
                continue
            style = dict(color=c.colour(label), label=label,
                         linestyle="--" if c.engine(label) == "brian2" else "-")
            n = min(len(w["mean_nS"]) for w in traces)
            estimates = [ci95([w["mean_nS"][i] for w in traces]) for i in range(n)]
            times = np.array(traces[0]["time_ms"][:n], dtype=float)
            mean, half = (np.array([e[k] for e in estimates], dtype=float) for k in (0, 1))
            ax_t.plot(times, mean, marker=".", **style)
            ax_t.fill_between(times, mean - half, mean + half, color=style["color"], alpha=0.1,
                              linewidth=0)
            counts = np.sum([np.array(w["final_histogram"], dtype=float) for w in traces], 0)
            edges = np.linspace(traces[0]["w_min_nS"], traces[0]["w_max_nS"], len(counts) + 1)
            ax_h.stairs(counts / max(counts.sum(), 1.0), edges, linewidth=1.4, **style)
            ax_h.set_xlim(edges[0], edges[-1])
        ax_t.ticklabel_format(axis="y", useOffset=False)
        ax_t.set(xlabel="time (ms)", ylabel="mean weight (nS)")
        ax_t.set_title(f"{projection}: mean weight (band: 95 % CI over seeds)", fontsize="medium")
        ax_h.set(xlabel="weight (nS), from w_min to w_max", ylabel="fraction of synapses")
        ax_h.set_title(f"{projection}: final weight distribution (seeds pooled)",
                       fontsize="medium")
        for ax in (ax_t, ax_h):
            open_frame(ax)
            ax.legend(fontsize="small", frameon=False)
    fig.suptitle("Plasticity")
    return fig


def brian2_overhead(runs):
    """Mean build and compile seconds over the Brian2 runs that report them (None if none)."""
    return {key: ci95([r["brian2"].get(key) for r in runs])[0]
            for key in ("build_seconds", "compile_seconds")}


def plot_wall(c):
    rows = []  # (row label, mean seconds, seconds per seed, colour, hatched, annotation)
    event = c.mean_wall("event")
    for label in c.labels:
        mean = c.mean_wall(label)
        text = f"{mean:.3g} s"
        if event:
            text += ", reference" if label == "event" else f", {mean / event:.3g}× event-driven"
        rows.append((label, mean, c.wall(label), c.colour(label), False, text))
        overhead = brian2_overhead(c.by_label[label]) if c.engine(label) == "brian2" else {}
        parts = {key.split("_")[0]: value for key, value in overhead.items() if value is not None}
        if parts:
            text = ", ".join(f"{k} {v:.3g} s" for k, v in parts.items())
            rows.append((f"{label}\n{' + '.join(parts)}", sum(parts.values()), [],
                         c.colour(label), True, text + " (apart from the run time)"))
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(rows) + 1.6), layout="constrained")
    for y, (_, mean, seeds, colour, hatched, text) in enumerate(rows):
        ax.barh(y, mean, height=0.7, color="white" if hatched else colour, edgecolor=colour,
                hatch="///" if hatched else None, linewidth=1.2)
        ax.plot(seeds, [y] * len(seeds), "|", color="0.3", markersize=12)
        ax.annotate(text, (max([mean] + seeds), y), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize="small")
    means = [row[1] for row in rows if row[1] > 0]
    if means and max(means) / min(means) > 30:
        ax.set_xscale("log")
    ax.set_xlim(right=ax.get_xlim()[1] * (4 if ax.get_xscale() == "log" else 1.5))
    ax.set_yticks(range(len(rows)), [row[0] for row in rows])
    ax.invert_yaxis()
    ax.set_xlabel("wall time (s)")
    n_seeds = len(c.data["seeds"])
    ax.set_title(f"Wall time of the network runs, mean over {n_seeds} seed{'s' * (n_seeds > 1)}"
                 " (ticks: seeds; Brian2: its run time only, hatched: its build/compile time)",
                 fontsize="medium")
    open_frame(ax)
    return fig


# ---------------------------------------------------------------------------------------------
# The report.


def number(x, digits=3):
    """x to `digits` significant digits, trailing zeros kept ("1.40"); "—" if undefined."""
    if x is None or not math.isfinite(x):
        return "—"
    text = f"{x:#.{digits}g}"
    return text[:-1] if text.endswith(".") else text


def order(x):
    return "—" if x is None else f"{x:.2f}"


def estimate_text(estimate, n_seeds, digits=3):
    """"mean [low, high]", the mean alone without an interval, and "(n = k)" if some seeds lack
    the value."""
    mean, half, n = estimate
    if mean is None:
        return "—"
    text = number(mean, digits) if half is None else \
        f"{number(mean, digits)} [{number(mean - half, digits)}, {number(mean + half, digits)}]"
    return text + (f" (n = {n})" if n < n_seeds else "")


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def same_step_total(model):
    agreement = model.get("brian2_vs_clock", [])
    return sum(a["same_step"] for a in agreement), sum(a["spikes"] for a in agreement)


def convergence_section(c):
    lines = ["## Convergence", "",
             "Median |t − t_exact| over the first spikes of each neuron, against the "
             "event-driven engine's exact spike times. \"Same step\": Brian2 spikes in the same "
             "time step as the clock-driven engine's (|Δt| < dt/2).", ""]
    for name, m in c.convergence():
        brian2 = {p["dt_ms"]: p for p in m.get("brian2", [])}
        agreement = {a["dt_ms"]: a for a in m.get("brian2_vs_clock", [])}
        rows = [(f"{p['dt_ms']:g}", number(p["median_ms"]),
                 number(brian2[p["dt_ms"]]["median_ms"]) if p["dt_ms"] in brian2 else "—",
                 f"{agreement[p['dt_ms']]['same_step']}/{agreement[p['dt_ms']]['spikes']}"
                 if p["dt_ms"] in agreement else "—") for p in m["clock"]]
        lines += [f"**{name}** ({m['neurons']} neuron{'s' * (m['neurons'] != 1)}, "
                  f"{m['duration_ms']:g} ms, first {m['spikes_per_neuron']} spikes per neuron; "
                  f"{m.get('exact_spikes', '—')} exact spikes)", ""]
        lines += table(["dt (ms)", "clock median error (ms)", "Brian2 median error (ms)",
                        "Brian2 same step as clock"], rows)
        orders = f"clock-driven {order(m.get('order_clock'))}"
        if "brian2" in m:
            orders += f", Brian2 {order(m.get('order_brian2'))}"
        lines += ["", f"Fitted order (slope of log error against log dt): {orders}.", ""]
    return lines


def statistics_section(c):
    n_seeds = len(c.data["seeds"])
    note = ("Mean [95 % CI] over seeds; (n = k): seeds where the measure is defined, when "
            "fewer than all." if n_seeds > 1 else "One seed, no confidence intervals.")
    rows = [(label, population) + tuple(estimate_text(c.estimate(label, population, key), n_seeds)
                                        for key, _ in MEASURES)
            for label in c.labels for population in c.populations]
    return ["## Network statistics", "", note, ""] + table(
        ["label", "population", "rate (Hz)", "CV of ISI", "χ", "Fano (5 ms)"], rows) + [""]


def weights_section(c):
    n_seeds = len(c.data["seeds"])
    rows = []
    for projection in c.projections:
        for label in c.labels:
            traces = c.weights(label, projection)
            if traces:
                final = [ci95([w[key][-1] if w[key] else None for w in traces])
                         for key in ("mean_nS", "fraction_at_max")]
                rows.append((projection, label, f"{traces[0]['w_max_nS']:g}",
                             estimate_text(final[0], n_seeds, 4), estimate_text(final[1], n_seeds)))
    return ["## Plasticity", ""] + table(
        ["projection", "label", "w_max (nS)", "final mean weight (nS)", "final fraction at w_max"],
        rows) + [""]


def wall_section(c):
    event = c.mean_wall("event")
    rows = []
    for label in c.labels:
        mean = c.mean_wall(label)
        overhead = brian2_overhead(c.by_label[label]) if c.engine(label) == "brian2" else {}
        rows.append((label, number(mean), number(mean / event) if event else "—",
                     number(overhead.get("build_seconds")),
                     number(overhead.get("compile_seconds"))))
    return ["## Wall time", "", "Mean over seeds; for Brian2 its run time, with its build and "
            "compile times apart (not in the ratio).", ""] + table(
        ["label", "wall (s)", "ratio to event-driven", "Brian2 build (s)",
         "Brian2 compile (s)"], rows) + [""]


def rate_reading(c):
    """Whether the clock-driven mean rates lie within the event-driven 95 % CI."""
    clocks = c.labels_of("clock")
    if "event" not in c.labels or not clocks:
        return None
    event = {p: c.estimate("event", p, "rate_Hz") for p in c.populations}
    dts = ", ".join(f"{c.dt(label):g}" for label in clocks)
    if len(c.data["seeds"]) < 2:
        differences = [abs(c.estimate(label, p, "rate_Hz")[0] - event[p][0]) / event[p][0]
                       for label in clocks for p in c.populations
                       if event[p][0] and c.estimate(label, p, "rate_Hz")[0] is not None]
        return ("With one seed there is no confidence interval; the clock-driven mean rates "
                f"(dt = {dts} ms) differ from the event-driven ones by at most "
                f"{100 * max(differences, default=0):.2g} %.")
    outside = []
    for label in clocks:
        for p in c.populations:
            mean, (e_mean, e_half, _) = c.estimate(label, p, "rate_Hz")[0], event[p]
            if mean is not None and e_half is not None and abs(mean - e_mean) > e_half:
                outside.append(f"{p} at dt = {c.dt(label):g} ms ({number(mean)} Hz against "
                               f"{number(e_mean)} [{number(e_mean - e_half)}, "
                               f"{number(e_mean + e_half)}] Hz)")
    if not outside:
        return (f"The clock-driven mean rates (dt = {dts} ms) lie within the event-driven "
                "95 % CI for every population.")
    return ("The clock-driven mean rates lie within the event-driven 95 % CI except for "
            + "; ".join(outside) + ".")


def brian2_reading(c):
    """How closely Brian2 follows the clock-driven engine at the same dt."""
    clauses = []
    totals = [same_step_total(m) for m in c.data["convergence"].values()]
    same, total = sum(t[0] for t in totals), sum(t[1] for t in totals)
    if total:
        clauses.append(f"in the convergence tests, {same} of {total} compared spikes fell in "
                       "the same time step")
    for label in c.labels_of("brian2"):
        twin = next((t for t in c.labels_of("clock") if c.dt(t) == c.dt(label)), None)
        clock_runs = {r["seed"]: r for r in c.by_label[twin]} if twin else {}
        pairs = [(r, clock_runs[r["seed"]]) for r in c.by_label[label] if r["seed"] in clock_runs]
        if not pairs:
            continue
        counts = [same_step_spikes(c, a, b, c.dt(label)) for a, b in pairs]
        differences = [abs(a - b) for p in c.populations
                       for a, b in zip(c.values(label, p, "rate_Hz"), c.values(twin, p, "rate_Hz"))
                       if a is not None and b is not None]
        largest = max(differences, default=0.0)
        rates = ("the mean rates are identical" if largest == 0 else
                 f"the mean rates differ by at most {number(largest)} Hz")
        clauses.append(f"in the network runs at dt = {c.dt(label):g} ms ({len(pairs)} seed"
                       f"{'s' * (len(pairs) > 1)}), they share {sum(n for n, _ in counts)} of "
                       f"{sum(n for _, n in counts)} spikes (same neuron, same step) and {rates}")
    if not clauses:
        return None
    return "Brian2 against the clock-driven engine at the same dt: " + "; ".join(clauses) + "."


def order_reading(c):
    parts = []
    for name, m in c.convergence():
        parts.append(f"{order(m.get('order_clock'))} ({name.lower()}"
                     + (f"; Brian2 {order(m.get('order_brian2'))})" if "brian2" in m else ")"))
    if not parts:
        return None
    orders = [m.get(k) for m in c.data["convergence"].values()
              for k in ("order_clock", "order_brian2") if k in m]
    first = orders and all(o is not None and abs(o - 1) <= 0.2 for o in orders)
    return ("The fitted convergence orders of the spike times are " + " and ".join(parts)
            + (", all within 0.2 of 1 (first-order convergence)." if first else "."))


def wall_reading(c):
    if "event" not in c.labels or len(c.labels) < 2:
        return None
    event = c.mean_wall("event")
    ratios = ", ".join(f"{number(c.mean_wall(label) / event)}× ({label})"
                       for label in c.labels if label != "event")
    return (f"The event-driven network runs took {number(event)} s of wall time on average; "
            f"the others took {ratios}"
            + (", Brian2 without its build and compile time." if c.labels_of("brian2") else "."))


def report(c, figures):
    d, info = c.data, c.brian2_info()
    n_seeds = len(d["seeds"])
    if info:
        brian2 = (f"Brian2 {info.get('version', '?')} ({info.get('device', '?')} device, "
                  f"{info.get('codegen', '?')} code generation).")
    else:
        brian2 = d.get("brian2_note") or "Brian2 did not run."
    lines = [f"# metabosim compare: {Path(d['config']).name}", "",
             f"Config `{d['config']}`: {d['model']['neurons']:,} neurons, "
             f"{d['model']['duration_ms']:g} ms simulated; seed{'s' * (n_seeds > 1)} "
             f"{', '.join(str(s) for s in d['seeds'])}. {brian2}"
             + (f" Whole comparison: {d['wall_seconds']:.3g} s of wall time."
                if isinstance(d.get("wall_seconds"), NUMBER) else ""), ""]
    lines += convergence_section(c) + statistics_section(c)
    if c.projections:
        lines += weights_section(c)
    lines += wall_section(c)
    lines += ["## Figures", ""] + [f"![{name}]({name}.png)\n" for name in figures]
    reading = [s for s in (rate_reading(c), brian2_reading(c), order_reading(c), wall_reading(c))
               if s]
    lines += ["## Reading", "", " ".join(reading), ""]
    return "\n".join(lines)


def report_main(tool, description, epilog, metavar, dir_help, load, write):
    """The command line of the report scripts: load(DIR) reads the run's JSON (Malformed: exit
    2); write(data, DIR) writes the figures and returns the text of DIR/report.md (OSError,
    KeyError, ValueError: exit 1)."""
    parser = argparse.ArgumentParser(description=description, epilog=epilog)
    parser.add_argument("dir", metavar=metavar, type=Path, help=dir_help)
    args = parser.parse_args()
    try:
        data = load(args.dir)
    except Malformed as error:
        print(f"{tool}: {error}", file=sys.stderr)
        return 2
    try:
        (args.dir / "report.md").write_text(write(data, args.dir), encoding="utf-8")
    except (OSError, KeyError, ValueError) as error:
        print(f"{tool}: in {args.dir}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(args.dir / "report.md")
    return 0


def save_figure(fig, path, dpi):
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    print(path)


def write_comparison(c, directory):
    figures = {"convergence": plot_convergence, "rasters": plot_rasters,
               "statistics": plot_statistics, "weights": plot_weights, "wall": plot_wall}
    if not c.projections:
        del figures["weights"]
    if not c.data["convergence"]:
        del figures["convergence"]
    for name, plot in figures.items():
        save_figure(plot(c), directory / f"{name}.png", dpi=130)
    return report(c, figures)


def main():
    return report_main(
        "compare_report.py", "Write the figures and report.md of a `metabosim compare` output directory.",
        "Exit status: 0 all written, 1 a run's output is unreadable or a file cannot be written, "
        "2 DIR/compare.json is missing or malformed.",
        "DIR", "output of `metabosim compare`", Comparison, write_comparison)


if __name__ == "__main__":
    sys.exit(main())
