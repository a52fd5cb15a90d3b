#!/usr/bin/python3
"""Outputs all or nothing, whatever happens while they are written: a kill -9 at any instant, a
directory where an output file should be, two runs into one directory, a full disk, an error
found after the directory was named. The directory holds, at every instant, the earlier complete
set or the new one (a partial set with its own checkpoint counts as one), and nothing is created
when nothing is written.

Usage: test_output_safety.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])
CONFIG = SOURCE / "configs" / "microcircuit.toml"
# A few seconds of work with checkpoints every 50 ms: many sets swapped in while it runs.
LONG = ["--set", "populations.E.size=800", "--set", "populations.I.size=200", "--set", "run.duration=1000 ms"]
SHORT = ["--set", "populations.E.size=80", "--set", "populations.I.size=20", "--set", "run.duration=100 ms"]
OUTPUTS = sorted(["V.h5", "ge.h5", "gi.h5", "metabolism.csv", "rates.csv", "spikes.h5", "summary.json", "weights.h5"])


def metabosim(*args):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=600)


def start(out, seed, *extra):
    return subprocess.Popen([EXE, "run", CONFIG, "-o", out, "--seed", str(seed), *LONG, "--quiet", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def contents(directory):
    return {p.name: p.read_bytes() if p.is_file() else "a directory" for p in sorted(directory.iterdir())}


def wait_for(path, process):
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {path.name} appeared: {process.stderr.read()}")
        time.sleep(0.002)


class AllOrNothing(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def hidden(self):
        return sorted(p.name for p in self.root.iterdir() if p.name.startswith("."))

    def complete_run(self, out, seed):
        result = metabosim("run", CONFIG, "-o", out, "--seed", seed, *SHORT, "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        return contents(out)

    def test_kill_9_at_any_instant_leaves_one_whole_set(self):
        out = self.root / "out"
        earlier = self.complete_run(out, 1)
        rng = random.Random(7)
        seen_new = 0
        for attempt in range(12):
            run = start(out, 2, "--checkpoint-every", "50 ms")
            if attempt % 2:  # at any instant after the first swap, however slow the build
                wait_for(out / "checkpoint.msc", run)
                time.sleep(rng.uniform(0.0, 0.3))
            else:  # at any instant, the swap included
                time.sleep(rng.uniform(0.0, 1.5))
            run.kill()
            run.communicate()
            now = contents(out)
            summary = json.loads(now["summary.json"])
            if summary["seed"] == 1:  # the earlier set, untouched
                self.assertEqual(now, earlier)
            else:  # a set of the new run: its partial outputs and their checkpoint, nothing else
                seen_new += 1
                self.assertFalse(summary["complete"])
                self.assertEqual(sorted(now), sorted(OUTPUTS + ["checkpoint.msc"]))
            # The next run into it finds and removes what the killed one left beside it.
            earlier = self.complete_run(out, 1)
            self.assertEqual(self.hidden(), [], attempt)
        # The odd attempts kill the new set; none may be lost.
        self.assertGreaterEqual(seen_new, 6)

    def test_a_killed_run_resumes_from_the_set_it_left(self):
        whole = self.root / "whole"
        self.assertEqual(metabosim("run", CONFIG, "-o", whole, "--seed", 2, *LONG, "--quiet").returncode, 0)
        out = self.root / "out"
        run = start(out, 2, "--checkpoint-every", "50 ms")
        wait_for(out / "checkpoint.msc", run)
        time.sleep(random.uniform(0.0, 0.5))
        run.kill()
        run.communicate()
        resumed = metabosim("resume", out, "--quiet")
        if resumed.returncode != 0:  # the kill came after the end: a complete set, no checkpoint
            self.assertTrue(json.loads((out / "summary.json").read_text())["complete"])
        for name in ("spikes.h5", "V.h5", "ge.h5", "gi.h5", "weights.h5", "rates.csv", "metabolism.csv"):
            self.assertEqual((out / name).read_bytes(), (whole / name).read_bytes(), name)
        self.assertEqual(self.hidden(), [])

    def test_a_directory_in_place_of_an_output_is_refused_and_the_earlier_set_kept(self):
        out = self.root / "out"
        earlier = self.complete_run(out, 1)
        (out / "rates.csv").unlink()
        (out / "rates.csv").mkdir()
        (out / "rates.csv" / "mine.txt").write_text("keep me")
        result = metabosim("run", CONFIG, "-o", out, "--seed", 2, *SHORT, "--quiet")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('"rates.csv" in it is not a regular file', result.stderr)
        self.assertEqual((out / "rates.csv" / "mine.txt").read_text(), "keep me")
        self.assertEqual({k: v for k, v in contents(out).items() if k != "rates.csv"},
                         {k: v for k, v in earlier.items() if k != "rates.csv"})
        self.assertEqual(self.hidden(), [])

    def test_two_runs_into_one_directory(self):
        out = self.root / "out"
        first = start(out, 1, "--checkpoint-every", "50 ms")
        wait_for(out / "checkpoint.msc", first)  # it holds the lock now
        second = metabosim("run", CONFIG, "-o", out, "--seed", 2, *SHORT, "--quiet")
        self.assertEqual(second.returncode, 2, second.stderr)
        self.assertIn("another run is writing to it", second.stderr)
        resume = metabosim("resume", out, "--quiet")
        self.assertEqual(resume.returncode, 2, resume.stderr)
        self.assertIn("another run is writing to it", resume.stderr)
        _, err = first.communicate(timeout=600)
        self.assertEqual(first.returncode, 0, err)
        summary = json.loads((out / "summary.json").read_text())
        self.assertEqual((summary["seed"], summary["complete"]), (1, True))
        self.assertEqual(sorted(contents(out)), OUTPUTS)
        self.assertEqual(self.hidden(), [])

    def test_errors_found_after_the_directory_was_named_create_nothing(self):
        out = self.root / "a" / "b" / "out"
        for args in (["--engine", "clock", "--dt", "0.3 parsecs"],
                     ["--set", "run.duration=-1 ms"],
                     ["--set", "populations.E.size=0"],
                     ["--seed", "-1"], ["--seed", "18446744073709551616"],
                     ["--checkpoint-every", "0 ms"]):
            result = metabosim("run", CONFIG, "-o", out, *SHORT, *args, "--quiet")
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn("metabosim: error:", result.stderr)
            self.assertEqual(list(self.root.iterdir()), [], args)
        # resume of a directory that does not exist: refused, and not created
        result = metabosim("resume", out)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(list(self.root.iterdir()), [])

    def test_a_full_disk_is_an_error_and_the_earlier_set_stays(self):
        disk = self.root / "disk"
        disk.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", disk], capture_output=True)
        if mounted.returncode != 0:
            self.skipTest("cannot mount a small tmpfs here (needs root)")
        try:
            out = disk / "out"
            earlier = self.complete_run(out, 1)
            # Three states of 80 neurons every 0.01 ms for 100 ms: some 19 MB.
            config = self.root / "big_states.toml"
            text = CONFIG.read_text()
            for old, new in (("neurons = [0, 1, 2, 3, 4]", f"neurons = {list(range(80))}"),
                             ('interval = "1 ms"', 'interval = "0.01 ms"')):
                self.assertIn(old, text)
                text = text.replace(old, new)
            config.write_text(text)
            result = metabosim("run", config, "-o", out, "--seed", 2, *SHORT, "--quiet")
            self.assertEqual(result.returncode, 2, result.stderr)  # not SIGSEGV (-11) in HDF5's exit
            self.assertIn("No space left on device", result.stderr)
            self.assertEqual(contents(out), earlier)
            self.assertEqual(sorted(p.name for p in disk.iterdir()), ["out"])
        finally:
            subprocess.run(["umount", disk], check=True)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
