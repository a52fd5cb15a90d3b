#!/usr/bin/python3
"""Runs on several ranks (mpirun) give the very files of one process: 1, 2 and 3 ranks, with one
or two threads each, on a plastic network with an energy loop, a metabolic step, an explicit list
and every kind of recording. A bad config under mpirun stops every rank with one message, exit 2.

Usage: test_mpi.py METABOSIM_EXECUTABLE SOURCE_DIR mpi|no-mpi   (skipped without MPI or mpirun)
"""
import csv
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

from output_digests import digests

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])
BUILT_WITH_MPI = sys.argv[3] == "mpi"
CONFIG = SOURCE / "tests" / "data" / "ranks.toml"
MPIRUN = shutil.which("mpirun")
TIMEOUT = 300



def mpirun(ranks, *args):
    command = [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", str(ranks), EXE, *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)


@unittest.skipUnless(BUILT_WITH_MPI and MPIRUN, "built without MPI, or no mpirun")
class Ranks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = pathlib.Path(cls.tmp.name)
        one = subprocess.run([EXE, "run", CONFIG, "-o", cls.root / "one", "-q"], capture_output=True, text=True,
                             timeout=TIMEOUT)
        assert one.returncode == 0, one.stderr
        cls.expected = digests(cls.root / "one")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_reference_run_exercises_what_ranks_share(self):
        one = self.root / "one"
        with open(one / "energy.csv") as f:
            temperatures = {row["temperature_degC"] for row in csv.DictReader(f) if row["population"] == "E"}
        self.assertGreater(len(temperatures), 1, "the energy thresholds never changed E's temperature")
        summary = json.loads((one / "summary.json").read_text())
        self.assertGreater(summary["populations"]["E"]["spikes"], 100)
        self.assertEqual(set(self.expected), {"spikes.h5", "V.h5", "ge.h5", "gi.h5", "weights.h5", "rates.csv", "metabolism.csv",
                                              "energy.csv", "summary.json"})

    def test_ranks_and_threads_write_the_same_files(self):
        for ranks, threads in [(2, 1), (3, 1), (2, 2), (3, 2)]:
            with self.subTest(ranks=ranks, threads=threads):
                out = self.root / f"ranks{ranks}-threads{threads}"
                done = mpirun(ranks, "run", CONFIG, "-o", out, "--threads", threads)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(digests(out), self.expected)
                self.assertNotIn("error", done.stderr)

    def test_rank_0_reports_alone(self):
        done = mpirun(2, "run", CONFIG, "-o", self.root / "reported")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stderr.count("metabosim: 201 neurons"), 1, done.stderr)
        self.assertIn("2 ranks", done.stderr)

    def test_a_bad_config_stops_every_rank_with_one_message(self):
        done = mpirun(2, "run", CONFIG, "-o", self.root / "bad", "--set", "populations.E.size=-3")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(done.stderr.count("metabosim: error:"), 1, done.stderr)
        self.assertFalse((self.root / "bad" / "spikes.h5").exists())

    def test_checkpoints_are_refused_on_several_ranks(self):
        done = mpirun(2, "run", CONFIG, "-o", self.root / "checkpointed", "--checkpoint-every", "50 ms")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(done.stderr.count("checkpoints are not available"), 1, done.stderr)

    def test_other_commands_refuse_several_ranks(self):
        done = mpirun(2, "validate", CONFIG)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(done.stderr.count("metabosim: error:"), 1, done.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
