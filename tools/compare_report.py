#!/usr/bin/python3
"""Figures and report of a `metabosim compare` directory.

Usage: tools/compare_report.py DIR

DIR is the output directory of `metabosim compare` (apps/compare.cpp), which runs this script
once it has written DIR/compare.json and the network runs (DIR/runs/LABEL/seed-N/, in the layout
of `metabosim run`). Labels are "event", "clock-dtX" and "brian2-dtX". Written into DIR:
  convergence.png  median |t - t_exact| of the spike times versus dt (log-log) for each small
                   model (unconnected neurons, a small network): clock-driven engine (filled)
                   and Brian2 (open), a slope-1 reference and the fitted orders;
  rasters.png      a raster per label of the first seed, first 500 ms, up to 150 neurons per
                   population;
  statistics.png   rate, CV of ISI, synchrony chi and Fano factor per population and label:
                   mean over seeds with its 95 % confidence interval, seeds as faint dots;
  weights.png      only with plastic projections: mean weight over time and final weight
                   distribution per label;
  wall.png         wall time per label with its ratio to the event-driven run; Brian2's build
                   and compile times apart from its run time;
  report.md        the numbers as tables, the figures and a short reading of the numbers.

Exit status: 0 all written, 1 a run's output is unreadable or a file cannot be written,
2 DIR/compare.json is missing or malformed.
"""
import sys

from compare_figures import plot_convergence, plot_rasters, plot_statistics, plot_wall, plot_weights
from compare_runs import Comparison
from compare_text import report
from report_common import report_main, save_figure


def write_comparison(c, directory):
    figures = {"convergence": plot_convergence, "rasters": plot_rasters,
               "statistics": plot_statistics, "weights": plot_weights, "wall": plot_wall}
    if not c.projections:
        del figures["weights"]
    if not c.data["convergence"]:
        del figures["convergence"]
    for name, plot in figures.items():
        save_figure(plot(c), directory / f"{name}.png")
    return report(c, figures)


def main():
    return report_main(
        "compare_report.py", "Write the figures and report.md of a `metabosim compare` output directory.",
        "Exit status: 0 all written, 1 a run's output is unreadable or a file cannot be written, "
        "2 DIR/compare.json is missing or malformed.",
        "DIR", "output of `metabosim compare`", Comparison, write_comparison)


if __name__ == "__main__":
    sys.exit(main())
