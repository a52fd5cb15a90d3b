#!/usr/bin/python3
"""Seed corpora for the fuzz targets, from what metabosim ships and writes:
  config/      the shipped configs, the test configs and the malformed corpus
  override/    --set assignments of every table, one per file (and a few lines of several)
  results/     each file of a real run's outputs, behind the byte that names it (results_files.hpp)
  checkpoint/  checkpoints of small real runs (event- and clock-driven), without their checksum

Usage: make_seeds.py METABOSIM_EXECUTABLE SOURCE_DIR OUTPUT_DIR
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

# As tests/fuzz/results_files.hpp orders them.
RESULTS_FILES = ["summary.json", "spikes.h5", "V.h5", "weights.h5", "metabolism.csv", "ge_2.h5"]

OVERRIDES = [
    "run.duration=5 s", "run.seed=7", "limits.max_rate=500 Hz", "limits.rate_window=20 ms",
    "limits.max_spikes=1000000", "populations.E.size=100", "populations.E.temperature=41 degC",
    "populations.I.reference_temperature=30 degC", "populations.E.neuron.tau_e=3 ms",
    "populations.E.neuron.C=250 pF", "populations.I.neuron.Vth=-45 mV", "populations.E.q10.gL=2.5",
    "populations.E.drive.rate=900 Hz", "populations.I.drive.weight=1 nS",
    "populations.E.energy.capacity=1e9", "populations.E.energy.interval=5 ms",
    "projections.EE.weight=6 nS", "projections.IE.delay=2 ms", "projections.EE.connectivity.p=0.05",
    "projections.EE.stdp.w_max=10 nS", "projections.EE.stdp.A_plus=0.1 nS",
    "run.duration=200 ms\npopulations.E.temperature=0 degC\npopulations.E.q10.tau_e=5",
    "populations.E.temperature=50 degC\nprojections.EE.stdp.tau_plus=1e7 ms",
]


def run(*args):
    result = subprocess.run([*map(str, args)], capture_output=True, text=True, timeout=600)
    return result


def main(exe, source, out):
    source, out = pathlib.Path(source), pathlib.Path(out)
    for part in ("config", "override", "results", "checkpoint"):
        (out / part).mkdir(parents=True, exist_ok=True)
    for path in [*(source / "configs").glob("*.toml"), *(source / "tests" / "data").glob("*.toml"),
                 *(source / "tests" / "data" / "malformed").iterdir()]:
        shutil.copy(path, out / "config" / f"{path.parent.name}-{path.name}")
    for k, assignment in enumerate(OVERRIDES):
        (out / "override" / f"set-{k:02d}").write_text(assignment)

    tiny = source / "tests" / "data" / "tiny.toml"
    small = ["--set", "populations.E.size=20", "--set", "populations.I.size=5"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        done = run(exe, "run", tiny, "-o", tmp / "whole", "--quiet")
        assert done.returncode == 0, done.stderr
        for selector, name in enumerate(RESULTS_FILES):
            file = tmp / "whole" / name
            if not file.exists():
                file = tmp / "whole" / "V.h5"  # a second report's place: a report
            (out / "results" / f"{selector}-{name}").write_bytes(bytes([selector]) + file.read_bytes())
        # A run stopped at a limit leaves its checkpoint (a real one, of any engine but the queue's).
        for engine in ("event", "clock"):
            stopped = run(exe, "run", tiny, *small, "--engine", engine, "--set", "limits.max_rate=1 Hz",
                          "--set", "limits.rate_window=50 ms", "-o", tmp / engine, "--quiet")
            assert stopped.returncode == 3, stopped.stderr
            body = (tmp / engine / "checkpoint.msc").read_bytes()[:-4]
            (out / "checkpoint" / f"{engine}.msc").write_bytes(body)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
