"""The findings figures on activity: rasters of the three states, the topological shift
(finding 4) and the energy loop."""
import sys

import matplotlib.pyplot as plt
import numpy as np

import metabosim_outputs
from findings_json import CHI_HIGH, CHI_LOW, RUNAWAY, STATES
from findings_measures import band, chi_measured
from findings_plotting import STATE_COLOURS, ci_note, estimate_error, plot_band
from findings_text import estimate_text, percent_text
from report_common import POPULATION_COLOURS, open_frame

LOOP_COLOURS = {"loop-off": "tab:red", "loop-on": "tab:purple"}
RASTER_NEURONS = {"E": 200, "I": 50}
RASTER_MS = 1000.0
RATE_BIN_MS = 5.0


def read_run(directory):
    """({population: (times ms, ids)}, {population: size}, duration ms) of a run directory."""
    spikes = metabosim_outputs.read_spikes(directory / "spikes.h5")
    summary = metabosim_outputs.read_summary(directory / "summary.json")
    return spikes, metabosim_outputs.population_sizes(summary, spikes), float(summary["duration_ms"])


def state_run_dir(f, state):
    return f.dir / "runs" / "states" / f"{state}-seed{f.seeds[0]}"


def plot_rasters(f):
    fig, axes = plt.subplots(2, 3, figsize=(15, 6.8), sharex="col", layout="constrained",
                             gridspec_kw={"height_ratios": [3, 1]})
    for column, state in enumerate(STATES):
        ax_r, ax_p = axes[0, column], axes[1, column]
        directory = state_run_dir(f, state)
        try:
            spikes, sizes, duration = read_run(directory)
        except (OSError, KeyError, ValueError) as error:
            print(f"findings_report.py: warning: no readable run in {directory} "
                  f"({type(error).__name__}); its raster is left empty", file=sys.stderr)
            ax_r.text(0.5, 0.5, f"no readable run in\nruns/states/{directory.name}",
                      transform=ax_r.transAxes, ha="center", va="center")
            ax_r.set_title(f.state_label(state), fontsize="medium")
            continue
        start = max(0.0, duration - RASTER_MS)
        offset, ticks, rates = 0, [], []
        for population in ("E", "I"):
            if population not in spikes:
                continue
            times, ids = spikes[population]
            size = sizes.get(population, 0)
            shown = np.unique(np.linspace(0, size - 1, min(RASTER_NEURONS[population], size))
                              .round().astype(np.int64)) if size else np.empty(0, np.int64)
            row = np.full(max(size, 1), -1, dtype=np.int64)
            row[shown] = np.arange(len(shown))
            keep = (times >= start) & (row[np.clip(ids, 0, len(row) - 1)] >= 0)
            ax_r.scatter(times[keep] / 1000, offset + row[ids[keep]],
                         s=1.2, marker=".", linewidths=0, color=POPULATION_COLOURS[population],
                         rasterized=True)
            ticks.append((offset + len(shown) / 2, f"{population}\n({len(shown)} of {size})"))
            offset += len(shown) + 5
            bins = np.arange(start, duration + RATE_BIN_MS / 2, RATE_BIN_MS)
            counts, _ = np.histogram(times[times >= start], bins)
            rate = counts / max(size, 1) / (RATE_BIN_MS / 1000)
            ax_p.plot(bins[:-1] / 1000, rate, color=POPULATION_COLOURS[population],
                      linewidth=0.9, label=population)
            mean_rate = len(times) / max(size, 1) / (duration / 1000)
            rates.append(f"{population} {mean_rate:.3g} Hz")
        ax_r.set_yticks([t for t, _ in ticks], [name for _, name in ticks], fontsize="small")
        ax_r.set_ylim(-2, max(offset - 3, 1))
        ax_r.set_title(f"{f.state_label(state)}, seed {f.seeds[0]}\n"
                       f"mean rates over the run: {', '.join(rates)}", fontsize="medium")
        ax_p.set_xlabel("time (s)")
        ax_p.set_xlim(start / 1000, duration / 1000)
        ax_p.set_ylim(bottom=0)
        if column == 0:
            ax_p.set_ylabel(f"rate (Hz)\n{RATE_BIN_MS:g} ms bins")
        ax_p.legend(frameon=False, fontsize="x-small", loc="upper right", ncols=2)
        for ax in (ax_r, ax_p):
            open_frame(ax)
    fig.suptitle(f"Spike rasters, last {min(RASTER_MS, f.settings['duration_ms']) / 1000:g} s "
                 "(neurons evenly spaced over the ids), population rates below")
    return fig


