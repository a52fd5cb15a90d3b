#!/usr/bin/python3
"""`metabosim experiment` as a user meets it, at a small size: what findings.json holds, that
its verdicts follow from its criteria, that the pairing protocol reproduces the Q10 law of the
window, and that bad options are refused before anything runs.

Usage: test_experiments.py METABOSIM_EXECUTABLE
"""
import json
import math
import pathlib
import subprocess
import sys
import tempfile
import unittest

EXE = sys.argv[1]


def experiment(out, *args, quiet=True):
    return subprocess.run([EXE, "experiment", *map(str, args), "-o", out, "--no-figures", *(["-q"] if quiet else [])],
                          capture_output=True, text=True, timeout=900)


class Small(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        out = pathlib.Path(cls.tmp.name) / "f"
        cls.result = experiment(out, "all", "--neurons", 200, "--duration", "0.6 s", "--seeds", "1,2",
                                "--no-sensitivity", quiet=False)
        cls.f = json.loads((out / "findings.json").read_text()) if cls.result.returncode == 0 else None
        cls.out = out

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_experiment_has_a_verdict_that_follows_its_criteria(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        for name in ("bifurcation", "stdp-window", "degradation", "topology", "robustness", "energy-loop"):
            held = [c["holds"] for c in self.f[name]["criteria"]]
            expected = "reproduced" if all(held) else "not reproduced" if not any(held) else "partly reproduced"
            self.assertEqual(self.f[name]["verdict"], expected, name)

    def test_progress_counts_experiments_and_runs_with_an_eta(self):
        # stderr is a pipe: lines, each experiment of six numbered, each run of a set with the time
        # left from the runs done; 600 ms per run ("0.6 s").
        self.assertIn("experiment 1/6: bifurcation", self.result.stderr)
        self.assertIn("experiment 6/6: energy-loop", self.result.stderr)
        self.assertRegex(self.result.stderr, r"\[1/6\] states \w+ \(\d+ degC\) seed \d: .*, ETA [\d. ]+(s|min)")
        self.assertRegex(self.result.stderr, r"\[6/6\] states .* ETA 0 s\)")
        self.assertEqual(self.f["settings"]["duration_ms"], 600)

    def test_stdp_window_follows_the_q10_law(self):
        curves = {c["state"]: c for c in self.f["stdp-window"]["curves"]}
        ratio = curves["hyper"]["ltp"]["amplitude_nS"] / curves["normo"]["ltp"]["amplitude_nS"]
        self.assertAlmostEqual(ratio, 3 ** 0.4, delta=1e-4)  # A+ has Q10 = 3, +4 degC
        ratio = curves["hypo"]["ltp"]["tau_ms"] / curves["normo"]["ltp"]["tau_ms"]
        self.assertAlmostEqual(ratio, 3 ** 0.5, delta=1e-4)  # tau has Q10 = 3, -5 degC
        self.assertEqual(self.f["stdp-window"]["verdict"], "reproduced")

    def test_runs_and_outputs(self):
        runs = self.f["runs"]
        # 3 states + 10 sweep temperatures + 2 energy-loop conditions (first 3 seeds; here 2) per seed
        self.assertEqual(len(runs), 2 * 3 + 2 * 10 + 2 * 2)
        for r in runs:
            rel = r["weights"]["relative"]
            self.assertEqual(len(rel), 31)
            self.assertEqual(rel[0], 1.0)
            self.assertTrue(0 <= r["chi_max"] <= 1)
        self.assertTrue((self.out / "runs" / "states" / "hyper-seed1" / "spikes.h5").is_file())
        self.assertFalse((self.out / "runs" / "states" / "hyper-seed2").exists())  # first seed only
        loop = [r for r in runs if r["label"] == "loop-on"]
        self.assertTrue(all("energy" in r for r in loop))

    def test_counts_of_seeds_match_the_per_run_values(self):
        hypo = {r["seed"]: r["final_relative"] for r in self.f["runs"] if r["label"] == "hypo"}
        c = self.f["bifurcation"]["criteria"][0]
        self.assertEqual(c["seeds_holding"], sum(abs(v - 1) <= 0.1 for v in hypo.values()))
        mean = sum(hypo.values()) / len(hypo)
        self.assertTrue(math.isclose(c["value"], mean, rel_tol=1e-12))


class BadInput(unittest.TestCase):
    def test_refused_before_running(self):
        with tempfile.TemporaryDirectory() as tmp:
            for args, message in [(["nonsense"], "nonsense"), (["all", "--duration", "100ms"], "at least 500 ms"),
                                  (["all", "--duration", 3000], '"3000" has no unit'),
                                  (["all", "--duration", "3 parsecs"], "--duration"),
                                  (["all", "--engine", "clock", "--dt", "-1ms"], "dt")]:
                out = pathlib.Path(tmp) / "x"
                r = experiment(out, *args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(message, r.stderr)
                self.assertFalse((out / "findings.json").exists())


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
