#!/usr/bin/python3
"""The Python of the report scripts found, not assumed: with another python3 first on PATH that
lacks h5py (a pyenv, conda or venv one), `metabosim compare` makes its report with the next one;
named by METABOSIM_PYTHON or --python, the one named alone is tried, and the message says which
interpreter lacked what, before the runs and after them.

Usage: test_python.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])
TINY = SOURCE / "tests" / "data" / "tiny.toml"


def python_without_h5py(directory):
    """A python3 in directory/bin whose `import h5py` fails."""
    (directory / "bin").mkdir(parents=True)
    (directory / "modules").mkdir()
    (directory / "modules" / "h5py.py").write_text("raise ImportError(\"No module named 'h5py'\")\n")
    python = directory / "bin" / "python3"
    python.write_text(f"#!/bin/sh\nPYTHONPATH={directory / 'modules'} exec /usr/bin/python3 \"$@\"\n")
    python.chmod(0o755)
    return python


def compare(out, *args, env):
    return subprocess.run([EXE, "compare", TINY, "-o", out, "--no-brian2", "--seeds", "1", "--dts", "0.1ms",
                           "--convergence-dts", "0.1ms,0.05ms", *map(str, args)],
                          capture_output=True, text=True, timeout=900, env=env)


class AnotherPythonFirst(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)
        cls.fake = python_without_h5py(cls.dir / "other-python")
        cls.env = dict(os.environ, PATH=f"{cls.fake.parent}:{os.environ['PATH']}")
        cls.env.pop("METABOSIM_PYTHON", None)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_it_is_broken_as_the_issue_describes(self):
        r = subprocess.run(["python3", "-c", "import h5py"], capture_output=True, text=True, env=self.env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("No module named 'h5py'", r.stderr)

    def test_the_next_python_makes_the_report(self):
        out = self.dir / "found"
        r = compare(out, env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue((out / "report.md").is_file())
        self.assertTrue((out / "convergence.png").is_file())
        self.assertNotIn("will not be made", r.stderr)

    def check_refused(self, out, r):
        self.assertEqual(r.returncode, 1, r.stderr)
        message = (f"no Python with h5py, numpy, matplotlib found (METABOSIM_PYTHON names it: {self.fake} lacks h5py)"
                   ". Install h5py, numpy, matplotlib (Debian: apt-get install python3-h5py), or name an interpreter "
                   "that has them with --python or METABOSIM_PYTHON")
        # Said before the runs, and again when the report cannot be made.
        before = r.stderr.index("the figures and report.md will not be made (the numbers will): " + message)
        self.assertLess(before, r.stderr.index("convergence, single-neurons"))
        self.assertIn("the figures and report.md could not be made: " + message, r.stderr)
        self.assertTrue((out / "compare.json").is_file())
        self.assertFalse((out / "report.md").exists())

    def test_named_by_the_environment_variable(self):
        out = self.dir / "named-by-variable"
        self.check_refused(out, compare(out, env=dict(self.env, METABOSIM_PYTHON=str(self.fake))))

    def test_named_by_the_option(self):
        out = self.dir / "named-by-option"
        self.check_refused(out, compare(out, "--python", self.fake, env=self.env))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
