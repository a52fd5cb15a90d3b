"""Running a model: event-driven (exact, on threads), clock-driven (a fixed step, as Brian2) or
with the event queue; progress between epochs; Ctrl-C stops a run with KeyboardInterrupt."""

import numbers

from . import _core, progress as _progress
from .model import UserError, quantity


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
        if isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or not 0 <= threads < 2**32:
            raise UserError(f"threads = {threads!r}: expected an integer from 1 to 1024")
        return _core.Strategy.event_driven(int(threads))
    if engine == "queue":
        return _core.Strategy.event_queue()
    return _core.Strategy.clock_driven(quantity("0.1 ms" if dt is None else dt, "time", "dt"))


class Simulation:
    """A model set up to run: Simulation(model, engine="event", threads=1, dt=None) validates the
    model, builds its network and draws its initial state; run() runs it once."""

    def __init__(self, model, engine="event", *, threads=1, dt=None):
        self._core = _core.Simulation(model._core, strategy(engine, threads, dt))

    @property
    def model(self):
        from .model import Model

        return Model._wrap(self._core.model)

    @property
    def synapse_count(self):
        return self._core.synapse_count

    def run(self, progress=None, interval=1.0):
        """Runs the whole duration and returns its Results. `progress`: None, "text" (a progress
        bar) or a callable taking a Progress (simulated and duration in ms, wall_seconds, events),
        called between epochs about every `interval` wall-clock seconds and once at the end.
        Ctrl-C stops the run between two epochs with KeyboardInterrupt."""
        report = _progress.callback(progress)
        try:
            return self._core.run(report, interval)
        finally:
            if hasattr(report, "close"):
                report.close()


def run(model, engine="event", *, threads=1, dt=None, progress=None, interval=1.0):
    """Simulation(model, engine, threads=..., dt=...).run(progress, interval)."""
    return Simulation(model, engine, threads=threads, dt=dt).run(progress, interval)
