#!/usr/bin/python3
"""The look of the report figures (tools/report_common.py and the findings' drawing pieces):
every figure written as PDF (vector) and as PNG at 300 dpi; a population keeps its colour in
every figure; a confidence interval of a fraction stays within 0-100 % in the text and a band
of a rate stays above zero; titles wrapped to their panel; the overview of a real run as PDF
and PNG; the final weight histogram of the Song, Miller & Abbott config as a table and a PNG.

Usage: test_figures.py METABOSIM_EXECUTABLE SOURCE_DIR (tools/ on PYTHONPATH)
"""
import pathlib
import struct
import subprocess
import sys
import tempfile
import unittest

import matplotlib.pyplot as plt
import numpy as np

import report_common
from findings_plotting import plot_band
from findings_text import percent_text

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])


def png_dpi(path):
    """The resolution a PNG declares (its pHYs chunk), in dots per inch."""
    data = path.read_bytes()
    at = data.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1, "pHYs not in metres"
    return round(x * 0.0254), round(y * 0.0254)


class SavedFigures(unittest.TestCase):
    def test_pdf_beside_a_300_dpi_png(self):
        with tempfile.TemporaryDirectory() as tmp:
            fig, ax = plt.subplots(figsize=(2, 1))
            ax.plot([0, 1], [0, 1])
            report_common.save_figure(fig, pathlib.Path(tmp) / "line.png")
            png, pdf = pathlib.Path(tmp) / "line.png", pathlib.Path(tmp) / "line.pdf"
            self.assertEqual(png_dpi(png), (300, 300))
            self.assertTrue(pdf.read_bytes().startswith(b"%PDF"))


class Colours(unittest.TestCase):
    def test_a_population_keeps_its_colour_wherever_it_stands(self):
        # I first in one model, second in another: the same colour; E and I told apart.
        self.assertEqual(report_common.population_colour("I", 0), report_common.population_colour("I", 1))
        self.assertEqual(report_common.population_colour("E", 3), report_common.population_colour("E", 0))
        self.assertNotEqual(report_common.population_colour("E", 0), report_common.population_colour("I", 1))
        # Other names by their place, distinct from E's and I's.
        others = {report_common.population_colour(name, k) for k, name in enumerate(["L23", "L4", "L5"])}
        self.assertEqual(len(others), 3)
        self.assertFalse(others & set(report_common.POPULATION_COLOURS.values()))


class Intervals(unittest.TestCase):
    def test_a_fraction_in_whole_percent_within_0_and_100(self):
        self.assertEqual(percent_text({"mean": 0.86, "low": 0.70, "high": 1.012}), "86 % [70, 100]")
        self.assertEqual(percent_text({"mean": 0.05, "low": -0.03, "high": 0.13}), "5 % [0, 13]")
        self.assertEqual(percent_text({"mean": 0.5, "low": 0.25, "high": 0.75}), "50 % [25, 75]")

    def band_low(self, series):
        fig, ax = plt.subplots()
        plot_band(ax, [0, 1, 2], series, "k", "x")
        [band] = ax.collections
        low = band.get_paths()[0].vertices[:, 1].min()
        plt.close(fig)
        return low

    def test_a_band_of_a_rate_never_below_zero(self):
        # Mean 1, spread wide enough that mean - CI half-width < 0.
        self.assertGreaterEqual(self.band_low([[0, 0, 0], [2, 2, 2], [0, 0, 0], [2, 2, 2]]), 0)
        # A quantity that can be negative keeps its whole band.
        self.assertLess(self.band_low([[-1, -1, -1], [2, 2, 2], [0, 0, 0], [2, 2, 2]]), -1)


class Titles(unittest.TestCase):
    def test_wrapped_to_a_width_with_its_own_breaks_kept(self):
        text = report_common.wrapped("Inverted U? Learning quality: " + "word " * 20 + "\nsecond line", 42)
        lines = text.split("\n")
        self.assertTrue(all(len(line) <= 42 for line in lines), lines)
        self.assertEqual(lines[-1], "second line")
        self.assertGreater(len(lines), 3)


def tool(name, *args):
    """One of tools/ run under this Python."""
    return subprocess.run([sys.executable, SOURCE / "tools" / name, *args], capture_output=True, text=True,
                          timeout=300)


def run_then_tool(test, out, config, duration, name, *args):
    """`metabosim run config` for `duration` into out, then tools/name on it; its result."""
    r = subprocess.run([EXE, "run", config, "--set", f"run.duration={duration}", "-o", out, "-q"],
                       capture_output=True, text=True, timeout=300)
    test.assertEqual(r.returncode, 0, r.stderr)
    r = tool(name, out, *args)
    test.assertEqual(r.returncode, 0, r.stderr)
    return r


class Overview(unittest.TestCase):
    def test_plot_run_writes_pdf_and_png(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "run"
            run_then_tool(self, out, "coba", "50 ms", "plot_run.py")
            self.assertEqual(png_dpi(out / "overview.png"), (300, 300))
            self.assertTrue((out / "overview.pdf").read_bytes().startswith(b"%PDF"))


class WeightHistogram(unittest.TestCase):
    def test_song_abbott_final_weights_tabled_and_drawn(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "run"
            r = run_then_tool(self, out, "song_abbott", "2 s", "weight_histogram.py", "--bins", "10",
                              "--png", out / "weights.png")
            rows = [line.split() for line in r.stdout.splitlines()[2:12]]
            self.assertEqual(sum(int(row[2]) for row in rows), 1000)  # every synapse in one bin
            self.assertEqual(float(rows[-1][1]), 0.15)  # up to w_max
            self.assertIn("bimodal", r.stdout)
            self.assertEqual(png_dpi(out / "weights.png"), (300, 300))
            # Without final weights: exit 1 with a message.
            r = tool("weight_histogram.py", tmp)
            self.assertEqual(r.returncode, 1)
            self.assertIn("no recorded weights", r.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
