#!/usr/bin/python3
"""Draw an overview figure of one metabosim run.

Usage: tools/plot_run.py DIR [-o FILE]

DIR is an output directory of `metabosim run`. The figure (DIR/overview.png at 300 dpi and
DIR/overview.pdf, or FILE and FILE's .pdf) shows, on a common time axis in seconds:
  - a spike raster, each population in its own colour (at most ~200 neurons per population,
    evenly spaced over its node ids, so that the raster stays readable);
  - the population rates from rates.csv;
  - the temperature of each population (the metabolic state) from metabolism.csv, with the
    hypo-, normo- and hyperthermic levels 32, 37 and 41 degC marked;
  - if V.h5 exists: the membrane potential of the first few recorded neurons, with the
    spikes of those neurons marked above the traces;
  - if weights.h5 exists: the mean weight of each recorded projection relative to its start,
    and the fraction of synapses at w_max on a twin axis;
and below them the final weight distribution of each recorded projection. The title summarizes
summary.json. Panels whose data are absent are left out.

Exit status: 0 figure written, 1 an output file is unreadable, 2 DIR has no spikes.h5.
"""
import argparse
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import metabosim_outputs as outputs
from report_common import open_frame, population_colour, save_figure

RASTER_NEURONS = 200  # per population
TRACED_NEURONS = 4  # membrane-potential traces drawn, over all recorded populations
TEMPERATURE_LEVELS = [(32.0, "hypo"), (37.0, "normo"), (41.0, "hyper")]
PROJECTION_COLOURS = plt.get_cmap("Dark2").colors


class RunData:
    """Everything the figure needs from one output directory; absent optional files are None."""

    def __init__(self, directory):
        self.dir = directory
        self.summary = optional(outputs.read_summary, directory / "summary.json") or {}
        self.spikes = outputs.read_spikes(directory / "spikes.h5")
        self.rates = optional(outputs.read_rates, directory / "rates.csv")
        self.populations = self._population_order()
        self.duration_s = self._duration_s()
        self.sizes = {p: self._population_size(p) for p in self.populations}
        self.temperatures = optional(outputs.read_metabolism, directory / "metabolism.csv")
        self.states = outputs.read_states(directory, "V")
        self.weights = optional(outputs.read_weights, directory / "weights.h5")

    def colour(self, population):
        index = self.populations.index(population) if population in self.populations else 0
        return population_colour(population, index)

    def _population_order(self):
        # summary.json keeps the model's order; HDF5 groups come back sorted by name.
        ordered = [p for p in self.summary.get("populations", {}) if p in self.spikes]
        return ordered + [p for p in self.spikes if p not in ordered]

    def _duration_s(self):
        """From the summary; without it, the end of the last rate bin or the last spike."""
        if "duration_ms" in self.summary:
            return self.summary["duration_ms"] / 1000.0
        ends = [t[-1] for t, _ in self.spikes.values() if len(t)]
        if self.rates is not None and len(self.rates[0]) > 1:
            starts = self.rates[0]
            ends.append(starts[-1] + (starts[1] - starts[0]))
        return max(ends, default=1000.0) / 1000.0

    def _population_size(self, population):
        """The size follows from the summary's spike count and mean rate; without spikes, the
        highest node id that fired is the best available bound."""
        times, ids = self.spikes[population]
        info = self.summary.get("populations", {}).get(population, {})
        count, rate = info.get("spikes", 0), info.get("mean_rate_Hz", 0.0)
        if count > 0 and rate > 0 and self.duration_s > 0:
            return int(round(count / (rate * self.duration_s)))
        return int(ids.max()) + 1 if len(ids) else 0


def optional(reader, path, *args):
    return reader(path, *args) if path.exists() else None


# ---------------------------------------------------------------------------------------------
# Panels. Times are drawn in seconds.


def outside_legend(ax):
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small", frameon=False)


