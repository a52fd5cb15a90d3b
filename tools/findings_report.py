#!/usr/bin/python3
"""Figures and one-page report of a `metabosim experiment` directory.

Usage: tools/findings_report.py OUT

OUT is the output directory of `metabosim experiment NAME` (apps/experiments/findings.cpp), which
runs this script once it has written OUT/findings.json and the outputs of the first seed of each
condition (OUT/runs/GROUP/LABEL-seedN/, in the layout of `metabosim run`). findings.json may hold
all six experiments or only some of them; figures are drawn for those present. Written into OUT:
  bifurcation.png  finding 1: w(t)/w(0) of the mean E->E weight for hypo, normo and hyper, mean
                   over seeds with its 95 % CI (Student t), seeds as thin lines, the +-10 % band
                   around 1 and the runaway level 1.5;
  rasters.png      the last second (or the whole run) of the first seed at hypo, normo and hyper:
                   ~200 E and ~50 I neurons, with the population rates below;
  stdp_window.png  finding 2: weight change per pairing against the spike-time difference at the
                   three states, with the fitted A exp(-|dt|/tau) of each side;
  degradation.png  finding 3: mean E->E weight, fraction at w_max, population sparseness, the
                   correlation between pattern responses, learning quality and E rate along the
                   temperature sweep (mean with 95 % CI), the peak of the learning quality
                   marked (inverted U or not);
  topology.png     finding 4: synchrony chi in 500 ms windows per state (mean +- 95 % CI), and
                   the largest chi, CV of ISI, Fano factor and rates per state (mean +- 95 % CI,
                   seeds as dots), thresholds 0.2 and 0.4 marked;
  robustness.png   finding 5: the orderings (seeds holding of seeds, 9/10 required), the +-20 %
                   Q10 sensitivity grid for findings 1 and 4 (held / not held, with the numbers
                   tested), and the learning quality against temperature (the inverted U);
  energy.png       the energy loop: ATP and metabolic state over time (loop on), w(t)/w(0) and
                   E rate with the loop on and off;
  report.md        each finding beside the paper's claim: criteria, numbers, verdict, figure,
                   and the command that produced it.

Confidence intervals computed here (trajectories, chi(t)) use ci95 of tools/compare_report.py
(Student t, tabled for 1-30 degrees of freedom); those in findings.json come from metabosim.

Exit status: 0 all written, 1 a file cannot be read or written, 2 OUT/findings.json is missing
or malformed (the message names the entry).
"""
import json
import math
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from compare_report import (NUMBER, OPTIONAL_NUMBER, Malformed, ci95, expect,  # noqa: E402
                            load_checked, number, open_frame, report_main,
                            save_figure, table)

EXPERIMENTS = ("bifurcation", "stdp-window", "degradation", "topology", "robustness",
               "energy-loop")
TITLES = {"bifurcation": "Finding 1: learning bifurcation",
          "stdp-window": "Finding 2: STDP-window deformation",
          "degradation": "Finding 3: signal degradation",
          "topology": "Finding 4: topological shift (hypersynchronization)",
          "robustness": "Finding 5: parametric robustness",
          "energy-loop": "Energy loop"}
SHORT_CLAIMS = {
    "bifurcation": "hypo plateaus near baseline; hyper: non-linear, runaway potentiation",
    "stdp-window": "hyper: narrow, tall window; hypo: wide, low window",
    "degradation": "weights rise with metabolic rate; high energy saturates synapses and loses "
                   "sparse coding",
    "topology": "hypo: sparse, asynchronous; hyper: seizure-like hypersynchronization",
    "robustness": "the states hold across network initializations; inverted U of learning "
                  "against energy",
    "energy-loop": "with activity spending ATP and ATP setting the state, the hyper drive no "
                   "longer runs away"}
VERDICTS = ("reproduced", "partly reproduced", "not reproduced")
STATES = ("hypo", "normo", "hyper")
STATE_COLOURS = {"hypo": "tab:blue", "normo": "tab:green", "hyper": "tab:red"}
LOOP_COLOURS = {"loop-off": "tab:red", "loop-on": "tab:purple"}
POPULATION_COLOURS = {"E": "tab:blue", "I": "tab:red"}
RASTER_NEURONS = {"E": 200, "I": 50}
RASTER_MS = 1000.0
RATE_BIN_MS = 5.0
CHI_LOW, CHI_HIGH = 0.2, 0.4  # topology thresholds (findings.cpp)
RUNAWAY = 1.5  # w/w0 of a runaway (findings.cpp)
PAPER_NEURONS, PAPER_DURATION_MS = 5000, 10000.0


# ---------------------------------------------------------------------------------------------
# Reading findings.json (written by apps/experiments/findings.cpp) and checking everything used.

ESTIMATE = {"mean": OPTIONAL_NUMBER, "low": OPTIONAL_NUMBER, "high": OPTIONAL_NUMBER, "n": int}


def expect_bool(obj, where, keys):
    for key in keys:
        if key not in obj:
            raise Malformed(f"{where}: \"{key}\" is missing")
        if not isinstance(obj[key], bool):
            raise Malformed(f"{where}.{key}: expected true or false, found "
                            f"{json.dumps(obj.get(key))[:60]}")


def expect_numbers(values, where, optional=True, length=None):
    kinds = OPTIONAL_NUMBER if optional else NUMBER
    if not isinstance(values, list):
        raise Malformed(f"{where}: expected a list of numbers, found {json.dumps(values)[:60]}")
    for k, v in enumerate(values):
        if not isinstance(v, kinds) or isinstance(v, bool):
            raise Malformed(f"{where}[{k}]: expected a number, found {json.dumps(v)[:60]}")
    if length is not None and len(values) != length:
        raise Malformed(f"{where}: {len(values)} values, expected {length}")


def expect_estimates(obj, where, keys):
    for key in keys:
        expect(obj, where, {key: dict})
        expect(obj[key], f"{where}.{key}", ESTIMATE)


def check_weights(w, where):
    expect(w, where, {"time_ms": list, "relative": list})
    expect_numbers(w["time_ms"], f"{where}.time_ms", optional=False)
    expect_numbers(w["relative"], f"{where}.relative", length=len(w["time_ms"]))
    if not w["time_ms"]:
        raise Malformed(f"{where}.time_ms: empty")


def check_windows(w, where):
    expect(w, where, {"start_ms": list, "chi": list, "rate_E": list, "length_ms": NUMBER})
    expect_numbers(w["start_ms"], f"{where}.start_ms", optional=False)
    for key in ("chi", "rate_E"):
        expect_numbers(w[key], f"{where}.{key}", length=len(w["start_ms"]))


