"""The same model in metabosim and in Brian2, side by side: metabosim event-driven (exact) and
clock-driven (dt = 0.1 ms), and Brian2 running the network metabosim exported (the same
connectivity, weights, delays, initial state and input spikes; docs/comparison.md).

    python3 docs/examples/brian2_side_by_side.py        # -> brian2_side_by_side.png
Needs Brian2 (Debian: python3-brian) for its third panel.
"""

import os
import pathlib
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import metabosim as ms  # noqa: E402

QUICK = os.environ.get("METABOSIM_EXAMPLE_QUICK")
model = ms.coba(duration="200 ms" if QUICK else "1 s").resize(400 if QUICK else 4000)

runs = {
    "metabosim, event-driven": ms.run(model),
    "metabosim, clock-driven (0.1 ms)": ms.run(model, "clock", dt="0.1 ms"),
}

with tempfile.TemporaryDirectory() as tmp:
    exported = pathlib.Path(tmp) / "brian2"
    model.export_brian2(exported)
    brian2 = subprocess.run([sys.executable, exported / "run_brian2.py", "--dt", "0.1", "-o", exported / "out"],
                            capture_output=True, text=True)
    if brian2.returncode == 0:
        runs["Brian2 (0.1 ms), the exported network"] = ms.read_results(exported / "out")
    else:
        print("Brian2 did not run (is python3-brian installed?):\n" + brian2.stderr[-2000:], file=sys.stderr)

fig, axes = plt.subplots(len(runs), 1, figsize=(8, 3 * len(runs)), sharex=True, constrained_layout=True)
for ax, (label, results) in zip(np.atleast_1d(axes), runs.items()):
    e, i = results.spikes["E"], results.spikes["I"]
    ax.plot(e.times, e.node_ids, ",", color="tab:red")
    ax.plot(i.times, i.node_ids + e.size, ",", color="tab:blue")
    rate_e = ms.analysis.mean_rate(e, 0, results.duration)
    cv = ms.analysis.mean_cv_isi(e, 0, results.duration)
    ax.set(title=f"{label}: E {rate_e:.1f} Hz, CV {cv:.2f}", ylabel="neuron")
    print(f"{label:40s} E {rate_e:6.2f} Hz  I {ms.analysis.mean_rate(i, 0, results.duration):6.2f} Hz  CV {cv:.2f}")
np.atleast_1d(axes)[-1].set_xlabel("time (ms)")

# The clock-driven engine and Brian2 step the same way: their first spikes fall in the same steps.
labels = list(runs)
if len(runs) == 3:
    clock, b2 = runs[labels[1]].spikes["E"], runs[labels[2]].spikes["E"]
    first = {}
    for name, s in (("clock", clock), ("brian2", b2)):
        _, where = np.unique(s.node_ids, return_index=True)
        first[name] = dict(zip(s.node_ids[where], s.times[where]))
    common = first["clock"].keys() & first["brian2"].keys()
    same = sum(abs(first["clock"][n] - first["brian2"][n]) < 0.05 for n in common)
    print(f"first spikes in the same 0.1 ms step: {same} of {len(common)} E cells")
fig.savefig("brian2_side_by_side.png", dpi=120)
print("figure: brian2_side_by_side.png")
