"""The examinations of findings.json (lib/include/metabosim/experiments/examinations.hpp): finding
4's synchrony measured several ways, and the energy loop mapped over supply and costs; their
figures and report sections."""
import matplotlib.pyplot as plt
import numpy as np

from findings_measures import finite
from findings_plotting import STATE_COLOURS

EXAMINATIONS = ("synchrony", "energy-map")
REGIME_COLOURS = {"regulates": "tab:green", "locks hypo": "tab:blue", "holds hyper": "tab:red",
                  "locks hyper": "tab:orange", "holds hypo": "tab:cyan"}  # a hyper start reaches the first three


def nanmean(values):
    v = np.array([np.nan if x is None else x for x in values], dtype=float)
    return float(np.nanmean(v)) if np.isfinite(v).any() else np.nan


def plot_synchrony(f):
    x = f["synchrony"]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5), layout="constrained")
    ax_size, ax_window, ax_count, ax_spec = axes.flat
    for s in x["states"]:
        colour, label = STATE_COLOURS[s["state"]], f"{s['state']} ({s['temperature']:g} °C)"
        sizes = [b["cells"] for b in s["runs"][0]["by_size"]]
        for run in s["runs"]:
            for b in run["by_size"]:
                ax_size.scatter([b["cells"]] * len(b["chi_max"]), b["chi_max"], color=colour, s=6, alpha=0.35)
        means = [nanmean([v for run in s["runs"] for v in run["by_size"][k]["chi_max"]])
                 for k in range(len(sizes))]
        ax_size.plot(sizes, means, color=colour, marker="o", label=label)
        windows = [w["ms"] for w in s["runs"][0]["by_window_probe"]]
        ax_window.plot(windows, [nanmean([r["by_window_probe"][k]["chi_max"] for r in s["runs"]])
                                 for k in range(len(windows))], color=colour, marker="o", label=label)
        ax_window.plot(windows, [nanmean([r["by_window_all"][k]["chi_max"] for r in s["runs"]])
                                 for k in range(len(windows))], color=colour, marker="s", linestyle="--")
        bins = s["runs"][0]["count_bins_ms"]
        ax_count.plot(bins, [c["mean"] for c in s["count_correlation"]], color=colour, marker="o", label=label)
        freq = np.array(s["runs"][0]["spectrum"]["frequency_Hz"], dtype=float)
        power = np.nanmean([np.array(r["spectrum"]["power"], dtype=float) for r in s["runs"]], axis=0)
        ax_spec.loglog(freq[1:], power[1:], color=colour, label=label)
    for ax in (ax_size, ax_window):
        ax.axhline(x["threshold"], color="grey", linestyle=":", label=f"criterion χ < {x['threshold']:g} (hypo)")
        ax.set_xscale("log")
        ax.set_ylabel("largest χ(t) over 500 ms windows" if ax is ax_size else "largest χ(t)")
    ax_size.axvline(x["sample_cells"], color="grey", linewidth=0.8)
    ax_size.set(xlabel="cells in the sample (disjoint random samples as dots)",
                title="χ against sample size (500 ms windows)")
    ax_window.set(xlabel="window (ms; the last point: the whole run)",
                  title="χ against window: the criterion's 100 cells (—), every E cell (--)")
    ax_count.set(xscale="log", xlabel="bin (ms)", ylabel="mean pairwise Pearson r of spike counts",
                 title="Spike-count correlation, every E cell")
    ax_spec.set(xlabel="frequency (Hz)", ylabel="power of the E rate (Hz²/Hz)",
                title="Spectrum of the E population rate (1 ms bins, Welch 1 s)")
    for ax in axes.flat:
        ax.legend(fontsize="x-small")
    fig.suptitle(f"Finding 4 examined (seeds {', '.join(map(str, x['seeds']))})")
    return fig