def check_criteria(criteria, where):
    if not isinstance(criteria, list) or not criteria:
        raise Malformed(f"{where}: expected a non-empty list of criteria")
    for k, c in enumerate(criteria):
        at = f"{where}[{k}]"
        expect(c, at, {"claim": str, "measure": str, "value": OPTIONAL_NUMBER,
                       "seeds_holding": int, "seeds": int})
        expect_bool(c, at, ["holds"])


def check_experiment(name, e, seeds):
    where = name
    expect(e, where, {"claim": str, "verdict": str})
    check_criteria(e.get("criteria"), f"{where}.criteria")
    if e["verdict"] not in VERDICTS:
        raise Malformed(f"{where}.verdict: unknown verdict \"{e['verdict']}\"")
    if name == "bifurcation":
        expect(e, where, {"final_relative": dict, "trajectories": dict})
        expect_estimates(e["final_relative"], f"{where}.final_relative", STATES)
        expect_estimates(e, where, ["hypo_late_slope_per_s", "hyper_peak_slope_per_s"])
        for state in STATES:
            expect(e["trajectories"], f"{where}.trajectories", {state: list})
            if len(e["trajectories"][state]) != len(seeds):
                raise Malformed(f"{where}.trajectories.{state}: {len(e['trajectories'][state])} "
                                f"trajectories for {len(seeds)} seeds")
            for k, w in enumerate(e["trajectories"][state]):
                check_weights(w, f"{where}.trajectories.{state}[{k}]")
    elif name == "stdp-window":
        expect(e, where, {"curves": list})
        for k, curve in enumerate(e["curves"]):
            at = f"{where}.curves[{k}]"
            expect(curve, at, {"state": str, "temperature": NUMBER, "points": list,
                               "ltp": dict, "ltd": dict})
            for side in ("ltp", "ltd"):
                expect(curve[side], f"{at}.{side}", {"amplitude_nS": OPTIONAL_NUMBER,
                                                     "tau_ms": OPTIONAL_NUMBER})
            for j, p in enumerate(curve["points"]):
                expect(p, f"{at}.points[{j}]", {"dt_ms": NUMBER, "dw_nS": OPTIONAL_NUMBER})
                expect_bool(p, f"{at}.points[{j}]", ["clipped"])
    elif name == "degradation":
        expect(e, where, {"sweep": list})
        if not e["sweep"]:
            raise Malformed(f"{where}.sweep: empty")
        for k, row in enumerate(e["sweep"]):
            at = f"{where}.sweep[{k}]"
            expect(row, at, {"temperature": NUMBER})
            expect_estimates(row, at, [key for key, _, _ in SWEEP_MEASURES])
    elif name == "topology":
        expect(e, where, {"per_state": dict})
        for state in STATES:
            expect(e["per_state"], f"{where}.per_state", {state: dict})
            at = f"{where}.per_state.{state}"
            expect_estimates(e["per_state"][state], at,
                             ["chi_max", "rate_E", "rate_I", "cv_E", "fano_E"])
            expect(e["per_state"][state], at, {"windows": list})
            for k, w in enumerate(e["per_state"][state]["windows"]):
                check_windows(w, f"{at}.windows[{k}]")
    elif name == "robustness":
        expect(e, where, {"sensitivity": list, "inverted_u": dict})
        check_criteria(e.get("orderings"), f"{where}.orderings")
        for k, row in enumerate(e["sensitivity"]):
            at = f"{where}.sensitivity[{k}]"
            expect(row, at, {"q10": str, "factor": NUMBER, "hypo_final_relative": OPTIONAL_NUMBER,
                             "hyper_final_relative": OPTIONAL_NUMBER,
                             "hypo_chi_max": OPTIONAL_NUMBER, "hyper_chi_max": OPTIONAL_NUMBER})
            expect_bool(row, at, ["finding1_holds", "finding4_holds"])
        u = e["inverted_u"]
        expect(u, f"{where}.inverted_u", {"curve": list, "peak_temperature": OPTIONAL_NUMBER})
        expect_bool(u, f"{where}.inverted_u", ["interior_peak"])
        for k, point in enumerate(u["curve"]):
            at = f"{where}.inverted_u.curve[{k}]"
            expect(point, at, {"temperature": NUMBER})
            expect_estimates(point, at, ["learning_quality_nS"])
    elif name == "energy-loop":
        expect(e, where, {"final_relative": dict, "runs": list, "thresholds": str})
        expect_estimates(e["final_relative"], f"{where}.final_relative", ["loop_off", "loop_on"])
        expect_estimates(e, where, ["fraction_of_time_hypo"])
        if not e["runs"]:
            raise Malformed(f"{where}.runs: empty")
        for k, run in enumerate(e["runs"]):
            at = f"{where}.runs[{k}]"
            expect(run, at, {"seed": int, "energy": dict, "weights": dict, "windows": dict,
                             "loop_off": dict})
            expect(run["energy"], f"{at}.energy", {"time_ms": list, "atp_fraction": list,
                                                   "temperature": list})
            expect_numbers(run["energy"]["time_ms"], f"{at}.energy.time_ms", optional=False)
            for key in ("atp_fraction", "temperature"):
                expect_numbers(run["energy"][key], f"{at}.energy.{key}",
                               length=len(run["energy"]["time_ms"]))
            check_weights(run["weights"], f"{at}.weights")
            check_windows(run["windows"], f"{at}.windows")
            expect(run["loop_off"], f"{at}.loop_off", {"weights": dict, "windows": dict})
            check_weights(run["loop_off"]["weights"], f"{at}.loop_off.weights")
            check_windows(run["loop_off"]["windows"], f"{at}.loop_off.windows")


def check(data):
    """data, or Malformed naming the first entry that is absent or of the wrong type."""
    expect(data, "top level", {"settings": dict, "runs": list})
    s = data["settings"]
    expect(s, "settings", {"neurons": int, "duration_ms": NUMBER, "seeds": list,
                           "temperatures": dict, "sweep": list, "engine": str,
                           "dt_ms": OPTIONAL_NUMBER})
    if not s["seeds"] or not all(isinstance(x, int) and not isinstance(x, bool)
                                 for x in s["seeds"]):
        raise Malformed("settings.seeds: expected a non-empty list of integers")
    expect(s["temperatures"], "settings.temperatures", {state: NUMBER for state in STATES})
    expect_numbers(s["sweep"], "settings.sweep", optional=False)
    if "wall_seconds" in data:
        expect(data, "top level", {"wall_seconds": NUMBER})
    present = [name for name in EXPERIMENTS if name in data]
    if not present:
        raise Malformed(f"none of the experiments ({', '.join(EXPERIMENTS)}) is present")
    for name in present:
        check_experiment(name, data[name], s["seeds"])
    for k, run in enumerate(data["runs"]):
        at = f"runs[{k}]"
        expect(run, at, {"group": str, "label": str, "temperature": NUMBER, "seed": int,
                         "rate_E": OPTIONAL_NUMBER, "rate_I": OPTIONAL_NUMBER,
                         "chi_max": NUMBER, "final_relative": OPTIONAL_NUMBER,
                         "weights": dict, "windows": dict})
        check_weights(run["weights"], f"{at}.weights")
    return data


