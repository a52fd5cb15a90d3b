"""The output layout of `metabosim run`, read and written in Python.

The C++ writer is lib/src/recording/output.cpp; this module is its Python counterpart. The
scripts of tools/ read run directories with it, and the Brian2 runner that `metabosim export`
writes (lib/src/brian2/) writes its results with it, so that both follow one description:

  spikes.h5       SONATA spikes: /spikes/<population>/timestamps (ms, float64) and node_ids
                  (uint64), the group's `sorting` attribute an enum (none 0, by_id 1, by_time 2)
  states.h5       SONATA reports: /report/<name>/<variable>/data [samples x neurons] (mV or nS)
                  and mapping/{node_ids, element_ids, index_pointers, time = (start, stop, step)}
  weights.h5      /<projection>/{time, mean, stddev, fraction_at_min, fraction_at_max,
                  histogram [samples x bins], bin_edges}, and final/{source, target, weight, delay}
  rates.csv       time_ms,<population>_Hz,... one row per rate bin
  metabolism.csv  time_ms,population,temperature_degC: the metabolic timeline
  energy.csv      the energy pools (written by metabosim only)
  summary.json    the run: version, seed, duration_ms, neurons, synapses, populations
                  ({size, spikes, mean_rate_Hz}), wall_seconds, real_time_factor, ...

Only h5py and numpy are needed: the Brian2 runner carries this file along.
"""
import csv
import json
import os

import h5py
import numpy as np

OUTPUT_NAMES = ("spikes.h5", "states.h5", "weights.h5", "rates.csv", "metabolism.csv", "energy.csv",
                "summary.json")
SORTING = {"none": 0, "by_id": 1, "by_time": 2}  # SONATA's enum of the spike order
STATE_UNITS = {"V": "mV", "ge": "nS", "gi": "nS"}


# ---------------------------------------------------------------------------------------------
# Reading


