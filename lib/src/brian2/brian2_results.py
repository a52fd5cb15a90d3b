"""The results of a Brian2 run (its monitors and final state) in metabosim's output layout,
written by metabosim_outputs."""
import numpy as np

import metabosim_outputs as outputs
from brian2_model import STATE_VARIABLES


def complete(samples, final, count):
    """Brian2 samples before the end; the state at the end completes the series when the end
    is itself a sampling time."""
    rows = list(samples[:count])
    while len(rows) < count:
        rows.append(final)
    return np.array(rows)


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
        count = outputs.sample_count(duration, rec["interval"])
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
        count = outputs.sample_count(duration, rec["interval"])
        if monitor is not None:
            samples = complete(np.asarray(monitor.w[:]).T, final, count)
        else:  # static weights: the same at every sample
            samples = np.tile(final, (count, 1))
        if proj["stdp"] is not None:
            w_min, w_max = proj["stdp"]["w_min"], proj["stdp"]["w_max"]
        else:
            w_min, w_max = (final.min(), final.max()) if len(final) else (0.0, 0.0)
        trace = {"projection": rec["projection"], "time": outputs.sample_times(duration, rec["interval"]),
                 **outputs.weight_statistics(samples, w_min, w_max, rec["bins"])}
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
    sizes = {p["name"]: p["size"] for p in net["populations"]}
    m = net["metabolism"]
    timeline = (m["time"], [names[int(p)] for p in m["population"]], m["temperature"])
    files = {}
    if net["recording"]["spikes"]:
        files["spikes.h5"] = lambda path: outputs.write_spikes(path, names, spikes)
    files.update(outputs.state_report_files(states))
    if weights:
        files["weights.h5"] = lambda path: outputs.write_weights(path, weights)
    files["rates.csv"] = lambda path: path.write_text(
        outputs.rates_csv(duration, net["recording"]["rate_bin"], sizes, spikes))
    files["metabolism.csv"] = lambda path: path.write_text(outputs.metabolism_csv(*timeline))
    files["summary.json"] = lambda path: path.write_text(outputs.summary_json(summary))
    return files, counts