class Findings:
    """findings.json with helpers for the runs and the run directories."""

    def __init__(self, directory):
        self.dir = directory
        self.data = load_checked(directory / "findings.json", "experiment", check)
        self.settings = self.data["settings"]
        self.seeds = self.settings["seeds"]
        self.temperatures = self.settings["temperatures"]
        self.present = [name for name in EXPERIMENTS if name in self.data]

    def __getitem__(self, name):
        return self.data[name]

    def runs(self, group, label):
        return sorted((r for r in self.data["runs"] if r["group"] == group and r["label"] == label),
                      key=lambda r: r["seed"])

    def values(self, group, label, key):
        return [r.get(key) for r in self.runs(group, label)]

    def state_label(self, state):
        return f"{state} ({self.temperatures[state]:g} °C)"

    def reduced(self):
        s = self.settings
        return s["neurons"] < PAPER_NEURONS or s["duration_ms"] < PAPER_DURATION_MS


# ---------------------------------------------------------------------------------------------
# Small helpers.


def finite(x):
    return x is not None and isinstance(x, NUMBER) and math.isfinite(x)


def band(series):
    """Mean and 95 % CI half-width per sample of equally sampled series (cut to the shortest);
    the half-width is NaN where it is undefined (one series)."""
    n = min(len(s) for s in series)
    estimates = [ci95([s[i] for s in series]) for i in range(n)]
    mean = np.array([np.nan if e[0] is None else e[0] for e in estimates], dtype=float)
    half = np.array([np.nan if e[1] is None else e[1] for e in estimates], dtype=float)
    return mean, half


def plot_band(ax, times, series, colour, label, seeds=True, linestyle="-", marker=None):
    """Seeds as thin lines, the mean as a thick line and its 95 % CI as a band."""
    n = min(len(s) for s in series)
    times = np.asarray(times[:n], dtype=float)
    values = [np.array([np.nan if v is None else v for v in s[:n]], dtype=float) for s in series]
    if seeds and len(values) > 1:
        for v in values:
            ax.plot(times, v, color=colour, linewidth=0.6, alpha=0.35, linestyle=linestyle)
    mean, half = band(values)
    ax.plot(times, mean, color=colour, linewidth=2, label=label, linestyle=linestyle,
            marker=marker, markersize=4)
    if np.isfinite(half).any():
        ax.fill_between(times, mean - half, mean + half, color=colour, alpha=0.18, linewidth=0)


def estimate_error(e):
    """(mean, [[below], [above]]) of an estimate for errorbar; zero error when undefined."""
    mean = e["mean"] if finite(e["mean"]) else np.nan
    if finite(e["low"]) and finite(e["high"]):
        return mean, [[mean - e["low"]], [e["high"] - mean]]
    return mean, [[0.0], [0.0]]


def estimate_text(e, digits=3, unit=""):
    """"mean [low, high] unit" of an estimate from findings.json; the mean alone without a CI."""
    if not finite(e.get("mean")):
        return "—"
    text = number(e["mean"], digits)
    if finite(e.get("low")) and finite(e.get("high")):
        text += f" [{number(e['low'], digits)}, {number(e['high'], digits)}]"
    return text + (f" {unit}" if unit else "")


def percent_text(e):
    """An estimate of a fraction as "mean % [low, high]" in whole percent (the t interval may
    reach beyond 0 or 100 %)."""
    if not finite(e.get("mean")):
        return "—"
    text = f"{100 * e['mean']:.0f} %"
    if finite(e.get("low")) and finite(e.get("high")):
        text += f" [{100 * e['low']:.0f}, {100 * e['high']:.0f}]"
    return text


def seeds_text(seeds):
    return f"{len(seeds)} seed{'s' * (len(seeds) != 1)}"


def ci_note(f):
    n = len(f.seeds)
    return (f"mean over {n} seeds ± 95 % CI (Student t), thin lines: seeds" if n > 1 else
            f"seed {f.seeds[0]} (one seed: no CI)")


def mark_states(ax, f, text=True):
    """Dotted vertical lines at the hypo, normo and hyper temperatures."""
    for state in STATES:
        ax.axvline(f.temperatures[state], color=STATE_COLOURS[state], linestyle=":",
                   linewidth=1, alpha=0.7, zorder=0)
        if text:
            right = state == "hyper"
            ax.annotate(state, (f.temperatures[state], 1), xycoords=("data", "axes fraction"),
                        xytext=(-2 if right else 2, -2), textcoords="offset points", va="top",
                        ha="right" if right else "left", fontsize="x-small",
                        color=STATE_COLOURS[state])


# ---------------------------------------------------------------------------------------------
# Figures.


def plot_bifurcation(f):
    e = f["bifurcation"]
    fig, ax = plt.subplots(figsize=(9, 5.2), layout="constrained")
    ax.axhspan(0.9, 1.1, color="0.9", zorder=0, linewidth=0, label="baseline ± 10 %")
    ax.axhline(1, color="0.6", linewidth=0.8, zorder=0)
    ax.axhline(RUNAWAY, color="black", linestyle="--", linewidth=1,
               label=f"runaway level {RUNAWAY:g}")
    for state in STATES:
        trajectories = e["trajectories"][state]
        times = np.array(trajectories[0]["time_ms"], dtype=float) / 1000
        final = estimate_text(e["final_relative"][state])
        plot_band(ax, times, [w["relative"] for w in trajectories], STATE_COLOURS[state],
                  f"{f.state_label(state)}: end {final}")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mean E→E weight  w̄(t) / w̄(0)")
    ax.set_xlim(left=0)
    open_frame(ax)
    ax.legend(frameon=False, fontsize="small", loc="upper left")
    ax.set_title(f"Finding 1, learning bifurcation: {ci_note(f)}\nverdict: {e['verdict']}",
                 fontsize="medium")
    return fig


