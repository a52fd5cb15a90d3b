"""The figures of a `metabosim compare` directory: convergence, rasters, statistics, weights and
wall time (see compare_report.py)."""
import math

import matplotlib.pyplot as plt
import numpy as np

from compare_runs import MEASURES, brian2_overhead, same_step_total
from compare_text import order
from report_common import ci95, open_frame, population_colour

RASTER_MS = 500.0
RASTER_NEURONS = 150  # per population
ENGINE_MAPS = {"clock": "Blues", "brian2": "Oranges"}
ENGINE_MARKERS = {"event": "o", "clock": "s", "brian2": "D"}
CLOCK_COLOUR, BRIAN2_COLOUR = "tab:blue", "tab:orange"


def label_colour(c, label):
    """Black for the event-driven run; shades of the engine's colour map for the others."""
    engine = c.engine(label)
    if engine == "event":
        return "black"
    same = c.labels_of(engine)
    shade = np.linspace(0.5, 0.9, len(same))[same.index(label)] if len(same) > 1 else 0.7
    return plt.get_cmap(ENGINE_MAPS[engine])(shade)


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
                      color=population_colour(population, k), rasterized=True)
            ticks.append(offset + len(shown) / 2)
            shown_counts[population] = (len(shown), size)
            offset += len(shown)
            if k > 0:
                ax.axhline(offset - 0.5, color="0.8", linewidth=0.6)
        ax.set_xlim(0, window)
        ax.set_ylim(-0.5, max(offset, 1) - 0.5)
        ax.set_yticks(ticks, list(reversed(c.populations)), fontweight="bold")
        for tick, k in zip(ax.get_yticklabels(), reversed(range(len(c.populations)))):
            tick.set_color(population_colour(c.populations[k], k))
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("time (ms)")
        ax.set_title(label + ("" if run["seed"] == seed else f" (seed {run['seed']})"),
                     color=label_colour(c, label), fontweight="bold", fontsize="medium")
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
                colour, values = label_colour(c, label), c.values(label, population, key)
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
            style = dict(color=label_colour(c, label), label=label,
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


def plot_wall(c):
    rows = []  # (row label, mean seconds, seconds per seed, colour, hatched, annotation)
    event = c.mean_wall("event")
    for label in c.labels:
        mean = c.mean_wall(label)
        text = f"{mean:.3g} s"
        if event:
            text += ", reference" if label == "event" else f", {mean / event:.3g}× event-driven"
        rows.append((label, mean, c.wall(label), label_colour(c, label), False, text))
        overhead = brian2_overhead(c.by_label[label]) if c.engine(label) == "brian2" else {}
        parts = {key.split("_")[0]: value for key, value in overhead.items() if value is not None}
        if parts:
            text = ", ".join(f"{k} {v:.3g} s" for k, v in parts.items())
            rows.append((f"{label}\n{' + '.join(parts)}", sum(parts.values()), [],
                         label_colour(c, label), True, text + " (apart from the run time)"))
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
