#!/usr/bin/python3
"""One gLIF cell under the same excitatory and inhibitory input spike trains in metabosim
(event-driven, exact) and Brian2 (clock-driven, dt = 1 us): the spike trains must agree spike by
spike within a few time steps, and closer as the step shrinks. Skipped (exit 77) when Brian2 is not installed.

Usage: test_brian2_single.py METABOSIM_EXECUTABLE
"""
import pathlib
import subprocess
import sys
import tempfile

try:
    import brian2
    from brian2 import NeuronGroup, Network, SpikeGeneratorGroup, SpikeMonitor, Synapses, defaultclock, ms, mV, nS, pF
except ImportError:
    print("Brian2 (Debian package python3-brian) is not installed: skipped")
    sys.exit(77)
import h5py
import numpy as np

EXE = sys.argv[1]
DT = 0.001  # ms, the finer of the two Brian2 steps
DURATION = 300.0  # ms
rng = np.random.default_rng(7)


def train(rate_hz):
    """Poisson spike times on the coarser step's grid, so that every run sees identical input times."""
    t = np.cumsum(rng.exponential(1000.0 / rate_hz, size=int(rate_hz * DURATION / 1000 * 2)))
    return np.unique(np.round(t[t < DURATION - 1] / (2 * DT)) * 2 * DT)


exc, inh = train(900.0), train(150.0)
W_EXC, W_INH = 4.0, 12.0  # nS

with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    np.savetxt(tmp / "exc.txt", exc, fmt="%.6f")
    np.savetxt(tmp / "inh.txt", inh, fmt="%.6f")
    (tmp / "cell.toml").write_text(f"""
[run]
duration = "{DURATION} ms"
[populations.cell]
size = 1
initial_V = "-60 mV"
[[generators]]
name = "exc"
target = "cell"
times_file = "exc.txt"
weight = "{W_EXC} nS"
[[generators]]
name = "inh"
target = "cell"
times_file = "inh.txt"
weight = "{W_INH} nS"
receptor = "inhibitory"
""")
    run = subprocess.run([EXE, "run", tmp / "cell.toml", "-o", tmp / "out", "-q"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    with h5py.File(tmp / "out" / "spikes.h5", "r") as f:
        exact = f["spikes/cell/timestamps"][()]

brian2.prefs.codegen.target = "numpy"  # one cell: no compilation needed


def brian_spikes(dt):
    brian2.start_scope()
    defaultclock.dt = dt * ms
    cell = NeuronGroup(1, """dv/dt = (10*nS*(-60*mV - v) + ge*(0*mV - v) + gi*(-80*mV - v))/(200*pF) : volt (unless refractory)
                             dge/dt = -ge/(5*ms) : siemens
                             dgi/dt = -gi/(10*ms) : siemens""",
                       threshold="v > -50*mV", reset="v = -60*mV", refractory=5 * ms, method="exponential_euler")
    cell.v = -60 * mV
    sources = SpikeGeneratorGroup(2, np.r_[np.zeros(len(exc)), np.ones(len(inh))].astype(int),
                                  np.r_[exc, inh] * ms, sorted=False)
    syn = Synapses(sources, cell, "w : siemens\nexcitatory : boolean",
                   on_pre="ge_post += w * int(excitatory)\ngi_post += w * int(not excitatory)")
    syn.connect()
    syn.w = [W_EXC * nS, W_INH * nS]
    syn.excitatory = [True, False]
    spikes = SpikeMonitor(cell)
    Network(cell, sources, syn, spikes).run(DURATION * ms)
    return np.asarray(spikes.t / ms)


assert len(exact) >= 10, "the input should make the cell fire"
errors = []
for dt in (2 * DT, DT):
    clock = brian_spikes(dt)
    print(f"metabosim: {len(exact)} spikes; Brian2 at dt = {dt} ms: {len(clock)} spikes")
    assert len(clock) == len(exact), (exact, clock)
    errors.append(np.abs(exact - clock).max())
    print(f"  largest spike-time difference {errors[-1]:.2e} ms = {errors[-1] / dt:.2f} steps")
# Brian2 records a spike at the start of the step in which it finds V above threshold, and its
# exponential-Euler step is first order: the difference is a few steps and halves with dt.
assert errors[-1] <= 5 * DT, errors
assert errors[-1] <= 0.7 * errors[0], errors
print("1 passed, 0 failed")
