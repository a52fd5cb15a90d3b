"""Progress of a run as text, like Brian2's report="text".

In a terminal or a Jupyter notebook one line is rewritten in place (a bar, the simulated time,
the wall time and what is left); elsewhere (a log file, a pipe) each report is a line of its own.
"""

import math
import sys


def _is_live(stream):
    """True where a carriage return rewrites the line: a terminal, or a Jupyter kernel's output."""
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    return "ipykernel" in sys.modules and stream in (sys.stdout, sys.stderr)


def _seconds(s):
    if not math.isfinite(s):
        return "?"
    if s < 60:
        return f"{s:.1f} s"
    minutes, seconds = divmod(int(round(s)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {seconds:02d} s"


class TextProgress:
    """A progress callback for Simulation.run(progress=...): TextProgress() writes to
    sys.stdout (the stream of the moment), TextProgress(stream) to `stream`."""

    def __init__(self, stream=None, width=30):
        self._stream = stream
        self._width = width
        self._live = None
        self._open = False  # a live line without its newline yet
        self._length = 0

    def __call__(self, progress):
        stream = self._stream if self._stream is not None else sys.stdout
        if self._live is None:
            self._live = _is_live(stream)
        fraction = min(1.0, progress.simulated / progress.duration) if progress.duration > 0 else 1.0
        filled = int(round(fraction * self._width))
        bar = "#" * filled + "." * (self._width - filled)
        line = (
            f"[{bar}] {100 * fraction:3.0f}%  {progress.simulated / 1000:.3g} of {progress.duration / 1000:.3g} s "
            f"simulated in {_seconds(progress.wall_seconds)}"
        )
        if fraction < 1:
            left = progress.wall_seconds * (1 - fraction) / fraction if fraction > 0 else math.inf
            line += f", about {_seconds(left)} left"
        if self._live:
            stream.write("\r" + line.ljust(self._length))
            self._length = len(line)
            self._open = fraction < 1
            if not self._open:
                stream.write("\n")
        else:
            stream.write(line + "\n")
        stream.flush()

    def close(self):
        """Ends a line left open (a run that stopped before its end)."""
        if self._open:
            stream = self._stream if self._stream is not None else sys.stdout
            stream.write("\n")
            stream.flush()
            self._open = False


def callback(progress):
    """What Simulation.run() calls: None, "text" (a TextProgress), or the callable given."""
    if progress is None or callable(progress):
        return progress
    if progress == "text":
        return TextProgress()
    raise ValueError(f"progress = {progress!r}: expected None, \"text\" or a callable taking a Progress")
