#!/usr/bin/python3
"""The parts of lib/ are layered: a part includes only parts below it, so each can be read, tested
and replaced by itself. A new part must be placed in LAYERS (bottom first).

Usage: test_layering.py SOURCE_DIR
"""
import pathlib
import re
import sys
import unittest

SOURCE = pathlib.Path(sys.argv[1])
LAYERS = ["model", "neuron", "checkpoint", "hdf5", "lowering", "sonata", "config", "metabolism", "inputs", "synapses",
          "recording", "distribution", "engine", "clock", "simulation", "analysis", "brian2", "sonata_export", "processes",
          "experiments", "compare", "bench"]
# "part/x.hpp", "metabosim/part/x.hpp", or "metabosim/x.hpp" (a top-level header: 'simulation')
INCLUDE = re.compile(r'^#include "(?:metabosim/[a-z0-9_]+\.hpp"|(?:metabosim/)?([a-z0-9_]+)/)', re.M)


def part_files():
    """(part, file) for every source and header of lib/; the top-level public headers are 'simulation'."""
    for root in (SOURCE / "lib" / "src", SOURCE / "lib" / "include" / "metabosim"):
        for file in sorted(root.rglob("*")):
            if file.suffix in (".hpp", ".cpp", ".h"):
                rel = file.relative_to(root).parts
                yield (rel[0] if len(rel) > 1 else "simulation"), file


class Layering(unittest.TestCase):
    def test_every_part_has_a_layer(self):
        for part, file in part_files():
            self.assertIn(part, LAYERS, f"{file}: part '{part}' is not in LAYERS of {__file__}")

    def test_no_part_includes_one_above_it(self):
        wrong = []
        for part, file in part_files():
            for used in (m or "simulation" for m in INCLUDE.findall(file.read_text())):
                if used in LAYERS and part in LAYERS and LAYERS.index(used) > LAYERS.index(part):
                    wrong.append(f"{file.relative_to(SOURCE)} ({part}) includes {used}/, a part above it")
        self.assertEqual(wrong, [])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
