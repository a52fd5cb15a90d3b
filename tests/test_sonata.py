#!/usr/bin/python3
"""SONATA in and out: `metabosim export --sonata` writes a circuit laid out as the SONATA developer
guide (AllenInstitute/sonata, docs/SONATA_DEVELOPER_GUIDE.md) and NEST's SonataNetwork ask; the
circuit runs again in metabosim with the same spikes for the same seed (a round trip); a circuit
written by hand as bmtk or NEST would write it runs with `metabosim run circuit_config.json` and
from a TOML that points to it; bad circuits are refused with exit status 2 and a message naming
the file and dataset or column.

Usage: test_sonata.py METABOSIM_EXECUTABLE SOURCE_DIR
"""
import json
import pathlib
import shlex
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

EXE = sys.argv[1]
SOURCE = pathlib.Path(sys.argv[2])
TINY = SOURCE / "tests" / "data" / "tiny.toml"

# NEST's iaf_cond_exp parameters that a node type's dynamics_params may hold, and metabosim's two
# additions NEST also knows (V_m, tau_minus).
IAF_COND_EXP = {"C_m", "g_L", "E_L", "V_th", "V_reset", "t_ref", "E_ex", "E_in", "tau_syn_ex", "tau_syn_in", "I_e",
                "V_m", "tau_minus"}
STDP_SYNAPSE = {"tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax"}


def metabosim(*args):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=300)


def types_csv(path):
    """Rows of a types file as the guide's CSV (fields separated by spaces), as dicts."""
    lines = [shlex.split(line) for line in path.read_text().splitlines() if line.strip()]
    return [dict(zip(lines[0], row)) for row in lines[1:]]


