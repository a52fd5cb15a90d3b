"""An output directory as data to compare runs by: each file's SHA-256, summary.json without the
entries that measure the machine rather than the run."""
import hashlib
import json
import pathlib

# Entries of summary.json that measure the machine, not the run.
WALL_CLOCK = {"wall_seconds", "real_time_factor", "events_per_second", "phase_seconds"}


def summary_without_wall_clock(directory):
    summary = json.loads((pathlib.Path(directory) / "summary.json").read_text())
    return {k: v for k, v in summary.items() if k not in WALL_CLOCK}


def digests(directory):
    """{file name: SHA-256 of its bytes} (summary.json: of its entries apart from WALL_CLOCK)."""
    out = {}
    for path in sorted(pathlib.Path(directory).iterdir()):
        data = path.read_bytes()
        if path.name == "summary.json":
            data = json.dumps(summary_without_wall_clock(directory), sort_keys=True).encode()
        out[path.name] = hashlib.sha256(data).hexdigest()
    return out