def plot_energy_map(f):
    m = f["energy-map"]
    supplies, costs = m["supply_factors"], m["cost_scales"]
    fig, (ax_map, ax_time) = plt.subplots(1, 2, figsize=(13, 5.5), layout="constrained")
    for p in m["points"]:
        i, j = costs.index(p["cost_scale"]), supplies.index(p["supply_factor"])
        ax_map.scatter(i, j, s=900, marker="s", color=REGIME_COLOURS.get(p["regime"], "grey"))
        hypo = dict((t, fr) for t, fr in p["time_fraction"]).get(m["temperatures"]["hypo"], 0)
        ax_map.annotate(f"{p['regime']}\n{p['switches']} sw, {100 * hypo:.0f} % hypo\n"
                        f"pred.: {p['predicted_in_run']}",
                        (i, j), ha="center", va="center", fontsize=6)
    b = m["balance"]
    # The analytic boundaries, in grid coordinates (log2 of the factors, as the grid is).
    cs = np.geomspace(costs[0], costs[-1], 50)
    to_i = lambda c: np.interp(np.log(c), np.log(costs), np.arange(len(costs)))
    to_j = lambda s: np.interp(np.log(s), np.log(supplies), np.arange(len(supplies)), left=np.nan, right=np.nan)
    for rate, phi, style, text in [(b["rate_E_hypo"], b["phi_hypo"], "--", "hypo refills above"),
                                   (b["rate_E_hyper"], b["phi_hyper"], ":", "hyper drains below")]:
        if finite(rate):
            needed = (b["rest"] + cs * b["cost_per_spike"] * rate) / phi / b["supply"]
            ax_map.plot(to_i(cs), to_j(needed), color="black", linestyle=style, label=f"{text} (r = {rate:.1f} Hz)")
    ax_map.set_xticks(range(len(costs)), [f"{c:g}" for c in costs])
    ax_map.set_yticks(range(len(supplies)), [f"{s:g}" for s in supplies])
    ax_map.set(xlabel="cost scale (× per-spike and per-release costs)", ylabel="supply (× 3.3e9 ATP/s per neuron)",
               xlim=(-0.6, len(costs) - 0.4), ylim=(-0.6, len(supplies) - 0.4),
               title=f"Regime of E's state ({m['neurons']} neurons, {m['duration_ms'] / 1000:g} s, seed {m['seed']})")
    ax_map.legend(fontsize="x-small", loc="lower right")
    for p in m["points"]:
        if p["cost_scale"] == 1:
            e = p["energy"]
            ax_time.plot(np.array(e["time_ms"]) / 1000, e["atp_fraction"], label=f"supply × {p['supply_factor']:g}")
    for level in m["thresholds"].values():
        ax_time.axhline(level, color="grey", linestyle=":")
    ax_time.set(xlabel="time (s)", ylabel="E's ATP (fraction of capacity)", title="ATP at cost scale 1")
    ax_time.legend(fontsize="x-small")
    return fig


def number(x, digits=3):
    return f"{x:.{digits}f}" if finite(x) else "—"


def seconds(x):
    """A predicted time: null is never (or unknown, as the prediction says)."""
    return f"{x:.2g}" if finite(x) else "never"


