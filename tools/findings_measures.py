"""What the findings report computes from findings.json beyond its numbers: means with their
confidence bands, the peak of the learning quality, chi over time, findings 1 and 4 at the
unchanged Q10s."""
import math

import numpy as np

from findings_json import CHI_HIGH, CHI_LOW, RUNAWAY
from report_common import NUMBER, ci95


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


def mean_chi(f, state):
    """(window starts in ms, mean χ over seeds per window) of a state."""
    windows = f["topology"]["per_state"][state]["windows"]
    if not windows or not min(len(w["chi"]) for w in windows):
        return [], np.empty(0)
    n = min(len(w["chi"]) for w in windows)
    return windows[0]["start_ms"][:n], band([[np.nan if v is None else v for v in w["chi"][:n]]
                                             for w in windows])[0]


def chi_measured(f):
    """Whether any state run has a χ window (runs shorter than a window have none)."""
    return any(len(w["chi"]) for r in f.data["runs"] if r["group"] == "states"
               for w in [r["windows"]] if isinstance(w.get("chi"), list))


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
