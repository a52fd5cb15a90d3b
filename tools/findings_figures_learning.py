"""The findings figures on plasticity and learning: the bifurcation of the weights (finding 1),
the STDP window (2), the temperature sweep (3) and the robustness of the orderings (5)."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from findings_json import RUNAWAY, STATES, SWEEP_MEASURES
from findings_measures import finite, inverted_u, sensitivity_reference
from findings_plotting import STATE_COLOURS, ci_note, estimate_error, mark_states, plot_band
from findings_text import estimate_text, held_word, seeds_text
from report_common import NUMBER, number, open_frame, wrapped


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


def plot_robustness(f):
    e = f["robustness"]
    fig = plt.figure(figsize=(16, 7), layout="constrained")
    grid = fig.add_gridspec(1, 3, width_ratios=[1.05, 1.45, 1.0])
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
                          va="center", fontsize="medium")
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
        ax_s.set_title(wrapped(f"Each Q10 × {' and × '.join(f'{x:g}' for x in factors)}, "
                               f"seed {f.seeds[0]}; cells: hypo / hyper w̄/w̄0 (finding 1), "
                               f"largest χ (finding 4)", 70) + ref, fontsize="medium")
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
    # Wrapped to the panel's width: a title wider than its panel runs off the figure.
    ax_u.set_title(wrapped("Inverted U? Learning quality: " + u["short"], 42), fontsize="medium")
    open_frame(ax_u)
    fig.suptitle(f"Finding 5, parametric robustness\nverdict: {e['verdict']}")
    return fig