def synchrony_section(f):
    x = f["synchrony"]
    states = x["states"]
    lines = ["## Finding 4 examined (`synchrony`)", "",
             f"The three states again (seeds {', '.join(map(str, x['seeds']))}), V of every E cell recorded. "
             "Means over seeds; the criterion (hypo: largest χ(t) of the 100 sampled cells < "
             f"{x['threshold']:g}) is unchanged.", "",
             "| state | χ criterion's 100 cells | χ every E cell (largest window / whole run) | "
             "disjoint 100-cell samples: mean ± sd | count r (5 / 20 / 100 ms) | peak (Hz) per seed |",
             "|---|---|---|---|---|---|"]
    for s in states:
        counts = " / ".join(number(c["mean"]) for c in s["count_correlation"])
        lines.append(f"| {s['state']} | {number(s['chi_probe_max']['mean'])} | {number(s['chi_all_max']['mean'])} / "
                     f"{number(s['chi_all_run']['mean'])} | {number(s['chi_sample_max_mean']['mean'])} ± "
                     f"{number(s['chi_sample_max_sd']['mean'])} | {counts} | "
                     f"{' / '.join(number(r['peak_frequency_Hz'], 0) for r in s['runs'])} |")
    sizes = [b["cells"] for b in states[0]["runs"][0]["by_size"]]
    lines += ["", "Largest χ(t) (500 ms windows) against the number of cells (mean over disjoint samples and "
              "seeds); for independent cells χ ≈ 1/√N:", "",
              "| state | " + " | ".join(map(str, sizes)) + " |", "|---" * (len(sizes) + 1) + "|"]
    for s in states:
        means = [nanmean([v for r in s["runs"] for v in r["by_size"][k]["chi_max"]]) for k in range(len(sizes))]
        lines.append(f"| {s['state']} | " + " | ".join(number(m) for m in means) + " |")
    lines.append("| 1/√N | " + " | ".join(number(n ** -0.5) for n in sizes) + " |")
    windows = [w["ms"] for w in states[0]["runs"][0]["by_window_probe"]]
    lines += ["", "Largest χ(t) against the window (the criterion's 100 cells / every E cell; the last: the whole "
              "run):", "", "| state | " + " | ".join(f"{w:g} ms" for w in windows) + " |",
              "|---" * (len(windows) + 1) + "|"]
    for s in states:
        cells = [f"{number(nanmean([r['by_window_probe'][k]['chi_max'] for r in s['runs']]))} / "
                 f"{number(nanmean([r['by_window_all'][k]['chi_max'] for r in s['runs']]))}" for k in range(len(windows))]
        lines.append(f"| {s['state']} | " + " | ".join(cells) + " |")
    bands = [f"{lo:g}–{hi:g}" for lo, hi in states[0]["runs"][0]["bands_Hz"]]
    lines += ["", "Fraction of the E rate's power above 0 Hz by band (Hz):", "",
              "| state | " + " | ".join(bands) + " |", "|---" * (len(bands) + 1) + "|"]
    for s in states:
        fr = [nanmean([r["band_fraction"][k] for r in s["runs"]]) for k in range(len(bands))]
        lines.append(f"| {s['state']} | " + " | ".join(number(v, 2) for v in fr) + " |")
    return lines + ["", "![synchrony](synchrony.png)", ""]


def energy_map_section(f):
    m = f["energy-map"]
    b = m["balance"]
    lines = ["## The energy loop mapped (`energy-map`)", "",
             f"The energy loop's protocol ({m['neurons']} neurons, {m['duration_ms'] / 1000:g} s, seed {m['seed']}, "
             f"hyper start, thresholds falling {m['thresholds']['falling']:g} → hypo, rising "
             f"{m['thresholds']['rising']:g} → hyper) over supply × cost scale. Regime of E's state: holds (no "
             "switch), locks (one switch), regulates (two or more). Predicted from the steady-state balance with "
             f"E at {number(b['rate_E_hypo'], 1)} Hz in hypo and {number(b['rate_E_hyper'], 1)} Hz in hyper (medians "
             f"of the map's runs), c = {b['cost_per_spike']:.3g} ATP per spike ({b['out_degree']:.0f} releases): for "
             "ever, and within the run from the seconds to drain (start → falling threshold), refill (falling → "
             "rising) and drain again (rising → falling).", "",
             "| supply × | cost × | regime | predicted (for ever / in the run) | switches | time in hypo | "
             "r*(hypo) / r*(hyper) Hz | E Hz hypo / hyper | drain / refill / drain again (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for p in m["points"]:
        hypo = dict((t, fr) for t, fr in p["time_fraction"]).get(m["temperatures"]["hypo"], 0)
        lines.append(f"| {p['supply_factor']:g} | {p['cost_scale']:g} | {p['regime']} | {p['predicted']} / "
                     f"{p['predicted_in_run']} | {p['switches']} | {100 * hypo:.0f} % | {number(p['r_star_hypo'], 1)} / "
                     f"{number(p['r_star_hyper'], 1)} | {number(p['rate_E_hypo'], 1)} / {number(p['rate_E_hyper'], 1)} | "
                     f"{seconds(p['first_drain_s'])} / {seconds(p['refill_s'])} / {seconds(p['redrain_s'])} |")
    return lines + ["", "![energy map](energy_map.png)", ""]