def read_run(directory):
    """({population: (times ms, ids)}, {population: size}, duration ms) of a run directory."""
    with h5py.File(directory / "spikes.h5", "r") as h5:
        spikes = {name: (group["timestamps"][()], group["node_ids"][()].astype(np.int64))
                  for name, group in h5.get("spikes", {}).items()}
    summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    sizes = {p: info["size"] for p, info in summary.get("populations", {}).items()
             if "size" in info}
    for p, (_, ids) in spikes.items():
        sizes.setdefault(p, int(ids.max()) + 1 if len(ids) else 0)
    return spikes, sizes, float(summary["duration_ms"])


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
                         s=1.2, marker=".", linewidths=0, color=POPULATION_COLOURS[population])
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


def ltp_side(curve):
    """+1 if potentiation lies at positive spike-time differences, else -1."""
    plus = [p["dw_nS"] for p in curve["points"] if p["dt_ms"] > 0 and finite(p["dw_nS"])]
    minus = [p["dw_nS"] for p in curve["points"] if p["dt_ms"] < 0 and finite(p["dw_nS"])]
    return 1 if (np.mean(plus) if plus else 0) >= (np.mean(minus) if minus else 0) else -1


def plot_stdp_window(f):
    e = f["stdp-window"]
    fig, ax = plt.subplots(figsize=(9.5, 5.6), layout="constrained")
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.axvline(0, color="0.6", linewidth=0.8)
    span = max((abs(p["dt_ms"]) for c in e["curves"] for p in c["points"]), default=100.0)
    clipped_any = False
    for curve in e["curves"]:
        colour = STATE_COLOURS.get(curve["state"], "black")
        pts = [p for p in curve["points"] if finite(p["dw_nS"])]
        free = [p for p in pts if not p["clipped"]]
        clipped = [p for p in pts if p["clipped"]]
        clipped_any |= bool(clipped)
        ax.plot([p["dt_ms"] for p in free], [p["dw_nS"] for p in free], "o", color=colour,
                markersize=4.5, alpha=0.85)
        ax.plot([p["dt_ms"] for p in clipped], [p["dw_nS"] for p in clipped], "o", color=colour,
                markerfacecolor="none", markersize=5)
        side = ltp_side(curve)
        parts = []
        for key, sign, name in (("ltp", side, "+"), ("ltd", -side, "−")):
            fit = curve[key]
            if finite(fit["amplitude_nS"]) and finite(fit["tau_ms"]):
                u = np.linspace(0, span, 200)
                ax.plot(sign * u, fit["amplitude_nS"] * np.exp(-u / fit["tau_ms"]), color=colour,
                        linewidth=1.6)
                parts.append(f"A{name} = {number(fit['amplitude_nS'])} nS, "
                             f"τ{name} = {number(fit['tau_ms'])} ms")
            else:
                parts.append(f"{key.upper()}: no fit")
        ax.plot([], [], "o-", color=colour,
                label=f"{curve['state']} ({curve['temperature']:g} °C)\n" + "\n".join(parts))
    if clipped_any:
        ax.plot([], [], "o", color="0.4", markerfacecolor="none",
                label="open: the weight reached a bound\nduring the pairings")
    protocol = e.get("protocol", {})
    detail = (f"{protocol['pairings']} pairings at {protocol['rate_Hz']:g} Hz"
              if isinstance(protocol.get("pairings"), NUMBER)
              and isinstance(protocol.get("rate_Hz"), NUMBER) else "pairing protocol")
    ax.set_xlabel("Δt = t_post − (t_pre + axonal delay), at the synapse (ms)"
                  if all(ltp_side(c) > 0 for c in e["curves"]) else "Δt (ms)")
    ax.set_ylabel("Δw per pairing (nS)")
    ax.set_xlim(-span * 1.05, span * 1.05)
    open_frame(ax)
    ax.legend(frameon=False, fontsize="small", loc="upper right", labelspacing=0.9)
    ax.set_title(f"Finding 2, STDP window ({detail}); lines: fitted A·exp(−|Δt|/τ)\n"
                 f"verdict: {e['verdict']}", fontsize="medium")
    return fig


SWEEP_MEASURES = [("mean_weight_nS", "mean E→E weight (nS)", "Mean weight"),
                  ("fraction_at_max", "fraction of E→E synapses at w_max", "Saturation"),
                  ("sparseness", "population sparseness (Vinje–Gallant)", "Sparseness"),
                  ("pattern_correlation", "mean correlation of pattern responses",
                   "Overlap of pattern responses"),
                  ("learning_quality_nS", "within − across pattern weight (nS)",
                   "Learning quality"),
                  ("rate_E", "E rate (Hz)", "Activity")]


def learning_curve(f):
    """[(temperature, estimate of the learning quality)] along the sweep."""
    if "robustness" in f.present:
        return [(p["temperature"], p["learning_quality_nS"])
                for p in f["robustness"]["inverted_u"]["curve"]]
    return [(r["temperature"], r["learning_quality_nS"]) for r in f["degradation"]["sweep"]]


def inverted_u(f):
    """The peak of the learning quality along the sweep: {"peak": temperature of the largest mean
    (None if none), "interior": inside the sweep, "distinct": its 95 % CI lies above the CIs at
    both ends (None without CIs), "short": a few words, "text": a sentence}."""
    curve = learning_curve(f)
    if "robustness" in f.present:
        u = f["robustness"]["inverted_u"]
        peak, interior = u["peak_temperature"], u["interior_peak"]
    else:
        rows = [(t, e) for t, e in curve if finite(e["mean"])]
        peak = max(rows, key=lambda r: r[1]["mean"])[0] if rows else None
        interior = bool(rows) and min(t for t, _ in curve) < peak < max(t for t, _ in curve)
    info = {"peak": peak, "interior": interior, "distinct": None}
    if not finite(peak):
        info.update(short="no peak (undefined values)", text="The learning quality is undefined "
                    "along the sweep.")
        return info
    at = {t: e for t, e in curve}
    top = at.get(peak)
    ends = [at[min(at)], at[max(at)]] if at else []
    if top and ends and finite(top["low"]) and all(finite(e["high"]) for e in ends):
        info["distinct"] = all(top["low"] > e["high"] for e in ends)
    head = f"The mean learning quality is largest at {peak:g} °C"
    if not interior:
        info.update(short=f"largest at {peak:g} °C, an end of the sweep: no inverted U",
                    text=head + ", an end of the sweep: no inverted U.")
    elif info["distinct"]:
        info.update(short=f"peak {peak:g} °C, CI above both ends: inverted U",
                    text=head + ", inside the sweep, with its 95 % CI above those at both ends: "
                    "an inverted U.")
    elif info["distinct"] is None:
        info.update(short=f"largest at {peak:g} °C, inside the sweep (no CI)",
                    text=head + ", inside the sweep; with one seed there is no CI to tell it from "
                    "the ends.")
    else:
        info.update(short=f"largest at {peak:g} °C, inside the sweep; CI overlaps an end: "
                          "inverted U not established",
                    text=head + ", inside the sweep, but its 95 % CI overlaps that at an end of "
                    "the sweep: an inverted U is not established.")
    return info


