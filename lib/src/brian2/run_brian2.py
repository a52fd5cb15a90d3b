#!/usr/bin/python3
"""Run a network exported by `metabosim export` in Brian2 and write metabosim's output files.

  python3 run_brian2.py -o brian2-out                          numpy code, dt = 0.1 ms
  python3 run_brian2.py --dt 0.025 --codegen cython -o fine    compiled (Cython) runtime code
  python3 run_brian2.py --device cpp_standalone -o out         a compiled C++ project: slow to
                                                               build, fastest for long runs

Nothing is drawn again: the network (synapses with their weights and delays), the initial state,
every Poisson drive input and every spike-generator spike come from network.h5, exactly as
metabosim drew them for the same config and seed. Temperature needs no Q10 law here either:
network.h5 holds the scaled parameters as a table of segments, set at each metabolic step.

What Brian2 runs (a clock-driven version of metabosim's model, see docs/model.md):
  - one NeuronGroup per population, exponential Euler:
        dv/dt  = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v) + I_ext)/C   (unless refractory)
        dge/dt = -ge/tau_e,   dgi/dt = -gi/tau_i
    threshold v >= Vth, reset v = Vr; the refractory period is the t_ref in force at the spike
    (a metabolic step does not shorten or lengthen one in progress);
  - one Synapses per projection, per-synapse weight and delay (rounded to whole steps by
    Brian2); a spike adds phi_g * w to ge (or gi) of the target, phi_g of the target's
    population at that moment (weights are stored at the reference temperature);
  - STDP on plastic projections with event-driven traces: a presynaptic arrival does
    apre += A_plus (nearest_neighbour: apre = A_plus), then w += apost; a postsynaptic spike
    apost += A_minus (or = A_minus), then w += apre; w clipped to [w_min, w_max]; multiplicative
    updates scale a positive change by (w_max - w)/(w_max - w_min) and a negative one by
    (w - w_min)/(w_max - w_min). All presynaptic pathways of a step run before all
    postsynaptic ones (Brian2 orders them -1 and +1 in the 'synapses' slot), so a simultaneous
    pair counts as pre before post, as in metabosim;
  - the Poisson drive and the spike generators as SpikeGeneratorGroups feeding their neurons
    through one-to-one Synapses without delay, each spike adding phi_g * weight. A
    SpikeGeneratorGroup takes one spike per source and time step, so the inputs of one neuron
    that fall into one step are spread over several sources ("layers");
  - the run in segments: a metabolic step at time t takes effect at the first time step t_n
    at or after t (Brian2's rule for the end of a run: within 1e-4 dt of the grid counts as
    on it); the STDP traces are brought to t_n under the old time constants, then the new
    parameters are set.
Weights, STDP traces and amplitudes are kept as plain numbers in nS, as metabosim keeps them.

Outputs (in OUT, all or nothing, the same layout as `metabosim run`): spikes.h5 (SONATA; times
are the time steps' starts, in ms), states.h5 (samples at k * interval up to the end; the last
one is the state at the end of the run), weights.h5, rates.csv, metabolism.csv, summary.json
(with a "brian2" object: version, step, device, code generation and wall-clock seconds spent
building, compiling (cpp_standalone only) and running, and peak_rss_bytes: with cpp_standalone,
the peak resident memory of the compiled program's run alone (os.wait4 in a small launcher
process, which also times the program); null with the runtime device).

network.h5 (written by metabosim export; units in `units` attributes or attribute names):
  /                         format, format_version = 1, metabosim_version, duration_ms, seed,
                            neurons, synapses
  /populations/<P>          index (model order), size, first
      initial/{V, ge, gi}   per neuron, mV and nS
      segments/{time, temperature, C, gL, EL, Vth, Vr, t_ref, Ee, Ei, tau_e, tau_i, I_ext, phi_g,
                poisson_rate}   lowered parameters: row 0 from t = 0, a row per metabolic step
      drive/                receptor, weight_nS, rate_Hz; times (ms) neuron after neuron,
                            index_pointers (size + 1)
  /projections/<name>       index, pre, post, receptor, plastic; source, target, weight (nS),
                            delay (ms) per synapse in metabosim's synapse order
      stdp/                 pairing, update, w_min_nS, w_max_nS;
                            segments/{time, temperature, tau_plus, tau_minus, A_plus, A_minus}
  /generators/<k>           name, target, receptor, weight_nS; neurons, times (ms)
  /metabolism/{time, population (index), temperature}   the metabolic timeline
  /recording                spikes, rate_bin_ms; states/<k> (population, variables, interval_ms;
                            neurons); weights/<k> (projection, interval_ms, bins, final)

Exit status: 0 success, 2 bad input (network file, option, output directory, Brian2 missing),
1 anything else.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import h5py
import numpy as np

OUTPUT_NAMES = ("spikes.h5", "states.h5", "weights.h5", "rates.csv", "metabolism.csv", "summary.json")
# Lowered neuron parameters: (column of the segment table, Brian2 unit name).
NEURON_PARAMETERS = (("C", "pF"), ("gL", "nS"), ("EL", "mV"), ("Vth", "mV"), ("Vr", "mV"),
                     ("t_ref", "ms"), ("Ee", "mV"), ("Ei", "mV"), ("tau_e", "ms"), ("tau_i", "ms"),
                     ("I_ext", "pA"), ("phi_g", None))
STDP_PARAMETERS = (("tau_plus", "ms"), ("tau_minus", "ms"), ("A_plus", None), ("A_minus", None))
STATE_VARIABLES = {"V": ("v", 1e3), "ge": ("ge", 1e9), "gi": ("gi", 1e9)}  # name, SI -> mV / nS

NEURON_MODEL = """
dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v) + I_ext)/C : volt (unless refractory)
dge/dt = -ge/tau_e : siemens
dgi/dt = -gi/tau_i : siemens
t_ref_at_spike : second
C : farad (shared)
gL : siemens (shared)
EL : volt (shared)
Vth : volt (shared)
Vr : volt (shared)
t_ref : second (shared)
Ee : volt (shared)
Ei : volt (shared)
tau_e : second (shared)
tau_i : second (shared)
I_ext : amp (shared)
phi_g : 1 (shared)
"""
# Weights, traces and amplitudes are plain numbers in nS, as in metabosim: weight arithmetic
# then rounds as metabosim's does, and a weight clipped to w_max is exactly w_max.
STATIC_MODEL = "w : 1"
STDP_MODEL = """
w : 1
dapre/dt = -apre/tau_plus : 1 (event-driven)
dapost/dt = -apost/tau_minus : 1 (event-driven)
tau_plus : second (shared)
tau_minus : second (shared)
A_plus : 1 (shared)
A_minus : 1 (shared)
w_min : 1 (shared, constant)
w_max : 1 (shared, constant)
"""


class BadInput(Exception):
    """A problem with the user's input: exit status 2."""


