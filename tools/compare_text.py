"""The text of report.md of a `metabosim compare` directory: tables of the numbers and a short
reading of them (see compare_report.py)."""
from pathlib import Path

from compare_runs import MEASURES, brian2_overhead, same_step_spikes, same_step_total
from report_common import NUMBER, ci95, number, table


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