def plot_degradation(f):
    e = f["degradation"]
    rows = e["sweep"]
    temps = np.array([r["temperature"] for r in rows], dtype=float)
    u = inverted_u(f)
    peak = u["peak"]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.4), sharex=True, layout="constrained")
    for ax, (key, ylabel, title) in zip(axes.flat, SWEEP_MEASURES):
        mean = np.array([r[key]["mean"] if finite(r[key]["mean"]) else np.nan for r in rows])
        low = np.array([r[key]["low"] if finite(r[key]["low"]) else np.nan for r in rows])
        high = np.array([r[key]["high"] if finite(r[key]["high"]) else np.nan for r in rows])
        err = np.vstack([np.nan_to_num(mean - low), np.nan_to_num(high - mean)])
        ax.errorbar(temps, mean, yerr=err, fmt="o-", color="0.15", markersize=4.5,
                    capsize=3, linewidth=1.2)
        mark_states(ax, f, text=ax is axes.flat[0])
        if key == "learning_quality_nS":
            ax.axhline(0, color="0.6", linewidth=0.8)
            if finite(peak):
                ax.axvline(peak, color="darkorange", linewidth=2, alpha=0.6)
                ax.set_title(f"Learning quality: {u['short'].replace('; ', ';' + chr(10))}",
                             fontsize="small", color="darkorange")
        if key == "fraction_at_max":
            ax.axhline(0.2, color="black", linestyle="--", linewidth=0.9)
            ax.annotate("0.20 (criterion at hyper)", (0, 0.2), xycoords=("axes fraction", "data"),
                        xytext=(3, 3), textcoords="offset points", fontsize="x-small")
        if key != "learning_quality_nS" or not finite(peak):
            ax.set_title(title, fontsize="medium")
        ax.set_ylabel(ylabel)
        open_frame(ax)
    for ax in axes[1]:
        ax.set_xlabel("temperature (°C)")
    seeds = f"mean over {len(f.seeds)} seeds ± 95 % CI" if len(f.seeds) > 1 else "one seed"
    fig.suptitle(f"Finding 3, signal degradation along the temperature sweep (8 input patterns; "
                 f"{seeds})\nverdict: {e['verdict']}")
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
            ax.axhline(1, color="black", linestyle="--", linewidth=1)
            ax.annotate("1 (Poisson)", (0, 1), xycoords=("axes fraction", "data"),
                        xytext=(2, 2), textcoords="offset points", fontsize="x-small")
        ax.set_xticks(range(3), STATES)
        ax.set_ylabel(ylabel)
        open_frame(ax)
    fig.suptitle(f"Finding 4, topological shift: synchrony and firing statistics per state "
                 f"(bars: mean ± 95 % CI, dots: seeds)\nverdict: {e['verdict']}")
    return fig


def mean_chi(f, state):
    """(window starts in ms, mean χ over seeds per window) of a state."""
    windows = f["topology"]["per_state"][state]["windows"]
    if not windows or not min(len(w["chi"]) for w in windows):
        return [], np.empty(0)
    n = min(len(w["chi"]) for w in windows)
    return windows[0]["start_ms"][:n], band([[np.nan if v is None else v for v in w["chi"][:n]]
                                             for w in windows])[0]


def chi_course(f):
    """Where hyper's mean χ(t) is largest, and how it ends beside hypo's."""
    starts, hyper = mean_chi(f, "hyper")
    _, hypo = mean_chi(f, "hypo")
    if len(hyper) < 2 or not np.isfinite(hyper).any():
        return ""
    k = int(np.nanargmax(hyper))
    length = f["topology"]["per_state"]["hyper"]["windows"][0]["length_ms"]
    text = (f"Hyper's mean χ(t) is largest in the window {starts[k] / 1000:g}–"
            f"{(starts[k] + length) / 1000:g} s ({number(hyper[k])})")
    if len(hypo) == len(hyper) and np.isfinite(hypo[-1]) and np.isfinite(hyper[-1]):
        relation = "below" if hyper[-1] < hypo[-1] else "above"
        text += (f"; in the last window it is {number(hyper[-1])}, {relation} hypo's "
                 f"{number(hypo[-1])}")
    return text + "."


def chi_measured(f):
    """Whether any state run has a χ window (runs shorter than a window have none)."""
    return any(len(w["chi"]) for r in f.data["runs"] if r["group"] == "states"
               for w in [r["windows"]] if isinstance(w.get("chi"), list))


def held_word(holds):
    return "undefined" if holds is None else "held" if holds else "not held"


def sensitivity_reference(f):
    """Findings 1 and 4 at the unchanged Q10s for the first seed, with the tests findings.cpp
    applies to the sensitivity runs; None where the state runs are absent."""
    seed = f.seeds[0]
    lo = next((r for r in f.runs("states", "hypo") if r["seed"] == seed), None)
    hi = next((r for r in f.runs("states", "hyper") if r["seed"] == seed), None)
    if lo is None or hi is None:
        return None

    def slopes(run):
        t, w = (np.array(run["weights"][k], dtype=float) for k in ("time_ms", "relative"))
        return np.diff(w) / (np.diff(t) / 1000)

    def late_slope(run):
        t, w = run["weights"]["time_ms"], run["weights"]["relative"]
        mid = len(t) // 2
        return (w[-1] - w[mid]) / ((t[-1] - t[mid]) / 1000)

    try:
        hi_slopes = slopes(hi)
        peak = int(np.argmax(hi_slopes))
        f1 = bool(abs(lo["final_relative"] - 1) <= 0.1
                  and abs(late_slope(lo)) < 0.1 * hi_slopes.max()
                  and hi["final_relative"] >= RUNAWAY
                  and peak != 0 and hi_slopes[peak] > hi_slopes[0])
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        f1 = None
    f4 = bool(lo["chi_max"] < CHI_LOW and hi["chi_max"] > CHI_HIGH)
    return {"finding1": f1, "finding4": f4, "seed": seed}


