"""The text of report.md of a `metabosim experiment` directory: each finding beside the paper's
claim, with its criteria, numbers, verdict and figures (see findings_report.py)."""
import math
import shlex

import numpy as np

from findings_json import EXPERIMENTS, PAPER_DURATION_MS, PAPER_NEURONS, STATES
from findings_measures import chi_measured, finite, inverted_u, mean_chi, sensitivity_reference
from report_common import number, table

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


def estimate_text(e, digits=3, unit=""):
    """"mean [low, high] unit" of an estimate from findings.json; the mean alone without a CI."""
    if not finite(e.get("mean")):
        return "—"
    text = number(e["mean"], digits)
    if finite(e.get("low")) and finite(e.get("high")):
        text += f" [{number(e['low'], digits)}, {number(e['high'], digits)}]"
    return text + (f" {unit}" if unit else "")


def percent_text(e):
    """An estimate of a fraction as "mean % [low, high]" in whole percent; the t interval of
    findings.json, which may reach beyond 0 or 100 %, cut to what a fraction can be."""
    if not finite(e.get("mean")):
        return "—"
    text = f"{100 * e['mean']:.0f} %"
    if finite(e.get("low")) and finite(e.get("high")):
        text += f" [{100 * max(e['low'], 0):.0f}, {100 * min(e['high'], 1):.0f}]"
    return text


def seeds_text(seeds):
    return f"{len(seeds)} seed{'s' * (len(seeds) != 1)}"


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


def held_word(holds):
    return "undefined" if holds is None else "held" if holds else "not held"


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
