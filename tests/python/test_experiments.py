"""The experiments from Python: the same measures as the command line for the same settings,
returned as data; the STDP window as arrays; the comparison; refusals before anything runs; and
Ctrl-C as KeyboardInterrupt."""

import json
import os
import signal
import subprocess
import threading

import numpy as np
import pytest

import metabosim as ms
from conftest import TINY


def without_wall_times(data):
    """findings.json without what depends on the clock or on how the experiment was started."""
    if isinstance(data, dict):
        return {k: without_wall_times(v) for k, v in data.items() if k not in ("wall_seconds", "command")}
    if isinstance(data, list):
        return [without_wall_times(v) for v in data]
    return data


def test_findings_as_data_are_those_of_the_command_line(exe, tmp_path):
    args = ["topology", "--neurons", "200", "--duration", "600 ms", "--seeds", "1,2", "--no-sensitivity"]
    r = subprocess.run([exe, "experiment", *args, "-o", tmp_path / "cli", "--no-figures", "-q"],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    lines = []
    found = ms.experiments.findings("topology", output=tmp_path / "py", neurons=200, duration="600 ms",
                                    seeds=[1, 2], sensitivity=False, progress=lines.append)
    assert found["topology"]["verdict"] in ("reproduced", "partly reproduced", "not reproduced")
    assert set(found["topology"]["per_state"]) == {"hypo", "normo", "hyper"}
    assert len(found["runs"]) == 6 and len(lines) >= 6
    cli = json.loads((tmp_path / "cli" / "findings.json").read_text())
    assert without_wall_times(found) == without_wall_times(cli)
    assert (tmp_path / "py" / "findings.json").is_file()


def test_findings_refused_before_running(tmp_path):
    with pytest.raises(ms.UserError, match="at least 500 ms"):
        ms.experiments.findings(output=tmp_path / "x", duration="100 ms", progress=None)
    with pytest.raises(ms.UserError, match="nonsense"):
        ms.experiments.findings("nonsense", output=tmp_path / "x", progress=None)
    with pytest.raises(ms.UserError, match="duration: \"3000\" has no unit"):
        ms.experiments.findings(output=tmp_path / "x", duration=3000, progress=None)
    assert not (tmp_path / "x" / "findings.json").exists()
    assert ms.experiments.names()[0] == "bifurcation" and "all" not in ms.experiments.names()


def test_stdp_window_as_arrays_follows_the_q10_law():
    model = ms.microcircuit()
    offsets = ([-20, -10, -5, 5, 10, 20], "ms")
    normo = ms.experiments.stdp_window(model, temperature="37 degC", offsets=offsets, pairings=10)
    hyper = ms.experiments.stdp_window(model, temperature="41 degC", offsets=offsets, pairings=10)
    np.testing.assert_array_equal(normo["target_dt"], [-20, -10, -5, 5, 10, 20])
    assert normo["clipped"].dtype == bool and not normo["clipped"].any()
    assert (normo["dw_per_pairing"][:3] < 0).all() and (normo["dw_per_pairing"][3:] > 0).all()
    assert hyper["ltp"].amplitude / normo["ltp"].amplitude == pytest.approx(3 ** 0.4, rel=1e-4)
    with pytest.raises(ms.UserError, match="projection \"EI\" is not plastic"):
        ms.experiments.stdp_window(model, projection="EI", offsets=offsets, pairings=10)


def test_comparison_as_data(tmp_path):
    model = ms.load_config(TINY)
    c = ms.experiments.compare(model, output=tmp_path / "cmp", seeds=[1], dts=["0.1 ms"], brian2=False,
                               convergence_dts=([0.08, 0.04, 0.02], "ms"), progress=None)
    assert sorted(r["label"] for r in c["runs"]) == ["clock-dt0.1", "event"]
    errors = [e["median_ms"] for e in c["convergence"]["single_neurons"]["clock"]]
    assert errors == sorted(errors, reverse=True)
    assert (tmp_path / "cmp" / "compare.json").is_file()


def test_ctrl_c_stops_an_experiment(tmp_path):
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        # Many short runs: far longer than the test, each of them over quickly.
        ms.experiments.findings("degradation", output=tmp_path / "f", neurons=100, duration="500 ms",
                                seeds=range(1, 100), threads=2, progress=None)
    timer.join()
    assert not (tmp_path / "f" / "findings.json").exists()