# ---------------------------------------------------------------------------------------------
# Reading network.h5


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def by_index(group):
    return sorted(group.values(), key=lambda g: int(g.attrs["index"]))


def read_table(group):
    return {name: group[name][()] for name in group}


def read_network(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise BadInput(f"cannot read the exported network '{path}': {e}") from None
    with f:
        if text(f.attrs.get("format", "")) != "metabosim-brian2-export":
            raise BadInput(f"'{path}' is not a network written by `metabosim export`")
        if int(f.attrs["format_version"]) != 1:
            raise BadInput(f"'{path}' has format version {int(f.attrs['format_version'])}; this script reads 1")
        net = {key: f.attrs[key] for key in ("duration_ms", "seed", "neurons", "synapses")}
        net["metabosim_version"] = text(f.attrs["metabosim_version"])
        net["populations"] = []
        for g in by_index(f["populations"]):
            pop = {"name": g.name.rsplit("/", 1)[1], "size": int(g.attrs["size"]),
                   "initial": read_table(g["initial"]), "segments": read_table(g["segments"]), "drive": None}
            if "drive" in g:
                d = g["drive"]
                pop["drive"] = {"receptor": text(d.attrs["receptor"]), "weight": float(d.attrs["weight_nS"]),
                                "times": d["times"][()], "pointers": d["index_pointers"][()].astype(np.int64)}
            net["populations"].append(pop)
        names = [p["name"] for p in net["populations"]]
        net["projections"] = []
        for g in by_index(f["projections"]):
            proj = {"name": g.name.rsplit("/", 1)[1], "pre": names.index(text(g.attrs["pre"])),
                    "post": names.index(text(g.attrs["post"])), "receptor": text(g.attrs["receptor"]),
                    "source": g["source"][()].astype(np.int64), "target": g["target"][()].astype(np.int64),
                    "weight": g["weight"][()], "delay": g["delay"][()], "stdp": None}
            if "stdp" in g:
                s = g["stdp"]
                proj["stdp"] = {"pairing": text(s.attrs["pairing"]), "update": text(s.attrs["update"]),
                                "w_min": float(s.attrs["w_min_nS"]), "w_max": float(s.attrs["w_max_nS"]),
                                "segments": read_table(s["segments"])}
            net["projections"].append(proj)
        net["generators"] = []
        for key in sorted(f["generators"], key=int):
            g = f["generators"][key]
            net["generators"].append({"name": text(g.attrs["name"]), "target": names.index(text(g.attrs["target"])),
                                      "receptor": text(g.attrs["receptor"]), "weight": float(g.attrs["weight_nS"]),
                                      "neurons": g["neurons"][()].astype(np.int64), "times": g["times"][()]})
        net["metabolism"] = read_table(f["metabolism"])
        r = f["recording"]
        net["recording"] = {
            "spikes": bool(r.attrs["spikes"]), "rate_bin": float(r.attrs["rate_bin_ms"]),
            "states": [{"population": text(g.attrs["population"]), "variables": text(g.attrs["variables"]).split(","),
                        "interval": float(g.attrs["interval_ms"]), "neurons": g["neurons"][()].astype(np.int64)}
                       for g in (r["states"][k] for k in sorted(r["states"], key=int))],
            "weights": [{"projection": text(g.attrs["projection"]), "interval": float(g.attrs["interval_ms"]),
                         "bins": int(g.attrs["bins"]), "final": bool(g.attrs["final"])}
                        for g in (r["weights"][k] for k in sorted(r["weights"], key=int))],
        }
    return net


# ---------------------------------------------------------------------------------------------
# Time steps and input layers


def step_of(t_ms, dt_ms):
    """The first time step at or after t, as Brian2's clock finds the end of a run: t within
    1e-4 steps of the grid counts as on it."""
    nearest = round(t_ms / dt_ms)
    return int(nearest) if abs(nearest * dt_ms - t_ms) <= 1e-4 * dt_ms else int(np.ceil(t_ms / dt_ms))


def layers(neurons, times_s, dt_s):
    """The layer of each input spike: its rank among the spikes of the same neuron in the same
    time step, with the step computed as SpikeGeneratorGroup computes it."""
    if len(times_s) == 0:
        return np.zeros(0, dtype=np.int64)
    bins = np.asarray((times_s + 1e-3 * dt_s) / dt_s, dtype=np.int64)
    order = np.lexsort((times_s, bins, neurons))
    n, b = neurons[order], bins[order]
    first = np.r_[True, (n[1:] != n[:-1]) | (b[1:] != b[:-1])]
    position = np.arange(len(order))
    group_start = np.maximum.accumulate(np.where(first, position, 0))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = position - group_start
    return rank


def input_streams(net, p):
    """The external inputs of population p: (receptor, weight nS, neuron per spike, time ms)."""
    pop = net["populations"][p]
    if pop["drive"] is not None:
        d = pop["drive"]
        neurons = np.repeat(np.arange(pop["size"]), np.diff(d["pointers"]))
        yield d["receptor"], d["weight"], neurons, d["times"]
    for g in net["generators"]:
        if g["target"] == p and len(g["neurons"]) and len(g["times"]):
            yield (g["receptor"], g["weight"], np.repeat(g["neurons"], len(g["times"])),
                   np.tile(g["times"], len(g["neurons"])))


# ---------------------------------------------------------------------------------------------
# Building the Brian2 network


def conductance(receptor):
    return "ge" if receptor == "excitatory" else "gi"


def stdp_code(rule):
    """on_pre and on_post statements of a plastic projection (the conductance jump goes first)."""
    bump = "+=" if rule["pairing"] == "all_to_all" else "="
    if rule["update"] == "additive":
        update = "w = clip(w + {dw}, w_min, w_max)"
    else:
        update = ("dw_{side} = {dw}\n"
                  "w = clip(w + dw_{side}*(int(dw_{side} > 0)*(w_max - w) + int(dw_{side} <= 0)*(w - w_min))"
                  "/(w_max - w_min), w_min, w_max)")
    on_pre = f"apre {bump} A_plus\n" + update.format(dw="apost", side="pre")
    on_post = f"apost {bump} A_minus\n" + update.format(dw="apre", side="post")
    return on_pre, on_post


class Brian2Network:
    """The exported network as Brian2 objects, and how to step its parameters."""

    def __init__(self, b2, net):
        self.b2, self.net = b2, net
        self.objects = []
        self.groups = []
        for p, pop in enumerate(net["populations"]):
            g = b2.NeuronGroup(pop["size"], NEURON_MODEL, threshold="v >= Vth",
                               reset="v = Vr\nt_ref_at_spike = t_ref",
                               refractory="timestep(t - lastspike, dt) < timestep(t_ref_at_spike, dt)",
                               method="exponential_euler", name=f"population_{p}")
            g.v = pop["initial"]["V"] * b2.mV
            g.ge = pop["initial"]["ge"] * b2.nS
            g.gi = pop["initial"]["gi"] * b2.nS
            self.groups.append(g)
        self.objects += self.groups

        self.synapses = []  # per projection; None when it has no synapses
        for k, proj in enumerate(net["projections"]):
            if len(proj["source"]) == 0:
                self.synapses.append(None)
                continue
            jump = f"{conductance(proj['receptor'])}_post += phi_g_post * w * nS"
            if proj["stdp"] is None:
                s = b2.Synapses(self.groups[proj["pre"]], self.groups[proj["post"]], STATIC_MODEL, on_pre=jump,
                                name=f"projection_{k}")
            else:
                on_pre, on_post = stdp_code(proj["stdp"])
                s = b2.Synapses(self.groups[proj["pre"]], self.groups[proj["post"]], STDP_MODEL,
                                on_pre=jump + "\n" + on_pre, on_post=on_post, name=f"projection_{k}")
                s.post.order = 1  # Brian2's default, stated: after every presynaptic pathway (order -1)
            s.connect(i=proj["source"], j=proj["target"])  # synapse k of Brian2 is metabosim's k
            s.w = proj["weight"]
            s.delay = proj["delay"] * b2.ms
            if proj["stdp"] is not None:
                s.w_min = proj["stdp"]["w_min"]
                s.w_max = proj["stdp"]["w_max"]
            self.synapses.append(s)
        self.objects += [s for s in self.synapses if s is not None]

        dt_s = float(b2.defaultclock.dt_)  # the step SpikeGeneratorGroup bins with
        for p in range(len(net["populations"])):
            self.add_inputs(p, dt_s)

        for p in range(len(net["populations"])):
            self.set_population(p, 0)

    def add_inputs(self, p, dt_s):
        """One SpikeGeneratorGroup per population and receptor; a source per (stream, layer,
        neuron), connected one to one with the stream's weight."""
        b2, size = self.b2, self.net["populations"][p]["size"]
        for receptor in ("excitatory", "inhibitory"):
            streams = [s for s in input_streams(self.net, p) if s[0] == receptor]
            if not streams:
                continue
            columns = {"stream": [], "neuron": [], "layer": [], "time": [], "weight": []}
            for index, (_, weight, neurons, times_ms) in enumerate(streams):
                t_s = np.asarray(times_ms) * 1e-3
                columns["stream"].append(np.full(len(t_s), index))
                columns["neuron"].append(neurons)
                columns["layer"].append(layers(neurons, t_s, dt_s))
                columns["time"].append(t_s)
                columns["weight"].append(np.full(len(t_s), weight))
            c = {name: np.concatenate(parts) for name, parts in columns.items()}
            key = (c["stream"] * (c["layer"].max(initial=0) + 1) + c["layer"]) * size + c["neuron"]
            sources, source_index = np.unique(key, return_inverse=True)
            source_weight = np.empty(len(sources))
            source_weight[source_index] = c["weight"]
            name = f"inputs_{p}_{receptor}"
            gen = b2.SpikeGeneratorGroup(len(sources), source_index, c["time"] * b2.second,
                                         sorted=False, name=name)
            syn = b2.Synapses(gen, self.groups[p], "w_in : 1 (constant)",
                              on_pre=f"{conductance(receptor)}_post += phi_g_post * w_in * nS", name=name + "_synapses")
            syn.connect(i=np.arange(len(sources)), j=sources % size)
            syn.w_in = source_weight
            self.objects += [gen, syn]

    def set_population(self, p, row):
        """Population p's parameters from its segment row, and those of the plastic
        projections into it."""
        b2, seg = self.b2, self.net["populations"][p]["segments"]
        for name, unit in NEURON_PARAMETERS:
            setattr(self.groups[p], name, seg[name][row] * (getattr(b2, unit) if unit else 1))
        for proj, s in zip(self.net["projections"], self.synapses):
            if s is None or proj["post"] != p or proj["stdp"] is None:
                continue
            for name, unit in STDP_PARAMETERS:
                setattr(s, name, proj["stdp"]["segments"][name][row] * (getattr(b2, unit) if unit else 1))

    def settle_traces(self, p):
        """Brings the STDP traces of the projections into p to the present under the time
        constants in force, so that new ones apply only from now on."""
        for proj, s in zip(self.net["projections"], self.synapses):
            if s is None or proj["post"] != p or proj["stdp"] is None:
                continue
            s.apre = "apre*exp(-(t - lastupdate)/tau_plus)"
            s.apost = "apost*exp(-(t - lastupdate)/tau_minus)"
            s.lastupdate = "t"

    def changes(self, dt_ms):
        """{time step: [(population, segment row), ...]} for every row after the first."""
        out = {}
        for p, pop in enumerate(self.net["populations"]):
            for row, t in enumerate(pop["segments"]["time"][1:], start=1):
                out.setdefault(step_of(t, dt_ms), []).append((p, row))
        return out


# ---------------------------------------------------------------------------------------------
# Statistics and output files (the layout of lib/src/recording/output.cpp)


def sample_count(duration, interval):
    """Samples k = 0 .. floor(duration / interval), as metabosim takes them."""
    return int(np.floor(duration / interval + 1e-9)) + 1


def sample_times(duration, interval):
    return np.minimum(np.arange(sample_count(duration, interval)) * interval, duration)


def complete(samples, final, count):
    """Brian2 samples before the end; the state at the end completes the series when the end
    is itself a sampling time."""
    rows = list(samples[:count])
    while len(rows) < count:
        rows.append(final)
    return np.array(rows)


def weight_statistics(samples, w_min, w_max, bins):
    """Mean, sd, fractions at the bounds and histogram of each row of weights (nS)."""
    n = max(samples.shape[1], 1)
    mean = samples.sum(axis=1) / n
    stddev = np.sqrt(((samples - mean[:, None]) ** 2).sum(axis=1) / n)
    width = (w_max - w_min) / bins
    x = (samples - w_min) / width if width > 0 else np.zeros_like(samples)
    index = np.clip(x, 0, bins - 1).astype(np.int64)
    histogram = np.array([np.bincount(row, minlength=bins) for row in index], dtype=np.uint64)
    return {"mean": mean, "stddev": stddev, "fraction_at_min": (samples <= w_min).sum(axis=1) / n,
            "fraction_at_max": (samples >= w_max).sum(axis=1) / n,
            "histogram": histogram.reshape(len(samples), bins)}


def dataset(h5, path, values, dtype, units=None):
    d = h5.create_dataset(path, data=np.asarray(values, dtype=dtype))
    if units:
        d.attrs["units"] = units


def write_spikes(path, net, spikes):
    sorting = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype="u1")
    with h5py.File(path, "w") as h5:
        for pop in net["populations"]:
            times, ids = spikes[pop["name"]]
            group = f"/spikes/{pop['name']}"
            dataset(h5, group + "/timestamps", times, "<f8", "ms")
            dataset(h5, group + "/node_ids", ids, "<u8")
            h5[group].attrs.create("sorting", np.uint8(2), dtype=sorting)


