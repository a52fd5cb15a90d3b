#!/usr/bin/python3
"""Check that SONATA output files (spikes.h5, report files such as V.h5) follow the SONATA layout.

Usage: tools/check_spikes.py [--first N] FILE [FILE ...]

What is checked is what the SONATA developer guide (AllenInstitute/sonata,
docs/SONATA_DEVELOPER_GUIDE.md) asks of these files:
  - every file: the root attributes magic (uint32 0x0A7A) and version (two uint32);
  - a spike file (/spikes): per population, timestamps (float64, attribute units) and node_ids
    (uint64), 1-D and of equal length; the group's `sorting` attribute, when present, one of
    none, by_id, by_time and honoured;
  - a report file (/report): per population, data (float32, [times x values], attribute units),
    mapping/node_ids (uint64; its optional `sorted` flag an int8 0/1, honoured),
    mapping/index_pointers (uint64, nodes + 1 entries, non-decreasing, from 0 to the number of
    values: node i owns data columns [p[i], p[i+1]]), mapping/element_ids (uint32, one per
    value) and mapping/time (float64 start, stop, step with attribute units; the rows of data
    are the frames of [start, stop)).
For each population it prints the spike count and first N timestamps, or the report's shape.
Exit status: 0 layout correct, 1 layout wrong, 2 file unreadable.
"""
import argparse
import sys

import h5py
import numpy as np

from metabosim_outputs import SONATA_MAGIC, SORTING

# SONATA stores `sorting` as an enum; tools also write it as a string. Accept both.
SORTING_ENUM = {value: name for name, value in SORTING.items()}


