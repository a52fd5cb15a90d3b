"""Drawing pieces shared by the findings figures: colours, bands over seeds, estimates as error
bars, the state temperatures marked."""
import numpy as np

from findings_json import STATES
from findings_measures import band, finite

STATE_COLOURS = {"hypo": "tab:blue", "normo": "tab:green", "hyper": "tab:red"}


def plot_band(ax, times, series, colour, label, seeds=True, linestyle="-", marker=None):
    """Seeds as thin lines, the mean as a thick line and its 95 % CI as a band (never below
    zero for a quantity that never is, such as a rate)."""
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
        low = mean - half
        if all(np.nanmin(v, initial=0) >= 0 for v in values):
            low = np.maximum(low, 0)
        ax.fill_between(times, low, mean + half, color=colour, alpha=0.18, linewidth=0)


def estimate_error(e):
    """(mean, [[below], [above]]) of an estimate for errorbar; zero error when undefined."""
    mean = e["mean"] if finite(e["mean"]) else np.nan
    if finite(e["low"]) and finite(e["high"]):
        return mean, [[mean - e["low"]], [e["high"] - mean]]
    return mean, [[0.0], [0.0]]


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
