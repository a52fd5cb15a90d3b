"""The exported network as Brian2 objects: the neuron and synapse models, the external inputs and
the spike-source populations as spike generators, and the parameters set segment by segment as
the metabolic steps come."""
import numpy as np

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


def one_per_step(pointers, times_s, dt_s):
    """Spike-source trains as a SpikeGeneratorGroup can take them, at most one spike per source
    and time step: a spike that falls into a step its source already fires in moves to the
    source's next free step (its time becomes that step's start). Returns (source per spike,
    time in s, how many spikes moved). The count is kept; no spike moves earlier."""
    counts = np.diff(pointers)
    sources = np.repeat(np.arange(len(counts)), counts)
    if len(times_s) == 0:
        return sources, np.asarray(times_s, dtype=float), 0
    steps = np.asarray((times_s + 1e-3 * dt_s) / dt_s, dtype=np.int64)  # as SpikeGeneratorGroup bins
    rank = np.arange(len(steps)) - np.repeat(pointers[:-1], counts)  # position within the source's train
    # Step k of a train becomes max(step_k, step_{k-1} + 1): rank + running maximum of
    # (step - rank), restarted per source by an offset that grows faster than any train.
    offset = sources * (int(steps.max()) + len(steps) + 1)
    free = rank + np.maximum.accumulate(steps - rank + offset) - offset
    moved = free != steps
    times = np.where(moved, free * dt_s, times_s)
    return sources, times, int(moved.sum())


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
        self.moved_source_spikes = 0
        dt_s = float(b2.defaultclock.dt_)  # the step SpikeGeneratorGroup bins with
        for p, pop in enumerate(net["populations"]):
            if pop["source"] is not None:
                sources, times_s, moved = one_per_step(pop["source"]["pointers"], pop["source"]["times"] * 1e-3, dt_s)
                self.moved_source_spikes += moved
                self.groups.append(b2.SpikeGeneratorGroup(pop["size"], sources, times_s * b2.second, sorted=False,
                                                          name=f"population_{p}"))
                continue
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

        cells = [p for p, pop in enumerate(net["populations"]) if pop["source"] is None]
        for p in cells:
            self.add_inputs(p, dt_s)
        for p in cells:
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
            if pop["source"] is not None:  # a source's train is drawn in full, steps included
                continue
            for row, t in enumerate(pop["segments"]["time"][1:], start=1):
                out.setdefault(step_of(t, dt_ms), []).append((p, row))
        return out