def text(value):
    """An attribute value as str, whether stored as variable-length str or fixed bytes."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return text(value[()])
    if isinstance(value, (int, np.integer)):
        return SORTING_ENUM.get(int(value), str(value))
    return str(value)


def check_root(h5):
    problems = []
    magic = h5.attrs.get("magic")
    if magic is None:
        problems.append("no root attribute magic")
    elif np.asarray(magic).dtype != np.dtype("<u4") or np.asarray(magic).size != 1 or int(np.asarray(magic).ravel()[0]) != SONATA_MAGIC:
        problems.append(f"root attribute magic is {magic!r} ({np.asarray(magic).dtype}), expected uint32 0x0A7A")
    version = h5.attrs.get("version")
    if version is None:
        problems.append("no root attribute version")
    elif np.asarray(version).dtype != np.dtype("<u4") or np.asarray(version).shape != (2,):
        problems.append(f"root attribute version is {version!r} ({np.asarray(version).dtype}), "
                        "expected two uint32")
    return problems


def datasets_of(name, group, shapes):
    """{key: dataset} for the keys of `shapes` (key -> rank), or the problems found."""
    problems, found = [], {}
    for key, rank in shapes.items():
        if not isinstance(group.get(key), h5py.Dataset):
            problems.append(f"{name}: missing dataset {key}")
        elif group[key].ndim != rank:
            problems.append(f"{name}: {key} has shape {group[key].shape}, expected {rank}-D")
        else:
            found[key] = group[key]
    return found, problems


def dtype_problem(name, key, dataset, expected):
    return [] if dataset.dtype == np.dtype(expected) else [
        f"{name}: {key} has type {dataset.dtype}, expected {np.dtype(expected)}"]


def units_problem(name, key, dataset, expected=None):
    units = text(dataset.attrs["units"]) if "units" in dataset.attrs else None
    if units is None:
        return [f"{name}: {key} has no units attribute"]
    return [] if expected is None or units == expected else [f"{name}: {key} units are {units!r}, expected {expected!r}"]


def check_spike_population(name, group, first):
    """Returns the problems found in one /spikes/<name> group."""
    datasets, problems = datasets_of(name, group, {"timestamps": 1, "node_ids": 1})
    if problems:
        return problems

    timestamps, node_ids = datasets["timestamps"], datasets["node_ids"]
    problems += dtype_problem(name, "timestamps", timestamps, "<f8")
    problems += dtype_problem(name, "node_ids", node_ids, "<u8")
    if len(timestamps) != len(node_ids):
        problems.append(f"{name}: {len(timestamps)} timestamps but {len(node_ids)} node_ids")
    problems += units_problem(name, "timestamps", timestamps, "ms")

    sorting = text(group.attrs["sorting"]) if "sorting" in group.attrs else "none"
    times, ids = timestamps[()], node_ids[()]
    if sorting == "by_time":
        if np.any(np.diff(times) < 0):
            problems.append(f"{name}: sorting is by_time but timestamps decrease")
    elif sorting == "by_id":
        if np.any(np.diff(ids.astype(np.int64)) < 0):
            problems.append(f"{name}: sorting is by_id but node_ids decrease")
    elif sorting != "none":
        problems.append(f"{name}: sorting is {sorting!r}, expected none, by_id or by_time")

    print(f"{name}: {len(times)} spikes, sorting {sorting}, first timestamps (ms): "
          f"{times[:first].tolist()}")
    return problems


def check_report_population(name, group):
    """Returns the problems found in one /report/<name> group."""
    datasets, problems = datasets_of(name, group, {"data": 2, "mapping/node_ids": 1, "mapping/index_pointers": 1,
                                                   "mapping/element_ids": 1, "mapping/time": 1})
    if problems:
        return problems
    data, nodes, pointers = datasets["data"], datasets["mapping/node_ids"], datasets["mapping/index_pointers"]
    elements, time = datasets["mapping/element_ids"], datasets["mapping/time"]
    for key, expected in (("data", "<f4"), ("mapping/node_ids", "<u8"), ("mapping/index_pointers", "<u8"),
                          ("mapping/element_ids", "<u4"), ("mapping/time", "<f8")):
        problems += dtype_problem(name, key, datasets[key], expected)
    problems += units_problem(name, "data", data)
    problems += units_problem(name, "mapping/time", time)

    frames, values = data.shape
    p = pointers[()].astype(np.int64)
    if len(p) != len(nodes) + 1:
        problems.append(f"{name}: mapping/index_pointers has {len(p)} entries, expected node_ids + 1 = {len(nodes) + 1}")
    elif len(p) and (p[0] != 0 or p[-1] != values or np.any(np.diff(p) < 0)):
        problems.append(f"{name}: mapping/index_pointers is not non-decreasing from 0 to the {values} data columns")
    if len(elements) != values:
        problems.append(f"{name}: mapping/element_ids has {len(elements)} entries, expected one per data column ({values})")
    if "sorted" in nodes.attrs:
        flag = np.asarray(nodes.attrs["sorted"])
        if flag.dtype != np.dtype("<i1") or flag.size != 1 or int(flag.ravel()[0]) not in (0, 1):
            problems.append(f"{name}: mapping/node_ids@sorted is {flag!r}, expected an int8 0 or 1")
        elif int(flag.ravel()[0]) == 1 and np.any(np.diff(nodes[()].astype(np.int64)) < 0):
            problems.append(f"{name}: mapping/node_ids@sorted is 1 but the ids decrease")
    if len(time) != 3:
        problems.append(f"{name}: mapping/time has {len(time)} values, expected start, stop, step")
    else:
        start, stop, step = time[()]
        if not step > 0 or abs(start + frames * step - stop) > step / 2:
            problems.append(f"{name}: mapping/time ({start}, {stop}, {step}) does not span the {frames} frames of data")
    print(f"{name}: report of {len(nodes)} nodes, {frames} frames, units {text(data.attrs.get('units', ''))!r}")
    return problems


def check_file(path, first):
    """The problems of one file, or None if it cannot be read."""
    try:
        h5 = h5py.File(path, "r")
    except OSError as error:
        print(f"cannot open {path}: {error}", file=sys.stderr)
        return None
    with h5:
        problems = check_root(h5)
        kinds = [k for k in ("spikes", "report") if isinstance(h5.get(k), h5py.Group)]
        if not kinds:
            return problems + ["no /spikes or /report group"]
        check = {"spikes": lambda n, g: check_spike_population(n, g, first), "report": check_report_population}
        for kind in kinds:
            for name, group in h5[kind].items():
                if isinstance(group, h5py.Group):
                    problems += check[kind](name, group)
                else:
                    problems.append(f"/{kind}/{name} is not a population group")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE", help="a spikes.h5 or report file (V.h5, ...)")
    parser.add_argument("--first", type=int, default=5, help="timestamps to show (default 5)")
    args = parser.parse_args()

    status = 0
    for path in args.files:
        problems = check_file(path, args.first)
        if problems is None:
            return 2
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
