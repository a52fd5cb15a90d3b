"""findings.json (written by `metabosim experiment`, apps/experiments/findings.cpp), checked for
everything the report uses, and the constants of its protocol."""
from report_common import (NUMBER, OPTIONAL_NUMBER, Malformed, expect, expect_bool, expect_numbers,
                           load_checked)

EXPERIMENTS = ("bifurcation", "stdp-window", "degradation", "topology", "robustness",
               "energy-loop")
EXAMINATIONS = ("synchrony", "energy-map")  # measures without a verdict (findings_examinations.py)
VERDICTS = ("reproduced", "partly reproduced", "not reproduced")
STATES = ("hypo", "normo", "hyper")
CHI_LOW, CHI_HIGH = 0.2, 0.4  # topology thresholds (findings.cpp)
RUNAWAY = 1.5  # w/w0 of a runaway (findings.cpp)
PAPER_NEURONS, PAPER_DURATION_MS = 5000, 10000.0
# The measures along the temperature sweep: key, axis label, panel title.
SWEEP_MEASURES = [("mean_weight_nS", "mean E→E weight (nS)", "Mean weight"),
                  ("fraction_at_max", "fraction of E→E synapses at w_max", "Saturation"),
                  ("sparseness", "population sparseness (Vinje–Gallant)", "Sparseness"),
                  ("pattern_correlation", "mean correlation of pattern responses",
                   "Overlap of pattern responses"),
                  ("learning_quality_nS", "within − across pattern weight (nS)",
                   "Learning quality"),
                  ("rate_E", "E rate (Hz)", "Activity")]

ESTIMATE = {"mean": OPTIONAL_NUMBER, "low": OPTIONAL_NUMBER, "high": OPTIONAL_NUMBER, "n": int}


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
    if not present and not any(name in data for name in EXAMINATIONS):
        raise Malformed(f"none of the experiments ({', '.join(EXPERIMENTS + EXAMINATIONS)}) is present")
    for name in EXAMINATIONS:
        if name in data:
            expect(data[name], name, {"states": list} if name == "synchrony" else {"points": list, "balance": dict})
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
        self.examined = [name for name in EXAMINATIONS if name in self.data]

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
