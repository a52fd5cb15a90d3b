"""A metabolic step in mid-run: the microcircuit starts at 37 degC and its E population moves to
the hypermetabolic state (41 degC) halfway through; population rates, the temperature timeline,
and the E->E weights around the step.

    python3 docs/examples/metabolic_step.py             # -> metabolic_step.png
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import metabosim as ms  # noqa: E402

QUICK = os.environ.get("METABOSIM_EXAMPLE_QUICK")
NEURONS, DURATION = (250, 600) if QUICK else (1000, 4000)  # ms

model = ms.microcircuit("37 degC", (DURATION, "ms")).resize(NEURONS)
model.add_metabolic_step(time=(DURATION / 2, "ms"), temperature="41 degC", population="E")
model.record_states("E", neurons=range(50), variables=["V"], interval="1 ms")
results = ms.run(model, threads=2, progress="text")

fig, axes = plt.subplots(3, 1, figsize=(8, 8), sharex=True, constrained_layout=True)
bin_ms = 20
for name, spikes in results.spikes.items():
    rate = ms.analysis.population_rate(spikes, bin_ms, 0, results.duration)
    axes[0].step(np.arange(rate.size) * bin_ms / 1000, rate, where="post", label=name)
axes[0].set(ylabel="rate (Hz)", title="population rates")
axes[0].legend()

for population in results.spikes:
    changes = [(c.time, c.temperature) for c in results.metabolic_timeline if c.population == population]
    t, temperature = zip(*(changes + [(results.duration, changes[-1][1])]))
    axes[1].step(np.array(t) / 1000, temperature, where="post", label=population)
axes[1].set(ylabel="temperature (degC)", title="metabolic state")
axes[1].legend()

w = results.weights["EE"]
axes[2].plot(w.times / 1000, w.mean, "o-")
axes[2].set(xlabel="time (s)", ylabel="mean E->E weight (nS)")

trace = results.states[-1]  # the 50 E cells recorded above
half = trace.samples // 2
before = ms.analysis.synchrony_chi(trace, "V", 0, half)
after = ms.analysis.synchrony_chi(trace, "V", half, trace.samples)
print(f"synchrony chi of 50 E cells: {before:.3f} before the step, {after:.3f} after")
fig.savefig("metabolic_step.png", dpi=120)
print("figure: metabolic_step.png")