def write_states(path, traces):
    with h5py.File(path, "w") as h5:
        used = []
        for trace in traces:
            repeats = used.count(trace["population"])
            used.append(trace["population"])
            name = trace["population"] + (f"_{repeats}" if repeats else "")
            neurons = len(trace["neurons"])
            samples = len(next(iter(trace["values"].values())))
            for variable, data in trace["values"].items():
                group = f"/report/{name}/{variable}"
                dataset(h5, group + "/data", data.reshape(samples, neurons), "<f8",
                        "mV" if variable == "V" else "nS")
                dataset(h5, group + "/mapping/node_ids", trace["neurons"], "<u8")
                dataset(h5, group + "/mapping/element_ids", np.zeros(neurons), "<u8")
                dataset(h5, group + "/mapping/index_pointers", np.arange(neurons + 1), "<u8")
                dataset(h5, group + "/mapping/time", [0.0, samples * trace["interval"], trace["interval"]], "<f8",
                        "ms")


def write_weights(path, traces):
    with h5py.File(path, "w") as h5:
        for trace in traces:
            group = "/" + trace["projection"]
            bins = trace["histogram"].shape[1]
            edges = trace["w_min"] + (trace["w_max"] - trace["w_min"]) * np.arange(bins + 1) / bins
            edges[-1] = trace["w_max"]
            dataset(h5, group + "/time", trace["time"], "<f8", "ms")
            dataset(h5, group + "/mean", trace["mean"], "<f8", "nS")
            dataset(h5, group + "/stddev", trace["stddev"], "<f8", "nS")
            dataset(h5, group + "/fraction_at_min", trace["fraction_at_min"], "<f8")
            dataset(h5, group + "/fraction_at_max", trace["fraction_at_max"], "<f8")
            dataset(h5, group + "/histogram", trace["histogram"], "<u8")
            dataset(h5, group + "/bin_edges", edges, "<f8", "nS")
            if "final" in trace:
                source, target, weight, delay = trace["final"]
                dataset(h5, group + "/final/source", source, "<u8")
                dataset(h5, group + "/final/target", target, "<u8")
                dataset(h5, group + "/final/weight", weight, "<f8", "nS")
                dataset(h5, group + "/final/delay", delay, "<f8", "ms")


