"""Reading network.h5, the network that `metabosim export` wrote: its layout is in the help of
run_brian2.py and in the header comment of lib/src/brian2/export.cpp."""
import h5py
import numpy as np


class BadInput(Exception):
    """A problem with the user's input: exit status 2."""


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
        if int(f.attrs["format_version"]) != 2:
            raise BadInput(f"'{path}' has format version {int(f.attrs['format_version'])}; this script reads 2 "
                           "(export the model again with this metabosim)")
        net = {key: f.attrs[key] for key in ("duration_ms", "seed", "neurons", "synapses")}
        net["metabosim_version"] = text(f.attrs["metabosim_version"])
        net["populations"] = []
        for g in by_index(f["populations"]):
            pop = {"name": g.name.rsplit("/", 1)[1], "size": int(g.attrs["size"]), "source": None, "drive": None}
            if "source" in g:  # spike sources: their trains, no state
                s = g["source"]
                pop["source"] = {"kind": text(s.attrs["kind"]), "times": s["times"][()],
                                 "pointers": s["index_pointers"][()].astype(np.int64)}
                net["populations"].append(pop)
                continue
            pop["initial"], pop["segments"] = read_table(g["initial"]), read_table(g["segments"])
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
