"""The examples of docs/examples run to the end (small sizes through METABOSIM_EXAMPLE_QUICK),
and make their figures."""

import os
import pathlib
import subprocess
import sys

import pytest

from conftest import SOURCE

EXAMPLES = sorted((SOURCE / "docs" / "examples").glob("*.py"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_runs(example, tmp_path):
    env = dict(os.environ, METABOSIM_EXAMPLE_QUICK="1", MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, example], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=3000)
    assert r.returncode == 0, r.stdout + r.stderr
    assert list(pathlib.Path(tmp_path).glob("*.png")), "no figure written"


def test_there_are_examples():
    assert len(EXAMPLES) >= 3