def csv_field(name):
    if not any(c in name for c in ',"\r\n'):
        return name
    return '"' + name.replace('"', '""') + '"'


def number(value):
    return format(float(value), ".12g")


def rates_csv(net, spikes):
    duration, width = float(net["duration_ms"]), net["recording"]["rate_bin"]
    bins = int(np.ceil(duration / width - 1e-9)) if duration > 0 else 0
    lines = [",".join(["time_ms"] + [csv_field(p["name"] + "_Hz") for p in net["populations"]])]
    counts = []
    for pop in net["populations"]:
        times = spikes[pop["name"]][0]
        index = np.minimum(np.where(times > 0, times / width, 0).astype(np.int64), max(bins - 1, 0))
        counts.append(np.bincount(index, minlength=bins)[:bins] if bins else [])
    for b in range(bins):
        start = b * width
        seconds = (width if b + 1 < bins else duration - start) / 1000.0
        row = [number(start)] + [number(c[b] / (p["size"] * seconds)) for c, p in zip(counts, net["populations"])]
        lines.append(",".join(row))
    return "".join(line + "\n" for line in lines)


def metabolism_csv(net):
    m = net["metabolism"]
    lines = ["time_ms,population,temperature_degC"]
    for t, p, temperature in zip(m["time"], m["population"], m["temperature"]):
        lines.append(f"{number(t)},{csv_field(net['populations'][int(p)]['name'])},{number(temperature)}")
    return "".join(line + "\n" for line in lines)