def plot_raster(ax, run):
    """Populations stacked top to bottom in model order, each subsampled evenly over its ids."""
    offset, ticks, shown_counts = 0, [], {}
    for population in reversed(run.populations):
        times, ids = run.spikes[population]
        size = max(run.sizes[population], int(ids.max()) + 1 if len(ids) else 0)
        shown = np.unique(np.linspace(0, size - 1, min(size, RASTER_NEURONS)).round().astype(int))
        keep = np.isin(ids, shown)
        rows = offset + np.searchsorted(shown, ids[keep])
        ax.scatter(times[keep] / 1000.0, rows, marker="|", linewidths=0.7,
                   color=run.colour(population), gid="raster", rasterized=True)
        ticks.append(offset + len(shown) / 2)
        shown_counts[population] = (len(shown), size)
        offset += len(shown)
        if population != run.populations[0]:
            ax.axhline(offset - 0.5, color="0.8", linewidth=0.6)
    ax.set_ylim(-0.5, max(offset, 1) - 0.5)
    ax.set_yticks(ticks)
    ax.set_yticklabels(reversed(run.populations), fontweight="bold")
    for tick, population in zip(ax.get_yticklabels(), reversed(run.populations)):
        tick.set_color(run.colour(population))
    ax.tick_params(axis="y", length=0)
    ax.set_ylabel("neurons")
    counts = ", ".join(f"{p} {n}" if n == size else f"{p} {n} of {size}"
                       for p, (n, size) in reversed(list(shown_counts.items())))
    ax.set_title(f"Spike raster (neurons shown: {counts})", loc="left", fontsize="medium")


def fit_raster_markers(ax):
    """Ticks one row high, once the layout has fixed the panel's height."""
    rows = ax.get_ylim()[1] - ax.get_ylim()[0]
    height_pt = ax.get_window_extent().height * 72.0 / ax.figure.dpi
    size = float(np.clip(0.9 * height_pt / max(rows, 1.0), 2.0, 6.0))
    for collection in ax.collections:
        if collection.get_gid() == "raster":
            collection.set_sizes([size**2])


def plot_rates(ax, run):
    bin_starts, rates = run.rates
    # Steps over whole bins: repeat the last value up to the end of the run.
    edges = np.append(bin_starts, run.duration_s * 1000.0) / 1000.0
    for population, rate in rates.items():
        ax.stairs(rate, edges, color=run.colour(population), linewidth=1.0, label=population,
                  baseline=None)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("rate (Hz)")
    outside_legend(ax)
    bin_ms = bin_starts[1] - bin_starts[0] if len(bin_starts) > 1 else run.duration_s * 1000.0
    ax.set_title(f"Population rates ({bin_ms:g} ms bins)", loc="left", fontsize="medium")


def plot_temperatures(ax, run):
    """Populations with the same timeline share one line, which keeps overlaps legible."""
    end_ms = run.duration_s * 1000.0
    groups = {}
    for population, (times, temperatures) in run.temperatures.items():
        key = (tuple(times), tuple(temperatures))
        groups.setdefault(key, []).append(population)
    for (times, temperatures), populations in groups.items():
        times = np.append(times, max(end_ms, times[-1]))
        temperatures = np.append(temperatures, temperatures[-1])
        colour = run.colour(populations[0]) if len(populations) == 1 else "0.2"
        ax.step(times / 1000.0, temperatures, where="post", color=colour, linewidth=1.5,
                label=", ".join(populations))
    for level, name in TEMPERATURE_LEVELS:
        ax.axhline(level, color="0.6", linewidth=0.6, linestyle=":", zorder=0)
        ax.annotate(f"{name}thermic", (0.0, level), xycoords=("axes fraction", "data"),
                    xytext=(3, 1.5), textcoords="offset points", va="bottom", ha="left",
                    fontsize="x-small", color="0.45")
    values = np.concatenate([t for _, t in run.temperatures.values()])
    levels = [level for level, _ in TEMPERATURE_LEVELS]
    ax.set_ylim(min(values.min(), levels[0]) - 2.0, max(values.max(), levels[-1]) + 2.5)
    ax.set_yticks(sorted(set(levels) | set(np.round(values, 1))))
    ax.yaxis.set_major_formatter("{x:g}")
    ax.set_ylabel("temperature (°C)")
    if len(groups) == 1:
        ax.set_title(f"Metabolic state ({', '.join(next(iter(groups.values())))})", loc="left",
                     fontsize="medium")
    else:
        outside_legend(ax)
        ax.set_title("Metabolic state", loc="left", fontsize="medium")


