#!/usr/bin/python3
"""`metabosim export` as Brian2 reads it: network.h5 holds what metabosim draws and computes (the
synapses, an explicit list verbatim, the initial state, every drive input, the generators'
spikes, the Q10-lowered parameters per segment), byte for byte the same for one seed; a bad
directory is refused. With Brian2 installed (Debian's python3-brian), the exported runner is run
too, and spike by spike against `metabosim run --engine clock` when that exists; without it those
tests are reported as skipped.

Usage: test_brian2_export.py METABOSIM_EXECUTABLE
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest
import warnings

import h5py
import numpy as np

EXE = sys.argv[1]
SOURCE = pathlib.Path(__file__).resolve().parent.parent
TINY = SOURCE / "tests" / "data" / "tiny.toml"
try:
    warnings.filterwarnings("ignore", category=FutureWarning, module="pythran")  # Debian's, on import
    import brian2  # noqa: F401 (the runner needs it; it runs under this same interpreter)
    HAVE_BRIAN2 = True
except ImportError:
    HAVE_BRIAN2 = False
DT = 0.1  # ms, the step of the Brian2 runs
# The files of the runner that an export holds beside network.h5, and their sources.
RUNNER = {path.name: path for path in [*(SOURCE / "lib" / "src" / "brian2").glob("*.py"),
                                       SOURCE / "tools" / "metabosim_outputs.py"]}

# Two populations away from their reference temperatures, with Q10s of their own, a drive whose
# rate is scaled too, a plastic projection, an explicit list, a generator and two metabolic
# steps (one for all, one for A alone).
LIST_SOURCES, LIST_TARGETS = [0, 3, 3, 39], [4, 0, 2, 1]
LIST_WEIGHTS, LIST_DELAYS = [1.0, 2.0, 3.0, 4.5], [1.0, 1.5, 2.25, 3.0]
GENERATOR_TIMES = [5.0, 12.5, 12.5, 40.0, 199.0]
CONFIG = f"""
[run]
duration = "200 ms"
seed = 11

[populations.A]
size = 40
reference_temperature = "35 degC"
temperature = "33 degC"
initial_V = {{ distribution = "uniform", low = "-58 mV", high = "-52 mV" }}
drive = {{ rate = "800 Hz", weight = "1.5 nS" }}
[populations.A.q10]
gL = 1.5
C = 1.1
tau_e = 2.5
tau_i = 1.8
synaptic_efficacy = 1.7
t_ref = 2.2
tau_stdp = 2.8
A_plus = 3.3
A_minus = 1.4
poisson_rate = 1.3

[populations.B]
size = 5

[projections.AA]
pre = "A"
post = "A"
connectivity = {{ rule = "probability", p = 0.2 }}
weight = {{ distribution = "uniform", low = "1 nS", high = "3 nS" }}
[projections.AA.stdp]
w_max = "10 nS"
tau_plus = "15 ms"
tau_minus = "30 ms"

[projections.AB]
pre = "A"
post = "B"
receptor = "inhibitory"
connectivity = {{ rule = "list", sources = {LIST_SOURCES}, targets = {LIST_TARGETS}, weights = {[f"{w} nS" for w in LIST_WEIGHTS]}, delays = {[f"{d} ms" for d in LIST_DELAYS]} }}

[[generators]]
name = "probe"
target = "B"
neurons = [1, 3]
times = {[f"{t} ms" for t in GENERATOR_TIMES]}
weight = "7 nS"

[[metabolism.steps]]
time = "80 ms"
temperature = "39 degC"