def check_output_directory(out):
    """Fails early, before a long run, if OUT cannot take the results."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".probe.partial"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise BadInput(f"cannot write results to '{out}': {e.strerror or e}") from None


def write_all(out, files):
    """Writes {name: writer(path)} under temporary names, then renames them into place; on any
    failure none remain. Outputs of an earlier run that this one does not produce are removed."""
    created = []
    try:
        for name, write in files.items():
            created.append(out / f".{name}.partial")
            write(created[-1])
        for i, name in enumerate(files):
            os.replace(created[i], out / name)
            created[i] = out / name
    except BaseException:
        for path in created:
            if path.is_file():
                path.unlink()
        raise
    for name in OUTPUT_NAMES:
        if name not in files and (out / name).is_file():
            (out / name).unlink()


# ---------------------------------------------------------------------------------------------


def parse_arguments():
    here = pathlib.Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dt", type=float, default=0.1, metavar="MS", help="time step in ms (default 0.1)")
    parser.add_argument("--device", choices=("runtime", "cpp_standalone"), default="runtime",
                        help="runtime: Python drives the run (default); cpp_standalone: Brian2 writes, "
                             "compiles and runs a C++ program")
    parser.add_argument("--codegen", choices=("numpy", "cython"), default="numpy",
                        help="code generation of the runtime device (default numpy; cython compiles once, "
                             "then runs faster)")
    parser.add_argument("-o", "--output", type=pathlib.Path, default=pathlib.Path("brian2-out"), metavar="OUT",
                        help="directory for the results (default ./brian2-out)")
    parser.add_argument("--network", type=pathlib.Path, default=here / "network.h5",
                        help="the exported network (default: network.h5 next to this script)")
    parser.add_argument("--standalone-dir", type=pathlib.Path, metavar="DIR",
                        help="where cpp_standalone builds its project (default: a temporary directory, "
                             "removed afterwards; a kept one is recompiled only where it changed)")
    args = parser.parse_args()
    if not (args.dt > 0 and np.isfinite(args.dt)):
        parser.error(f"--dt {args.dt}: expected a positive time step in ms")
    return args


def say(message):
    print(f"run_brian2: {message}", file=sys.stderr, flush=True)


# Starts the standalone program (argv[2:]) from a small process, waits for it and writes its
# peak resident memory (bytes) and wall-clock seconds into argv[1]. A process started straight
# from this one would count this process's memory too: Linux keeps the peak of the memory a
# process had before exec (including the one it shared with its parent after vfork).
PROGRAM_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    f.write(f"{usage.ru_maxrss * 1024} {seconds!r}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def build_and_run_standalone(b2, project):
    """Writes, compiles and runs the standalone project; returns the program's peak resident
    memory (bytes; Linux counts at least the launcher's own, about 8 MB) and wall-clock seconds.
    Brian2 starts the program with subprocess.call; here that call goes through
    PROGRAM_LAUNCHER, which measures the program alone (not the compiler, not Python)."""
    from brian2.devices.cpp_standalone import device as standalone

    measured = (project / "results" / "program_usage.txt").resolve()  # resolved before Brian2 changes directory
    measured.unlink(missing_ok=True)

    class Launching:
        def __getattr__(self, name):
            return getattr(subprocess, name)

        @staticmethod
        def call(argv, **kwargs):
            return subprocess.call([sys.executable, "-I", "-S", "-c", PROGRAM_LAUNCHER, str(measured)]
                                   + list(argv), **kwargs)

    original = standalone.subprocess
    standalone.subprocess = Launching()
    try:
        b2.device.build(directory=str(project), compile=True, run=True, with_output=False)
    finally:
        standalone.subprocess = original
    peak, seconds = measured.read_text().split()
    return int(peak), float(seconds)


def run(args):
    net = read_network(args.network)
    check_output_directory(args.output)
    # Debian's Pythran, which Brian2 imports, warns about NumPy aliases on import.
    warnings.filterwarnings("ignore", category=FutureWarning, module="pythran")
    try:
        import brian2 as b2
    except ImportError:
        raise BadInput("Brian2 is not installed (Debian: apt-get install python3-brian)") from None

    project = None
    if args.device == "cpp_standalone":
        project = args.standalone_dir or pathlib.Path(tempfile.mkdtemp(prefix="metabosim-brian2-"))
        b2.set_device("cpp_standalone", build_on_run=False, directory=str(project))
    else:
        b2.prefs.codegen.target = args.codegen
    b2.defaultclock.dt = args.dt * b2.ms
    duration, dt = float(net["duration_ms"]), args.dt
    say(f"{int(net['neurons'])} neurons, {int(net['synapses'])} synapses, {duration:g} ms at dt = {dt:g} ms, "
        f"{args.device}" + (f" ({args.codegen})" if args.device == "runtime" else ""))

    wall = {"start": time.perf_counter()}
    model = Brian2Network(b2, net)
    spike_monitors = [b2.SpikeMonitor(g, name=f"spikes_{p}") for p, g in enumerate(model.groups)]
    names = [p["name"] for p in net["populations"]]
    state_monitors = []
    for k, rec in enumerate(net["recording"]["states"]):
        variables = [STATE_VARIABLES[v][0] for v in rec["variables"]]
        state_monitors.append(b2.StateMonitor(model.groups[names.index(rec["population"])], variables,
                                              record=rec["neurons"], dt=rec["interval"] * b2.ms, name=f"states_{k}"))
    projection_names = [p["name"] for p in net["projections"]]
    weight_monitors = []
    for k, rec in enumerate(net["recording"]["weights"]):
        k_proj = projection_names.index(rec["projection"])
        s = model.synapses[k_proj]
        plastic = s is not None and net["projections"][k_proj]["stdp"] is not None
        # Static weights need no monitor: they are the same at every sample.
        weight_monitors.append(b2.StateMonitor(s, "w", record=True, dt=rec["interval"] * b2.ms, name=f"weights_{k}")
                               if plastic else None)
    # (A monitor's truth value is its sample count, so `is not None`, not `if m`.)
    network = b2.Network(model.objects + spike_monitors + state_monitors +
                         [m for m in weight_monitors if m is not None])

    wall["built"] = time.perf_counter()

    # Segments: run to each metabolic step, then set what it changes.
    end, now = step_of(duration, dt), 0
    for step, rows in sorted(model.changes(dt).items()):
        if step >= end:
            break
        if step > now:
            network.run((step - now) * dt * b2.ms, namespace={})
            now = step
        for p, row in rows:
            if now > 0:
                model.settle_traces(p)
            model.set_population(p, row)
    if end > now:
        network.run((end - now) * dt * b2.ms, namespace={})
    wall["ran"] = time.perf_counter()
    # Runtime: building the objects, then the runs (code generation included); standalone: the
    # runs above were only recorded, the build writes, compiles and runs the program.
    seconds = {"build": wall["built"] - wall["start"], "compile": None, "run": wall["ran"] - wall["built"],
               "peak_rss_bytes": None}
    if args.device == "cpp_standalone":
        seconds["peak_rss_bytes"], seconds["run"] = build_and_run_standalone(b2, project)
        total = time.perf_counter() - wall["start"]
        make = b2.device.timers["compile"]
        seconds["compile"] = (make["clean"] or 0) + (make["make"] or 0)
        seconds["build"] = total - seconds["compile"] - seconds["run"]

    files, counts = collect(b2, net, model, args, spike_monitors, state_monitors, weight_monitors, seconds)
    if project is not None and args.standalone_dir is None:
        shutil.rmtree(project, ignore_errors=True)
    write_all(args.output, files)
    say(", ".join(f"{p}: {n} spikes" for p, n in counts.items()) + f" -> {args.output}")


def collect(b2, net, model, args, spike_monitors, state_monitors, weight_monitors, seconds):
    """Every result as numpy arrays (read before a standalone project is removed), and the
    writers of the output files."""
    dt, duration = args.dt, float(net["duration_ms"])
    spikes = {}
    for pop, monitor in zip(net["populations"], spike_monitors):
        steps = np.round(np.asarray(monitor.t_[:]) / (dt * 1e-3)).astype(np.int64)
        ids = np.asarray(monitor.i_[:], dtype=np.int64)
        order = np.lexsort((ids, steps))
        spikes[pop["name"]] = (steps[order] * dt, ids[order])

    names = [p["name"] for p in net["populations"]]
    states = []
    for rec, monitor in zip(net["recording"]["states"], state_monitors):
        group = model.groups[names.index(rec["population"])]
        count = sample_count(duration, rec["interval"])
        values = {}
        for v in rec["variables"]:
            name, scale = STATE_VARIABLES[v]
            samples = np.asarray(getattr(monitor, name + "_")[:]).T * scale
            final = np.asarray(getattr(group, name + "_")[:])[rec["neurons"]] * scale
            values[v] = complete(samples, final, count)
        states.append({"population": rec["population"], "neurons": rec["neurons"], "interval": rec["interval"],
                       "values": values})

    weights = []
    projection_names = [p["name"] for p in net["projections"]]
    for rec, monitor in zip(net["recording"]["weights"], weight_monitors):
        k = projection_names.index(rec["projection"])
        proj, s = net["projections"][k], model.synapses[k]
        final = np.asarray(s.w[:]) if proj["stdp"] is not None and s is not None else proj["weight"]
        count = sample_count(duration, rec["interval"])
        if monitor is not None:
            samples = complete(np.asarray(monitor.w[:]).T, final, count)
        else:  # static weights: the same at every sample
            samples = np.tile(final, (count, 1))
        if proj["stdp"] is not None:
            w_min, w_max = proj["stdp"]["w_min"], proj["stdp"]["w_max"]
        else:
            w_min, w_max = (final.min(), final.max()) if len(final) else (0.0, 0.0)
        trace = {"projection": rec["projection"], "time": sample_times(duration, rec["interval"]), "w_min": w_min,
                 "w_max": w_max, **weight_statistics(samples, w_min, w_max, rec["bins"])}
        if rec["final"]:
            trace["final"] = (proj["source"], proj["target"], final, proj["delay"])
        weights.append(trace)

    counts = {p: len(spikes[p][0]) for p in names}
    summary = {
        "metabosim_version": net["metabosim_version"],
        "seed": int(net["seed"]),
        "duration_ms": duration,
        "neurons": int(net["neurons"]),
        "synapses": int(net["synapses"]),
        "populations": {p["name"]: {"size": p["size"], "spikes": counts[p["name"]],
                                    "mean_rate_Hz": counts[p["name"]] / (p["size"] * (duration / 1000.0))}
                        for p in net["populations"]},
        "wall_seconds": seconds["run"],
        "real_time_factor": duration / 1000.0 / seconds["run"] if seconds["run"] > 0 else 0.0,
        "brian2": {"version": b2.__version__, "dt_ms": dt, "device": args.device,
                   "codegen": args.codegen if args.device == "runtime" else "cpp",
                   "build_seconds": seconds["build"], "compile_seconds": seconds["compile"],
                   "run_seconds": seconds["run"], "peak_rss_bytes": seconds["peak_rss_bytes"]},
    }
    files = {}
    if net["recording"]["spikes"]:
        files["spikes.h5"] = lambda path: write_spikes(path, net, spikes)
    if states:
        files["states.h5"] = lambda path: write_states(path, states)
    if weights:
        files["weights.h5"] = lambda path: write_weights(path, weights)
    files["rates.csv"] = lambda path: path.write_text(rates_csv(net, spikes))
    files["metabolism.csv"] = lambda path: path.write_text(metabolism_csv(net))
    files["summary.json"] = lambda path: path.write_text(json.dumps(summary, indent=2) + "\n")
    return files, counts


def main():
    args = parse_arguments()
    try:
        run(args)
    except BadInput as e:
        print(f"run_brian2: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
