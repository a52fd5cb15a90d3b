#!/usr/bin/python3
"""COBA and the microcircuit, in metabosim (event-driven) and in Brian2 running the exported
network (clock-driven, dt = 0.1 ms): the mean population rates over three seeds agree within
the seed-to-seed spread (the larger max - min of the two). Skipped without python3-brian.

Usage: test_brian2_networks.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import unittest

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])


def brian2_missing():
    return subprocess.run(["/usr/bin/python3", "-c", "import brian2"], capture_output=True).returncode != 0


@unittest.skipIf(brian2_missing(), "python3-brian is not installed: Brian2 comparison skipped")
class RatesAgree(unittest.TestCase):
    def check(self, config, *extra):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "cmp"
            args = [EXE, "compare", *([config] if config else []), "-o", out, "--seeds", "1,2,3", "--dts", "0.1ms",
                    "--brian2-dts", "0.1ms", "--convergence-dts", "0.1ms", "--no-figures", "-q", *extra]
            r = subprocess.run(list(map(str, args)), capture_output=True, text=True, timeout=1800)
            self.assertEqual(r.returncode, 0, r.stderr)
            runs = json.loads((out / "compare.json").read_text())["runs"]
        for pop in runs[0]["populations"]:
            rates = {label: [x["populations"][pop]["rate_Hz"] for x in runs if x["label"] == label]
                     for label in ("event", "brian2-dt0.1")}
            self.assertEqual(len(rates["brian2-dt0.1"]), 3)
            spread = max(max(v) - min(v) for v in rates.values())
            difference = abs(statistics.mean(rates["event"]) - statistics.mean(rates["brian2-dt0.1"]))
            print(f"{config or 'microcircuit'} {pop}: event {rates['event']}, Brian2 {rates['brian2-dt0.1']} Hz; "
                  f"|difference of means| {difference:.3f} <= spread {spread:.3f}?", flush=True)
            self.assertLessEqual(difference, spread, pop)

    def test_coba(self):
        self.check(SOURCE / "configs" / "coba.toml")

    def test_microcircuit(self):
        self.check(None)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