[[metabolism.steps]]
time = "150 ms"
population = "A"
temperature = "36 degC"
""".replace("'", '"')


def metabosim(*args, timeout=120):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def runner(directory, *args):
    return subprocess.run(["/usr/bin/python3", directory / "run_brian2.py", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def phi(q10, temperature, reference):
    return q10 ** ((temperature - reference) / 10)


def export_into_temporary_directory(cls, config_text, name):
    """cls.tmp, cls.dir, cls.config (config_text as name) and its export in cls.dir / "export"."""
    cls.tmp = tempfile.TemporaryDirectory()
    cls.dir = pathlib.Path(cls.tmp.name)
    cls.config = cls.dir / name
    cls.config.write_text(config_text)
    r = metabosim("export", cls.config, "-o", cls.dir / "export")
    assert r.returncode == 0, r.stderr


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        export_into_temporary_directory(cls, CONFIG, "model.toml")
        cls.h5 = h5py.File(cls.dir / "export" / "network.h5", "r")

    @classmethod
    def tearDownClass(cls):
        cls.h5.close()
        cls.tmp.cleanup()

    def test_files(self):
        self.assertEqual(sorted(p.name for p in (self.dir / "export").iterdir()), sorted(["network.h5", *RUNNER]))
        self.assertEqual(self.h5.attrs["format"], "metabosim-brian2-export")
        self.assertEqual(self.h5.attrs["seed"], 11)
        self.assertEqual(self.h5.attrs["duration_ms"], 200.0)

    def test_runner_is_its_sources(self):
        # Embedded at configure time: a stale or mangled copy (configure_file substitutes @...@)
        # would differ from the sources.
        for name, source in RUNNER.items():
            exported = self.dir / "export" / name
            self.assertEqual(exported.read_bytes(), source.read_bytes(), name)
            self.assertEqual(bool(exported.stat().st_mode & 0o111), name == "run_brian2.py", name)

    def test_synapse_count_is_the_one_metabosim_runs(self):
        r = metabosim("run", self.config, "-o", self.dir / "run", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        synapses = json.loads((self.dir / "run" / "summary.json").read_text())["synapses"]
        exported = sum(len(p["source"]) for p in self.h5["projections"].values())
        self.assertEqual(self.h5.attrs["synapses"], synapses)
        self.assertEqual(exported, synapses)
        aa = self.h5["projections/AA"]
        self.assertGreater(len(aa["source"]), 0.1 * 40 * 39)  # p = 0.2, no autapses
        self.assertFalse(np.any(aa["source"][()] == aa["target"][()]))
        self.assertTrue(np.all(np.diff(aa["source"][()].astype(np.int64)) >= 0))  # CSR order
        w = aa["weight"][()]
        self.assertTrue(np.all((w >= 1) & (w < 3)) and w.std() > 0.3)

    def test_explicit_list_verbatim(self):
        ab = self.h5["projections/AB"]
        self.assertEqual(ab.attrs["receptor"], "inhibitory")
        got = sorted(zip(ab["source"][()], ab["target"][()], ab["weight"][()], ab["delay"][()]))
        self.assertEqual(got, sorted(zip(LIST_SOURCES, LIST_TARGETS, LIST_WEIGHTS, LIST_DELAYS)))
        self.assertEqual(ab["weight"].attrs["units"], "nS")
        self.assertEqual(ab["delay"].attrs["units"], "ms")

    def test_initial_state_from_the_configured_distribution(self):
        v = self.h5["populations/A/initial/V"][()]
        self.assertEqual(v.shape, (40,))
        self.assertTrue(np.all((v >= -58) & (v < -52)), v)
        self.assertGreater(v.max() - v.min(), 3)  # drawn, not a constant
        np.testing.assert_array_equal(self.h5["populations/A/initial/ge"][()], 0)
        b = self.h5["populations/B/initial/V"][()]
        self.assertTrue(np.all((b >= -60) & (b < -50)))  # the default distribution

    def test_drive_times(self):
        drive = self.h5["populations/A/drive"]
        times, pointers = drive["times"][()], drive["index_pointers"][()].astype(np.int64)
        self.assertEqual(len(pointers), 41)
        self.assertEqual(pointers[-1], len(times))
        for n in range(40):
            own = times[pointers[n]:pointers[n + 1]]
            self.assertTrue(np.all(np.diff(own) >= 0), n)
        self.assertTrue(np.all((times >= 0) & (times <= 200)))
        # The rate follows the temperature through Q10 1.3: 33 degC to 80 ms, 39 to 150, 36 to 200.
        rate = lambda t: 800 * phi(1.3, t, 35) / 1000  # per ms
        expected = 40 * (rate(33) * 80 + rate(39) * 70 + rate(36) * 50)
        self.assertLess(abs(len(times) - expected), 5 * np.sqrt(expected), (len(times), expected))
        self.assertNotIn("drive", self.h5["populations/B"])
        # distinct neurons get distinct trains
        self.assertFalse(np.array_equal(times[pointers[0]:pointers[1]][:5], times[pointers[1]:pointers[2]][:5]))

    def test_generator(self):
        g = self.h5["generators/0"]
        self.assertEqual((g.attrs["name"], g.attrs["target"], g.attrs["weight_nS"]), ("probe", "B", 7.0))
        np.testing.assert_array_equal(g["times"][()], GENERATOR_TIMES)
        np.testing.assert_array_equal(g["neurons"][()], [1, 3])

    def test_segments_follow_the_q10_law(self):
        a = self.h5["populations/A/segments"]
        np.testing.assert_array_equal(a["time"][()], [0, 80, 150])
        np.testing.assert_array_equal(a["temperature"][()], [33, 39, 36])
        for row, t in enumerate([33, 39, 36]):
            expect = {"gL": 10 * phi(1.5, t, 35), "C": 200 * phi(1.1, t, 35), "tau_e": 5 / phi(2.5, t, 35),
                      "tau_i": 10 / phi(1.8, t, 35), "t_ref": 5 / phi(2.2, t, 35), "phi_g": phi(1.7, t, 35),
                      "EL": -60, "Vth": -50, "Vr": -60, "Ee": 0, "Ei": -80, "I_ext": 0}
            for name, value in expect.items():
                self.assertAlmostEqual(a[name][row], value, places=12, msg=f"{name} at {t} degC")
        b = self.h5["populations/B/segments"]
        np.testing.assert_array_equal(b["time"][()], [0, 80])  # the second step is A's alone
        self.assertAlmostEqual(b["gL"][1], 10 * phi(1.98, 39, 37), places=12)
        self.assertAlmostEqual(b["phi_g"][1], phi(3.0, 39, 37), places=12)

        s = self.h5["projections/AA/stdp"]
        self.assertEqual((s.attrs["pairing"], s.attrs["update"]), ("all_to_all", "additive"))
        self.assertEqual((s.attrs["w_min_nS"], s.attrs["w_max_nS"]), (0.0, 10.0))
        a_plus = 0.01 * 10
        a_minus = -1.05 * a_plus * 15 / 30
        for row, t in enumerate([33, 39, 36]):
            seg = s["segments"]
            self.assertAlmostEqual(seg["time"][row], a["time"][row])
            self.assertAlmostEqual(seg["tau_plus"][row], 15 / phi(2.8, t, 35), places=12)
            self.assertAlmostEqual(seg["tau_minus"][row], 30 / phi(2.8, t, 35), places=12)
            self.assertAlmostEqual(seg["A_plus"][row], a_plus * phi(3.3, t, 35), places=12)
            self.assertAlmostEqual(seg["A_minus"][row], a_minus * phi(1.4, t, 35), places=12)

    def test_same_seed_same_bytes(self):
        self.assertEqual(metabosim("export", self.config, "-o", self.dir / "again").returncode, 0)
        self.assertEqual(metabosim("export", self.config, "-o", self.dir / "other", "--seed", 12).returncode, 0)
        first = (self.dir / "export" / "network.h5").read_bytes()
        self.assertEqual(first, (self.dir / "again" / "network.h5").read_bytes())
        self.assertNotEqual(first, (self.dir / "other" / "network.h5").read_bytes())

    def test_bad_output_directory(self):
        blocker = self.dir / "file"
        blocker.write_text("")
        r = metabosim("export", self.config, "-o", blocker / "out")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(str(blocker / "out"), r.stderr)

    def test_runner_help_and_bad_output_without_brian2(self):
        r = runner(self.dir / "export", "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        for option in ("--dt", "--device", "--codegen", "--network", "cpp_standalone"):
            self.assertIn(option, r.stdout)
        blocker = self.dir / "file2"
        blocker.write_text("")
        r = runner(self.dir / "export", "-o", blocker / "out")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(str(blocker / "out"), r.stderr)


# A small network with no randomness after the export: explicit connectivity, generators with
# fixed trains, STDP and a metabolic step, for the spike-by-spike comparison with the clock engine.
def deterministic_config(tmp):
    rng = np.random.default_rng(3)
    lines = ["[run]", 'duration = "150 ms"', "[populations.A]", "size = 12",
             "[populations.B]", "size = 4", 'initial_V = "-55 mV"']
    sources = [int(i) for i in range(12) for _ in range(2)]
    targets = [int(j) for j in rng.integers(0, 4, size=24)]
    lines += ["[projections.AB]", 'pre = "A"', 'post = "B"',
              f"connectivity = {{ rule = \"list\", sources = {sources}, targets = {targets} }}",
              'weight = "6 nS"', 'delay = { distribution = "uniform", low = "0.5 ms", high = "3 ms" }',
              "[projections.AB.stdp]", 'w_max = "12 nS"',
              "[projections.BA]", 'pre = "B"', 'post = "A"', 'receptor = "inhibitory"',
              'connectivity = { rule = "all_to_all" }', 'weight = "5 nS"', 'delay = "1 ms"']
    for g in range(12):
        times = np.sort(np.round(rng.uniform(0, 150, size=40), 3))
        lines += ["[[generators]]", f'name = "g{g}"', 'target = "A"', f"neurons = [{g}]",
                  f"times = {[f'{t} ms' for t in times]}".replace("'", '"'), 'weight = "9 nS"']
    lines += ["[[metabolism.steps]]", 'time = "70 ms"', 'temperature = "41 degC"']
    path = tmp / "deterministic.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


# Spike sources: Poisson trains with a rate step into B through a plastic projection, given trains
# through a static one, and a source of its own whose three spikes share two time steps.
SOURCES_CONFIG = """
[run]
duration = "150 ms"
seed = 5
[populations.In]
size = 60
source = { kind = "poisson", rate = "10 Hz", steps = [{ time = "60 ms", rate = "20 Hz" }] }
[populations.Probe]
size = 2
source = { kind = "array", times = [["3 ms", "40.05 ms", "90 ms"], ["12.5 ms"]] }
[populations.Crowded]
size = 1
source = { kind = "array", times = [["3 ms", "3.05 ms", "3.08 ms"]] }
[populations.B]
size = 4
initial_V = "-55 mV"
[projections.InB]
pre = "In"
post = "B"
connectivity = { rule = "all_to_all" }
weight = "4 nS"
delay = "1 ms"
[projections.InB.stdp]
w_max = "8 nS"
[projections.ProbeB]
pre = "Probe"
post = "B"
receptor = "inhibitory"
connectivity = { rule = "all_to_all" }
weight = "5 nS"
delay = "0.5 ms"
"""


def spikes_of(path, pop):
    with h5py.File(path, "r") as f:
        return f[f"spikes/{pop}/timestamps"][()], f[f"spikes/{pop}/node_ids"][()].astype(np.int64)


class Sources(unittest.TestCase):
    """A population of spike sources is exported as the trains metabosim's run emits."""

    @classmethod
    def setUpClass(cls):
        export_into_temporary_directory(cls, SOURCES_CONFIG, "sources.toml")
        r = metabosim("run", cls.config, "-o", cls.dir / "run", "-q")
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_trains_are_the_runs_spikes(self):
        with h5py.File(self.dir / "export" / "network.h5", "r") as h5:
            self.assertEqual(h5.attrs["format_version"], 2)
            for pop, kind in (("In", "poisson"), ("Probe", "array"), ("Crowded", "array")):
                g = h5[f"populations/{pop}"]
                self.assertNotIn("initial", g)
                self.assertNotIn("segments", g)
                self.assertEqual(g["source"].attrs["kind"], kind)
                times, pointers = g["source/times"][()], g["source/index_pointers"][()].astype(np.int64)
                self.assertEqual(len(pointers), g.attrs["size"] + 1)
                run_t, run_ids = spikes_of(self.dir / "run" / "spikes.h5", pop)
                for i in range(g.attrs["size"]):
                    np.testing.assert_array_equal(times[pointers[i]:pointers[i + 1]], np.sort(run_t[run_ids == i]),
                                                  f"{pop} source {i}")
            in_times = h5["populations/In/source/times"][()]
            # 60 sources at 10 Hz for 60 ms, then 20 Hz for 90 ms: 144 spikes expected.
            self.assertLess(abs(len(in_times) - 144), 5 * 12, len(in_times))
            np.testing.assert_array_equal(h5["populations/Probe/source/times"][()], [3, 40.05, 90, 12.5])
            self.assertIn("initial", h5["populations/B"])

    def test_one_spike_per_source_and_step(self):
        sys.path.insert(0, str(SOURCE / "lib" / "src" / "brian2"))
        from brian2_model import one_per_step
        dt = 1e-4
        # Source 0: three spikes in step 0, a free step 2 taken by the cascade, then step 50;
        # source 1: two spikes in step 0; source 2: none.
        times = np.array([0.1e-4, 0.5e-4, 0.9e-4, 2.2e-4, 50e-4, 0.2e-4, 0.3e-4])
        pointers = np.array([0, 5, 7, 7])
        sources, moved_times, moved = one_per_step(pointers, times, dt)
        np.testing.assert_array_equal(sources, [0, 0, 0, 0, 0, 1, 1])
        steps = np.asarray((moved_times + 1e-3 * dt) / dt, dtype=np.int64)
        np.testing.assert_array_equal(steps, [0, 1, 2, 3, 50, 0, 1])
        self.assertEqual(moved, 4)
        unmoved = [0, 4, 5]
        np.testing.assert_array_equal(moved_times[unmoved], times[unmoved])  # untouched, not rounded
        self.assertEqual(len(one_per_step(np.array([0, 0]), np.zeros(0), dt)[1]), 0)


