#!/usr/bin/python3
"""`metabosim compare` as a user meets it, on the small test network.

Without Brian2: the clock-driven errors shrink at about first order, every run directory is
complete, the statistics are finite. With Brian2 (Debian's python3-brian): Brian2 running the
exported network fires in the same time step as the clock-driven engine for the first spikes
of every neuron, in 100 unconnected cells and in a 200-neuron plastic network, at two time steps.

Usage: test_compare.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import json
import math
import pathlib
import subprocess
import sys
import tempfile
import unittest

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])
TINY = SOURCE / "tests" / "data" / "tiny.toml"


def brian2_missing():
    return subprocess.run(["/usr/bin/python3", "-c", "import brian2"], capture_output=True).returncode != 0


def compare(out, *args):
    return subprocess.run([EXE, "compare", TINY, "-o", out, "--no-figures", "--seeds", "1", "--dts", "0.1ms",
                           *map(str, args)], capture_output=True, text=True, timeout=900)


class WithoutBrian2(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = pathlib.Path(cls.tmp.name) / "cmp"
        cls.result = compare(cls.out, "--no-brian2", "--convergence-dts", "0.08ms,0.04ms,40us,0.01 ms")
        cls.report = json.loads((cls.out / "compare.json").read_text()) if cls.result.returncode == 0 else None

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exit_status(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertIn("Brian2 not run (--no-brian2)", self.result.stderr)

    def test_network_runs_are_counted_with_an_eta(self):
        # stderr is a pipe: the progress is in lines, each network run numbered, with the time
        # left from the runs done (none before the first).
        self.assertRegex(self.result.stderr, r"\[1/2\] seed 1: event-driven \(([\d.]+ s|0 s) so far, ETA \?\)")
        self.assertRegex(self.result.stderr, r"\[2/2\] seed 1: clock-driven, dt = 0.1 ms \([\d.]+ s so far, ETA [\d.]+ s\)")

    def test_steps_take_their_units(self):
        # 40us and "0.01 ms" read as 0.04 and 0.01 ms
        dts = [e["dt_ms"] for e in self.report["convergence"]["single_neurons"]["clock"]]
        self.assertEqual(dts, [0.08, 0.04, 0.04, 0.01])

    def test_errors_shrink_at_first_order(self):
        for name in ("single_neurons", "small_network"):
            c = self.report["convergence"][name]
            errors = [e["median_ms"] for e in c["clock"]]
            self.assertEqual(errors, sorted(errors, reverse=True), name)
            self.assertGreater(c["order_clock"], 0.7, name)
            self.assertLess(c["order_clock"], 1.6, name)
            self.assertNotIn("brian2", c)

    def test_runs_are_complete(self):
        labels = sorted(r["label"] for r in self.report["runs"])
        self.assertEqual(labels, ["clock-dt0.1", "event"])
        for run in self.report["runs"]:
            d = self.out / run["directory"]
            for name in ("spikes.h5", "V.h5", "weights.h5", "summary.json"):
                self.assertTrue((d / name).is_file(), d / name)
            for pop in ("E", "I"):
                self.assertGreater(run["populations"][pop]["rate_Hz"], 0)
                self.assertTrue(0 <= run["populations"][pop]["chi"] <= 1)
            self.assertIn("EE", run["weights"])

    def test_bad_step_is_refused_before_running(self):
        r = compare(pathlib.Path(self.tmp.name) / "bad", "--no-brian2", "--convergence-dts", "0.1ms,-1ms")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--convergence-dts: a step of -1 ms", r.stderr)
        self.assertFalse((pathlib.Path(self.tmp.name) / "bad").exists())

    def test_a_step_without_its_unit_is_refused(self):
        for option in ("--dts", "--convergence-dts", "--brian2-dts"):
            r = compare(pathlib.Path(self.tmp.name) / "bad", "--no-brian2", option, "0.1ms,0.05")
            self.assertEqual(r.returncode, 2, option)
            self.assertIn(option, r.stderr)
            self.assertIn('"0.05" has no unit, expected a time', r.stderr)
            self.assertFalse((pathlib.Path(self.tmp.name) / "bad").exists())


@unittest.skipIf(brian2_missing(), "python3-brian is not installed: Brian2 comparison skipped")
class WithBrian2(unittest.TestCase):
    def test_same_steps_as_the_clock_driven_engine(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "cmp"
            r = compare(out, "--convergence-dts", "0.1ms,0.02ms", "--brian2-device", "runtime", "--brian2-codegen", "numpy")
            self.assertEqual(r.returncode, 0, r.stderr)
            # The Brian2 runner's progress passed through: its own lines and Brian2's reports.
            self.assertIn("Brian2 with ", r.stderr)
            self.assertRegex(r.stderr, r"\n    run_brian2: 250 neurons, \d+ synapses, 300 ms at dt = 0.1 ms, runtime \(numpy\)")
            self.assertRegex(r.stderr, r"\n    .* \(100%\) simulated in ")
            self.assertRegex(r.stderr, r"\[3/3\] seed 1: Brian2 \(numpy\), dt = 0.1 ms \([\d.]+ s so far, ETA [\d.]+ s\)")
            report = json.loads((out / "compare.json").read_text())
            for name in ("single_neurons", "small_network"):
                c = report["convergence"][name]
                for a in c["brian2_vs_clock"]:
                    self.assertGreater(a["spikes"], 15, name)
                    self.assertEqual(a["same_step"], a["spikes"], f"{name} at dt = {a['dt_ms']} ms")
            brian2 = [x for x in report["runs"] if x["engine"] == "brian2"]
            clock = [x for x in report["runs"] if x["label"] == "clock-dt0.1"]
            self.assertEqual(len(brian2), 1)
            for pop in ("E", "I"):
                self.assertTrue(math.isclose(brian2[0]["populations"][pop]["rate_Hz"],
                                             clock[0]["populations"][pop]["rate_Hz"], rel_tol=0.25))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
