"""The experiments from Python: the paper's five findings and the energy loop, the STDP window,
the comparison with the clock-driven engine and Brian2, and the bench. Each runs as the command
line runs it, keeps its files in `output`, and returns its measures as data: the content of
findings.json, compare.json or bench.json (docs/findings.md, docs/comparison.md) as dicts and
lists, undefined measures as None.

`progress` receives each line of progress (print by default; None for silence). Ctrl-C stops an
experiment with KeyboardInterrupt once the runs under way have ended.
"""

import json
import os
import pathlib

from . import _core
from .model import UserError, microcircuit, quantities, quantity
from .simulation import strategy as _strategy

_x = _core.experiments


def names():
    """The experiments, in the order "all" runs them."""
    return list(_x.experiment_names())


def _report(run, what):
    if not run["succeeded"]:
        raise RuntimeError(f"the {what} could not be made ({run['script']}); its log, {run['log']}, ends:\n"
                           f"{run['log_tail']}")


def _seeds(seeds):
    out = [int(s) for s in seeds]
    if any(s < 0 for s in out):
        raise UserError(f"seeds = {list(seeds)!r}: expected non-negative integers")
    return out


def findings(name="all", model=None, *, output="metabosim-findings", neurons=1000, duration="3 s",
             seeds=range(1, 11), hypo="32 degC", normo="37 degC", hyper="41 degC", sweep=None,
             engine="clock", dt=None, threads=2, sensitivity=True, report=False, progress=print):
    """Measures one experiment (names()) or "all" on `model` (the microcircuit by default),
    resized to `neurons`, with runs of `duration` over `seeds`; network runs clock-driven at
    `dt` (0.1 ms) or event-driven (engine="event"), `threads` runs at a time. Writes
    output/findings.json (and with `report`, the figures and report.md) and returns its content."""
    s = _x.FindingsSettings()
    s.output = os.fspath(output)
    s.neurons = neurons
    s.duration = quantity(duration, "time", "duration")
    s.seeds = _seeds(seeds)
    s.hypo = quantity(hypo, "temperature", "hypo")
    s.normo = quantity(normo, "temperature", "normo")
    s.hyper = quantity(hyper, "temperature", "hyper")
    if sweep is not None:
        s.sweep = quantities(sweep, "temperature", "sweep")
    s.strategy = _strategy(engine, 1, dt)
    s.threads = threads
    s.sensitivity = sensitivity
    s.command = f"metabosim.experiments.findings({name!r})"
    base = model._core if model is not None else _core.microcircuit(37, s.duration)
    _x.measure_findings(name, base, s, progress)
    if report:
        _report(_x.make_findings_report(s.output), "figures and report.md")
    return json.loads((pathlib.Path(output) / "findings.json").read_text())


def stdp_window(model=None, population="E", projection="EE", temperature="37 degC", *, offsets=None,
                pairings=60, rate="1 Hz", engine="event", dt=None):
    """The STDP window of `projection`'s rule at `temperature`, measured through the engine by a
    pairing protocol on two cells of `population` (docs/findings.md, finding 2): a dict of arrays
    over the offsets (target_dt, realised_dt, dw_per_pairing, latency, clipped) with the
    exponential fits of each side (ltp, ltd) and the peak change."""
    protocol = _x.WindowProtocol()
    if offsets is not None:
        protocol.offsets = quantities(offsets, "time", "offsets")
    protocol.pairings = pairings
    protocol.rate = quantity(rate, "rate", "rate")
    protocol.strategy = _strategy(engine, 1, dt)
    base = model if model is not None else microcircuit()
    return _x.measure_stdp_window(base._core, population, projection,
                                  quantity(temperature, "temperature", "temperature"), protocol)


def compare(model=None, *, config_name=None, output="metabosim-compare", seeds=range(1, 6),
            dts=([0.1, 0.05, 0.01], "ms"), brian2_dts=("0.1 ms",),
            convergence_dts=([0.1, 0.05, 0.02, 0.01, 0.005], "ms"),
            brian2=True, brian2_device="cpp_standalone", brian2_codegen="cython", report=False,
            progress=print):
    """`model` (the built-in microcircuit, 2 s, by default) event-driven, clock-driven at `dts`
    and in Brian2 at `brian2_dts`, with the convergence study at `convergence_dts`, as
    `metabosim compare`: writes output/compare.json (with `report`, the figures and report.md)
    and returns its content."""
    s = _x.CompareSettings()
    s.output = os.fspath(output)
    s.seeds = _seeds(seeds)
    s.dts = quantities(dts, "time", "dts")
    s.brian2_dts = quantities(brian2_dts, "time", "brian2_dts")
    s.convergence_dts = quantities(convergence_dts, "time", "convergence_dts")
    s.brian2 = brian2
    s.brian2_device = brian2_device
    s.brian2_codegen = brian2_codegen
    if model is None:
        model = microcircuit(duration="2 s")
        config_name = config_name or "built-in microcircuit"
    _x.run_comparison(model._core, config_name or "model from Python", s, progress)
    if report:
        _report(_x.make_compare_report(s.output), "figures and report.md")
    return json.loads((pathlib.Path(output) / "compare.json").read_text())


def bench(*, output="metabosim-bench", quick=False, brian2=True, repeat=1, figure=False, progress=print):
    """metabosim beside Brian2's C++ standalone mode, as `metabosim bench`: writes
    output/bench.json and bench.md (with `figure`, scaling.png) and returns bench.json's content
    with the table as "markdown". `repeat`: every timed run that many times, interleaved, the run
    of median time reported."""
    s = _x.BenchSettings()
    s.output = os.fspath(output)
    s.quick = quick
    s.brian2 = brian2
    s.repeat = repeat
    markdown = _x.run_bench(s, figure, progress)
    data = json.loads((pathlib.Path(output) / "bench.json").read_text())
    data["markdown"] = markdown
    return data


__all__ = ["names", "findings", "stdp_window", "compare", "bench"]