def nest_paths(config_path):
    """The config as NEST's SonataNetwork._parse_config resolves it (pynest/nest/lib/hl_api_sonata.py):
    $BASE_DIR replaced by "." inside other manifest values, each value joined to the config's
    directory, then every string starting with "$" substituted and stripped of its "$"."""
    base = config_path.resolve().parent
    conf = json.loads(config_path.read_text())
    manifest = {}
    for k, v in conf["manifest"].items():
        if "$BASE_DIR" in v:
            v = v.replace("$BASE_DIR", ".")
        manifest[k[1:] if k.startswith("$") else k] = base.joinpath(v).as_posix()

    def substitute(obj):
        if isinstance(obj, dict):
            return {k: substitute(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [substitute(v) for v in obj]
        if isinstance(obj, str) and obj.startswith("$"):
            for name, path in manifest.items():
                obj = obj.replace(name, path)
            return obj[1:]
        return obj
    return substitute(conf)


class ExportedCircuit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)
        cls.circuit = cls.dir / "circuit"
        cls.export = metabosim("export", TINY, "--sonata", "-o", cls.circuit)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_export_succeeds(self):
        self.assertEqual(self.export.returncode, 0, self.export.stderr)

    def test_every_h5_file_has_the_root_attributes(self):
        for path in self.circuit.glob("*.h5"):
            with h5py.File(path, "r") as f:
                self.assertEqual(f.attrs["magic"], 0x0A7A, path)
                self.assertEqual(f.attrs["magic"].dtype, np.dtype("<u4"), path)
                np.testing.assert_array_equal(f.attrs["version"], [0, 1])
                self.assertEqual(f.attrs["version"].dtype, np.dtype("<u4"), path)

    def test_nodes_as_the_guide_lays_them_out(self):
        for population, size in (("E", 200), ("I", 50)):
            with h5py.File(self.circuit / f"{population}_nodes.h5", "r") as f:
                g = f["nodes"][population]
                for name in ("node_type_id", "node_id", "node_group_id", "node_group_index"):
                    self.assertEqual(g[name].shape, (size,), name)
                    self.assertEqual(g[name].dtype.kind, "u", name)
                np.testing.assert_array_equal(g["node_id"][()], np.arange(size))
                np.testing.assert_array_equal(g["node_group_index"][()], np.arange(size))
                self.assertTrue(np.all(g["node_group_id"][()] == 0))
                self.assertIsInstance(g["0"], h5py.Group)
                type_id = int(g["node_type_id"][0])
            (row,) = types_csv(self.circuit / f"{population}_node_types.csv")
            self.assertEqual(int(row["node_type_id"]), type_id)
            self.assertEqual(row["population"], population)
            self.assertEqual(row["model_type"], "point_neuron")
            self.assertEqual(row["model_template"], "nest:iaf_cond_exp")
            params = json.loads((self.circuit / row["dynamics_params"]).read_text())
            self.assertLessEqual(set(params), IAF_COND_EXP)
            self.assertEqual((params["C_m"], params["g_L"], params["V_th"], params["tau_syn_in"]), (200, 10, -50, 10))
            metabolism = json.loads((self.circuit / row["metabolism_params"]).read_text())
            self.assertEqual(metabolism["reference_temperature"], 37)
            self.assertEqual(metabolism["q10"]["gL"], 1.98)
        # tau_minus of the STDP on E->E is NEST's neuron parameter of E.
        e = json.loads((self.circuit / "E_dynamics.json").read_text())
        self.assertEqual(e["tau_minus"], 33.7)

    def test_edges_as_the_guide_lays_them_out(self):
        summary_synapses = 0
        for name, pre, post, sign in (("EE", "E", "E", 1), ("EI", "E", "I", 1), ("IE", "I", "E", -1)):
            with h5py.File(self.circuit / f"{name}_edges.h5", "r") as f:
                g = f["edges"][name]
                n = len(g["source_node_id"])
                summary_synapses += n
                self.assertGreater(n, 0)
                self.assertEqual(g["source_node_id"].attrs["node_population"], pre)
                self.assertEqual(g["target_node_id"].attrs["node_population"], post)
                for dataset in ("target_node_id", "edge_type_id", "edge_group_id", "edge_group_index"):
                    self.assertEqual(len(g[dataset]), n, dataset)
                self.assertTrue(np.all(np.diff(g["source_node_id"][()].astype(np.int64)) >= 0))  # by source
                weights, delays = g["0/syn_weight"][()], g["0/delay"][()]
                self.assertEqual((len(weights), len(delays)), (n, n))
                self.assertTrue(np.all(sign * weights > 0), name)  # NEST: negative is inhibitory
                self.assertTrue(np.all((delays >= 1) & (delays <= 2)), name)
                np.testing.assert_array_equal(g["edge_group_index"][()], np.arange(n))
            (row,) = types_csv(self.circuit / f"{name}_edge_types.csv")
            self.assertEqual(row["model_template"], "stdp_synapse" if name == "EE" else "static_synapse")
            params = json.loads((self.circuit / row["dynamics_params"]).read_text())
            if name == "EE":
                self.assertEqual(set(params), STDP_SYNAPSE)
                self.assertEqual((params["mu_plus"], params["mu_minus"], params["Wmax"]), (0, 0, 12))
                self.assertAlmostEqual(params["lambda"] * params["Wmax"], 0.12, places=15)
            else:
                self.assertEqual(params, {})
        r = metabosim("run", self.circuit / "circuit_config.json", "-o", self.dir / "plain", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads((self.dir / "plain" / "summary.json").read_text())["synapses"], summary_synapses)

    def test_config_resolves_as_nest_reads_it(self):
        conf = nest_paths(self.circuit / "circuit_config.json")
        self.assertEqual(conf["target_simulator"], "NEST")
        self.assertEqual((conf["run"]["tstop"], conf["run"]["dt"]), (300, 0.1))
        for entry in conf["networks"]["nodes"]:
            self.assertTrue(pathlib.Path(entry["nodes_file"]).is_file(), entry)
            rows = types_csv(pathlib.Path(entry["node_types_file"]))
            for row in rows:
                self.assertTrue((pathlib.Path(conf["components"]["point_neuron_models_dir"]) /
                                 row["dynamics_params"]).is_file())
        for entry in conf["networks"]["edges"]:
            self.assertTrue(pathlib.Path(entry["edges_file"]).is_file(), entry)
            for row in types_csv(pathlib.Path(entry["edge_types_file"])):
                self.assertTrue((pathlib.Path(conf["components"]["synaptic_models_dir"]) /
                                 row["dynamics_params"]).is_file())

    def test_round_trip_same_spikes_for_the_same_seed(self):
        original = self.dir / "original"
        self.assertEqual(metabosim("run", TINY, "-o", original, "-q").returncode, 0)
        # tiny.toml without its populations' sizes and projections: the circuit has them.
        config = self.dir / "from_circuit.toml"
        config.write_text(f'''
[network]
sonata = "{self.circuit / 'circuit_config.json'}"
[run]
duration = "300 ms"
seed = 5
[populations.E]
drive = {{ rate = "600 Hz", weight = "2 nS" }}
[populations.I]
drive = {{ rate = "600 Hz", weight = "2 nS" }}
[[metabolism.steps]]
time = "150 ms"
temperature = "41 degC"
[recording]
rate_bin = "10 ms"
[[recording.states]]
population = "E"
neurons = [0, 1, 2]
variables = ["V", "ge", "gi"]
interval = "1 ms"
[[recording.weights]]
projection = "EE"
interval = "50 ms"
bins = 12
''')
        again = self.dir / "again"
        r = metabosim("run", config, "-o", again, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("spikes.h5", "V.h5", "ge.h5", "gi.h5", "weights.h5", "rates.csv", "metabolism.csv"):
            self.assertEqual((original / name).read_bytes(), (again / name).read_bytes(), name)
        with h5py.File(original / "spikes.h5", "r") as f:
            self.assertGreater(len(f["spikes/E/timestamps"]), 100)


# Spike sources both ways: a Poisson source with a rate step and temperature scaling (through a
# metabolic step) into a cell through STDP, and an array source with a time after the end.
SOURCES = """
[run]
duration = "1000 ms"
seed = 3
[populations.Input]
size = 400
source = { kind = "poisson", rate = "10 Hz", steps = [{ time = "400 ms", rate = "30 Hz" }], temperature_scaled = true }
[populations.Input.q10]
poisson_rate = 2
[populations.Probe]
size = 2
source = { kind = "array", times = [["5 ms", "250.5 ms", "700 ms"], ["17.125 ms", "1500 ms"]] }
[populations.Cell]
size = 1
initial_V = "-70 mV"
[populations.Cell.neuron]
C = "200 pF"
gL = "10 nS"
EL = "-70 mV"
Vth = "-54 mV"
Vr = "-60 mV"
t_ref = "1 ms"
Ee = "0 mV"
Ei = "-70 mV"
tau_e = "5 ms"
tau_i = "5 ms"
[projections.Plastic]
pre = "Input"
post = "Cell"
connectivity = { rule = "all_to_all" }
weight = "0.6 nS"
delay = "1 ms"
[projections.Plastic.stdp]
tau_plus = "20 ms"
tau_minus = "20 ms"
w_max = "0.6 nS"
A_plus = "0.003 nS"
A_minus = "-0.00315 nS"
[projections.Inhibition]
pre = "Probe"
post = "Cell"
receptor = "inhibitory"
connectivity = { rule = "all_to_all" }
weight = "5 nS"
delay = "1 ms"
"""
# What a run adds to a circuit: the same for the model and for the TOML that points to its circuit.
SOURCES_RUN = """
[[metabolism.steps]]
time = "600 ms"
temperature = "39 degC"
[recording]
rate_bin = "10 ms"
[[recording.weights]]
projection = "Plastic"
interval = "100 ms"
bins = 10
final = true
"""


class ExportedSources(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)
        cls.model = cls.dir / "sources.toml"
        cls.model.write_text(SOURCES + SOURCES_RUN)
        cls.circuit = cls.dir / "circuit"
        cls.export = metabosim("export", cls.model, "--sonata", "-o", cls.circuit)
        cls.original = cls.dir / "original"
        cls.ran = metabosim("run", cls.model, "-o", cls.original, "-q")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_sources_are_virtual_nodes_fed_by_spike_inputs(self):
        self.assertEqual(self.export.returncode, 0, self.export.stderr)
        conf = nest_paths(self.circuit / "circuit_config.json")
        inputs = conf["inputs"]
        self.assertEqual(sorted(inputs), ["Input_spikes", "Probe_spikes"])
        for population, size in (("Input", 400), ("Probe", 2)):
            (row,) = types_csv(self.circuit / f"{population}_node_types.csv")
            self.assertEqual(row["model_type"], "virtual")
            self.assertNotIn("dynamics_params", row)
            self.assertNotIn("model_template", row)
            entry = inputs[f"{population}_spikes"]
            self.assertEqual((entry["input_type"], entry["module"], entry["node_set"]), ("spikes", "h5", population))
            with h5py.File(entry["input_file"], "r") as f:  # as NEST resolves the path
                self.assertEqual(f.attrs["magic"], 0x0A7A)
                g = f["spikes"][population]
                self.assertEqual(g.attrs["sorting"], 1)  # by_id
                self.assertEqual(h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype),
                                 {"none": 0, "by_id": 1, "by_time": 2})
                self.assertEqual(g["timestamps"].attrs["units"], "ms")
                self.assertEqual(g["timestamps"].dtype, np.float64)
                self.assertEqual(g["node_ids"].dtype, np.uint64)
                ids, times = g["node_ids"][()], g["timestamps"][()]
            self.assertTrue(np.all(np.diff(ids.astype(np.int64)) >= 0))
            self.assertTrue(np.all(ids < size))
            # The trains are the spikes a run of the model emits, to the last bit.
            with h5py.File(self.original / "spikes.h5", "r") as f:
                ran = f["spikes"][population]
                emitted = sorted(zip(ran["node_ids"][()].tolist(), ran["timestamps"][()].tolist()))
            self.assertEqual(sorted(zip(ids.tolist(), times.tolist())), emitted)
            if population == "Probe":
                self.assertEqual(times.tolist(), [5, 250.5, 700, 17.125])  # 1500 ms is after the end
            else:
                # The step (x 3) and then the temperature (x 2^0.2) raise the rate.
                before, after = np.sum(times < 400), np.sum(times >= 700)
                self.assertGreater(after / 300, 3 * 1.1 * before / 400)

    def test_round_trip_same_spikes_and_weights_for_the_same_seed(self):
        self.assertEqual(self.ran.returncode, 0, self.ran.stderr)
        config = self.dir / "from_circuit.toml"
        config.write_text(f'''
[network]
sonata = "{self.circuit / 'circuit_config.json'}"
[run]
duration = "1000 ms"
seed = 3
''' + SOURCES_RUN)
        again = self.dir / "again"
        r = metabosim("run", config, "-o", again, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("spikes.h5", "weights.h5", "rates.csv", "metabolism.csv"):
            self.assertEqual((self.original / name).read_bytes(), (again / name).read_bytes(), name)
        # The circuit config alone gives the same spikes too: the inputs are the circuit's.
        plain = self.dir / "plain"
        r = metabosim("run", self.circuit / "circuit_config.json", "-o", plain, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(self.original / "spikes.h5", "r") as f, h5py.File(plain / "spikes.h5", "r") as g:
            for population in ("Input", "Probe"):
                np.testing.assert_array_equal(f["spikes"][population]["timestamps"][()],
                                              g["spikes"][population]["timestamps"][()])
            self.assertGreater(len(f["spikes/Cell/timestamps"]), 10)
        summary = json.loads((self.original / "summary.json").read_text())
        self.assertGreater(summary["populations"]["Input"]["spikes"], 4000)


def write_handmade_circuit(root, weight_in_h5=True, dynamics_extra=None):
    """A circuit as bmtk's NetworkBuilder and NEST's examples write one: one node population V1 with
    two node types (exc 101, inh 102) interleaved, one edge population with two edge types, the
    sign of syn_weight for the receptor, delays in the edge types file."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "components").mkdir(exist_ok=True)
    (root / "network").mkdir(exist_ok=True)
    types = np.array([101, 102, 101, 101, 102, 101])
    with h5py.File(root / "network" / "v1_nodes.h5", "w") as f:
        g = f.create_group("nodes/V1")
        g["node_type_id"] = types.astype(np.uint32)
        g["node_group_id"] = np.zeros(6, dtype=np.uint32)
        g["node_group_index"] = np.arange(6, dtype=np.uint32)
        f.create_group("nodes/V1/0")
    (root / "network" / "v1_node_types.csv").write_text(
        "node_type_id model_type model_template dynamics_params pop_name\n"
        "101 point_neuron nest:iaf_cond_exp exc.json \"excitatory cells\"\n"
        "102 point_neuron nest:iaf_cond_exp inh.json inhibitory\n")
    exc = {"C_m": 250.0, "g_L": 16.7, "E_L": -70.0, "V_th": -55.0, "V_reset": -70.0, "t_ref": 2.0,
           "I_e": 400.0, **(dynamics_extra or {})}
    (root / "components" / "exc.json").write_text(json.dumps(exc))
    (root / "components" / "inh.json").write_text(json.dumps({"C_m": 100.0, "I_e": 0.0}))
    # Edges: 0 -> 1 (exc onto inh, 5 nS), 1 -> 0, 1 -> 2 (inh, -20 nS), 3 -> 4 (exc, STDP type).
    with h5py.File(root / "network" / "v1_v1_edges.h5", "w") as f:
        g = f.create_group("edges/V1_to_V1")
        g["source_node_id"] = np.array([0, 1, 1, 3], dtype=np.uint64)
        g["source_node_id"].attrs["node_population"] = "V1"
        g["target_node_id"] = np.array([1, 0, 2, 4], dtype=np.uint64)
        g["target_node_id"].attrs["node_population"] = "V1"
        g["edge_type_id"] = np.array([1, 1, 1, 2], dtype=np.uint32)
        g["edge_group_id"] = np.zeros(4, dtype=np.uint32)
        g["edge_group_index"] = np.arange(4, dtype=np.uint32)
        if weight_in_h5:
            g["0/syn_weight"] = np.array([5.0, -20.0, -20.0, 3.0])
        else:
            f.create_group("edges/V1_to_V1/0")
    (root / "network" / "v1_v1_edge_types.csv").write_text(
        "edge_type_id model_template delay dynamics_params\n"
        "1 static_synapse 1.5 static.json\n"
        "2 stdp_synapse 2.0 stdp.json\n")
    (root / "components" / "static.json").write_text("{}")
    (root / "components" / "stdp.json").write_text(json.dumps({"tau_plus": 20.0, "lambda": 0.01, "alpha": 1.0,
                                                               "mu_plus": 0.0, "mu_minus": 0.0, "Wmax": 10.0}))
    config = {"target_simulator": "NEST",
              "manifest": {"$BASE_DIR": "${configdir}", "$NETWORK_DIR": "$BASE_DIR/network",
                           "$COMPONENTS_DIR": "$BASE_DIR/components"},
              "components": {"point_neuron_models_dir": "$COMPONENTS_DIR", "synaptic_models_dir": "$COMPONENTS_DIR"},
              "networks": {"nodes": [{"nodes_file": "$NETWORK_DIR/v1_nodes.h5",
                                      "node_types_file": "$NETWORK_DIR/v1_node_types.csv"}],
                           "edges": [{"edges_file": "$NETWORK_DIR/v1_v1_edges.h5",
                                      "edge_types_file": "$NETWORK_DIR/v1_v1_edge_types.csv"}]},
              "run": {"tstop": 200.0, "dt": 0.1}}
    (root / "circuit_config.json").write_text(json.dumps(config, indent=2))
    return root / "circuit_config.json"


LGN_TIMES = {0: [3.0, 40.5, 90.0], 2: [12.25]}  # node 1 is silent


def add_virtual_input(root, spikes=True, input_entry=None):
    """Adds to a handmade circuit what bmtk's examples have: a node population LGN of 3 virtual
    nodes onto V1 node 0, and its spike trains in a spike file named by the config's inputs,
    written by time as bmtk writes them."""
    with h5py.File(root / "network" / "lgn_nodes.h5", "w") as f:
        g = f.create_group("nodes/LGN")
        g["node_type_id"] = np.full(3, 100, dtype=np.uint32)
        g["node_id"] = np.arange(3, dtype=np.uint64)
    (root / "network" / "lgn_node_types.csv").write_text("node_type_id model_type pop_name\n100 virtual tON\n")
    with h5py.File(root / "network" / "lgn_v1_edges.h5", "w") as f:
        g = f.create_group("edges/LGN_to_V1")
        g["source_node_id"] = np.array([0, 1, 2], dtype=np.uint64)
        g["source_node_id"].attrs["node_population"] = "LGN"
        g["target_node_id"] = np.array([0, 0, 0], dtype=np.uint64)
        g["target_node_id"].attrs["node_population"] = "V1"
        g["edge_type_id"] = np.full(3, 1, dtype=np.uint32)
        g["0/syn_weight"] = np.array([4.0, 4.0, 4.0])
    (root / "network" / "lgn_v1_edge_types.csv").write_text("edge_type_id model_template delay\n1 static_synapse 1.0\n")
    if spikes:
        pairs = sorted((t, node) for node, times in LGN_TIMES.items() for t in times)
        (root / "inputs").mkdir(exist_ok=True)
        with h5py.File(root / "inputs" / "lgn_spikes.h5", "w") as f:
            g = f.create_group("spikes/LGN")
            g.attrs["sorting"] = "by_time"
            g["timestamps"] = np.array([t for t, _ in pairs])
            g["timestamps"].attrs["units"] = "ms"
            g["node_ids"] = np.array([n for _, n in pairs], dtype=np.uint64)
    config_path = root / "circuit_config.json"
    config = json.loads(config_path.read_text())
    config["networks"]["nodes"].append({"nodes_file": "$NETWORK_DIR/lgn_nodes.h5",
                                        "node_types_file": "$NETWORK_DIR/lgn_node_types.csv"})
    config["networks"]["edges"].append({"edges_file": "$NETWORK_DIR/lgn_v1_edges.h5",
                                        "edge_types_file": "$NETWORK_DIR/lgn_v1_edge_types.csv"})
    config["inputs"] = {"LGN_spikes": input_entry or {"input_type": "spikes", "module": "sonata",
                                                      "input_file": "${configdir}/inputs/lgn_spikes.h5",
                                                      "node_set": {"population": "LGN"}}}
    config_path.write_text(json.dumps(config, indent=2))
    return config_path


class HandmadeCircuit(unittest.TestCase):
    def test_runs_with_node_types_as_populations(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = write_handmade_circuit(pathlib.Path(tmp) / "c")
            out = pathlib.Path(tmp) / "out"
            r = metabosim("run", config, "-o", out, "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
            summary = json.loads((out / "summary.json").read_text())
            self.assertEqual(summary["duration_ms"], 200)  # run.tstop
            self.assertEqual(summary["synapses"], 4)
            self.assertEqual({p: v["size"] for p, v in summary["populations"].items()}, {"V1_101": 4, "V1_102": 2})
            # I_e = 400 pA drives the excitatory type above threshold (I_e / g_L = 24 mV > 15 mV).
            self.assertGreater(summary["populations"]["V1_101"]["spikes"], 4)
            r = metabosim("validate", config)
            self.assertEqual(r.returncode, 0, r.stderr)
            # A relative path to the config: its files are found from the config's directory.
            r = subprocess.run([pathlib.Path(EXE).resolve(), "run", "c/circuit_config.json", "-o", "relative", "-q"], cwd=tmp,
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual((out / "spikes.h5").read_bytes(), (pathlib.Path(tmp) / "relative" / "spikes.h5").read_bytes())

    def test_virtual_nodes_replay_their_spike_input(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp) / "c"
            config = add_virtual_input(write_handmade_circuit(root).parent)
            out = pathlib.Path(tmp) / "out"
            r = metabosim("run", config, "-o", out, "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
            summary = json.loads((out / "summary.json").read_text())
            self.assertEqual(list(summary["populations"]), ["V1_101", "V1_102", "LGN"])
            self.assertEqual(summary["synapses"], 4 + 3)
            with h5py.File(out / "spikes.h5", "r") as f:
                g = f["spikes/LGN"]
                emitted = sorted(zip(g["node_ids"][()].tolist(), g["timestamps"][()].tolist()))
            self.assertEqual(emitted, sorted((n, t) for n, times in LGN_TIMES.items() for t in times))

    def test_a_toml_that_points_to_the_circuit_adds_to_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = write_handmade_circuit(pathlib.Path(tmp) / "c")
            toml = pathlib.Path(tmp) / "run.toml"
            toml.write_text(f'''[network]
sonata = "c/circuit_config.json"
[run]
duration = "50 ms"
[populations.V1_102]
temperature = "41 degC"
drive = {{ rate = "1000 Hz", weight = "3 nS" }}
[populations.extra]
size = 3
[projections.extra_to_V1]
pre = "extra"
post = "V1_101"
connectivity = {{ rule = "all_to_all" }}
[[recording.states]]
population = "V1_102"
neurons = [0, 1]
''')
            out = pathlib.Path(tmp) / "out"
            r = metabosim("run", toml, "-o", out, "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
            summary = json.loads((out / "summary.json").read_text())
            self.assertEqual(summary["duration_ms"], 50)
            self.assertEqual(summary["synapses"], 4 + 3 * 4)
            self.assertEqual(list(summary["populations"]), ["V1_101", "V1_102", "extra"])
            self.assertGreater(summary["populations"]["V1_102"]["spikes"], 0)  # driven
            self.assertIn("0,V1_102,41", (out / "metabolism.csv").read_text().split())
            with h5py.File(out / "V.h5", "r") as f:
                self.assertEqual(f["report/V1_102/data"].shape[1], 2)

            toml.write_text(toml.read_text().replace('[populations.V1_102]', '[populations.V1_102]\nsize = 5'))
            r = metabosim("run", toml, "-o", out, "-q")
            self.assertEqual(r.returncode, 2)
            self.assertIn("populations.V1_102.size", r.stderr)
            self.assertIn("comes from the circuit, with 2 neurons", r.stderr)


class BadCircuits(unittest.TestCase):
    def refused(self, config, *expected):
        with tempfile.TemporaryDirectory() as tmp:
            r = metabosim("run", config, "-o", pathlib.Path(tmp) / "out")
            self.assertEqual(r.returncode, 2, r.stderr)
            for text in expected:
                self.assertIn(text, r.stderr)
            self.assertFalse((pathlib.Path(tmp) / "out" / "spikes.h5").exists())

    def test_errors_name_file_dataset_or_column_and_expectation(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            config = write_handmade_circuit(root / "a", dynamics_extra={"tau_m": 10.0})
            self.refused(config, "exc.json", 'unknown parameter "tau_m"', "C_m")
            config = write_handmade_circuit(root / "b", dynamics_extra={"C_m": -5})
            self.refused(config, "exc.json", "C_m is -5", "positive")
            config = write_handmade_circuit(root / "c", weight_in_h5=False)
            self.refused(config, "v1_v1_edges.h5", "/edges/V1_to_V1/0/syn_weight is missing", "v1_v1_edge_types.csv")
            config = write_handmade_circuit(root / "d")
            with h5py.File(root / "d" / "network" / "v1_v1_edges.h5", "a") as f:
                del f["edges/V1_to_V1/target_node_id"]
            self.refused(config, "v1_v1_edges.h5", "/edges/V1_to_V1/target_node_id")
            config = write_handmade_circuit(root / "e")
            csv_path = root / "e" / "network" / "v1_node_types.csv"
            csv_path.write_text(csv_path.read_text().replace("nest:iaf_cond_exp exc.json", "nest:iaf_psc_alpha exc.json"))
            self.refused(config, "v1_node_types.csv", "column model_template, row 1", "nest:iaf_cond_exp")
            config = write_handmade_circuit(root / "f")
            with h5py.File(root / "f" / "network" / "v1_v1_edges.h5", "a") as f:
                f["edges/V1_to_V1/source_node_id"][0] = 9
            self.refused(config, "source_node_id[0] is 9", "below 6")
            bad = root / "bad.json"
            bad.write_text('{"networks": {"nodes": []}}')
            self.refused(bad, "bad.json", "networks.nodes")

    def test_virtual_nodes_without_good_spikes_are_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)

            def circuit(name, **kwargs):
                return add_virtual_input(write_handmade_circuit(root / name).parent, **kwargs)

            def spikes(name):
                return h5py.File(root / name / "inputs" / "lgn_spikes.h5", "a")

            # No input for the virtual nodes.
            config = circuit("a")
            conf = json.loads(config.read_text())
            del conf["inputs"]
            config.write_text(json.dumps(conf))
            self.refused(config, "lgn_nodes.h5", "/nodes/LGN has virtual nodes", "circuit_config.json",
                         '"node_set": "LGN"')
            # The input file is missing.
            config = circuit("b", spikes=False)
            self.refused(config, "circuit_config.json", "inputs.LGN_spikes.input_file", "lgn_spikes.h5",
                         "cannot open")
            # Malformed: no node_ids; another population's group.
            config = circuit("c")
            with spikes("c") as f:
                del f["spikes/LGN/node_ids"]
            self.refused(config, "inputs.LGN_spikes.input_file", "/spikes/LGN/node_ids is missing")
            config = circuit("d")
            with spikes("d") as f:
                f.move("spikes/LGN", "spikes/LGN2")
            self.refused(config, "lgn_spikes.h5", "/spikes/LGN is missing", "node population LGN")
            # A node id the population does not have.
            config = circuit("e")
            with spikes("e") as f:
                f["spikes/LGN/node_ids"][1] = 7
            self.refused(config, "lgn_spikes.h5", "/spikes/LGN/node_ids[1] is 7", "below 3")
            # A node's times out of order, or twice the same; a negative time.
            config = circuit("f")
            with spikes("f") as f:
                del f["spikes/LGN/timestamps"], f["spikes/LGN/node_ids"]
                f["spikes/LGN/timestamps"] = np.array([40.5, 3.0])
                f["spikes/LGN/node_ids"] = np.array([0, 0], dtype=np.uint64)
            self.refused(config, "lgn_spikes.h5", "/spikes/LGN/timestamps[1] is 3 ms", "node 0",
                         "strictly ascending")
            config = circuit("g")
            with spikes("g") as f:
                f["spikes/LGN/timestamps"][0] = -1.0
            self.refused(config, "lgn_spikes.h5", "/spikes/LGN/timestamps[0] is -1", "ms")
            # Inputs metabosim cannot take, or for nodes that are not virtual.
            config = circuit("h", input_entry={"input_type": "current_clamp", "module": "IClamp", "node_set": "V1"})
            self.refused(config, "circuit_config.json", "inputs.LGN_spikes.input_type", "current_clamp", '"spikes"')
            config = circuit("i", input_entry={"input_type": "spikes", "module": "h5",
                                               "input_file": "inputs/lgn_spikes.h5", "node_set": "V1"})
            self.refused(config, "inputs.LGN_spikes.node_set", '"V1"', "virtual nodes")
            config = circuit("j", input_entry={"input_type": "spikes", "module": "csv",
                                               "input_file": "inputs/lgn_spikes.h5", "node_set": "LGN"})
            self.refused(config, "inputs.LGN_spikes.module", '"csv"', '"h5"')


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
