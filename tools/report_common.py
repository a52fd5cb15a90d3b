"""What the report scripts of tools/ share: their JSON input checked entry by entry, their command
line, confidence intervals, number and table formatting, and the look of their figures."""
import argparse
import json
import math
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# One colour per population in every figure (rasters, rates, traces), apart from the colours of
# the metabolic states (findings_plotting.STATE_COLOURS: blue, green, red) and of the engines
# (compare_figures: blues, oranges): E dark blue, I crimson; populations of other names in the
# further colours, by their place in the model.
POPULATION_COLOURS = {"E": "#1d4e89", "I": "#c2185b"}
FURTHER_POPULATION_COLOURS = ("#2e7d32", "#6a1b9a", "#8d6e63", "#00838f", "#f9a825", "#455a64")

# Figures are written as PDF (vector, for print and papers) and as PNG at this resolution.
PNG_DPI = 300

NUMBER = (int, float)
OPTIONAL_NUMBER = (int, float, type(None))


class Malformed(Exception):
    """A JSON input is missing or does not hold what metabosim writes."""


# ---------------------------------------------------------------------------------------------
# Reading a JSON input and checking what the script uses.


def expect(obj, where, fields):
    """Raise Malformed unless obj is an object with each field of the given type(s)."""
    if not isinstance(obj, dict):
        raise Malformed(f"{where}: expected an object, found {json.dumps(obj)[:60]}")
    for key, kinds in fields.items():
        if key not in obj:
            raise Malformed(f"{where}: \"{key}\" is missing")
        if not isinstance(obj[key], kinds) or isinstance(obj[key], bool):
            raise Malformed(f"{where}.{key}: unexpected value {json.dumps(obj[key])[:60]}")


def expect_bool(obj, where, keys):
    for key in keys:
        if key not in obj:
            raise Malformed(f"{where}: \"{key}\" is missing")
        if not isinstance(obj[key], bool):
            raise Malformed(f"{where}.{key}: expected true or false, found "
                            f"{json.dumps(obj.get(key))[:60]}")


def expect_numbers(values, where, optional=True, length=None):
    kinds = OPTIONAL_NUMBER if optional else NUMBER
    if not isinstance(values, list):
        raise Malformed(f"{where}: expected a list of numbers, found {json.dumps(values)[:60]}")
    for k, v in enumerate(values):
        if not isinstance(v, kinds) or isinstance(v, bool):
            raise Malformed(f"{where}[{k}]: expected a number, found {json.dumps(v)[:60]}")
    if length is not None and len(values) != length:
        raise Malformed(f"{where}: {len(values)} values, expected {length}")


def load_checked(path, command, check):
    """The JSON that `metabosim COMMAND` wrote at path, checked by check(data) for everything the
    calling script uses."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Malformed(f"{path} does not exist; is {path.parent} the output directory of "
                        f"`metabosim {command}`?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Malformed(f"{path} is not readable JSON: {error}") from None
    try:
        return check(data)
    except Malformed as error:
        raise Malformed(f"{path}: {error}") from None


# ---------------------------------------------------------------------------------------------
# The command line.


def report_main(tool, description, epilog, metavar, dir_help, load, write):
    """The command line of the report scripts: load(DIR) reads the run's JSON (Malformed: exit
    2); write(data, DIR) writes the figures and returns the text of DIR/report.md (OSError,
    KeyError, ValueError: exit 1)."""
    parser = argparse.ArgumentParser(description=description, epilog=epilog)
    parser.add_argument("dir", metavar=metavar, type=Path, help=dir_help)
    args = parser.parse_args()
    try:
        data = load(args.dir)
    except Malformed as error:
        print(f"{tool}: {error}", file=sys.stderr)
        return 2
    try:
        (args.dir / "report.md").write_text(write(data, args.dir), encoding="utf-8")
    except (OSError, KeyError, ValueError) as error:
        print(f"{tool}: in {args.dir}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(args.dir / "report.md")
    return 0


# ---------------------------------------------------------------------------------------------
# Numbers.

# Student's t quantile t_{0.975, dof} for dof = 1..30.
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def ci95(values):
    """(mean, half-width of its 95 % confidence interval, n) over the values that are numbers.

    Student's t with n - 1 degrees of freedom; beyond 30, the Cornish-Fisher expansion of t about
    the normal quantile (error below 1e-3). The half-width is None for n < 2, the mean for n = 0.
    """
    x = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(x) < 2:
        return (float(x[0]) if len(x) else None), None, len(x)
    dof = len(x) - 1
    z = 1.959964
    t = T975[dof - 1] if dof <= 30 else (
        z + (z**3 + z) / (4 * dof) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * dof**2))
    return float(x.mean()), t * float(x.std(ddof=1)) / math.sqrt(len(x)), len(x)


def number(x, digits=3):
    """x to `digits` significant digits, trailing zeros kept ("1.40"); "—" if undefined."""
    if x is None or not math.isfinite(x):
        return "—"
    text = f"{x:#.{digits}g}"
    return text[:-1] if text.endswith(".") else text


def table(header, rows):
    """A Markdown table, as a list of lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


# ---------------------------------------------------------------------------------------------
# Figures.


def open_frame(ax, keep="left"):
    """Only the axis lines that carry ticks: bottom and `keep` ("left" or "right")."""
    for side in ("top", "left", "right"):
        ax.spines[side].set_visible(side == keep)


def wrapped(text, width):
    """text broken into lines of at most `width` characters (its own line breaks kept), for a
    title that must stay within its panel."""
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def population_colour(population, index):
    """The colour of a population: E's and I's fixed, another's by its index in the model."""
    if population in POPULATION_COLOURS:
        return POPULATION_COLOURS[population]
    return FURTHER_POPULATION_COLOURS[index % len(FURTHER_POPULATION_COLOURS)]


def save_figure(fig, path):
    """The figure as path (PNG, PNG_DPI) and beside it as PDF, the vector original."""
    path = Path(path)
    for output in (path.with_suffix(".pdf"), path):
        fig.savefig(output, dpi=PNG_DPI)
        print(output)
    plt.close(fig)
