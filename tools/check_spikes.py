#!/usr/bin/python3
"""Check that a spikes.h5 follows the SONATA spike layout and summarize it.

Usage: tools/check_spikes.py [--first N] spikes.h5

For every population under /spikes, prints the spike count and the first N timestamps (ms),
and checks: timestamps (float, units "ms") and node_ids (unsigned integer) are 1-D datasets of
equal length, and the `sorting` attribute holds and is honoured (by_time: timestamps
non-decreasing; by_id: node_ids non-decreasing).
Exit status: 0 layout correct, 1 layout wrong, 2 file unreadable.
"""
import argparse
import sys

import h5py
import numpy as np

from metabosim_outputs import SORTING

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


def check_population(name, group, first):
    """Returns the problems found in one /spikes/<name> group."""
    problems = []
    datasets = {}
    for key in ("timestamps", "node_ids"):
        if not isinstance(group.get(key), h5py.Dataset):
            problems.append(f"{name}: missing dataset {key}")
        elif group[key].ndim != 1:
            problems.append(f"{name}: {key} has shape {group[key].shape}, expected 1-D")
        else:
            datasets[key] = group[key]
    if problems:
        return problems

    timestamps, node_ids = datasets["timestamps"], datasets["node_ids"]
    if timestamps.dtype.kind != "f":
        problems.append(f"{name}: timestamps have type {timestamps.dtype}, expected float")
    if node_ids.dtype.kind != "u":
        problems.append(f"{name}: node_ids have type {node_ids.dtype}, expected unsigned")
    if len(timestamps) != len(node_ids):
        problems.append(f"{name}: {len(timestamps)} timestamps but {len(node_ids)} node_ids")
    units = text(timestamps.attrs["units"]) if "units" in timestamps.attrs else None
    if units != "ms":
        problems.append(f"{name}: timestamps units are {units!r}, expected 'ms'")

    sorting = text(group.attrs["sorting"]) if "sorting" in group.attrs else None
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a spikes.h5 written by metabosim")
    parser.add_argument("--first", type=int, default=5, help="timestamps to show (default 5)")
    args = parser.parse_args()

    try:
        h5 = h5py.File(args.file, "r")
    except OSError as error:
        print(f"cannot open {args.file}: {error}", file=sys.stderr)
        return 2
    with h5:
        if not isinstance(h5.get("spikes"), h5py.Group):
            print(f"{args.file}: no /spikes group", file=sys.stderr)
            return 1
        problems = []
        for name, group in h5["spikes"].items():
            if isinstance(group, h5py.Group):
                problems += check_population(name, group, args.first)
            else:
                problems.append(f"/spikes/{name} is not a population group")
    for problem in problems:
        print(f"{args.file}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