def plot_topology(f):
    e = f["topology"]
    fig = plt.figure(figsize=(14, 8), layout="constrained")
    grid = fig.add_gridspec(2, 4, height_ratios=[1.15, 1])
    ax_t = fig.add_subplot(grid[0, :])
    length = next((w["length_ms"] for st in STATES for w in e["per_state"][st]["windows"]), 500)
    for k, state in enumerate(STATES):
        windows = e["per_state"][state]["windows"]
        if not windows:
            continue
        n = min(len(w["chi"]) for w in windows)
        # States side by side within a window, so that equal values stay visible.
        centres = (np.array(windows[0]["start_ms"][:n], dtype=float) + length / 2
                   + (k - 1) * 0.04 * length) / 1000
        series = [np.array([np.nan if v is None else v for v in w["chi"][:n]]) for w in windows]
        if len(series) > 1:
            for v in series:
                ax_t.plot(centres, v, color=STATE_COLOURS[state], linewidth=0.6, alpha=0.35)
        mean, half = band(series)
        ax_t.errorbar(centres, mean, yerr=np.nan_to_num(half), fmt="o-", color=STATE_COLOURS[state],
                      markersize=5, capsize=4, linewidth=1.8, label=f.state_label(state))
    for level, text in ((CHI_LOW, "asynchronous below 0.2"),
                        (CHI_HIGH, "hypersynchronous above 0.4")):
        ax_t.axhline(level, color="black", linestyle="--" if level == CHI_HIGH else ":",
                     linewidth=1)
        ax_t.annotate(text, (1, level), xycoords=("axes fraction", "data"), xytext=(-3, 3),
                      textcoords="offset points", ha="right", fontsize="small")
    if not chi_measured(f):
        ax_t.text(0.5, 0.6, f"the runs ({f.settings['duration_ms']:g} ms) are shorter than one "
                  f"{length:g} ms window:\nno χ(t); findings.json reports the largest χ(t) as 0",
                  transform=ax_t.transAxes, ha="center", va="center")
    ax_t.set_xlabel(f"time (s); points at the centres of the {length:g} ms windows")
    ax_t.set_ylabel("synchrony χ")
    ax_t.set_ylim(0, max(1.0, ax_t.get_ylim()[1]))
    ax_t.set_xlim(0, f.settings["duration_ms"] / 1000)
    ax_t.legend(frameon=False, fontsize="small", loc="upper left")
    ax_t.set_title(f"χ of the membrane potentials of the recorded E neurons in {length:g} ms "
                   f"windows: {ci_note(f)}", fontsize="medium")
    open_frame(ax_t)
    bars = [("chi_max", "largest χ(t)", None), ("cv_E", "CV of E ISIs", None),
            ("fano_E", "Fano factor, E counts\nin 5 ms bins", None), ("rate", "rate (Hz)", None)]
    n = len(f.seeds)
    jitter = np.linspace(-0.18, 0.18, n) if n > 1 else np.zeros(1)
    for column, (key, ylabel, _) in enumerate(bars):
        ax = fig.add_subplot(grid[1, column])
        if key == "rate":
            for k, (population, shift) in enumerate((("E", -0.2), ("I", 0.2))):
                for x, state in enumerate(STATES):
                    mean, err = estimate_error(e["per_state"][state][f"rate_{population}"])
                    ax.bar(x + shift, mean, width=0.38, color=STATE_COLOURS[state],
                           alpha=0.85 if population == "E" else 0.4,
                           edgecolor=STATE_COLOURS[state],
                           hatch=None if population == "E" else "//", yerr=err, capsize=3,
                           label=("E" if population == "E" else "I") if x == 0 else None)
                    seeds = f.values("states", state, f"rate_{population}")
                    ax.plot(x + shift + 0.5 * jitter[:len(seeds)],
                            [np.nan if v is None else v for v in seeds], "o", color="0.15",
                            markersize=2.5)
            ax.legend(frameon=False, fontsize="x-small", title_fontsize="x-small",
                      title="solid E, hatched I")
        else:
            for x, state in enumerate(STATES):
                mean, err = estimate_error(e["per_state"][state][key])
                ax.bar(x, mean, width=0.6, color=STATE_COLOURS[state], alpha=0.85, yerr=err,
                       capsize=4)
                seeds = f.values("states", state, key)
                ax.plot(x + jitter[:len(seeds)], [np.nan if v is None else v for v in seeds],
                        "o", color="0.15", markersize=2.5)
        if key == "chi_max":
            ax.axhline(CHI_LOW, color="black", linestyle=":", linewidth=1)
            ax.axhline(CHI_HIGH, color="black", linestyle="--", linewidth=1)
        if key == "fano_E":
            # In a legend: beside the line, a label would sit on the low bars.
            ax.axhline(1, color="black", linestyle="--", linewidth=1, label="1 (Poisson)")
            ax.legend(frameon=False, fontsize="x-small", loc="upper left")
        ax.set_xticks(range(3), STATES)
        ax.set_ylabel(ylabel)
        open_frame(ax)
    fig.suptitle(f"Finding 4, topological shift: synchrony and firing statistics per state "
                 f"(bars: mean ± 95 % CI, dots: seeds)\nverdict: {e['verdict']}")
    return fig


