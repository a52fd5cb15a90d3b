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
        # stderr is a pipe: lines, each of the eight experiments numbered (six findings, two
        # examinations), each run of a set with the time left from the runs done; 600 ms per run.
        self.assertIn("experiment 1/8: bifurcation", self.result.stderr)
        self.assertIn("experiment 6/8: energy-loop", self.result.stderr)
        self.assertIn("experiment 8/8: energy-map", self.result.stderr)
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
        # 3 states + 10 sweep temperatures + 2 energy-loop conditions (first 3 seeds; here 2) per
        # seed, the 3 states again for the synchrony examination (first 3 seeds), the 5 x 5 energy map
        self.assertEqual(len(runs), 2 * 3 + 2 * 10 + 2 * 2 + 2 * 3 + 25)
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
        hypo = {r["seed"]: r["final_relative"] for r in self.f["runs"]
                if r["group"] == "states" and r["label"] == "hypo"}
        c = self.f["bifurcation"]["criteria"][0]
        self.assertEqual(c["seeds_holding"], sum(abs(v - 1) <= 0.1 for v in hypo.values()))
        mean = sum(hypo.values()) / len(hypo)
        self.assertTrue(math.isclose(c["value"], mean, rel_tol=1e-12))

    def test_synchrony_examination_measures_the_criterions_cells_again(self):
        x = self.f["synchrony"]
        self.assertEqual(x["seeds"], [1, 2])
        self.assertEqual([s["state"] for s in x["states"]], ["hypo", "normo", "hyper"])
        for s in x["states"]:
            for seed, m in zip(x["seeds"], s["runs"]):
                state_run = next(r for r in self.f["runs"] if r["group"] == "states"
                                 and r["label"] == s["state"] and r["seed"] == seed)
                # The same network and seed: the criterion's 100 cells give the criterion's chi.
                self.assertEqual(m["chi_probe_max"], state_run["chi_max"])
                self.assertEqual(m["cells"], 160)  # E of 200 neurons
                sizes = [b["cells"] for b in m["by_size"]]
                self.assertEqual(sizes, [25, 50, 100, 160])
                self.assertEqual(len(m["by_size"][0]["chi_run"]), 6)  # 160 // 25 disjoint samples
                self.assertEqual(m["by_size"][-1]["chi_run"], [m["chi_all_run"]])
                self.assertEqual(len(m["count_correlation"]), 3)
                self.assertEqual(len(m["spectrum"]["frequency_Hz"]), 301)  # one 600 ms segment
                fractions = [f for f in m["band_fraction"] if f is not None]
                self.assertLessEqual(sum(fractions), 1 + 1e-9)

    def test_energy_map_classifies_every_point_from_its_switches(self):
        m = self.f["energy-map"]
        self.assertEqual((m["neurons"], m["duration_ms"]), (200, 1200))
        self.assertEqual(len(m["points"]), 25)
        for p in m["points"]:
            temps = p["energy"]["temperature"]
            switches = sum(a != b for a, b in zip(temps, temps[1:]))
            self.assertEqual(p["switches"], switches)
            expected = ("regulates" if switches >= 2 else
                        f"locks {'hypo' if temps[-1] == 32 else 'hyper'}" if switches == 1 else
                        f"holds {'hypo' if temps[0] == 32 else 'hyper'}")
            self.assertEqual(p["regime"], expected)
            predictions = ("regulates", "holds hyper", "locks hypo", "leaves hyper")
            self.assertIn(p["predicted"], predictions)
            self.assertIn(p["predicted_in_run"], predictions)
            # Within the run the pool gets no further than the balance lets it for ever.
            within = {"holds hyper": {"holds hyper"}, "locks hypo": {"holds hyper", "locks hypo"},
                      "leaves hyper": {"holds hyper", "leaves hyper"},
                      "regulates": {"holds hyper", "locks hypo", "regulates"}}
            self.assertIn(p["predicted_in_run"], within[p["predicted"]])
            # The rate the pool affords grows with the supply and falls with the costs.
            self.assertLess(p["r_star_hypo"], p["r_star_hyper"])
        default = next(p for p in m["points"] if p["supply_factor"] == 1 and p["cost_scale"] == 1)
        self.assertAlmostEqual(default["supply"], 3.3e9)


class ExaminationAlone(unittest.TestCase):
    def test_an_examination_alone_writes_its_numbers_into_a_new_directory(self):
        # No run of an examination keeps its outputs: findings.json alone makes the directory.
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "new" / "sync"
            r = experiment(out, "synchrony", "--neurons", 200, "--duration", "0.6 s", "--seeds", 4)
            self.assertEqual(r.returncode, 0, r.stderr)
            f = json.loads((out / "findings.json").read_text())
            self.assertEqual([s["state"] for s in f["synchrony"]["states"]], ["hypo", "normo", "hyper"])
            self.assertNotIn("topology", f)
            self.assertEqual(len(f["runs"]), 3)
            # Its report: the section and the figure, from findings.json alone.
            try:
                import matplotlib  # noqa: F401
            except ImportError:
                self.skipTest("no matplotlib for the report")
            tools = pathlib.Path(__file__).resolve().parents[1] / "tools"
            report = subprocess.run([sys.executable, tools / "findings_report.py", out], capture_output=True,
                                    text=True, timeout=300)
            self.assertEqual(report.returncode, 0, report.stderr)
            text = (out / "report.md").read_text()
            self.assertIn("## Finding 4 examined (`synchrony`)", text)
            self.assertIn("| hypo |", text)
            self.assertTrue((out / "synchrony.png").is_file())


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
