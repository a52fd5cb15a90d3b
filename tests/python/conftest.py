"""Shared by the Python API's tests: where the command line and the source tree are (meson test
sets METABOSIM_EXE and METABOSIM_SOURCE, and PYTHONPATH to the build tree's package), and a
small plastic network."""

import os
import pathlib

import pytest

SOURCE = pathlib.Path(os.environ.get("METABOSIM_SOURCE", pathlib.Path(__file__).resolve().parents[2]))
TINY = SOURCE / "tests" / "data" / "tiny.toml"


@pytest.fixture
def exe():
    path = os.environ.get("METABOSIM_EXE")
    if not path:
        pytest.skip("METABOSIM_EXE (the metabosim program) not given")
    return path


@pytest.fixture
def tiny():
    import metabosim

    return metabosim.load_config(TINY)
