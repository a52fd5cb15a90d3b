"""Running a model: event-driven (exact, on threads), clock-driven (a fixed step, as Brian2) or
with the event queue; progress between epochs; Ctrl-C stops a run with KeyboardInterrupt;
checkpoints."""

import numbers
import os

from . import _core, progress as _progress
from .model import UserError, quantity


def _check_threads(threads):
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or not 0 <= threads < 2**32:
        raise UserError(f"threads = {threads!r}: expected an integer from 1 to 1024")


def strategy(engine="event", threads=1, dt=None):
    """The library's Strategy: engine "event" (with `threads`), "clock" (with `dt`, "0.1 ms" by
    default) or "queue"."""
    if engine not in ("event", "clock", "queue"):
        raise UserError(f"engine = {engine!r}: expected \"event\", \"clock\" or \"queue\"")
    if dt is not None and engine != "clock":
        raise UserError("dt applies to engine=\"clock\" only (the event-driven engines have no step)")
    if threads != 1 and engine != "event":
        raise UserError("threads applies to engine=\"event\" only")
    if engine == "event":
        _check_threads(threads)
        return _core.Strategy.event_driven(int(threads))
    if engine == "queue":
        return _core.Strategy.event_queue()
    return _core.Strategy.clock_driven(quantity("0.1 ms" if dt is None else dt, "time", "dt"))


class Simulation:
    """A model set up to run: Simulation(model, engine="event", threads=1, dt=None) validates the
    model, builds its network and draws its initial state. run() runs it to its end, run_until()
    part of the way; results() gives what it recorded so far; save() and Simulation.load() write
    and read a checkpoint to go on from later."""

    def __init__(self, model, engine="event", *, threads=1, dt=None):
        self._core = _core.Simulation(model._core, strategy(engine, threads, dt))

    @classmethod
    def load(cls, file, threads=None):
        """The simulation saved in the checkpoint `file`, going on exactly as the saved one would
        have; `threads` (event-driven) replaces the saved thread count."""
        if threads is not None:
            _check_threads(threads)
        sim = cls.__new__(cls)
        sim._core = _core.Simulation.load(os.fspath(file), threads)
        return sim

    @property
    def model(self):
        from .model import Model

        return Model._wrap(self._core.model)

    @property
    def synapse_count(self):
        return self._core.synapse_count

    @property
    def time(self):
        """How far the simulation has got, in ms."""
        return self._core.time

    @property
    def finished(self):
        return self._core.finished

    def run(self, progress=None, interval=1.0):
        """Runs to the end (from where the simulation is) and returns its Results. `progress`:
        None, "text" (a progress bar) or a callable taking a Progress (simulated and duration in
        ms, wall_seconds, events), called between epochs about every `interval` wall-clock
        seconds and once at the end. Ctrl-C stops the run between two epochs with
        KeyboardInterrupt; the simulation stays usable: results() holds what was recorded so far,
        run() goes on."""
        return self._advance(self._core.run, progress, interval)

    def run_until(self, until, progress=None, interval=1.0):
        """Runs until every event before `until` (a time: "500 ms", (0.5, "s")) has been processed,
        stopping at the engine's next boundary at or after it (time tells where); progress and
        Ctrl-C as in run()."""
        t = quantity(until, "time", "until")
        self._advance(lambda report, interval: self._core.run_until(t, report, interval), progress, interval)

    def results(self):
        """The Results so far: complete once finished; before, what was recorded up to
        results.reached (ms), with complete False and stopped saying why."""
        return self._core.results()

    def save(self, file):
        """Writes a checkpoint (the model, the engine and the whole state at time) to `file`,
        atomically; Simulation.load(file) goes on from it."""
        self._core.save(os.fspath(file))

    @staticmethod
    def _advance(step, progress, interval):
        report = _progress.callback(progress)
        try:
            return step(report, interval)
        finally:
            if hasattr(report, "close"):
                report.close()


def run(model, engine="event", *, threads=1, dt=None, progress=None, interval=1.0):
    """Simulation(model, engine, threads=..., dt=...).run(progress, interval)."""
    return Simulation(model, engine, threads=threads, dt=dt).run(progress, interval)