def read_summary(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_spikes(path):
    """{population: (timestamps in ms, node ids as int64)}, populations sorted by name (HDF5's
    order)."""
    with h5py.File(path, "r") as h5:
        return {name: (group["timestamps"][()], group["node_ids"][()].astype(np.int64))
                for name, group in h5.get("spikes", {}).items()}


def population_sizes(summary, spikes):
    """{population: size} from summary.json; a population it does not size gets the highest
    node id that fired, plus one."""
    sizes = {p: info["size"] for p, info in summary.get("populations", {}).items() if "size" in info}
    for p, (_, ids) in spikes.items():
        sizes.setdefault(p, int(ids.max()) + 1 if len(ids) else 0)
    return sizes


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_rates(path):
    """(bin starts in ms, {population: rates in Hz}), or None if the file has no rows."""
    table = read_csv(path)
    if not table:
        return None
    times = np.array([float(row["time_ms"]) for row in table])
    rates = {column[:-len("_Hz")]: np.array([float(row[column]) for row in table])
             for column in table[0] if column.endswith("_Hz")}
    return times, rates


def read_metabolism(path):
    """{population: (times in ms, temperatures in degC)}, or None if the file has no rows."""
    timelines = {}
    for row in read_csv(path):
        times, temperatures = timelines.setdefault(row["population"], ([], []))
        times.append(float(row["time_ms"]))
        temperatures.append(float(row["temperature_degC"]))
    return {p: (np.array(t), np.array(c)) for p, (t, c) in timelines.items()} or None


def read_states(path, variable):
    """[(report name, sample times in ms, node ids, data [samples x neurons], unit)] of every
    report that holds the variable, or None if none does."""
    reports = []
    with h5py.File(path, "r") as h5:
        for name, report in h5.get("report", {}).items():
            if variable not in report:
                continue
            group = report[variable]
            start, _, step = group["mapping/time"][()]
            data = group["data"][()]
            times = start + step * np.arange(data.shape[0])
            unit = group["data"].attrs.get("units", STATE_UNITS.get(variable))
            reports.append((name, times, group["mapping/node_ids"][()], data, unit))
    return reports or None


def read_weights(path):
    """{projection: {dataset name: values}} with the final weights, when recorded, under
    "final_weight"; None if the file holds no projection."""
    projections = {}
    with h5py.File(path, "r") as h5:
        for name, group in h5.items():
            fields = {key: group[key][()] for key in
                      ("time", "mean", "fraction_at_max", "histogram", "bin_edges")}
            if "final/weight" in group:
                fields["final_weight"] = group["final/weight"][()]
            projections[name] = fields
    return projections or None


# ---------------------------------------------------------------------------------------------
# Sampling and weight statistics, as metabosim computes them


def sample_count(duration, interval):
    """Samples k = 0 .. floor(duration / interval), as metabosim takes them."""
    return int(np.floor(duration / interval + 1e-9)) + 1


def sample_times(duration, interval):
    return np.minimum(np.arange(sample_count(duration, interval)) * interval, duration)


def weight_statistics(samples, w_min, w_max, bins):
    """Mean, sd, fractions at the bounds, histogram and bin edges of each row of weights (nS)."""
    n = max(samples.shape[1], 1)
    mean = samples.sum(axis=1) / n
    stddev = np.sqrt(((samples - mean[:, None]) ** 2).sum(axis=1) / n)
    width = (w_max - w_min) / bins
    x = (samples - w_min) / width if width > 0 else np.zeros_like(samples)
    index = np.clip(x, 0, bins - 1).astype(np.int64)
    histogram = np.array([np.bincount(row, minlength=bins) for row in index], dtype=np.uint64)
    edges = w_min + (w_max - w_min) * np.arange(bins + 1) / bins
    edges[-1] = w_max
    return {"mean": mean, "stddev": stddev, "fraction_at_min": (samples <= w_min).sum(axis=1) / n,
            "fraction_at_max": (samples >= w_max).sum(axis=1) / n,
            "histogram": histogram.reshape(len(samples), bins), "bin_edges": edges}


# ---------------------------------------------------------------------------------------------
# Writing


def dataset(h5, path, values, dtype, units=None):
    d = h5.create_dataset(path, data=np.asarray(values, dtype=dtype))
    if units:
        d.attrs["units"] = units


def write_spikes(path, populations, spikes):
    """populations: names in model order; spikes: {population: (times in ms, node ids)}, sorted
    by time."""
    sorting = h5py.enum_dtype(SORTING, basetype="u1")
    with h5py.File(path, "w") as h5:
        for population in populations:
            times, ids = spikes[population]
            group = f"/spikes/{population}"
            dataset(h5, group + "/timestamps", times, "<f8", "ms")
            dataset(h5, group + "/node_ids", ids, "<u8")
            h5[group].attrs.create("sorting", np.uint8(SORTING["by_time"]), dtype=sorting)


def write_states(path, traces):
    """traces: [{"population", "neurons", "interval" (ms), "values": {variable: [samples x
    neurons]}}]; a population recorded again is reported as <population>_1, _2, ..."""
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
                dataset(h5, group + "/data", data.reshape(samples, neurons), "<f8", STATE_UNITS[variable])
                dataset(h5, group + "/mapping/node_ids", trace["neurons"], "<u8")
                dataset(h5, group + "/mapping/element_ids", np.zeros(neurons), "<u8")
                dataset(h5, group + "/mapping/index_pointers", np.arange(neurons + 1), "<u8")
                dataset(h5, group + "/mapping/time", [0.0, samples * trace["interval"], trace["interval"]], "<f8",
                        "ms")


def write_weights(path, traces):
    """traces: [{"projection", "time", **weight_statistics(...)}], with "final": (source,
    target, weight, delay) when the final weights are recorded."""
    with h5py.File(path, "w") as h5:
        for trace in traces:
            group = "/" + trace["projection"]
            dataset(h5, group + "/time", trace["time"], "<f8", "ms")
            dataset(h5, group + "/mean", trace["mean"], "<f8", "nS")
            dataset(h5, group + "/stddev", trace["stddev"], "<f8", "nS")
            dataset(h5, group + "/fraction_at_min", trace["fraction_at_min"], "<f8")
            dataset(h5, group + "/fraction_at_max", trace["fraction_at_max"], "<f8")
            dataset(h5, group + "/histogram", trace["histogram"], "<u8")
            dataset(h5, group + "/bin_edges", trace["bin_edges"], "<f8", "nS")
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


def csv_number(value):
    return format(float(value), ".12g")


def rates_csv(duration, bin_width, sizes, spikes):
    """The text of rates.csv: sizes {population: size} in model order, spikes as for
    write_spikes; the last bin is cut at the end of the run."""
    bins = int(np.ceil(duration / bin_width - 1e-9)) if duration > 0 else 0
    lines = [",".join(["time_ms"] + [csv_field(p + "_Hz") for p in sizes])]
    counts = []
    for population in sizes:
        times = spikes[population][0]
        index = np.minimum(np.where(times > 0, times / bin_width, 0).astype(np.int64), max(bins - 1, 0))
        counts.append(np.bincount(index, minlength=bins)[:bins] if bins else [])
    for b in range(bins):
        start = b * bin_width
        seconds = (bin_width if b + 1 < bins else duration - start) / 1000.0
        row = [csv_number(start)] + [csv_number(c[b] / (size * seconds)) for c, size in zip(counts, sizes.values())]
        lines.append(",".join(row))
    return "".join(line + "\n" for line in lines)


def metabolism_csv(times, populations, temperatures):
    """The text of metabolism.csv: one row per (time, population name, temperature)."""
    lines = ["time_ms,population,temperature_degC"]
    for t, population, temperature in zip(times, populations, temperatures):
        lines.append(f"{csv_number(t)},{csv_field(population)},{csv_number(temperature)}")
    return "".join(line + "\n" for line in lines)


def summary_json(summary):
    return json.dumps(summary, indent=2) + "\n"


def write_all(out, files):
    """Writes {name: writer(path)} under temporary names, then renames them into place; on any
    failure none remain. Outputs of an earlier run that this one does not produce are removed,
    so that they are not taken for this run's."""
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