def plot_robustness(f):
    e = f["robustness"]
    fig = plt.figure(figsize=(15, 6.2), layout="constrained")
    grid = fig.add_gridspec(1, 3, width_ratios=[1.15, 1.35, 0.9])
    ax_o = fig.add_subplot(grid[0])
    orderings = e["orderings"]
    for y, c in enumerate(orderings):
        share = c["seeds_holding"] / c["seeds"] if c["seeds"] else 0
        ax_o.barh(y, share, height=0.6, color="tab:green" if c["holds"] else "tab:red", alpha=0.8)
        ax_o.annotate(f"{c['seeds_holding']}/{c['seeds']}", (share, y), xytext=(4, 0),
                      textcoords="offset points", va="center", fontsize="small")
    ax_o.axvline(0.9, color="black", linestyle="--", linewidth=1)
    ax_o.annotate("required:\n≥ 9 of 10", (0.9, 0), xycoords=("data", "axes fraction"),
                  xytext=(4, 4), textcoords="offset points", ha="left", va="bottom",
                  fontsize="small")
    labels = [c["claim"].replace(": ", ":\n", 1) for c in orderings]
    ax_o.set_yticks(range(len(orderings)), labels, fontsize="small")
    ax_o.invert_yaxis()
    ax_o.set_xlim(0, 1.15)
    ax_o.set_xlabel("fraction of seeds in which the ordering holds")
    ax_o.set_title(f"Orderings over {seeds_text(f.seeds)} (green: holds)", fontsize="medium")
    open_frame(ax_o)

    ax_s = fig.add_subplot(grid[1])
    rows = list(dict.fromkeys(r["q10"] for r in e["sensitivity"]))
    factors = sorted({r["factor"] for r in e["sensitivity"]})
    columns = [(finding, factor) for finding in (1, 4) for factor in factors]
    if rows:
        cells = {(r["q10"], r["factor"]): r for r in e["sensitivity"]}
        grid_values = np.full((len(rows), len(columns)), np.nan)
        for i, q10 in enumerate(rows):
            for j, (finding, factor) in enumerate(columns):
                cell = cells.get((q10, factor))
                if cell is None:
                    continue
                held = cell[f"finding{finding}_holds"]
                grid_values[i, j] = 1.0 if held else 0.0
                if finding == 1:
                    detail = (f"{number(cell['hypo_final_relative'], 2)} / "
                              f"{number(cell['hyper_final_relative'], 2)}")
                else:
                    detail = (f"{number(cell['hypo_chi_max'], 2)} / "
                              f"{number(cell['hyper_chi_max'], 2)}")
                ax_s.text(j, i, f"{'held' if held else 'not held'}\n{detail}", ha="center",
                          va="center", fontsize="x-small")
        ax_s.imshow(grid_values, cmap=ListedColormap(["#f4b6b6", "#b9e3b9"]), vmin=0, vmax=1,
                    aspect="auto")
        ax_s.set_xticks(range(len(columns)),
                        [f"finding {finding}\nQ10 × {factor:g}" for finding, factor in columns],
                        fontsize="small")
        ax_s.set_yticks(range(len(rows)), [f"Q10 {q}" for q in rows], fontsize="small")
        ax_s.tick_params(length=0)
        ax_s.set_xticks(np.arange(len(columns) + 1) - 0.5, minor=True)
        ax_s.set_yticks(np.arange(len(rows) + 1) - 0.5, minor=True)
        ax_s.grid(which="minor", color="white", linewidth=2)
        ax_s.axvline(len(factors) - 0.5, color="black", linewidth=1.5)
        for side in ax_s.spines.values():
            side.set_visible(False)
        reference = sensitivity_reference(f)
        ref = ""
        if reference:
            ref = (f"\nunchanged Q10s, seed {reference['seed']}: finding 1 "
                   f"{held_word(reference['finding1'])}, finding 4 "
                   f"{held_word(reference['finding4'])}")
        ax_s.set_title(f"Each Q10 × {' and × '.join(f'{x:g}' for x in factors)}, "
                       f"seed {f.seeds[0]}; cells: hypo / hyper w̄/w̄0 (finding 1), "
                       f"largest χ (finding 4){ref}", fontsize="small")
    else:
        ax_s.text(0.5, 0.5, "the Q10 sensitivity runs were skipped\n(--no-sensitivity)",
                  ha="center", va="center", transform=ax_s.transAxes)
        ax_s.set_axis_off()

    ax_u = fig.add_subplot(grid[2])
    curve = e["inverted_u"]["curve"]
    temps = [p["temperature"] for p in curve]
    if curve:
        means, errs = zip(*(estimate_error(p["learning_quality_nS"]) for p in curve))
        ax_u.errorbar(temps, means, yerr=np.hstack(errs), fmt="o-", color="0.15", markersize=4,
                      capsize=3)
    ax_u.axhline(0, color="0.6", linewidth=0.8)
    u = inverted_u(f)
    peak = u["peak"]
    if finite(peak):
        ax_u.axvline(peak, color="darkorange", linewidth=2, alpha=0.6)
    mark_states(ax_u, f)
    ax_u.set_xlabel("temperature (°C)")
    ax_u.set_ylabel("learning quality: within − across\npattern weight (nS)")
    ax_u.set_title("Inverted U? Learning quality: " + u["short"].replace(", ", ",\n", 1)
                   .replace("; ", ";\n"), fontsize="small")
    open_frame(ax_u)
    fig.suptitle(f"Finding 5, parametric robustness\nverdict: {e['verdict']}")
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


FIGURES = {"bifurcation": [("bifurcation", plot_bifurcation)],
           "topology": [("topology", plot_topology)],
           "stdp-window": [("stdp_window", plot_stdp_window)],
           "degradation": [("degradation", plot_degradation)],
           "robustness": [("robustness", plot_robustness)],
           "energy-loop": [("energy", plot_energy)]}


def figure_plan(f):
    """[(experiment, figure name, function)]; the rasters go with finding 4 (or finding 1)."""
    plan = []
    raster_owner = next((n for n in ("topology", "bifurcation") if n in f.present), None)
    for name in f.present:
        for figure, function in FIGURES[name]:
            plan.append((name, figure, function))
        if name == raster_owner:
            plan.append((name, "rasters", plot_rasters))
    return plan


# ---------------------------------------------------------------------------------------------
# The report.


def value_text(c):
    v = c["value"]
    if not finite(v):
        return "—"
    if c["measure"].startswith("seeds") and float(v).is_integer():
        return f"{int(v)}"
    return number(v)


def cell(text):
    """Text for a Markdown table cell: | escaped."""
    return str(text).replace("|", "\\|")


def criteria_table(criteria, per_seed=True):
    rows = [(cell(c["claim"]), cell(c["measure"]), value_text(c),
             "yes" if c["holds"] else "**no**",
             f"{c['seeds_holding']} / {c['seeds']}" if per_seed else "—") for c in criteria]
    return table(["criterion", "measure", "value", "holds", "seeds holding"], rows)