@unittest.skipUnless(HAVE_BRIAN2, "Brian2 (Debian package python3-brian) is not installed")
class Runner(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_tiny_network_in_brian2(self):
        self.assertEqual(metabosim("export", TINY, "-o", self.dir / "tiny").returncode, 0)
        r = runner(self.dir / "tiny", "--codegen", "numpy", "--dt", DT, "-o", self.dir / "tiny-b2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(metabosim("run", TINY, "-o", self.dir / "tiny-run", "-q").returncode, 0)
        exact = json.loads((self.dir / "tiny-run" / "summary.json").read_text())
        out = self.dir / "tiny-b2"
        self.assertEqual(sorted(p.name for p in out.iterdir()),
                         ["V.h5", "ge.h5", "gi.h5", "metabolism.csv", "rates.csv", "spikes.h5", "summary.json",
                          "weights.h5"])
        with h5py.File(out / "spikes.h5", "r") as f:
            for pop, size in (("E", 200), ("I", 50)):
                t, ids = f[f"spikes/{pop}/timestamps"][()], f[f"spikes/{pop}/node_ids"][()]
                self.assertEqual(ids.dtype, np.uint64)
                self.assertTrue(np.all((t >= 0) & (t <= 300)) and np.all(ids < size) and np.all(np.diff(t) >= 0))
                # Same network and inputs: the counts agree with the exact run within a few percent.
                self.assertLess(abs(len(t) - exact["populations"][pop]["spikes"]),
                                0.1 * exact["populations"][pop]["spikes"] + 5, pop)
        summary = json.loads((out / "summary.json").read_text())
        self.assertEqual(summary["synapses"], exact["synapses"])
        self.assertEqual(summary["populations"]["E"].keys(), exact["populations"]["E"].keys())
        self.assertEqual(summary["brian2"]["dt_ms"], DT)
        self.assertEqual(summary["brian2"]["device"], "runtime")
        with h5py.File(out / "V.h5", "r") as f:
            self.assertEqual(f["report/E/data"].shape, (301, 3))
        self.assertIn("150,E,41", (out / "metabolism.csv").read_text().split())
        check = subprocess.run(["/usr/bin/python3", SOURCE / "tools" / "check_spikes.py", out / "spikes.h5",
                                *(out / f"{v}.h5" for v in ("V", "ge", "gi"))],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_same_spike_steps_as_the_clock_engine(self):
        if "--engine" not in metabosim("run", "--help").stdout:
            self.skipTest("this metabosim has no clock-driven engine (run --engine clock)")
        config = deterministic_config(self.dir)
        self.assertEqual(metabosim("export", config, "-o", self.dir / "det").returncode, 0)
        r = runner(self.dir / "det", "--codegen", "numpy", "--dt", DT, "-o", self.dir / "det-b2")
        self.assertEqual(r.returncode, 0, r.stderr)
        try:  # a few milliseconds of work
            r = metabosim("run", config, "--engine", "clock", "--dt", f"{DT} ms", "-o", self.dir / "det-clock", "-q",
                          timeout=30)
        except subprocess.TimeoutExpired:
            self.fail("metabosim run --engine clock did not finish within 30 s")
        self.assertEqual(r.returncode, 0, r.stderr)
        for pop in ("A", "B"):
            spikes = []
            for out in ("det-b2", "det-clock"):
                with h5py.File(self.dir / out / "spikes.h5", "r") as f:
                    steps = np.round(f[f"spikes/{pop}/timestamps"][()] / DT).astype(np.int64)
                    spikes.append(list(zip(steps, f[f"spikes/{pop}/node_ids"][()])))
            self.assertGreater(len(spikes[1]), 20, pop)
            n = min(50, len(spikes[1]))
            self.assertEqual(spikes[0][:n], spikes[1][:n], pop)

    def test_spike_sources_in_brian2(self):
        config = self.dir / "sources.toml"
        config.write_text(SOURCES_CONFIG)
        self.assertEqual(metabosim("export", config, "-o", self.dir / "src").returncode, 0)
        r = runner(self.dir / "src", "--codegen", "numpy", "--dt", DT, "-o", self.dir / "src-b2")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Crowded's 3.05 and 3.08 ms share step 30 with 3 ms: they move to steps 31 and 32.
        self.assertIn("2 spike-source spikes moved", r.stderr)
        t, ids = spikes_of(self.dir / "src-b2" / "spikes.h5", "Crowded")
        np.testing.assert_array_equal(np.round(t / DT), [30, 31, 32])
        r = metabosim("run", config, "--engine", "clock", "--dt", f"{DT} ms", "-o", self.dir / "src-clock", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        # No other spike moved, so B sees the inputs the clock engine delivers: the same spikes.
        steps = []
        for out in ("src-b2", "src-clock"):
            t, ids = spikes_of(self.dir / out / "spikes.h5", "B")
            steps.append(sorted(zip(np.round(t / DT).astype(np.int64), ids)))
        self.assertGreater(len(steps[1]), 10)
        self.assertEqual(steps[0], steps[1])
        for pop in ("In", "Probe"):  # the same trains, each spike in the step its time falls in
            t_b2, ids_b2 = spikes_of(self.dir / "src-b2" / "spikes.h5", pop)
            t_clock, ids_clock = spikes_of(self.dir / "src-clock" / "spikes.h5", pop)
            bins = np.asarray((t_clock + 1e-3 * DT) / DT, dtype=np.int64)
            self.assertEqual(sorted(zip(np.round(t_b2 / DT).astype(np.int64), ids_b2)), sorted(zip(bins, ids_clock)))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
