"""Starting the program of Brian2's cpp_standalone device so that its own peak memory and time are
measured, not those of the compiler or of Python."""
import subprocess
import sys


# Starts the standalone program (argv[2:]) from a small process, waits for it and writes its
# peak resident memory (bytes) and wall-clock seconds into argv[1]. A process started straight
# from this one would count this process's memory too: Linux keeps the peak of the memory a
# process had before exec (including the one it shared with its parent after vfork).
PROGRAM_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    f.write(f"{usage.ru_maxrss * 1024} {seconds!r}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def build_and_run_standalone(b2, project):
    """Writes, compiles and runs the standalone project; returns the program's peak resident
    memory (bytes; Linux counts at least the launcher's own, about 8 MB) and wall-clock seconds.
    Brian2 starts the program with subprocess.call; here that call goes through
    PROGRAM_LAUNCHER, which measures the program alone (not the compiler, not Python)."""
    from brian2.devices.cpp_standalone import device as standalone

    measured = (project / "results" / "program_usage.txt").resolve()  # resolved before Brian2 changes directory
    measured.unlink(missing_ok=True)

    class Launching:
        def __getattr__(self, name):
            return getattr(subprocess, name)

        @staticmethod
        def call(argv, **kwargs):
            return subprocess.call([sys.executable, "-I", "-S", "-c", PROGRAM_LAUNCHER, str(measured)]
                                   + list(argv), **kwargs)

    original = standalone.subprocess
    standalone.subprocess = Launching()
    try:
        b2.device.build(directory=str(project), compile=True, run=True, with_output=False)
    finally:
        standalone.subprocess = original
    peak, seconds = measured.read_text().split()
    return int(peak), float(seconds)