def held(criteria):
    return sum(c["holds"] for c in criteria), len(criteria)


def measured(f, name):
    """The key numbers of an experiment for the summary table."""
    e = f[name]
    if name == "bifurcation":
        return "w̄/w̄0 at the end: " + ", ".join(
            f"{s} {estimate_text(e['final_relative'][s])}" for s in STATES)
    if name == "stdp-window":
        by_state = {c["state"]: c for c in e["curves"]}
        parts = [f"{s} A+ {number(by_state[s]['ltp']['amplitude_nS'])} nS, "
                 f"τ+ {number(by_state[s]['ltp']['tau_ms'])} ms"
                 for s in STATES if s in by_state]
        return "; ".join(parts) or "—"
    if name == "degradation":
        rows = {r["temperature"]: r for r in e["sweep"]}
        hyper, normo = rows.get(f.temperatures["hyper"]), rows.get(f.temperatures["normo"])
        rho = next((c["value"] for c in e["criteria"] if "rho(T, mean" in c["measure"]), None)
        text = f"Spearman ρ(T, w̄) {number(rho)}"
        if hyper:
            text += (f"; fraction at w_max at {f.temperatures['hyper']:g} °C "
                     f"{estimate_text(hyper['fraction_at_max'])}")
        if hyper and normo:
            text += (f"; sparseness normo {estimate_text(normo['sparseness'])} → hyper "
                     f"{estimate_text(hyper['sparseness'])}")
        return text
    if name == "topology":
        p = e["per_state"]
        return (f"largest χ: hypo {estimate_text(p['hypo']['chi_max'])}, hyper "
                f"{estimate_text(p['hyper']['chi_max'])}; Fano (hyper) "
                f"{estimate_text(p['hyper']['fano_E'])}")
    if name == "robustness":
        parts = ["orderings hold in " + ", ".join(
            f"{c['claim'].split(':')[0]} {c['seeds_holding']}/{c['seeds']}"
            for c in e["orderings"]) + " seeds"]
        s = e["sensitivity"]
        if s:
            parts.append(f"Q10 ± 20 %: finding 1 held in {sum(r['finding1_holds'] for r in s)}/"
                         f"{len(s)}, finding 4 in {sum(r['finding4_holds'] for r in s)}/{len(s)}")
        parts.append(f"learning quality {inverted_u(f)['short']}")
        return "; ".join(parts)
    if name == "energy-loop":
        return (f"w̄/w̄0 at the end: loop off {estimate_text(e['final_relative']['loop_off'])}, "
                f"loop on {estimate_text(e['final_relative']['loop_on'])}; in hypo "
                f"{percent_text(e['fraction_of_time_hypo'])} of the time (loop on)")
    return "—"


def sensitivity_summary(f):
    """A sentence on the Q10 sensitivity runs, or None if they were skipped."""
    rows = f["robustness"]["sensitivity"]
    if not rows:
        return "The Q10 sensitivity runs were skipped."
    factors = " or × ".join(f"{x:g}" for x in sorted({r["factor"] for r in rows}))
    text = (f"With each Q10 × {factors} "
            f"(seed {f.seeds[0]}), finding 1 held in {sum(r['finding1_holds'] for r in rows)} and "
            f"finding 4 in {sum(r['finding4_holds'] for r in rows)} of {len(rows)} variants")
    reference = sensitivity_reference(f)
    if reference:
        text += (f"; at the unchanged Q10s, with the same tests, finding 1 is "
                 f"{held_word(reference['finding1'])} and finding 4 "
                 f"{held_word(reference['finding4'])}")
    return text + "."


def reading(f, name):
    """A few sentences on the verdict, no more than the numbers say."""
    e = f[name]
    k, n = held(e["criteria"])
    failed = [c["claim"] for c in e["criteria"] if not c["holds"]]
    text = [f"Verdict: **{e['verdict']}**: {k} of {n} criteria hold"
            + ("." if not failed else f"; not holding: {'; '.join(failed)}.")]
    weak = [c for c in e["criteria"] if c["holds"] and c["seeds"] > 1
            and c["seeds_holding"] * 10 < c["seeds"] * 9]
    if weak:
        text.append("Holding on the means but in fewer than 9 of 10 seeds: "
                    + "; ".join(f"{c['claim']} ({c['seeds_holding']}/{c['seeds']})"
                                for c in weak) + ".")
    if name == "bifurcation":
        hyper = e["final_relative"]["hyper"]["mean"]
        if finite(hyper) and abs(hyper - 1) <= 0.1:
            text.append(f"Hyper's mean weight ends within 10 % of its start "
                        f"({number(hyper)}): no runaway at this size"
                        + ("; the acceleration criterion compares slopes only, however small."
                           if any(c["holds"] and "accelerates" in c["claim"]
                                  for c in e["criteria"]) else "."))
    if name == "topology" and chi_measured(f):
        text.append(chi_course(f))
    if name in ("topology", "robustness") and not chi_measured(f):
        text.append(f"The runs ({f.settings['duration_ms']:g} ms) are shorter than one χ "
                    "window: χ(t) was not measured, and the largest χ(t) in findings.json is 0 "
                    "by default, so the χ criteria say nothing here.")
    if name == "stdp-window":
        text.append("The pairing protocol is deterministic: one measurement per state, no CI.")
    if name == "degradation" and "robustness" not in f.present:
        text.append(inverted_u(f)["text"])
    if name == "robustness":
        text.append(inverted_u(f)["text"] + " The claim's inverted U is not among the "
                    "criteria: the verdict covers the orderings only.")
        text.append(sensitivity_summary(f))
        seeds = len(f.seeds)
        if seeds < 10:
            text.append(f"With {seeds} seeds, \"9 of 10\" needs {math.ceil(seeds * 0.9)} of "
                        f"{seeds}.")
    if name == "energy-loop":
        hypo_time = e["fraction_of_time_hypo"]["mean"]
        lowest = min((a for run in e["runs"] for a in run["energy"]["atp_fraction"]
                      if finite(a)), default=None)
        if finite(hypo_time) and hypo_time == 0:
            text.append((f"ATP stayed above the 30 % threshold in every run (lowest "
                         f"{100 * lowest:.0f} %)" if finite(lowest) and lowest > 0.3 else
                         "No recorded sample of the loop-on runs is in hypo")
                        + ": the loop never changed the state, so loop on and loop off ran "
                        "alike.")
        finals = [t for t in e.get("final_temperature", []) if finite(t)]
        if finals and finite(hypo_time) and hypo_time > 0:
            in_hypo = sum(t == f.temperatures["hypo"] for t in finals)
            last_atp = [run["energy"]["atp_fraction"][-1] for run in e["runs"]
                        if run["energy"]["atp_fraction"]
                        and finite(run["energy"]["atp_fraction"][-1])]
            text.append(f"With the loop, {in_hypo} of {len(finals)} runs end in hypo"
                        + (f", with ATP at {', '.join(f'{100 * a:.0f} %' for a in last_atp)} of "
                           "capacity at the end" if last_atp else "") + ".")
        off, on = ([c for c in e["criteria"] if key in c["measure"]]
                   for key in ("(loop off)", "(loop on)"))
        if off and on and not off[0]["holds"] and on[0]["holds"]:
            text.append("The loop-on runs staying below 1.5 shows no regulation here: the "
                        "loop-off runs stay below it too.")
    return " ".join(text)


