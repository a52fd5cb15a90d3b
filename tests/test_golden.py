#!/usr/bin/python3
"""Outputs held byte for byte: a refactoring must not change what a run writes.

Each case runs `metabosim run` and compares every output file with the digest recorded in
tests/data/golden/expected.json (and some, run again on 2 to 4 threads, with the one-thread run): spikes, states, weights and every CSV byte for byte, summary.json
with its wall-clock entries left out. A change that is meant to change outputs (a new integration
scheme, a new tie order) records new digests with --update and says why in its commit.

The digests hold for the platform they were recorded on (Debian 12, x86-64, glibc's libm): another
libm may round exp() differently in the last bit.

Usage: test_golden.py METABOSIM_EXECUTABLE SOURCE_DIR [--update]
"""
import json
import pathlib
import subprocess
import sys
import tempfile

from output_digests import digests

EXE, SOURCE = sys.argv[1], pathlib.Path(sys.argv[2])
UPDATE = "--update" in sys.argv[3:]
GOLDEN = SOURCE / "tests" / "data" / "golden"
EXPECTED = GOLDEN / "expected.json"

# The default run, COBA, metabolic steps with a ramp, the energy loop; the clock-driven engine and
# the event-queue engine on some of them.
CASES = {
    "default": [],
    "coba": [SOURCE / "configs" / "coba.toml"],
    "steps": [GOLDEN / "steps.toml"],
    "energy": [GOLDEN / "energy.toml"],
    "coba-clock": [SOURCE / "configs" / "coba.toml", "--engine", "clock", "--dt", "0.1ms"],
    "steps-clock": [GOLDEN / "steps.toml", "--engine", "clock", "--dt", "0.1ms"],
    "energy-clock": [GOLDEN / "energy.toml", "--engine", "clock", "--dt", "0.05ms"],
    "steps-queue": [GOLDEN / "steps.toml", "--engine", "queue"],
    "energy-queue": [GOLDEN / "energy.toml", "--engine", "queue"],
}
# The event-driven engine on several threads writes what it writes on one, byte for byte.
THREADED = {"coba": (2, 4), "steps": (2, 3, 4), "energy": (2, 4)}


def main():
    expected = {} if UPDATE else json.loads(EXPECTED.read_text())
    found, failures = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in CASES.items():
            out = pathlib.Path(tmp) / name
            run = subprocess.run([EXE, "run", *map(str, args), "-o", out, "--quiet"], capture_output=True, text=True)
            if run.returncode != 0:
                failures.append(f"{name}: exit {run.returncode}: {run.stderr.strip()}")
                continue
            found[name] = digests(out)
            print(f"{name}: {len(found[name])} files", flush=True)
            for threads in THREADED.get(name, ()):
                out_t = pathlib.Path(tmp) / f"{name}-{threads}"
                run = subprocess.run([EXE, "run", *map(str, args), "--threads", str(threads), "-o", out_t, "--quiet"],
                                     capture_output=True, text=True)
                if run.returncode != 0:
                    failures.append(f"{name}, {threads} threads: exit {run.returncode}: {run.stderr.strip()}")
                elif digests(out_t) != found[name]:
                    failures.append(f"{name}: {threads} threads write other outputs than one thread")
            if UPDATE:
                continue
            for file in sorted(set(found[name]) | set(expected.get(name, {}))):
                want, got = expected.get(name, {}).get(file), found[name].get(file)
                if want != got:
                    failures.append(f"{name}/{file}: " + ("missing" if got is None else "unexpected" if want is None
                                                          else "differs from the recorded output"))
    if UPDATE:
        EXPECTED.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
        print(f"recorded {EXPECTED}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
