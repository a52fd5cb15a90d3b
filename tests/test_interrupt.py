#!/usr/bin/python3
"""Runs that stop and go on: Ctrl-C (SIGINT) and SIGTERM keep what was computed, kill -9 loses at
most the stretch since the last checkpoint, and `metabosim resume` ends with the very files an
uninterrupted run writes.

Usage: test_interrupt.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import json
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py

from output_digests import summary_without_wall_clock as summary

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])
CONFIG = SOURCE / "configs" / "microcircuit.toml"
# Plastic, recorded, 1.5 s of a 1000-cell circuit: a few seconds of work, so a signal finds it running.
MODEL = ["--seed", "5", "--set", "populations.E.size=800", "--set", "populations.I.size=200",
         "--set", "run.duration=1500 ms"]
DATA_FILES = ["spikes.h5", "V.h5", "ge.h5", "gi.h5", "weights.h5", "rates.csv", "metabolism.csv"]


def metabosim(*args):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=600)


def start(out, *extra):
    return subprocess.Popen([EXE, "run", CONFIG, "-o", out, *MODEL, *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(path, process):
    """Until `path` exists (the first checkpoint); fails if the run ends before."""
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {path.name} appeared: {process.stderr.read()}")
        time.sleep(0.005)


class Interrupted(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = pathlib.Path(cls.tmp.name)
        cls.whole = cls.root / "whole"
        result = metabosim("run", CONFIG, "-o", cls.whole, *MODEL, "--quiet")
        assert result.returncode == 0, result.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_same_as_whole(self, out):
        for name in DATA_FILES:
            self.assertEqual((out / name).read_bytes(), (self.whole / name).read_bytes(), name)
        self.assertEqual(summary(out), summary(self.whole))
        self.assertFalse((out / "checkpoint.msc").exists())

    def interrupt(self, name, sig, *extra):
        out = self.root / name
        run = start(out, "--checkpoint-every", "100 ms", *extra)
        wait_for(out / "checkpoint.msc", run)
        run.send_signal(sig)
        _, err = run.communicate(timeout=600)
        return out, run.returncode, err

    def test_ctrl_c_keeps_the_outputs_so_far_and_resume_ends_the_run(self):
        out, status, err = self.interrupt("sigint", signal.SIGINT)
        self.assertEqual(status, 130, err)
        self.assertIn("metabosim resume", err)
        partial = json.loads((out / "summary.json").read_text())
        self.assertFalse(partial["complete"])
        self.assertIn("SIGINT", partial["stopped"])
        self.assertLess(partial["reached_ms"], 1500)
        self.assertTrue((out / "checkpoint.msc").exists())
        # Partial outputs hold only what happened before the stop.
        with h5py.File(out / "spikes.h5") as f:
            last = max(f[f"spikes/{p}/timestamps"][:].max() for p in ("E", "I"))
        self.assertLess(last, partial["reached_ms"])
        resumed = metabosim("resume", out, "--threads", "2", "--quiet")
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assert_same_as_whole(out)

    def test_sigterm_as_sent_by_a_batch_system(self):
        out, status, err = self.interrupt("sigterm", signal.SIGTERM, "--threads", "2")
        self.assertEqual(status, 143, err)
        self.assertIn("SIGTERM", json.loads((out / "summary.json").read_text())["stopped"])
        # stderr is a pipe, as in a batch system's log: the progress as whole lines, and the
        # message on a line of its own.
        self.assertTrue(any(line.startswith("metabosim: interrupted at t = ") for line in err.splitlines()), err)
        resumed = metabosim("resume", out, "--progress-interval", "10ms")
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assert_same_as_whole(out)
        lines = resumed.stderr.splitlines()
        self.assertTrue(lines[0].startswith(f"metabosim: resuming {out} at t = "), resumed.stderr)
        progress = [line for line in lines if "real-time factor" in line and "ETA" in line]
        self.assertGreaterEqual(len(progress), 1, resumed.stderr)
        self.assertIn("t = 1.50 / 1.50 s (100%)", progress[-1])
        self.assertNotIn("\r", resumed.stderr)

    def test_kill_9_resumes_from_the_last_checkpoint(self):
        out, status, _ = self.interrupt("killed", signal.SIGKILL)
        self.assertEqual(status, -signal.SIGKILL)
        partial = json.loads((out / "summary.json").read_text())
        self.assertFalse(partial["complete"])
        self.assertIn("checkpoint", partial["stopped"])
        resumed = metabosim("resume", out, "--checkpoint-every", "400 ms", "--quiet")
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assert_same_as_whole(out)

    def test_resume_without_or_with_a_damaged_checkpoint_is_refused(self):
        nothing = metabosim("resume", self.whole)  # a finished run has none left
        self.assertEqual(nothing.returncode, 2)
        self.assertIn("checkpoint.msc", nothing.stderr)
        out, _, _ = self.interrupt("damaged", signal.SIGINT)
        checkpoint = out / "checkpoint.msc"
        data = bytearray(checkpoint.read_bytes())
        data[len(data) // 2] ^= 0xFF
        checkpoint.write_bytes(bytes(data))
        damaged = metabosim("resume", out)
        self.assertEqual(damaged.returncode, 2)
        self.assertIn("corrupted", damaged.stderr)
        checkpoint.write_bytes(bytes(data[: len(data) // 3]))
        truncated = metabosim("resume", out)
        self.assertEqual(truncated.returncode, 2)
        self.assertRegex(truncated.stderr, "truncated|corrupted")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
