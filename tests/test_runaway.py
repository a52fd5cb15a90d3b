#!/usr/bin/python3
"""A network that runs away stops with a diagnosis and its data so far: COBA with its excitation
twenty times too strong against a low limits.max_rate stops at the end of a window with exit
status 3, one message naming the population, the rate, the limit and the key, partial outputs
holding only the spikes before `reached`, and a checkpoint; the usual COBA is not stopped; the
limits are validated like any key.

Usage: test_runaway.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

from output_digests import summary_without_wall_clock as summary

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])
STRONG = ["--set", "projections.EE.weight=120 nS", "--set", "projections.EI.weight=120 nS",
          "--set", "run.duration=400 ms"]
LIMIT = ["--set", "limits.max_rate=100 Hz", "--set", "limits.rate_window=50 ms"]


def metabosim(*args):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=300)


class Runaway(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = pathlib.Path(cls.tmp.name)
        cls.out = cls.root / "strong"
        cls.result = metabosim("run", "coba", *STRONG, *LIMIT, "-o", cls.out, "--quiet")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_stops_with_status_3_and_one_clear_message(self):
        r = self.result
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertRegex(r.stderr, r'stopped at t = 5\d(\.\d+)? ms, the network ran away: population "E" fired at '
                                   r'\d+(\.\d+)? Hz on average from 0 ms to 50 ms, above limits.max_rate = 100 Hz')
        self.assertIn("--set limits.", r.stderr)
        self.assertNotIn("warning", r.stderr)  # --quiet, and no saturation warning for a run not ended
        self.assertEqual(len(r.stderr.strip().splitlines()), 2, r.stderr)

    def test_summary_says_why_and_where(self):
        s = json.loads((self.out / "summary.json").read_text())
        self.assertFalse(s["complete"])
        self.assertGreaterEqual(s["reached_ms"], 50)
        self.assertLess(s["reached_ms"], 400)
        self.assertTrue(s["stopped"].startswith('runaway: population "E" fired at'), s["stopped"])
        self.assertIn("limits.max_rate = 100 Hz", s["stopped"])
        self.assertTrue((self.out / "checkpoint.msc").exists())

    def test_partial_spikes_only_before_reached(self):
        reached = json.loads((self.out / "summary.json").read_text())["reached_ms"]
        with h5py.File(self.out / "spikes.h5", "r") as f:
            t = f["spikes"]["E"]["timestamps"][()]
        self.assertGreater(len(t), 3200 * 50 / 1000 * 100)  # above 100 Hz for 50 ms
        self.assertTrue(np.all(np.diff(t) >= 0))
        self.assertLess(t.max(), reached)
        rows = (self.out / "rates.csv").read_text().splitlines()
        self.assertEqual(rows[0], "time_ms,E_Hz,I_Hz")
        starts = [float(row.split(",")[0]) for row in rows[1:]]
        self.assertEqual(starts[0], 0)
        self.assertLess(starts[-1], reached)  # bins of the stretch run only
        self.assertGreater(max(float(row.split(",")[1]) for row in rows[1:]), 100)

    def test_same_stop_on_two_threads(self):
        out = self.root / "threads"
        r = metabosim("run", "coba", *STRONG, *LIMIT, "--threads", "2", "-o", out, "--quiet")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual((out / "spikes.h5").read_bytes(), (self.out / "spikes.h5").read_bytes())
        self.assertEqual(summary(out), summary(self.out))

    def test_max_spikes(self):
        out = self.root / "spikes"
        r = metabosim("run", "coba", "--set", "run.duration=300 ms", "--set", "limits.max_spikes=2000",
                      "--set", "limits.rate_window=20 ms", "-o", out, "--quiet")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertRegex(r.stderr, r"\d+ spikes recorded by t = \d+(\.\d+)? ms .*more than limits.max_spikes = 2000")

    def test_the_usual_coba_is_not_stopped(self):
        out = self.root / "usual"
        r = metabosim("run", "coba", "--set", "run.duration=300 ms", "-o", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        s = json.loads((out / "summary.json").read_text())
        self.assertTrue(s["complete"])
        self.assertNotIn("stopped", s)


class Validation(unittest.TestCase):
    def refused(self, assignment, *expected):
        r = metabosim("validate", "coba", "--set", assignment)
        self.assertEqual(r.returncode, 2, r.stderr)
        for text in expected:
            self.assertIn(text, r.stderr)

    def test_set_values_out_of_bounds(self):
        self.refused("limits.max_rate=-5 Hz", "limits.max_rate", "-5 Hz", "expected a positive rate")
        self.refused("limits.max_rate=5 mV", "limits.max_rate", "5 mV", "rate")
        self.refused("limits.rate_window=0.5 ms", "limits.rate_window", "expected a time in [1 ms, ")
        self.refused("limits.max_spikes=0", "limits.max_spikes", "0", "positive integer")
        self.refused("limits.max_spike=5", "unknown setting", "limits.{max_rate, rate_window, max_spikes}")

    def test_a_file_with_a_bad_limit(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = pathlib.Path(tmp) / "c.toml"
            text = (SOURCE / "configs" / "coba.toml").read_text()
            config.write_text(text + '\n[limits]\nmax_rate = "500 ms"\n')
            r = metabosim("validate", config)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertRegex(r.stderr, r'c\.toml:\d+: limits\.max_rate: "500 ms" is a time, expected a rate')
            config.write_text(text + '\n[limits]\nmax_rate = "500 Hz"\nrate_window = "20 s"\nmax_spikes = 1000000\n')
            self.assertEqual(metabosim("validate", config).returncode, 0)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
