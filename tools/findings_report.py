#!/usr/bin/python3
"""Figures and one-page report of a `metabosim experiment` directory.

Usage: tools/findings_report.py OUT

OUT is the output directory of `metabosim experiment NAME` (apps/experiments/findings.cpp), which
runs this script once it has written OUT/findings.json and the outputs of the first seed of each
condition (OUT/runs/GROUP/LABEL-seedN/, in the layout of `metabosim run`). findings.json may hold
all six experiments or only some of them; figures are drawn for those present. Written into OUT:
  bifurcation.png  finding 1: w(t)/w(0) of the mean E->E weight for hypo, normo and hyper, mean
                   over seeds with its 95 % CI (Student t), seeds as thin lines, the +-10 % band
                   around 1 and the runaway level 1.5;
  rasters.png      the last second (or the whole run) of the first seed at hypo, normo and hyper:
                   ~200 E and ~50 I neurons, with the population rates below;
  stdp_window.png  finding 2: weight change per pairing against the spike-time difference at the
                   three states, with the fitted A exp(-|dt|/tau) of each side;
  degradation.png  finding 3: mean E->E weight, fraction at w_max, population sparseness, the
                   correlation between pattern responses, learning quality and E rate along the
                   temperature sweep (mean with 95 % CI), the peak of the learning quality
                   marked (inverted U or not);
  topology.png     finding 4: synchrony chi in 500 ms windows per state (mean +- 95 % CI), and
                   the largest chi, CV of ISI, Fano factor and rates per state (mean +- 95 % CI,
                   seeds as dots), thresholds 0.2 and 0.4 marked;
  robustness.png   finding 5: the orderings (seeds holding of seeds, 9/10 required), the +-20 %
                   Q10 sensitivity grid for findings 1 and 4 (held / not held, with the numbers
                   tested), and the learning quality against temperature (the inverted U);
  energy.png       the energy loop: ATP and metabolic state over time (loop on), w(t)/w(0) and
                   E rate with the loop on and off;
  synchrony.png    finding 4 examined: chi against sample size and window, the spike-count
                   correlation against bin, the spectrum of the E rate, per state;
  energy_map.png   the energy loop mapped: regime per supply x cost scale with the analytic
                   boundaries, and ATP over time at cost scale 1;
  report.md        each finding beside the paper's claim: criteria, numbers, verdict, figure,
                   and the command that produced it.

Confidence intervals computed here (trajectories, chi(t)) use ci95 of tools/report_common.py
(Student t, tabled for 1-30 degrees of freedom); those in findings.json come from metabosim.

Exit status: 0 all written, 1 a file cannot be read or written, 2 OUT/findings.json is missing
or malformed (the message names the entry).
"""
import sys

from findings_figures_activity import plot_energy, plot_rasters, plot_topology
from findings_figures_learning import (plot_bifurcation, plot_degradation, plot_robustness,
                                       plot_stdp_window)
from findings_examinations import (energy_map_section, plot_energy_map, plot_synchrony,
                                   synchrony_section)
from findings_json import Findings
from findings_text import report
from report_common import report_main, save_figure

FIGURES = {"bifurcation": [("bifurcation", plot_bifurcation)],
           "topology": [("topology", plot_topology)],
           "stdp-window": [("stdp_window", plot_stdp_window)],
           "degradation": [("degradation", plot_degradation)],
           "robustness": [("robustness", plot_robustness)],
           "energy-loop": [("energy", plot_energy)]}


# The examinations: figure, plot, report section (after the findings).
EXAMINED = {"synchrony": ("synchrony", plot_synchrony, synchrony_section),
            "energy-map": ("energy_map", plot_energy_map, energy_map_section)}


def figure_plan(f):
    """[(experiment, figure name, function)]; the rasters go with finding 4 (or finding 1)."""
    plan = []
    raster_owner = next((n for n in ("topology", "bifurcation") if n in f.present), None)
    for name in f.present:
        for figure, function in FIGURES[name]:
            plan.append((name, figure, function))
        if name == raster_owner:
            plan.append((name, "rasters", plot_rasters))
    return plan


def write_findings(f, directory):
    figures = {}
    for name, figure, plot in figure_plan(f):
        save_figure(plot(f), directory / f"{figure}.png")
        figures.setdefault(name, []).append(figure)
    text = report(f, figures) if f.present else "# Metaboplasticity findings examined, with metabosim\n"
    for name in f.examined:
        figure, plot, section = EXAMINED[name]
        save_figure(plot(f), directory / f"{figure}.png")
        text += "\n" + "\n".join(section(f))
    return text


def main():
    return report_main(
        "findings_report.py", "Write the figures and report.md of a `metabosim experiment` output directory.",
        "Exit status: 0 all written, 1 a file cannot be read or written, "
        "2 OUT/findings.json is missing or malformed.",
        "OUT", "output of `metabosim experiment`", Findings, write_findings)


if __name__ == "__main__":
    sys.exit(main())
