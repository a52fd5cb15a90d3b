#!/usr/bin/python3
"""`metabosim bench --quick --no-brian2 --repeat 3` end to end: the workloads it promises, runs of
the same models as `metabosim run` (the same synapses and, being deterministic, the same synaptic
events), the synapse layout it reports (4 B per synapse when weight and delay are constants), each
time the median of its three runs, and a table whose ratios, memory figures and verdicts follow
from its own measurements. Times are not asserted.

Usage: test_bench.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

EXE, SOURCE = sys.argv[1], pathlib.Path(sys.argv[2])


def run_summary(out, *args):
    r = subprocess.run([EXE, "run", *args, "-o", str(out), "-q"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads((out / "summary.json").read_text())


class QuickBench(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        out = pathlib.Path(cls.tmp.name) / "bench"
        cls.result = subprocess.run([EXE, "bench", "--quick", "--no-brian2", "--repeat", "3", "-o", str(out), "-q"],
                                    capture_output=True, text=True, timeout=1800)
        cls.out = out
        cls.bench = json.loads((out / "bench.json").read_text()) if cls.result.returncode == 0 else None
        cls.rows = {row["workload"]: row for row in cls.bench["rows"]} if cls.bench else {}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_runs_every_promised_workload_with_both_engines(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        expected = {"COBA, 1 s", "microcircuit 37 degC, STDP", "microcircuit 37 degC, no STDP",
                    "microcircuit 41 degC, STDP"} | {f"scaling N = {n}, K = 100" for n in (1000, 4000, 16000)} \
            | {f"scaling N = {n}, K = 1000" for n in (1000, 4000)}
        self.assertEqual(set(self.rows), expected)
        for name, row in self.rows.items():
            for engine in ("event", "clock 0.1"):
                self.assertGreater(row[engine]["wall_seconds"], 0, name)
                self.assertGreater(row[engine]["spikes"], 0, name)
            self.assertEqual(row["event"]["synapses"], row["clock 0.1"]["synapses"], name)
            self.assertNotIn("brian2 0.1", row)
        for n in (1000, 4000, 16000):
            row = self.rows[f"scaling N = {n}, K = 100"]
            self.assertEqual(row["neurons"], n)
            self.assertAlmostEqual(row["event"]["synapses"] / n, 100, delta=2)  # K expected inputs per cell

    def test_reports_the_run_of_median_time(self):
        self.assertEqual(self.bench["repeat"], 3)
        for name, row in self.rows.items():
            for engine in ("event", "event 2 threads", "clock 0.1"):
                if engine not in row:
                    continue
                run = row[engine]
                each = run["wall_seconds_each"]
                self.assertEqual(len(each), 3, f"{name}: {engine}")
                self.assertEqual(run["wall_seconds"], sorted(each)[1], f"{name}: {engine}")
        self.assertTrue((self.out / "runs" / "00" / "event run 3.json").is_file())
        self.assertIn("median time of 3 runs", (self.out / "bench.md").read_text())

    def test_a_repeat_count_below_one_is_refused(self):
        r = subprocess.run([EXE, "bench", "--repeat", "0", "-o", str(pathlib.Path(self.tmp.name) / "none"), "-q"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--repeat", r.stderr)
        self.assertFalse((pathlib.Path(self.tmp.name) / "none").exists())

    def test_runs_the_models_that_metabosim_run_runs(self):
        coba = self.rows["COBA, 1 s"]["event"]
        summary = run_summary(pathlib.Path(self.tmp.name) / "coba", str(SOURCE / "configs" / "coba.toml"))
        self.assertEqual(coba["synapses"], summary["synapses"])
        self.assertEqual(coba["spikes"], sum(p["spikes"] for p in summary["populations"].values()))
        self.assertEqual(coba["synaptic_events"], summary["events"]["spike_arrival"])
        micro = run_summary(pathlib.Path(self.tmp.name) / "micro", "--set", "run.duration=1ms")
        self.assertEqual(self.rows["microcircuit 37 degC, STDP"]["event"]["synapses"], micro["synapses"])

    def test_reports_the_synapse_layout(self):
        coba = self.rows["COBA, 1 s"]["event"]
        # constant weights and delays: 4 B of target per synapse, 8 B per row pointer
        rows = 2 * (3200 + 1) + 2 * (800 + 1)
        self.assertEqual(coba["synapse_storage_bytes"], 4 * coba["synapses"] + 8 * rows)
        self.assertEqual(coba["plastic_synapses"], 0)
        stdp = self.rows["microcircuit 37 degC, STDP"]["event"]
        per_plastic = stdp["plastic_synapse_storage_bytes"] / stdp["plastic_synapses"]
        # target 4 + weight 8 + delay 8 + trace 8 + entry 4, plus row pointers
        self.assertGreaterEqual(per_plastic, 32)
        self.assertLess(per_plastic, 33)

    def test_memory_per_synapse_follows_from_peak_and_baseline(self):
        base = self.bench["baseline_rss_bytes"]
        self.assertGreater(base, 0)
        for name, row in self.rows.items():
            for engine in ("event", "clock 0.1"):
                run = row[engine]
                want = (run["peak_rss_bytes"] - base) / run["synapses"]
                self.assertAlmostEqual(row["bytes_per_synapse"][engine], want, delta=1e-9 * abs(want) + 1e-12, msg=name)

    def test_two_threads_run_the_same_network_and_phases_add_up(self):
        for name in ("COBA, 1 s", "microcircuit 37 degC, STDP"):
            one, two = self.rows[name]["event"], self.rows[name]["event 2 threads"]
            self.assertEqual((one["threads"], two["threads"]), (1, 2))
            # the same spikes and events whatever the thread count
            for key in ("spikes", "synaptic_events", "inputs", "synapses"):
                self.assertEqual(one[key], two[key], f"{name}: {key}")
            self.assertGreaterEqual(one["inputs"], one["synaptic_events"])
            phases = one["phase_ns_per_input"]
            self.assertEqual(set(phases), {"arrivals sorted", "walk", "series", "exact search", "delivery", "barriers"})
            # the phases are parts of the run: together no longer than it (one thread)
            self.assertLessEqual(sum(phases.values()) * one["inputs"] / 1e9, one["wall_seconds"] * 1.02)
        self.assertEqual(self.rows["COBA, 1 s"]["clock 0.1"]["phase_ns_per_input"], {})
        md = (self.out / "bench.md").read_text()
        self.assertIn("ns per input by phase", md)

    def test_targets_follow_from_the_rows(self):
        targets = {t["target"]: t for t in self.bench["targets"]}
        coba = self.rows["COBA, 1 s"]["event"]
        events = targets["COBA, 1 s, event-driven 1 thread, synaptic events/s"]
        self.assertAlmostEqual(events["measured"], coba["synaptic_events"] / coba["wall_seconds"] / 1e6, places=9)
        self.assertEqual(events["met"], events["measured"] >= 20)
        coba2 = self.rows["COBA, 1 s"]["event 2 threads"]
        speedup = targets["COBA 1 s, event-driven 2 threads / 1 thread speed-up"]
        self.assertAlmostEqual(speedup["measured"], coba["wall_seconds"] / coba2["wall_seconds"], places=9)
        self.assertEqual(speedup["met"], speedup["measured"] >= 1.8)
        ratio = targets["microcircuit 37 degC, event-driven STDP / no STDP wall time"]
        want = (self.rows["microcircuit 37 degC, STDP"]["event"]["wall_seconds"]
                / self.rows["microcircuit 37 degC, no STDP"]["event"]["wall_seconds"])
        self.assertAlmostEqual(ratio["measured"], want, places=9)
        self.assertEqual(ratio["met"], want <= 1.3)
        plastic = targets["microcircuit STDP, synapse arrays per plastic synapse"]
        self.assertEqual(plastic["met"], plastic["measured"] <= 32.2)
        # without Brian2 the ratios to it are not measured, and say so
        brian = targets["COBA 1 s, event-driven 1 thread / Brian2 standalone dt 0.1"]
        self.assertIsNone(brian["measured"])
        self.assertIsNone(brian["met"])
        md = (self.out / "bench.md").read_text()
        for t in self.bench["targets"]:
            verdict = "not measured" if t["met"] is None else ("met" if t["met"] else "missed")
            line = next(l for l in md.splitlines() if l.startswith(f"- {t['target']}:"))
            self.assertIn(f"— {verdict}", line)
        for name in self.rows:
            self.assertIn(f"| {name} |", md)

    def test_an_unwritable_output_is_refused_before_running(self):
        blocker = pathlib.Path(self.tmp.name) / "a-file"
        blocker.write_text("not a directory\n")
        r = subprocess.run([EXE, "bench", "--quick", "--no-brian2", "-o", str(blocker), "-q"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(str(blocker), r.stderr)

if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