def command_line(f):
    """The command that produced findings.json: from settings.command if present, else
    reconstructed from the settings (the config and output options are not recorded)."""
    s = f.settings
    if isinstance(s.get("command"), str):
        return s["command"], True
    if isinstance(s.get("command"), list):
        return shlex.join(str(x) for x in s["command"]), True
    name = f.present[0] if len(f.present) == 1 else "all"
    parts = ["metabosim", "experiment", name]
    if s["neurons"] == PAPER_NEURONS and s["duration_ms"] == PAPER_DURATION_MS:
        parts.append("--full")
    else:
        parts += ["--neurons", str(s["neurons"]), "--duration", f"{s['duration_ms']:g}"]
    parts += ["--seeds", ",".join(str(x) for x in s["seeds"])]
    if isinstance(s.get("threads"), int):
        parts += ["--threads", str(s["threads"])]
    if s["engine"] == "event-driven":
        parts += ["--engine", "event"]
    elif s["engine"] == "clock-driven":
        parts += ["--engine", "clock"]
        if finite(s["dt_ms"]):
            parts += ["--dt", f"{s['dt_ms']:g}ms"]
    if "robustness" in f.present and not f["robustness"]["sensitivity"]:
        parts.append("--no-sensitivity")
    parts += ["-o", str(f.dir)]
    return shlex.join(parts), False


def settings_line(f):
    s = f.settings
    engine = s["engine"] + (f", dt = {s['dt_ms']:g} ms" if finite(s["dt_ms"]) else
                            " (exact, no time step)")
    wall = f.data.get("wall_seconds")
    wall_text = f"{wall:.0f} s" if finite(wall) and wall >= 10 else (
        f"{wall:.3g} s" if finite(wall) else "—")
    sweep = s["sweep"]
    sweep_text = (f"{min(sweep):g}–{max(sweep):g} °C in {len(sweep)} steps" if sweep else "—")
    return (f"**Settings:** {s['neurons']:,} neurons (E:I = 4:1), {s['duration_ms'] / 1000:g} s "
            f"per network run{' (the energy loop: twice as long)' * ('energy-loop' in f.present)}"
            f", seeds {', '.join(str(x) for x in s['seeds'])}; states "
            + ", ".join(f"{st} {f.temperatures[st]:g} °C" for st in STATES)
            + f", sweep {sweep_text}; engine of the network runs {engine}"
            + ("; the STDP pairing protocol runs event-driven" if "stdp-window" in f.present
               and s["engine"] != "event-driven" else "")
            + f"; wall time {wall_text}.")


def report(f, figures):
    s = f.settings
    lines = ["# Metaboplasticity findings, measured with metabosim", "",
             "The five findings of Öner & Denktaş (2025), \"Metaboplasticity: The Reciprocal "
             "Regulation of Neuronal Activity and Cellular Energetics\", and an energy loop, "
             "each set beside the paper's claim. The claims are the paper's; the protocols, "
             "measures and thresholds are metabosim's, fixed before the runs "
             "(docs/findings.md).", "", settings_line(f), ""]
    if f.reduced():
        lines += [f"This is a reduced run ({s['neurons']:,} neurons, {s['duration_ms'] / 1000:g} s"
                  f"); the paper's network has {PAPER_NEURONS:,} neurons and the full protocol "
                  f"runs {PAPER_DURATION_MS / 1000:g} s. Verdicts at this size need not hold at "
                  "the paper's, and the reverse.", ""]
    absent = [n for n in EXPERIMENTS if n not in f.present]
    if absent:
        lines += [f"Not run here: {', '.join(absent)}.", ""]
    lines += ["## Summary", ""]
    lines += table(["finding", "paper's claim", "measured (mean [95 % CI] over seeds)", "verdict"],
                   [(TITLES[n], SHORT_CLAIMS[n], cell(measured(f, n)), f"**{f[n]['verdict']}**")
                    for n in f.present])
    lines += ["", "In the criteria tables, *value* is the measure on the means over seeds (for "
              "counts, the number of seeds); *holds* is the criterion on those means, or, for "
              "orderings and counts, in ≥ 9 of 10 seeds; *seeds holding* counts the seeds in "
              "which it holds on their own. A verdict is \"reproduced\" when every criterion "
              "holds, \"not reproduced\" when none does, \"partly reproduced\" otherwise.", ""]
    for name in f.present:
        e = f[name]
        lines += [f"## {TITLES[name]}", "", f"*Claim:* {e['claim']}", ""]
        if name == "robustness":
            lines += ["Orderings across seeds (each needs ≥ 9 of 10 seeds):", ""]
        lines += criteria_table(e["criteria"], per_seed=name != "stdp-window")
        lines += ["", reading(f, name), ""]
        if name == "energy-loop":
            lines += [f"ATP thresholds: {e['thresholds']}.", ""]
        for figure in figures.get(name, []):
            lines += [f"![{figure}]({figure}.png)", ""]
    command, recorded = command_line(f)
    lines += ["## Reproducing", "",
              "How to run at the paper's size: `metabosim experiment all --full`", "",
              ("This report was produced by" if recorded else
               "This report was produced by (reconstructed from the settings in findings.json)")
              + f": `{command}`, then `tools/findings_report.py {f.dir}`.", ""]
    return "\n".join(lines)


def write_findings(f, directory):
    figures = {}
    for name, figure, plot in figure_plan(f):
        save_figure(plot(f), directory / f"{figure}.png", dpi=120)
        figures.setdefault(name, []).append(figure)
    return report(f, figures)


def main():
    return report_main(
        "findings_report.py", "Write the figures and report.md of a `metabosim experiment` output directory.",
        "Exit status: 0 all written, 1 a file cannot be read or written, "
        "2 OUT/findings.json is missing or malformed.",
        "OUT", "output of `metabosim experiment`", Findings, write_findings)


if __name__ == "__main__":
    sys.exit(main())
