"""The output layout of `metabosim run`, read and written in Python.

The C++ writer is lib/src/recording/output.cpp; this module is its Python counterpart. The
scripts of tools/ read run directories with it, and the Brian2 runner that `metabosim export`
writes (lib/src/brian2/) writes its results with it, so that both follow one description:

  spikes.h5       SONATA spikes: /spikes/<population>/timestamps (ms, float64) and node_ids
                  (uint64), the group's `sorting` attribute an enum (none 0, by_id 1, by_time 2)
  V.h5, ge.h5, gi.h5
                  one SONATA report per recorded variable: /report/<population>/data
                  [samples x neurons] (float32, mV or nS) and mapping/{node_ids (uint64, `sorted`
                  int8 flag), index_pointers (uint64, neurons + 1), element_ids (uint32, 0),
                  time = (start, stop, step) ms}; the recordings of one population at the same
                  sample times follow one another in its columns; a variable recorded at other
                  sample times too gets V_2.h5, V_3.h5, ... in the order the recordings use them
                  The SONATA files carry the root attributes magic (uint32 0x0A7A) and version
                  (uint32 [0, 1]).
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

STATE_UNITS = {"V": "mV", "ge": "nS", "gi": "nS"}  # the variables in metabosim's order
# states.h5 is the report file of earlier versions, replaced by the report files.
OUTPUT_NAMES = ("spikes.h5", *(v + ".h5" for v in STATE_UNITS), "states.h5", "weights.h5", "rates.csv",
                "metabolism.csv", "energy.csv", "summary.json")
SONATA_MAGIC = 0x0A7A
SONATA_VERSION = (0, 1)
SORTING = {"none": 0, "by_id": 1, "by_time": 2}  # SONATA's enum of the spike order


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


def report_paths(directory, variable):
    """The report files of a variable: <variable>.h5, then <variable>_2.h5, _3.h5, ..."""
    paths = []
    for path in directory.glob(variable + "*.h5"):
        suffix = path.stem[len(variable):]
        if suffix == "":
            paths.append((1, path))
        elif suffix[0] == "_" and suffix[1:].isdigit():
            paths.append((int(suffix[1:]), path))
    return [path for _, path in sorted(paths)]


def read_states(directory, variable):
    """[(population, sample times in ms, node ids, data [samples x neurons], unit)] of the
    report files of the variable (directory/<variable>.h5, <variable>_2.h5, ...), or None if
    there is none."""
    reports = []
    for path in report_paths(directory, variable):
        with h5py.File(path, "r") as h5:
            for name, report in h5.get("report", {}).items():
                start, _, step = report["mapping/time"][()]
                data = report["data"][()]
                times = start + step * np.arange(data.shape[0])
                unit = report["data"].attrs.get("units", STATE_UNITS.get(variable))
                reports.append((name, times, report["mapping/node_ids"][()], data, unit))
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
        sonata_root_attributes(h5)
        for population in populations:
            times, ids = spikes[population]
            group = f"/spikes/{population}"
            dataset(h5, group + "/timestamps", times, "<f8", "ms")
            dataset(h5, group + "/node_ids", ids, "<u8")
            h5[group].attrs.create("sorting", np.uint8(SORTING["by_time"]), dtype=sorting)


def sonata_root_attributes(h5):
    h5.attrs.create("magic", SONATA_MAGIC, dtype="<u4")
    h5.attrs.create("version", SONATA_VERSION, dtype="<u4")


def write_state_report(path, variable, traces):
    """The SONATA report of one variable. traces: [{"population", "neurons", "interval" (ms),
    "values": {variable: [samples x neurons]}}], all sampling the variable at the same times;
    the traces of one population become one report, their neurons in trace order."""
    reports = {}
    for trace in traces:
        if variable in trace["values"]:
            reports.setdefault(trace["population"], []).append(trace)
    with h5py.File(path, "w") as h5:
        sonata_root_attributes(h5)
        for population, parts in reports.items():
            interval = parts[0]["interval"]
            samples = len(parts[0]["values"][variable])
            if any(p["interval"] != interval or len(p["values"][variable]) != samples for p in parts):
                raise ValueError(f"the recordings of {population} sample {variable} at different times")
            neurons = np.concatenate([np.asarray(p["neurons"], dtype=np.uint64) for p in parts])
            data = np.concatenate([np.asarray(p["values"][variable]).reshape(samples, len(p["neurons"]))
                                   for p in parts], axis=1)
            group = f"/report/{population}"
            dataset(h5, group + "/data", data, "<f4", STATE_UNITS[variable])
            dataset(h5, group + "/mapping/node_ids", neurons, "<u8")
            h5[group + "/mapping/node_ids"].attrs.create("sorted", np.all(np.diff(neurons.astype(np.int64)) >= 0),
                                                         dtype="<i1")
            dataset(h5, group + "/mapping/index_pointers", np.arange(len(neurons) + 1), "<u8")
            dataset(h5, group + "/mapping/element_ids", np.zeros(len(neurons)), "<u4")
            dataset(h5, group + "/mapping/time", [0.0, samples * interval, interval], "<f8", "ms")


def state_report_files(traces):
    """{file name: writer(path)} of the report files of the traces, as metabosim names them: per
    variable, a file per set of sample times in the order the traces use them (V.h5, V_2.h5, ...)."""
    files = {}
    for variable in STATE_UNITS:
        groups = []  # [(interval, samples), traces]
        for trace in traces:
            if variable not in trace["values"]:
                continue
            key = (trace["interval"], len(trace["values"][variable]))
            for group_key, members in groups:
                if group_key == key:
                    members.append(trace)
                    break
            else:
                groups.append((key, [trace]))
        for k, (_, members) in enumerate(groups):
            name = variable + (f"_{k + 1}" if k else "") + ".h5"
            files[name] = lambda path, v=variable, m=members: write_state_report(path, v, m)
    return files


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
    stale = [out / name for name in OUTPUT_NAMES]
    stale += [path for v in STATE_UNITS for path in report_paths(out, v)]
    for path in stale:
        if path.name not in files and path.is_file():
            path.unlink()
