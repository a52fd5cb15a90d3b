"""metabosim from Python: models with the TOML's names and units, runs event- or clock-driven,
results as NumPy arrays without copies, the analysis measures and the experiments.

    import metabosim as ms
    model = ms.microcircuit(temperature="41 degC", duration="1 s").resize(1000)
    results = ms.run(model, threads=2, progress="text")
    spikes = results.spikes["E"]          # spikes.times (ms), spikes.node_ids
    rate = ms.analysis.mean_rate(spikes, 0, 1000)

docs/python.md describes every function and class.
"""

from . import _core, analysis, experiments
from ._core import (
    InternalError,
    PopulationSpikes,
    Progress,
    Results,
    StateTrace,
    UserError,
    WeightTrace,
    EnergyTrace,
    check_output_directory,
    read_results as _read_results,
    write_results as _write_results,
)
from .model import Model, Table, coba, load_config, microcircuit, parse_config, quantity, resize
from .progress import TextProgress
from .simulation import Simulation, run, strategy

__version__ = _core.__version__


def write_results(model, results, directory):
    """Writes `results` of `model` into `directory` as `metabosim run -o` does (all or nothing)."""
    import os

    _write_results(model._core, results, os.fspath(directory))


def read_results(directory):
    """Reads a directory written by write_results, `metabosim run` or an exported Brian2 script."""
    import os

    return _read_results(os.fspath(directory))


__all__ = [
    "Model", "Table", "load_config", "parse_config", "microcircuit", "coba", "resize", "quantity",
    "Simulation", "run", "strategy", "Progress", "TextProgress",
    "Results", "PopulationSpikes", "StateTrace", "WeightTrace", "EnergyTrace",
    "write_results", "read_results", "check_output_directory",
    "analysis", "experiments", "UserError", "InternalError",
]
