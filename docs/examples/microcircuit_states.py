"""The metaboplastic microcircuit in its three metabolic states (32, 37 and 41 degC): a raster of
each run and the E->E weight trajectories, the learning bifurcation of finding 1.

    python3 docs/examples/microcircuit_states.py        # -> microcircuit_states.png
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import metabosim as ms  # noqa: E402

QUICK = os.environ.get("METABOSIM_EXAMPLE_QUICK")  # the tests' small version
NEURONS, DURATION = (250, "500 ms") if QUICK else (1000, "3 s")

runs = {}
for temperature in (32, 37, 41):
    model = ms.microcircuit(temperature=(temperature, "degC"), duration=DURATION).resize(NEURONS)
    print(f"{temperature} degC: {model}")
    runs[temperature] = ms.run(model, threads=2, progress="text")

fig, axes = plt.subplots(4, 1, figsize=(8, 10), sharex=False, constrained_layout=True)
for ax, (temperature, results) in zip(axes, runs.items()):
    e = results.spikes["E"]
    shown = e.node_ids < 200  # the first 200 E cells
    ax.plot(e.times[shown] / 1000, e.node_ids[shown], ",k")
    rate = ms.analysis.mean_rate(e, 0, results.duration)
    ax.set(title=f"{temperature} degC: E fires at {rate:.1f} Hz", ylabel="E cell", xlim=(0, results.duration / 1000))
axes[2].set_xlabel("time (s)")

ax = axes[3]
for temperature, results in runs.items():
    w = results.weights["EE"]
    ax.plot(w.times / 1000, w.mean / w.mean[0], label=f"{temperature} degC")
ax.set(xlabel="time (s)", ylabel="mean E->E weight / initial", title="learning trajectories")
ax.legend()
fig.savefig("microcircuit_states.png", dpi=120)
print("figure: microcircuit_states.png")
