"""Runs from Python: the same bytes as the command line for one config and seed, results as
NumPy views without copies, progress between epochs, and Ctrl-C as KeyboardInterrupt that
leaves no thread behind."""

import gc
import os
import pathlib
import signal
import subprocess
import threading

import h5py
import numpy as np
import pytest

import metabosim as ms
from conftest import TINY


def cli_run(exe, out, *args):
    r = subprocess.run([exe, "run", TINY, "-o", out, "--quiet", *args], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("engine, args, kwargs", [
    ("event", [], {}),
    ("event", ["--threads", "2"], {"threads": 2}),
    ("clock", ["--engine", "clock", "--dt", "0.05ms"], {"dt": "0.05 ms"}),
])
def test_spikes_are_byte_identical_to_the_command_line(exe, tmp_path, engine, args, kwargs):
    cli_run(exe, tmp_path / "cli", *args)
    model = ms.load_config(TINY)
    results = ms.run(model, engine, **kwargs)
    ms.write_results(model, results, tmp_path / "py")
    written = sorted(p.name for p in (tmp_path / "cli").iterdir() if p.name != "summary.json")  # summary: wall times
    assert {"spikes.h5", "V.h5", "weights.h5", "rates.csv", "metabolism.csv"} <= set(written)
    for name in written:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    with h5py.File(tmp_path / "cli" / "spikes.h5") as f:
        for pop in ("E", "I"):
            np.testing.assert_array_equal(results.spikes[pop].times, f[f"spikes/{pop}/timestamps"][()])
            np.testing.assert_array_equal(results.spikes[pop].node_ids, f[f"spikes/{pop}/node_ids"][()])
    assert len(results.spikes["E"]) > 100


def test_overrides_and_seed_as_the_command_line(exe, tmp_path):
    cli_run(exe, tmp_path / "cli", "--set", "populations.E.temperature=39 degC", "--seed", "8")
    model = ms.load_config(TINY, overrides={"populations.E.temperature": "39 degC", "run.seed": 8})
    ms.write_results(model, ms.run(model), tmp_path / "py")
    assert (tmp_path / "py" / "spikes.h5").read_bytes() == (tmp_path / "cli" / "spikes.h5").read_bytes()


@pytest.fixture(scope="module")
def results():
    return ms.run(ms.load_config(TINY))


def test_arrays_are_read_only_views_that_keep_their_results_alive(results):
    spikes = results.spikes["E"]
    times, again = spikes.times, spikes.times
    assert times.dtype == np.float64 and spikes.node_ids.dtype == np.uint32
    assert not times.flags.writeable and not times.flags.owndata
    assert times.base is spikes
    assert times.ctypes.data == again.ctypes.data  # the same memory, not a copy each time
    with pytest.raises(ValueError):
        times[0] = 1
    # The arrays outlive every Python reference to the results.
    run = ms.run(ms.load_config(TINY))
    times, ids, trace = run.spikes["I"].times, run.spikes["I"].node_ids, run.states[0]["V"]
    expected = (times.copy(), ids.copy(), trace.copy())
    del run
    gc.collect()
    for array, copy in zip((times, ids, trace), expected):
        np.testing.assert_array_equal(array, copy)


def test_states_weights_timeline_energy_and_counters(results):
    trace = results.states[0]
    assert trace.population == "E" and trace.variables == ["V", "ge", "gi"]
    assert trace.values.shape == (trace.samples, 3, 3) and trace.samples == 301  # 0 to 300 ms
    np.testing.assert_array_equal(trace["gi"], trace.values[:, 2, :])
    assert trace["V"].base is trace and not trace["V"].flags.owndata
    np.testing.assert_array_equal(trace.times, np.arange(301) * 1.0)
    np.testing.assert_array_equal(trace.neurons, [0, 1, 2])
    with pytest.raises(KeyError, match="no variable \"X\""):
        trace["X"]
    w = results.weights["EE"]
    assert list(w.times) == [0, 50, 100, 150, 200, 250, 300]
    assert w.histogram.shape == (7, 12) and (w.histogram.sum(axis=1) == w.final_weight.size).all()
    assert w.has_final and w.final_source.size == w.final_target.size == w.final_weight.size > 0
    assert [(c.time, c.temperature) for c in results.metabolic_timeline if c.population == "E"] == \
        [(0, 37), (150, 41)]
    assert results.energy == {}
    c = results.counters
    assert c.total_events == sum(c.events.values()) > 0 and c.epochs > 0 and c.wall_seconds > 0
    assert results.engine == "event-driven" and results.duration == 300 and results.seed == 5


def test_results_written_and_read_back(results, tmp_path):
    ms.write_results(ms.load_config(TINY), results, tmp_path)
    back = ms.read_results(tmp_path)
    for pop in ("E", "I"):
        np.testing.assert_array_equal(back.spikes[pop].times, results.spikes[pop].times)
    np.testing.assert_array_equal(back.weights["EE"].mean, results.weights["EE"].mean)
    with pytest.raises(ms.UserError):
        ms.read_results(tmp_path / "missing" / "x")


def test_progress_between_epochs_and_at_the_end():
    seen = []
    ms.run(ms.load_config(TINY), progress=seen.append, interval=1e-9)
    assert len(seen) > 2 and all(isinstance(p, ms.Progress) for p in seen)
    assert [p.simulated for p in seen] == sorted(p.simulated for p in seen)
    assert seen[-1].simulated == seen[-1].duration == 300
    assert seen[-1].events > 0


def test_an_exception_in_the_callback_stops_the_run():
    def fail(progress):
        raise ZeroDivisionError("from the callback")

    sim = ms.Simulation(ms.load_config(TINY))
    with pytest.raises(ZeroDivisionError, match="from the callback"):
        sim.run(progress=fail, interval=1e-9)
    assert not sim.finished and not sim.results().complete
    assert sim.run().complete  # the simulation goes on


def test_text_progress(capsys):
    ms.run(ms.load_config(TINY), progress="text", interval=1e-9)
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("[" + "#" * 30 + "] 100%")
    assert "about" in out  # a report before the end says what is left
    with pytest.raises(ValueError, match="progress = 'bar'"):
        ms.run(ms.load_config(TINY), progress="bar")


def thread_count():
    return len(os.listdir("/proc/self/task"))


@pytest.mark.parametrize("engine, kwargs", [("event", {"threads": 3}), ("clock", {}), ("queue", {})])
def test_ctrl_c_stops_a_run_with_keyboard_interrupt(engine, kwargs):
    before = thread_count()
    model = ms.load_config(TINY, overrides={"run.duration": "1000 s"})  # far longer than the test
    sim = ms.Simulation(model, engine, **kwargs)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sim.run()
    timer.join()
    # Stopped at a boundary, still usable: the results so far, marked incomplete.
    assert 0 < sim.time < 1_000_000 and not sim.finished
    partial = sim.results()
    assert not partial.complete and partial.reached == sim.time and "stopped" in partial.stopped
    assert partial.spikes["E"].times.max() <= sim.time
    del sim
    gc.collect()
    assert thread_count() == before  # the engine's worker threads have ended with it


def test_an_interrupted_run_goes_on_to_the_same_spikes(tmp_path):
    model = ms.load_config(TINY)
    whole = ms.run(model)
    sim = ms.Simulation(model)
    def interrupt(progress):
        if progress.simulated > 100:
            os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        sim.run(progress=interrupt, interval=1e-9)
    assert 100 < sim.time < 300
    rest = sim.run()
    assert rest.complete and rest.reached == 300
    for pop in ("E", "I"):
        assert rest.spikes[pop].times.tobytes() == whole.spikes[pop].times.tobytes()
        assert rest.spikes[pop].node_ids.tobytes() == whole.spikes[pop].node_ids.tobytes()


def test_run_until_save_and_load_give_the_same_spikes(tmp_path):
    model = ms.load_config(TINY)
    whole = ms.run(model)
    sim = ms.Simulation(model, threads=2)
    sim.run_until("120 ms")
    assert 120 <= sim.time < 300 and not sim.finished
    part = sim.results()
    assert not part.complete and part.reached == sim.time
    assert part.states[0].samples < whole.states[0].samples
    sim.save(tmp_path / "checkpoint.msc")
    del sim
    again = ms.Simulation.load(tmp_path / "checkpoint.msc", threads=3)
    assert again.time == part.reached
    rest = again.run()
    assert rest.complete
    for pop in ("E", "I"):
        assert rest.spikes[pop].times.tobytes() == whole.spikes[pop].times.tobytes()
    np.testing.assert_array_equal(rest.weights["EE"].final_weight, whole.weights["EE"].final_weight)
    with pytest.raises(ms.UserError, match="until: "):
        ms.Simulation(model).run_until(120)
    with pytest.raises(ms.UserError, match="0 threads"):
        ms.Simulation.load(tmp_path / "checkpoint.msc", threads=0)
    (tmp_path / "bad.msc").write_bytes(b"not a checkpoint")
    with pytest.raises(ms.UserError, match="bad.msc"):
        ms.Simulation.load(tmp_path / "bad.msc")


def test_bad_run_options():
    m = ms.load_config(TINY)
    with pytest.raises(ms.UserError, match="0 threads: expected 1 to 1024"):
        ms.Simulation(m, threads=0)
    with pytest.raises(ms.UserError, match="dt applies to engine=\"clock\" only"):
        ms.Simulation(m, dt="0.1 ms")
    with pytest.raises(ms.UserError, match="dt: \"0.1\" has no unit"):
        ms.Simulation(m, "clock", dt=0.1)
    with pytest.raises(ms.UserError, match="longer than the run"):
        ms.Simulation(m, "clock", dt="1 s")
    with pytest.raises(ms.UserError, match="engine = 'fast'"):
        ms.Simulation(m, "fast")
    with pytest.raises(ValueError, match="interval"):
        ms.Simulation(m).run(interval=0)
