#!/usr/bin/python3
"""The metabosim command line as a user meets it: outputs that h5py reads, exit statuses, error
messages that name file, line and key, nothing written on bad input, identical files for one seed.

Usage: test_cli.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])
TINY = SOURCE / "tests" / "data" / "tiny.toml"
TOOLS = SOURCE / "tools"


def metabosim(*args):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=300)


class Run(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = pathlib.Path(cls.tmp.name) / "a"
        cls.result = metabosim("run", TINY, "-o", cls.out, "--quiet")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exit_status_and_files(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertEqual(self.result.stderr, "")  # --quiet
        names = sorted(p.name for p in self.out.iterdir())
        self.assertEqual(names, ["V.h5", "ge.h5", "gi.h5", "metabolism.csv", "rates.csv", "spikes.h5", "summary.json",
                                 "weights.h5"])

    def test_sonata_spikes(self):
        with h5py.File(self.out / "spikes.h5", "r") as f:
            self.assertEqual(sorted(f["spikes"].keys()), ["E", "I"])
            for pop, size in (("E", 200), ("I", 50)):
                g = f["spikes"][pop]
                t, ids = g["timestamps"][()], g["node_ids"][()]
                self.assertGreater(len(t), 10)
                self.assertEqual(len(t), len(ids))
                self.assertTrue(np.all(np.diff(t) >= 0))
                self.assertTrue(np.all((t >= 0) & (t <= 300)))
                self.assertTrue(np.all(ids < size))
                self.assertEqual(g["timestamps"].attrs["units"], "ms")
                self.assertEqual(g.attrs["sorting"], 2)  # SONATA enum: by_time
                self.assertEqual(h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype)["by_time"], 2)

    def test_summary_agrees_with_spike_file(self):
        summary = json.loads((self.out / "summary.json").read_text())
        with h5py.File(self.out / "spikes.h5", "r") as f:
            for pop in ("E", "I"):
                self.assertEqual(summary["populations"][pop]["spikes"], len(f["spikes"][pop]["timestamps"]))
        self.assertEqual(summary["seed"], 5)
        self.assertEqual(summary["duration_ms"], 300)
        self.assertGreater(summary["real_time_factor"], 0)
        self.assertEqual(summary["events"]["metabolic_change"], 1)

    def test_state_report_and_metabolic_timeline(self):
        with h5py.File(self.out / "V.h5", "r") as f:
            v = f["report/E/data"][()]
            self.assertEqual(v.shape, (301, 3))  # 0, 1, ..., 300 ms
            self.assertTrue(np.all(v < -50 + 1e-6))  # never above threshold (float32 data)
        with h5py.File(self.out / "gi.h5", "r") as f:
            self.assertTrue(np.all(f["report/E/data"][()] >= 0))
        # Every SONATA file passes the layout check against the specification's text.
        files = [self.out / name for name in ("spikes.h5", "V.h5", "ge.h5", "gi.h5")]
        check = subprocess.run(["/usr/bin/python3", TOOLS / "check_spikes.py", *files], capture_output=True,
                               text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        lines = (self.out / "metabolism.csv").read_text().split()
        self.assertIn("150,E,41", lines)

    def test_same_seed_same_bytes_other_seed_differs(self):
        again = pathlib.Path(self.tmp.name) / "b"
        other = pathlib.Path(self.tmp.name) / "c"
        self.assertEqual(metabosim("run", TINY, "-o", again, "-q").returncode, 0)
        self.assertEqual(metabosim("run", TINY, "-o", other, "-q", "--seed", 6).returncode, 0)
        for name in ("spikes.h5", "V.h5", "ge.h5", "gi.h5", "weights.h5", "rates.csv"):
            self.assertEqual((self.out / name).read_bytes(), (again / name).read_bytes(), name)
        self.assertNotEqual((self.out / "spikes.h5").read_bytes(), (other / "spikes.h5").read_bytes())


class BadInput(unittest.TestCase):
    def check_rejected(self, text, *expected):
        with tempfile.TemporaryDirectory() as tmp:
            config = pathlib.Path(tmp) / "bad.toml"
            config.write_text(text)
            out = pathlib.Path(tmp) / "out"
            r = metabosim("run", config, "-o", out)
            self.assertEqual(r.returncode, 2, r.stderr)
            for e in expected:
                self.assertIn(e, r.stderr)
            self.assertFalse(out.exists(), "nothing is written on bad input")

    def test_negative_time_constant(self):
        self.check_rejected('[populations.E]\nsize = 10\n[populations.E.neuron]\ntau_e = "-5 ms"\n',
                            "bad.toml:4", "populations.E.neuron.tau_e", "-5 ms", "positive time")

    def test_wrong_unit(self):
        self.check_rejected('[populations.E]\nsize = 10\n[populations.E.neuron]\nC = "200 mV"\n',
                            "bad.toml:4", "populations.E.neuron.C", "voltage", "capacitance")

    def test_misspelled_key(self):
        self.check_rejected('[run]\nduraton = "1 s"\n[populations.E]\nsize = 10\n', "bad.toml:2", "duraton",
                            "duration")

    def test_nan(self):
        self.check_rejected('[populations.E]\nsize = 10\n[populations.E.neuron]\ngL = "nan nS"\n',
                            "bad.toml:4", "populations.E.neuron.gL")

    def test_missing_spike_file(self):
        self.check_rejected('[populations.E]\nsize = 1\n[[generators]]\nname = "g"\ntarget = "E"\n'
                            'times_file = "nowhere.txt"\n', "nowhere.txt")

    def test_syntax_error(self):
        self.check_rejected('[populations.E\nsize = 10\n', "bad.toml:1")

    def test_unwritable_output_is_refused_before_the_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            blocker = pathlib.Path(tmp) / "file"
            blocker.write_text("")
            r = metabosim("run", TINY, "-o", blocker / "out")
            self.assertEqual(r.returncode, 2)
            self.assertIn("cannot write results", r.stderr)
            self.assertNotIn("spikes,", r.stderr)  # no run summary: it stopped before simulating

    def test_missing_config_and_bad_override(self):
        self.assertEqual(metabosim("run", "/nonexistent.toml").returncode, 2)
        r = metabosim("validate", TINY, "--set", "populations.E.neuron.tau_e=5 mV")
        self.assertEqual(r.returncode, 2)
        self.assertIn("populations.E.neuron.tau_e", r.stderr)

    @unittest.skipIf("ASAN_OPTIONS" in os.environ,
                     "AddressSanitizer reserves terabytes of address space for its shadow memory, which "
                     "an address-space limit forbids")
    def test_a_network_beyond_the_address_space_limit_is_refused_before_it_is_drawn(self):
        # 250,000 cells at p = 0.02 ask for at least 5 GB of synapses; under `ulimit -v` 2 GiB the
        # refusal must come at once, naming the limit, not as an allocation failure minutes later.
        def limited():
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "out"
            r = subprocess.run([EXE, "run", "coba", "--set", "populations.E.size=200000", "--set",
                                "populations.I.size=50000", "-o", out, "--quiet"],
                               capture_output=True, text=True, timeout=120, preexec_fn=limited)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertRegex(r.stderr, r"needs at least [0-9.]+ GB .* more than this process's 2\.15 GB "
                                       r"address-space limit \(ulimit -v\)")
            self.assertFalse(out.exists())


class Saturation(unittest.TestCase):
    def test_a_network_at_its_refractory_limit_is_said_to_saturate(self):
        with tempfile.TemporaryDirectory() as tmp:
            strong = metabosim("run", "coba", "--set", "projections.EE.weight=120 nS", "--set",
                               "projections.EI.weight=120 nS", "--set", "run.duration=50 ms", "-o",
                               pathlib.Path(tmp) / "a", "--quiet")
            self.assertEqual(strong.returncode, 0, strong.stderr)
            self.assertRegex(strong.stderr, r"warning: E fired at 200\.0 Hz .* 200 Hz its refractory period \(5 ms\)")
            usual = metabosim("run", "coba", "--set", "run.duration=50 ms", "-o", pathlib.Path(tmp) / "b", "--quiet")
            self.assertNotIn("warning", usual.stderr)


class Validate(unittest.TestCase):
    def test_prints_scaled_parameters_for_each_state(self):
        r = metabosim("validate", TINY)
        self.assertEqual(r.returncode, 0, r.stderr)
        # gL at 41 degC: 10 nS * 1.98^0.4
        self.assertIn(f"{10 * 1.98 ** 0.4:8.3f}", r.stdout)
        self.assertIn("41.0", r.stdout)
        self.assertIn("plastic", r.stdout)

    def test_help_and_version(self):
        r = metabosim("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("metabosim run", r.stdout)
        self.assertIn("metabosim", metabosim("--version").stdout)


class CommandLine(unittest.TestCase):
    def test_without_a_command_the_help_and_nothing_else(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([pathlib.Path(EXE).resolve()], capture_output=True, text=True, timeout=60, cwd=tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Usage", r.stdout)
            self.assertIn("metabosim experiment all", r.stdout)
            self.assertEqual(list(pathlib.Path(tmp).iterdir()), [], "nothing is computed or written")

    def test_a_config_by_name(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = metabosim("validate", "coba")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("projection", r.stdout)
            r = metabosim("run", "coba.toml", "--set", "run.duration=20 ms", "-o", pathlib.Path(tmp) / "c", "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
            summary = json.loads((pathlib.Path(tmp) / "c" / "summary.json").read_text())
            self.assertEqual(summary["neurons"], 4000)  # configs/coba.toml
            r = metabosim("run", "cobra", "-o", pathlib.Path(tmp) / "x")
            self.assertEqual(r.returncode, 2)
            self.assertIn(f"cobra: no such config file, nor one of metabosim's configs in {SOURCE / 'configs'} "
                          "(billion, coba, microcircuit, song_abbott)", r.stderr)
            self.assertFalse((pathlib.Path(tmp) / "x").exists())

    def test_help_names_every_shipped_config(self):
        help_text = " ".join(metabosim("run", "--help").stdout.split())  # CLI11 wraps lines
        for config in sorted((SOURCE / "configs").glob("*.toml")):
            self.assertIn(config.stem, help_text)

    def test_times_carry_their_units(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "dt"
            r = metabosim("run", TINY, "--engine", "clock", "--dt", "100 us", "-o", out, "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
            for bad, message in (("0.1", '"0.1" has no unit, expected a time'), ("0.1 mV", "is a voltage")):
                r = metabosim("run", TINY, "--engine", "clock", "--dt", bad, "-o", pathlib.Path(tmp) / "x")
                self.assertEqual(r.returncode, 2, bad)
                self.assertIn("--dt", r.stderr)
                self.assertIn(message, r.stderr)
            self.assertFalse((pathlib.Path(tmp) / "x").exists())


class Progress(unittest.TestCase):
    """A run's progress: lines when stderr is a file (nohup, a batch system), a bar on a terminal."""

    # COBA for 300 ms: long enough for several lines 10 ms apart, short for a test.
    RUN = ["run", SOURCE / "configs" / "coba.toml", "--set", "run.duration=300 ms", "--progress-interval", "10ms"]
    LINE = (r"t = \d\.\d\d / 0\.30 s \(\d+%\), wall [\d.]+ s, ETA ([\d.]+ s|\?), real-time factor [\d.]+, "
            r"[\d.]+ M events/s")

    def run_with_stderr_to_file(self, *args):
        with tempfile.TemporaryDirectory() as tmp, open(pathlib.Path(tmp) / "stderr", "w+") as err:
            r = subprocess.run([EXE, *map(str, self.RUN), "-o", pathlib.Path(tmp) / "out", *args], stdout=subprocess.PIPE,
                               stderr=err, text=True, timeout=300)
            self.assertEqual(r.returncode, 0)
            err.seek(0)
            return err.read()

    def test_lines_when_stderr_is_a_file(self):
        text = self.run_with_stderr_to_file()
        lines = [line for line in text.splitlines() if "real-time factor" in line and "ETA" in line]
        self.assertGreaterEqual(len(lines), 2, text)  # during the run, and at its end
        for line in lines:
            self.assertRegex(line, self.LINE)
        self.assertIn("(100%)", lines[-1])
        self.assertNotIn("\r", text)
        self.assertIn("building the network", text.splitlines()[0])

    def test_quiet_and_forced_lines(self):
        self.assertEqual(self.run_with_stderr_to_file("--quiet"), "")
        r = metabosim(*self.RUN, "--progress", "--quiet")
        self.assertEqual(r.returncode, 2)  # one or the other

    def test_a_bar_on_a_terminal(self):
        import os
        import pty
        with tempfile.TemporaryDirectory() as tmp:
            controller, terminal = pty.openpty()
            process = subprocess.Popen([EXE, *map(str, self.RUN), "-o", pathlib.Path(tmp) / "out"],
                                       stdout=subprocess.DEVNULL, stderr=terminal)
            os.close(terminal)
            seen = b""
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the terminal is closed when the program ends
                    break
                if not chunk:
                    break
                seen += chunk
            os.close(controller)
            self.assertEqual(process.wait(timeout=300), 0)
            text = seen.decode()
            self.assertIn("\r  [########################] t = 0.30 / 0.30 s (100%)", text)  # redrawn in place
            self.assertIn("\x1b[K", text)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