def plot_energy(f):
    e = f["energy-loop"]
    fig, axes = plt.subplots(2, 2, figsize=(13, 7.4), sharex=True, layout="constrained")
    (ax_a, ax_t), (ax_w, ax_r) = axes
    colours = plt.get_cmap("Purples")(np.linspace(0.55, 0.95, len(e["runs"])))
    for colour, run in zip(colours, e["runs"]):
        t = np.array(run["energy"]["time_ms"], dtype=float) / 1000
        ax_a.plot(t, run["energy"]["atp_fraction"], color=colour, linewidth=1,
                  label=f"seed {run['seed']}")
        ax_t.step(t, run["energy"]["temperature"], where="post", color=colour, linewidth=1.2,
                  label=f"seed {run['seed']}")
    for level in (0.3, 0.7):
        ax_a.axhline(level, color="black", linestyle="--", linewidth=0.9)
    ax_a.annotate("→ hypo below 0.3", (0, 0.3), xycoords=("axes fraction", "data"),
                  xytext=(3, -10), textcoords="offset points", fontsize="x-small")
    ax_a.annotate("→ hyper above 0.7", (0, 0.7), xycoords=("axes fraction", "data"),
                  xytext=(3, 3), textcoords="offset points", fontsize="x-small")
    ax_a.set_ylabel("ATP (fraction of capacity)")
    ax_a.set_ylim(0, 1.05)
    ax_a.set_title("ATP pool, loop on", fontsize="medium")
    for state in STATES:
        ax_t.axhline(f.temperatures[state], color=STATE_COLOURS[state], linestyle=":",
                     linewidth=1)
    ax_t.set_yticks([f.temperatures[s] for s in STATES],
                    [f"{f.temperatures[s]:g} °C\n{s}" for s in STATES])
    ax_t.set_ylabel("metabolic state (temperature)")
    ax_t.set_ylim(f.temperatures["hypo"] - 1, f.temperatures["hyper"] + 1)
    ax_t.set_title(f"Metabolic state, loop on; in hypo {percent_text(e['fraction_of_time_hypo'])}"
                   " of the time", fontsize="medium")
    for key, label in (("loop-on", "loop on"), ("loop-off", "loop off")):  # off dashed on top
        source = [run["weights"] if key == "loop-on" else run["loop_off"]["weights"]
                  for run in e["runs"]]
        windows = [run["windows"] if key == "loop-on" else run["loop_off"]["windows"]
                   for run in e["runs"]]
        final = e["final_relative"]["loop_on" if key == "loop-on" else "loop_off"]
        style = "--" if key == "loop-off" else "-"
        plot_band(ax_w, np.array(source[0]["time_ms"], dtype=float) / 1000,
                  [w["relative"] for w in source], LOOP_COLOURS[key],
                  f"{label}: end {estimate_text(final)}", linestyle=style)
        length = windows[0]["length_ms"]
        centres = (np.array(windows[0]["start_ms"], dtype=float) + length / 2) / 1000
        plot_band(ax_r, centres, [w["rate_E"] for w in windows], LOOP_COLOURS[key], label,
                  linestyle=style, marker="o")
    ax_w.axhline(1, color="0.6", linewidth=0.8)
    ax_w.axhline(RUNAWAY, color="black", linestyle="--", linewidth=1, label=f"runaway {RUNAWAY:g}")
    ax_w.set_ylabel("w̄(t) / w̄(0)")
    ax_w.set_title("Mean E→E weight", fontsize="medium")
    ax_r.set_ylabel(f"E rate (Hz), {e['runs'][0]['windows']['length_ms']:g} ms windows")
    ax_r.set_ylim(bottom=0)
    ax_r.set_title("E population rate", fontsize="medium")
    for ax in axes.flat:
        open_frame(ax)
        ax.legend(frameon=False, fontsize="x-small",
                  loc="center right" if ax is ax_t else "best")
    for ax in axes[1]:
        ax.set_xlabel("time (s)")
    ax_w.set_xlim(left=0)
    seeds = (f"{len(e['runs'])} seeds (mean ± 95 % CI, thin lines: seeds)" if len(e["runs"]) > 1
             else f"seed {e['runs'][0]['seed']}")
    fig.suptitle(f"Energy loop: hyper drive ({f.temperatures['hyper']:g} °C) with and without the "
                 f"ATP pool, {seeds}\nverdict: {e['verdict']}")
    return fig
