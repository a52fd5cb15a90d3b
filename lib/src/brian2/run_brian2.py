#!/usr/bin/python3
"""Run a network exported by `metabosim export` in Brian2 and write metabosim's output files.

  python3 run_brian2.py -o brian2-out                          numpy code, dt = 0.1 ms
  python3 run_brian2.py --dt 0.025 --codegen cython -o fine    compiled (Cython) runtime code
  python3 run_brian2.py --device cpp_standalone -o out         a compiled C++ project: slow to
                                                               build, fastest for long runs

Nothing is drawn again: the network (synapses with their weights and delays), the initial state,
every Poisson drive input, every spike-generator spike and every spike source's train come from
network.h5, exactly as metabosim drew them for the same config and seed. Temperature needs no Q10 law here either:
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
  - each population of spike sources as a SpikeGeneratorGroup of its trains, projecting through
    ordinary Synapses like a NeuronGroup. A source fires at most once per step here: a spike
    that falls into a step its source already fires in moves to the source's next free step
    (rare: a 10 Hz source at dt = 0.1 ms has one such spike in two thousand; the count
    is printed), which keeps every spike and the order of each train;
  - the run in segments: a metabolic step at time t takes effect at the first time step t_n
    at or after t (Brian2's rule for the end of a run: within 1e-4 dt of the grid counts as
    on it); the STDP traces are brought to t_n under the old time constants, then the new
    parameters are set.
Weights, STDP traces and amplitudes are kept as plain numbers in nS, as metabosim keeps them.

Outputs (in OUT, all or nothing, the same layout as `metabosim run`): spikes.h5 (SONATA; times
are the time steps' starts, in ms), V.h5, ge.h5, gi.h5 (SONATA reports: samples at k * interval up
to the end; the last one is the state at the end of the run), weights.h5, rates.csv, metabolism.csv, summary.json
(with a "brian2" object: version, step, device, code generation and wall-clock seconds spent
building, compiling (cpp_standalone only) and running, and peak_rss_bytes: with cpp_standalone,
the peak resident memory of the compiled program's run alone (os.wait4 in a small launcher
process, which also times the program); null with the runtime device).

network.h5 (written by metabosim export; units in `units` attributes or attribute names):
  /                         format, format_version = 2, metabosim_version, duration_ms, seed,
                            neurons, synapses
  /populations/<P>          index (model order), size, first
      initial/{V, ge, gi}   per neuron, mV and nS
      segments/{time, temperature, C, gL, EL, Vth, Vr, t_ref, Ee, Ei, tau_e, tau_i, I_ext, phi_g,
                poisson_rate}   lowered parameters: row 0 from t = 0, a row per metabolic step
      drive/                receptor, weight_nS, rate_Hz; times (ms) neuron after neuron,
                            index_pointers (size + 1)
      source/               a population of spike sources (then no initial, segments or drive):
                            kind; times (ms) source after source, index_pointers (size + 1)
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
# The runner is this script and the modules beside it: exported_network.py reads network.h5,
# brian2_model.py builds the Brian2 objects, brian2_standalone.py measures a compiled program,
# brian2_results.py collects the results, and metabosim_outputs.py (tools/ of the sources) writes
# them in the layout that metabosim's own runs have.
import argparse
import pathlib
import shutil
import sys
import tempfile
import time
import warnings

import numpy as np

sys.dont_write_bytecode = True  # the exported directory stays as it was written: no __pycache__

from brian2_model import STATE_VARIABLES, Brian2Network, step_of  # noqa: E402
from brian2_results import collect  # noqa: E402
from brian2_standalone import build_and_run_standalone  # noqa: E402
from exported_network import BadInput, read_network  # noqa: E402
from metabosim_outputs import write_all  # noqa: E402

REPORT_PERIOD_S = 5  # wall-clock seconds between Brian2's progress lines


def check_output_directory(out):
    """Fails early, before a long run, if OUT cannot take the results."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".probe.partial"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise BadInput(f"cannot write results to '{out}': {e.strerror or e}") from None


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
    if model.moved_source_spikes:
        say(f"{model.moved_source_spikes} spike-source spikes moved to their source's next free step "
            "(a SpikeGeneratorGroup fires a source at most once per step)")
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

    # Segments: run to each metabolic step, then set what it changes. Brian2 reports each
    # segment's progress on stderr every few seconds (C++ standalone: the compiled program does).
    report = {"namespace": {}, "report": "stderr", "report_period": REPORT_PERIOD_S * b2.second}
    end, now = step_of(duration, dt), 0
    for step, rows in sorted(model.changes(dt).items()):
        if step >= end:
            break
        if step > now:
            network.run((step - now) * dt * b2.ms, **report)
            now = step
        for p, row in rows:
            if now > 0:
                model.settle_traces(p)
            model.set_population(p, row)
    if end > now:
        network.run((end - now) * dt * b2.ms, **report)
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
