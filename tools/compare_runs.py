"""compare.json (written by `metabosim compare`, apps/compare.cpp), checked, with its runs grouped
by label and the spikes of the run directories."""
import json

import numpy as np

import metabosim_outputs
from report_common import NUMBER, OPTIONAL_NUMBER, Malformed, ci95, expect, load_checked

MEASURES = [("rate_Hz", "rate (Hz)"), ("cv_isi", "CV of ISI"), ("chi", "synchrony χ"),
            ("fano_5ms", "Fano factor (5 ms bins)")]
CONVERGENCE_NAMES = {"single_neurons": "Unconnected neurons", "single_neuron": "Single neuron",
                     "small_network": "Small network"}
ENGINE_NAMES = {"event": "event-driven", "clock": "clock-driven", "brian2": "Brian2"}


def check(data):
    """data, or Malformed naming the first entry that is absent or of the wrong type."""
    expect(data, "top level", {"config": str, "model": dict, "seeds": list,
                               "convergence": dict, "runs": list})
    expect(data["model"], "model", {"neurons": int, "duration_ms": NUMBER})
    if not data["seeds"] or not data["runs"]:
        raise Malformed("\"seeds\" and \"runs\" must not be empty")
    for key, model in data["convergence"].items():
        expect(model, f"convergence.{key}", {"neurons": int, "duration_ms": NUMBER,
                                             "spikes_per_neuron": int, "clock": list})
        for engine in ("clock", "brian2"):
            for k, point in enumerate(model.get(engine, [])):
                expect(point, f"convergence.{key}.{engine}[{k}]",
                       {"dt_ms": NUMBER, "median_ms": OPTIONAL_NUMBER, "spikes": int})
        for k, point in enumerate(model.get("brian2_vs_clock", [])):
            expect(point, f"convergence.{key}.brian2_vs_clock[{k}]",
                   {"dt_ms": NUMBER, "same_step": int, "spikes": int})
    for k, run in enumerate(data["runs"]):
        where = f"runs[{k}]"
        expect(run, where, {"label": str, "engine": str, "dt_ms": OPTIONAL_NUMBER, "seed": int,
                            "wall_seconds": NUMBER, "directory": str, "populations": dict})
        if run["engine"] not in ENGINE_NAMES:
            raise Malformed(f"{where}.engine: unknown engine \"{run['engine']}\"")
        for name, population in run["populations"].items():
            expect(population, f"{where}.populations.{name}",
                   {key: OPTIONAL_NUMBER for key, _ in MEASURES})
        for name, w in run.setdefault("weights", {}).items():
            expect(w, f"{where}.weights.{name}",
                   {"time_ms": list, "mean_nS": list, "fraction_at_max": list,
                    "w_min_nS": NUMBER, "w_max_nS": NUMBER, "final_histogram": list})
        if run["engine"] == "brian2":
            run["brian2"] = run.get("brian2") or {}
            expect(run["brian2"], f"{where}.brian2", {})
            for key in ("build_seconds", "compile_seconds"):
                if not isinstance(run["brian2"].get(key), OPTIONAL_NUMBER):
                    raise Malformed(f"{where}.brian2.{key}: unexpected value "
                                    f"{json.dumps(run['brian2'][key])[:60]}")
    return data


class Comparison:
    """compare.json with its runs grouped by label (in the order they ran) and the spikes of the
    run directories, read when first needed."""

    def __init__(self, directory):
        self.dir = directory
        self.data = load_checked(directory / "compare.json", "compare", check)
        self.runs = self.data["runs"]
        self.labels = list(dict.fromkeys(r["label"] for r in self.runs))
        self.by_label = {label: sorted((r for r in self.runs if r["label"] == label),
                                       key=lambda r: r["seed"]) for label in self.labels}
        self.populations = list(dict.fromkeys(p for r in self.runs for p in r["populations"]))
        self.projections = list(dict.fromkeys(p for r in self.runs for p in r["weights"]))
        self.duration_ms = float(self.data["model"]["duration_ms"])
        self._spikes = {}

    def convergence(self):
        """[(name, results)] of the convergence models, in the order of compare.json."""
        return [(CONVERGENCE_NAMES.get(key, key.replace("_", " ").capitalize()), model)
                for key, model in self.data["convergence"].items()]

    def engine(self, label):
        return self.by_label[label][0]["engine"]

    def dt(self, label):
        return self.by_label[label][0]["dt_ms"]

    def values(self, label, population, key):
        return [r["populations"].get(population, {}).get(key) for r in self.by_label[label]]

    def estimate(self, label, population, key):
        return ci95(self.values(label, population, key))

    def wall(self, label):
        return [r["wall_seconds"] for r in self.by_label[label]]

    def mean_wall(self, label):
        return ci95(self.wall(label))[0] if label in self.by_label else None

    def weights(self, label, projection):
        return [r["weights"][projection] for r in self.by_label[label]
                if projection in r["weights"]]

    def labels_of(self, engine):
        return [label for label in self.labels if self.engine(label) == engine]

    def brian2_info(self):
        return next((r["brian2"] for r in self.runs if r["engine"] == "brian2"), None)


    def spikes(self, run):
        """({population: (times in ms, node ids)}, {population: size}) of a run directory."""
        directory = self.dir / run["directory"]
        if directory not in self._spikes:
            spikes = metabosim_outputs.read_spikes(directory / "spikes.h5")
            summary = metabosim_outputs.read_summary(directory / "summary.json")
            self._spikes[directory] = spikes, metabosim_outputs.population_sizes(summary, spikes)
        return self._spikes[directory]


def same_step_spikes(c, a, b, dt):
    """(spikes of the same neuron in the same step of length dt, the larger spike count) of two
    runs, over all populations. A spike's step is the one its time falls in, int((t + 1e-3 dt)/dt)
    as Brian2 bins: a neuron's spike lies on the grid, a spike source's at its own time."""
    (spikes_a, _), (spikes_b, _) = c.spikes(a), c.spikes(b)
    shared = larger = 0
    for population in c.populations:
        keys = []
        for spikes in (spikes_a, spikes_b):
            times, ids = spikes.get(population, (np.empty(0), np.empty(0, dtype=np.int64)))
            keys.append(np.unique(ids * (round(c.duration_ms / dt) + 2) + np.floor((times + 1e-3 * dt) / dt)))
        shared += len(np.intersect1d(*keys))
        larger += max(len(keys[0]), len(keys[1]))
    return shared, larger


def brian2_overhead(runs):
    """Mean build and compile seconds over the Brian2 runs that report them (None if none)."""
    return {key: ci95([r["brian2"].get(key) for r in runs])[0]
            for key in ("build_seconds", "compile_seconds")}


def same_step_total(model):
    agreement = model.get("brian2_vs_clock", [])
    return sum(a["same_step"] for a in agreement), sum(a["spikes"] for a in agreement)
