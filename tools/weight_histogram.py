#!/usr/bin/python3
"""Print (and optionally draw) the final weight histogram of a plastic projection of a run.

Usage: tools/weight_histogram.py DIR [--projection NAME] [--bins N] [--png FILE]

DIR is an output directory of `metabosim run` whose weights.h5 holds the projection's final
weights ([[recording.weights]] with final = true); NAME defaults to the first projection in it.
Prints a text table of bin counts over [0, w_max] (w_max: the upper edge of the recorded
histogram), the fractions of weights in the lowest and highest fifth of that range, the
mean, and whether the distribution is bimodal in the sense of Song, Miller & Abbott (2000):
weights pile up at both bounds, i.e. the lowest and the highest fifth of the range each hold
weights at more than twice the density (per unit of weight) of the middle three fifths. With --png FILE the
histogram is drawn too (FILE and FILE's .pdf).

Exit status: 0 printed, 1 no final weights in DIR.
"""
import argparse
import sys
from pathlib import Path

import numpy as np

import metabosim_outputs as outputs


def histogram_table(weights, w_max, bins):
    counts, edges = np.histogram(weights, bins=bins, range=(0.0, w_max))
    lines = [f"{'from nS':>10} {'to nS':>10} {'count':>7}"]
    for k, count in enumerate(counts):
        lines.append(f"{edges[k]:10.4f} {edges[k + 1]:10.4f} {count:7d}  {'#' * int(round(60 * count / max(counts.max(), 1)))}")
    return counts, edges, "\n".join(lines)


def bimodality(weights, w_max):
    """Fractions of the weights in the lowest fifth, the middle three fifths and the top fifth."""
    low = np.mean(weights < 0.2 * w_max)
    high = np.mean(weights > 0.8 * w_max)
    return low, 1.0 - low - high, high


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--projection")
    parser.add_argument("--bins", type=int, default=20)
    parser.add_argument("--png", type=Path)
    args = parser.parse_args(argv)
    path = args.directory / "weights.h5"
    projections = outputs.read_weights(path) if path.exists() else None
    if not projections:
        print(f"{path}: no recorded weights", file=sys.stderr)
        return 1
    name = args.projection or next(iter(projections))
    if name not in projections or "final_weight" not in projections[name]:
        print(f"{path}: no final weights of projection {name!r}", file=sys.stderr)
        return 1
    p = projections[name]
    weights = np.asarray(p["final_weight"], dtype=float)
    w_max = float(p["bin_edges"][-1])
    counts, edges, table = histogram_table(weights, w_max, args.bins)
    low, middle, high = bimodality(weights, w_max)
    print(f"projection {name}: {len(weights)} synapses, final weights over [0, {w_max:g}] nS")
    print(table)
    print(f"mean {weights.mean():.4f} nS ({weights.mean() / w_max:.3f} w_max); "
          f"below 0.2 w_max {low:.3f}, between {middle:.3f}, above 0.8 w_max {high:.3f}")
    bimodal = min(low, high) / 0.2 > 2 * middle / 0.6
    print(f"bimodal (both end fifths denser than twice the middle): {'yes' if bimodal else 'no'}")
    if args.png:
        import matplotlib.pyplot as plt
        from report_common import save_figure
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.bar(edges[:-1] / w_max, counts, width=np.diff(edges) / w_max, align="edge", color="0.3")
        ax.set_xlabel("final weight / w_max")
        ax.set_ylabel("synapses")
        ax.set_title(f"{name}: final weights ({len(weights)} synapses)")
        fig.tight_layout()
        save_figure(fig, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
