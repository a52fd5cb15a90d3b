#!/usr/bin/python3
"""tools/metabosim_outputs.py, the output layout in Python (the report scripts read with it, the
exported Brian2 runner writes with it): what it writes, h5py reads as metabosim's own files are
laid out; it reads back what it wrote; it reads a directory written by `metabosim run`, and from
those numbers writes the same rates.csv and the same weight statistics as the C++ writer.

Usage: test_metabosim_outputs.py METABOSIM_EXECUTABLE SOURCE_DIR (tools/ on PYTHONPATH)
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

import metabosim_outputs as outputs

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])

SPIKES = {"E": (np.array([0.0, 0.5, 0.5, 10.0, 24.9]), np.array([3, 0, 2, 3, 1])),
          "I": (np.array([9.99]), np.array([0]))}
SIZES = {"E": 4, "I": 2}  # model order: E first, although HDF5 lists groups by name


class WrittenAndReadBack(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)
        cls.samples = np.array([[0.0, 1.0, 4.0, 3.0], [0.0, 4.0, 4.0, 2.0]])  # two samples, 4 synapses
        statistics = outputs.weight_statistics(cls.samples, 0.0, 4.0, 4)
        cls.weights = [{"projection": "EE", "time": outputs.sample_times(25.0, 20.0), **statistics,
                        "final": (np.array([0, 0, 1, 2]), np.array([1, 2, 3, 0]), cls.samples[-1],
                                  np.array([1.0, 1.5, 2.0, 2.5]))}]
        cls.v = np.arange(6.0).reshape(3, 2) - 60
        states = [{"population": "E", "neurons": np.array([1, 3]), "interval": 10.0,
                   "values": {"V": cls.v, "ge": np.ones((3, 2))}},
                  {"population": "I", "neurons": np.array([0]), "interval": 5.0, "values": {"V": np.zeros((6, 1))}}]
        cls.summary = {"duration_ms": 25.0, "populations": {"E": {"size": 4, "spikes": 5}}}
        outputs.write_all(cls.dir, {
            "spikes.h5": lambda path: outputs.write_spikes(path, list(SIZES), SPIKES),
            **outputs.state_report_files(states),
            "weights.h5": lambda path: outputs.write_weights(path, cls.weights),
            "rates.csv": lambda path: path.write_text(outputs.rates_csv(25.0, 10.0, SIZES, SPIKES)),
            "metabolism.csv": lambda path: path.write_text(
                outputs.metabolism_csv([0.0, 0.0, 12.5], ["E", "I,b", "E"], [37.0, 37.0, 41.0])),
            "summary.json": lambda path: path.write_text(outputs.summary_json(cls.summary))})

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_spikes_as_sonata_lays_them_out(self):
        with h5py.File(self.dir / "spikes.h5", "r") as f:
            self.assertEqual((f.attrs["magic"], f.attrs["magic"].dtype), (0x0A7A, np.dtype("<u4")))
            np.testing.assert_array_equal(f.attrs["version"], [0, 1])
            for population, (times, ids) in SPIKES.items():
                group = f["spikes"][population]
                self.assertEqual(group["timestamps"].dtype, np.dtype("<f8"))
                self.assertEqual(group["node_ids"].dtype, np.dtype("<u8"))
                self.assertEqual(group["timestamps"].attrs["units"], "ms")
                np.testing.assert_array_equal(group["timestamps"][()], times)
                np.testing.assert_array_equal(group["node_ids"][()], ids)
                self.assertEqual(h5py.check_enum_dtype(group.attrs.get_id("sorting").dtype),
                                 {"none": 0, "by_id": 1, "by_time": 2})
                self.assertEqual(group.attrs["sorting"], 2)
        read = outputs.read_spikes(self.dir / "spikes.h5")
        self.assertEqual(sorted(read), ["E", "I"])
        for population, (times, ids) in SPIKES.items():
            np.testing.assert_array_equal(read[population][0], times)
            self.assertEqual(read[population][1].dtype, np.int64)
            np.testing.assert_array_equal(read[population][1], ids)

    def test_states_one_sonata_report_file_per_variable(self):
        self.assertFalse((self.dir / "gi.h5").exists())
        for name in ("V.h5", "V_2.h5", "ge.h5"):
            with h5py.File(self.dir / name, "r") as f:
                self.assertEqual(f.attrs["magic"], 0x0A7A)
                self.assertEqual(f.attrs["magic"].dtype, np.dtype("<u4"))
                np.testing.assert_array_equal(f.attrs["version"], [0, 1])
                self.assertEqual(f.attrs["version"].dtype, np.dtype("<u4"))
        # I samples V every 5 ms, E every 10 ms: one report file per set of sample times.
        with h5py.File(self.dir / "V_2.h5", "r") as f:
            self.assertEqual(sorted(f["report"]), ["I"])
            np.testing.assert_array_equal(f["report/I/mapping/time"][()], [0.0, 30.0, 5.0])
        with h5py.File(self.dir / "V.h5", "r") as f:
            self.assertEqual(sorted(f["report"]), ["E"])
            v = f["report/E"]
            self.assertEqual(v["data"].dtype, np.dtype("<f4"))
            np.testing.assert_array_equal(v["data"][()], self.v)
            self.assertEqual(v["data"].attrs["units"], "mV")
            self.assertEqual(v["mapping/node_ids"].dtype, np.dtype("<u8"))
            np.testing.assert_array_equal(v["mapping/node_ids"][()], [1, 3])
            self.assertEqual(v["mapping/node_ids"].attrs["sorted"], 1)
            self.assertEqual(v["mapping/node_ids"].attrs["sorted"].dtype, np.dtype("<i1"))
            self.assertEqual(v["mapping/index_pointers"].dtype, np.dtype("<u8"))
            np.testing.assert_array_equal(v["mapping/index_pointers"][()], [0, 1, 2])
            self.assertEqual(v["mapping/element_ids"].dtype, np.dtype("<u4"))
            np.testing.assert_array_equal(v["mapping/element_ids"][()], [0, 0])
            np.testing.assert_array_equal(v["mapping/time"][()], [0.0, 30.0, 10.0])
            self.assertEqual(v["mapping/time"].attrs["units"], "ms")
        with h5py.File(self.dir / "ge.h5", "r") as f:
            self.assertEqual(sorted(f["report"]), ["E"])
            self.assertEqual(f["report/E/data"].attrs["units"], "nS")
        reports = outputs.read_states(self.dir, "V")
        self.assertEqual([r[0] for r in reports], ["E", "I"])
        name, times, nodes, data, unit = reports[0]
        np.testing.assert_array_equal(times, [0.0, 10.0, 20.0])
        np.testing.assert_array_equal(nodes, [1, 3])
        np.testing.assert_array_equal(data, self.v)
        self.assertEqual(unit, "mV")
        np.testing.assert_array_equal(reports[1][1], np.arange(6) * 5.0)
        self.assertEqual(len(outputs.read_states(self.dir, "ge")), 1)
        self.assertIsNone(outputs.read_states(self.dir, "gi"))

    def test_recordings_of_one_population_share_a_report(self):
        traces = [{"population": "E", "neurons": [4], "interval": 1.0, "values": {"V": np.array([[1.0], [2.0]])}},
                  {"population": "E", "neurons": [2], "interval": 1.0, "values": {"V": np.array([[3.0], [4.0]])}}]
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "V.h5"
            outputs.write_state_report(path, "V", traces)
            with h5py.File(path, "r") as f:
                np.testing.assert_array_equal(f["report/E/mapping/node_ids"][()], [4, 2])
                self.assertEqual(f["report/E/mapping/node_ids"].attrs["sorted"], 0)
                np.testing.assert_array_equal(f["report/E/data"][()], [[1.0, 3.0], [2.0, 4.0]])
            traces[1]["interval"] = 2.0
            with self.assertRaises(ValueError):
                outputs.write_state_report(path, "V", traces)
            # Other sample times: a report file of their own, V_2.h5, read along with V.h5.
            outputs.write_all(pathlib.Path(tmp), outputs.state_report_files(traces))
            self.assertEqual(sorted(p.name for p in pathlib.Path(tmp).iterdir()), ["V.h5", "V_2.h5"])
            reports = outputs.read_states(pathlib.Path(tmp), "V")
            self.assertEqual([(r[0], r[2].tolist()) for r in reports], [("E", [4]), ("E", [2])])
            np.testing.assert_array_equal(reports[1][1], [0.0, 2.0])
            outputs.write_all(pathlib.Path(tmp), outputs.state_report_files(traces[:1]))
            self.assertEqual(sorted(p.name for p in pathlib.Path(tmp).iterdir()), ["V.h5"])  # no stale V_2.h5

    def test_weight_statistics_by_hand(self):
        w = self.weights[0]
        np.testing.assert_array_equal(w["mean"], [2.0, 2.5])
        np.testing.assert_allclose(w["stddev"], [np.sqrt(2.5), np.sqrt(2.75)], rtol=1e-15)
        np.testing.assert_array_equal(w["fraction_at_min"], [0.25, 0.25])
        np.testing.assert_array_equal(w["fraction_at_max"], [0.25, 0.5])
        # Bins of 1 nS from 0 to 4; a weight at w_max counts in the last bin.
        np.testing.assert_array_equal(w["histogram"], [[1, 1, 0, 2], [1, 0, 1, 2]])
        np.testing.assert_array_equal(w["bin_edges"], [0.0, 1.0, 2.0, 3.0, 4.0])
        np.testing.assert_array_equal(w["time"], [0.0, 20.0])  # samples at k * 20 ms up to 25 ms

    def test_weights_file(self):
        with h5py.File(self.dir / "weights.h5", "r") as f:
            g = f["EE"]
            self.assertEqual(g["histogram"].dtype, np.dtype("<u8"))
            self.assertEqual((g["mean"].attrs["units"], g["time"].attrs["units"]), ("nS", "ms"))
            np.testing.assert_array_equal(g["final/delay"][()], [1.0, 1.5, 2.0, 2.5])
            self.assertEqual(g["final/delay"].attrs["units"], "ms")
        read = outputs.read_weights(self.dir / "weights.h5")["EE"]
        for key in ("time", "mean", "fraction_at_max", "histogram", "bin_edges"):
            np.testing.assert_array_equal(read[key], self.weights[0][key], key)
        np.testing.assert_array_equal(read["final_weight"], self.samples[-1])

    def test_rates_with_the_last_bin_cut_at_the_end(self):
        # Bins [0, 10), [10, 20), [20, 25]: a spike at 0 counts in the first, one at 10 in the second.
        self.assertEqual((self.dir / "rates.csv").read_text(),
                         "time_ms,E_Hz,I_Hz\n0,75,50\n10,25,0\n20,50,0\n")
        times, rates = outputs.read_rates(self.dir / "rates.csv")
        np.testing.assert_array_equal(times, [0, 10, 20])
        np.testing.assert_array_equal(rates["E"], [75, 25, 50])

    def test_metabolism_with_a_quoted_name(self):
        self.assertEqual((self.dir / "metabolism.csv").read_text(),
                         'time_ms,population,temperature_degC\n0,E,37\n0,"I,b",37\n12.5,E,41\n')
        timelines = outputs.read_metabolism(self.dir / "metabolism.csv")
        np.testing.assert_array_equal(timelines["E"][1], [37, 41])
        np.testing.assert_array_equal(timelines["I,b"][0], [0])

    def test_summary_and_sizes(self):
        summary = outputs.read_summary(self.dir / "summary.json")
        self.assertEqual(summary, self.summary)
        # I is not sized by the summary: its highest node id that fired, plus one.
        self.assertEqual(outputs.population_sizes(summary, SPIKES), {"E": 4, "I": 1})


class StagedWriting(unittest.TestCase):
    def test_all_or_nothing_and_stale_outputs_removed(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp)
            for name in ("spikes.h5", "energy.csv", "notes.txt"):
                (out / name).write_text("earlier run")

            def fail(path):
                path.write_text("half")
                raise OSError("disk full")

            with self.assertRaises(OSError):
                outputs.write_all(out, {"rates.csv": lambda path: path.write_text("new"), "summary.json": fail})
            self.assertEqual(sorted(p.name for p in out.iterdir()), ["energy.csv", "notes.txt", "spikes.h5"])

            outputs.write_all(out, {"rates.csv": lambda path: path.write_text("new")})
            # The earlier run's outputs go (they would be taken for this one's); other files stay.
            self.assertEqual(sorted(p.name for p in out.iterdir()), ["notes.txt", "rates.csv"])


class MetabosimRun(unittest.TestCase):
    """A directory written by `metabosim run` (the C++ writer), read with the module."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name) / "run"
        config = pathlib.Path(cls.tmp.name) / "tiny.toml"
        config.write_text((SOURCE / "tests" / "data" / "tiny.toml").read_text() + "final = true\n")
        r = subprocess.run([EXE, "run", config, "-o", cls.dir, "-q"], capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr
        cls.summary = outputs.read_summary(cls.dir / "summary.json")
        cls.spikes = outputs.read_spikes(cls.dir / "spikes.h5")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_spikes_and_sizes(self):
        self.assertEqual(sorted(self.spikes), ["E", "I"])
        for population, (times, ids) in self.spikes.items():
            self.assertEqual(len(times), self.summary["populations"][population]["spikes"])
            self.assertTrue(np.all(np.diff(times) >= 0))
        self.assertEqual(outputs.population_sizes(self.summary, self.spikes), {"E": 200, "I": 50})

    def test_the_same_rates_csv_from_its_spikes(self):
        sizes = {p: info["size"] for p, info in self.summary["populations"].items()}
        text = outputs.rates_csv(self.summary["duration_ms"], 10.0, sizes, self.spikes)  # rate_bin of tiny.toml
        self.assertEqual(text, (self.dir / "rates.csv").read_text())
        times, rates = outputs.read_rates(self.dir / "rates.csv")
        self.assertEqual(len(times), 30)
        self.assertAlmostEqual(rates["E"].mean() * 0.3 * 200, len(self.spikes["E"][0]), delta=1e-6)

    def test_the_same_weight_statistics_from_its_final_weights(self):
        recorded = outputs.read_weights(self.dir / "weights.h5")["EE"]
        np.testing.assert_array_equal(recorded["time"], outputs.sample_times(300.0, 50.0))
        final = recorded["final_weight"]
        ours = outputs.weight_statistics(final[None, :], 0.0, 12.0, 12)  # w_max and bins of tiny.toml
        self.assertGreater(np.count_nonzero(recorded["histogram"][-1] != recorded["histogram"][0]), 0)
        np.testing.assert_array_equal(ours["histogram"][0], recorded["histogram"][-1])
        np.testing.assert_array_equal(ours["bin_edges"], recorded["bin_edges"])
        np.testing.assert_allclose(ours["mean"][0], recorded["mean"][-1], rtol=1e-12)
        np.testing.assert_allclose(ours["fraction_at_max"][0], recorded["fraction_at_max"][-1], rtol=1e-12)

    def test_states_and_metabolism(self):
        (name, times, nodes, data, unit), = outputs.read_states(self.dir, "V")
        self.assertEqual((name, unit, data.shape), ("E", "mV", (301, 3)))
        np.testing.assert_array_equal(times, np.arange(301.0))
        np.testing.assert_array_equal(nodes, [0, 1, 2])
        timelines = outputs.read_metabolism(self.dir / "metabolism.csv")
        np.testing.assert_array_equal(timelines["E"][0], [0, 150])
        np.testing.assert_array_equal(timelines["E"][1], [37, 41])

    def test_summary_is_the_json_written(self):
        self.assertEqual(self.summary, json.loads((self.dir / "summary.json").read_text()))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