def plot_voltages(ax, run):
    """The first few recorded neurons, with their spikes as ticks above the traces."""
    traces = [(name, times, node, data[:, k], unit)
              for name, times, nodes, data, unit in run.states
              for k, node in enumerate(nodes)][:TRACED_NEURONS]
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.8, len(traces)))
    top = max(trace.max() for *_, trace, _ in traces)
    bottom = min(trace.min() for *_, trace, _ in traces)
    tick_height = 0.06 * (top - bottom or 1.0)
    for k, ((name, times, node, trace, _), colour) in enumerate(zip(traces, colours)):
        population = name if name in run.spikes else None  # a report is named after its population
        ax.plot(times / 1000.0, trace, color=colour, linewidth=0.8,
                label=f"{population or name} #{node}")
        if population is not None:
            spike_times, ids = run.spikes[population]
            fired = spike_times[ids == node] / 1000.0
            y = top + tick_height * (1.5 + 1.2 * k)
            ax.plot(fired, np.full(fired.shape, y), "|", color=colour, markersize=4,
                    markeredgewidth=1.0)
    ax.set_ylim(bottom - tick_height, top + tick_height * (2.5 + 1.2 * len(traces)))
    ax.set_ylabel(f"V ({traces[0][4]})")
    outside_legend(ax)
    ax.set_title("Membrane potential (ticks: spikes)", loc="left", fontsize="medium")


def plot_weight_dynamics(ax, run):
    twin = ax.twinx()
    open_frame(twin, keep="right")
    for (projection, w), colour in zip(run.weights.items(), PROJECTION_COLOURS):
        times = w["time"] / 1000.0
        if len(times) == 0:
            continue
        start = w["mean"][0]
        relative = w["mean"] / start if start != 0 else np.full(len(times), np.nan)
        ax.plot(times, relative, color=colour, linewidth=1.5, marker="o", markersize=3,
                label=f"{projection}: w̄(t)/w̄(0)")
        twin.plot(times, w["fraction_at_max"], color=colour, linewidth=1.0, linestyle="--",
                  label=f"{projection}: at w_max")
    ax.axhline(1.0, color="0.7", linewidth=0.6, zorder=0)
    ax.set_ylabel("w̄(t) / w̄(0)")
    ax.ticklabel_format(axis="y", useOffset=False)
    # A flat fraction at 0 would otherwise sit on the axis; leave room and keep it in [0, 1].
    high = max((w["fraction_at_max"].max() for w in run.weights.values()
                if len(w["fraction_at_max"])), default=0.0)
    twin.set_ylim(-0.05 * max(high, 0.05), max(high, 0.05) * 1.15)
    twin.set_ylabel("fraction at w_max", color="0.3")
    lines = ax.get_legend_handles_labels()
    twin_lines = twin.get_legend_handles_labels()
    ax.legend(lines[0] + twin_lines[0], lines[1] + twin_lines[1], loc="center left",
              bbox_to_anchor=(1.09, 0.5), fontsize="small", frameon=False)
    ax.set_title("Plasticity (solid: mean weight, dashed: fraction at w_max)", loc="left",
                 fontsize="medium")


def plot_weight_histogram(ax, run):
    """The final distribution over the recorded bins, with the first sample as an outline."""
    counts_range = []
    for (projection, w), colour in zip(run.weights.items(), PROJECTION_COLOURS):
        edges, histogram = w["bin_edges"], w["histogram"]
        if len(edges) < 2:
            continue
        if "final_weight" in w:
            final, _ = np.histogram(w["final_weight"], bins=edges)
        elif len(histogram):
            final = histogram[-1]
        else:
            continue
        ax.stairs(final, edges, fill=True, color=colour, alpha=0.55,
                  label=f"{projection}, end ({run.duration_s:g} s)")
        counts_range.append(final)
        if len(histogram):
            ax.stairs(histogram[0], edges, color="0.25", linewidth=1.0, linestyle="--",
                      label=f"{projection}, t = {w['time'][0] / 1000.0:g} s")
            counts_range.append(histogram[0])
    counts = np.concatenate(counts_range) if counts_range else np.array([0])
    positive = counts[counts > 0]
    if len(positive) and positive.max() / positive.min() > 100:
        ax.set_yscale("log")
        ax.set_ylim(0.7, positive.max() * 2)
    edges = [w["bin_edges"] for w in run.weights.values() if len(w["bin_edges"]) >= 2]
    if edges:
        ax.set_xlim(min(e[0] for e in edges), max(e[-1] for e in edges))
    ax.set_xlabel("weight (nS)")
    ax.set_ylabel("synapses")
    outside_legend(ax)
    ax.set_title("Weight distribution", loc="left", fontsize="medium")


# ---------------------------------------------------------------------------------------------
# The figure.


def title(run):
    s, name = run.summary, run.dir.resolve().name
    if not s:
        return f"metabosim run {name} (no summary.json)"
    first = (f"metabosim run {name}:  {s['neurons']:,} neurons, "
             f"{s['synapses']:,} synapses, {s['duration_ms'] / 1000.0:g} s simulated, "
             f"seed {s['seed']}")
    rates = ",  ".join(f"{p} {info['mean_rate_Hz']:.2f} Hz"
                       for p, info in s.get("populations", {}).items())
    second = (f"mean rates: {rates}   |   real-time factor {s['real_time_factor']:.3g} "
              f"(simulated s per wall s, {s['wall_seconds']:.3g} s wall)")
    return first + "\n" + second


def draw(run):
    time_panels = [(plot_raster, 3.0)]
    if run.rates is not None:
        time_panels.append((plot_rates, 1.4))
    if run.temperatures is not None:
        time_panels.append((plot_temperatures, 1.1))
    if run.states is not None:
        time_panels.append((plot_voltages, 1.6))
    if run.weights is not None:
        time_panels.append((plot_weight_dynamics, 1.3))
    histogram = run.weights is not None

    heights = [h for _, h in time_panels] + ([1.6] if histogram else [])
    fig = plt.figure(figsize=(11, 1.4 * sum(heights) + 1.0), dpi=150, layout="constrained")
    fig.get_layout_engine().set(h_pad=0.06, hspace=0.04)
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights)

    axes = []
    for row, (panel, _) in enumerate(time_panels):
        ax = fig.add_subplot(grid[row], sharex=axes[0] if axes else None)
        open_frame(ax)
        panel(ax, run)
        axes.append(ax)
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel("time (s)")
    axes[0].set_xlim(0, run.duration_s)
    if histogram:
        ax = fig.add_subplot(grid[len(time_panels)])
        open_frame(ax)
        plot_weight_histogram(ax, run)

    fig.suptitle(title(run), fontsize="medium")
    fig.canvas.draw()  # runs the layout, which fixes the raster's height
    fit_raster_markers(axes[0])
    return fig


def main():
    parser = argparse.ArgumentParser(
        description="Draw an overview figure (raster, rates, metabolic state, membrane "
        "potentials, weights) of one `metabosim run` output directory.",
        epilog="Panels whose files (V.h5, weights.h5, ...) are absent are left out. "
        "Exit status: 0 figure written, 1 an output file is unreadable, "
        "2 DIR has no spikes.h5.")
    parser.add_argument("dir", metavar="DIR", type=Path, help="output directory of a run")
    parser.add_argument("-o", "--output", metavar="FILE", type=Path,
                        help="the PNG to write, the PDF beside it (default: DIR/overview.png)")
    args = parser.parse_args()

    if not (args.dir / "spikes.h5").is_file():
        reason = ("has no spikes.h5; is it the output directory of a `metabosim run` that "
                  "recorded spikes?" if args.dir.is_dir() else "is not a directory")
        print(f"plot_run.py: {args.dir} {reason}", file=sys.stderr)
        return 2
    try:
        run = RunData(args.dir)
    except (OSError, KeyError, ValueError) as error:
        print(f"plot_run.py: cannot read the outputs in {args.dir}: {error}", file=sys.stderr)
        return 1

    output = args.output or args.dir / "overview.png"
    try:
        save_figure(draw(run), output)
    except OSError as error:
        print(f"plot_run.py: cannot write {output}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
