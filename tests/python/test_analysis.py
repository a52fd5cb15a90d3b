"""The analysis measures on arrays: the library's functions on NumPy input, checked against
the same measures computed here by hand."""

import numpy as np
import pytest

import metabosim as ms
from metabosim import analysis


def spikes():
    times = np.array([1.0, 2.0, 4.0, 5.0, 7.0, 9.5, 12.0])
    ids = np.array([0, 1, 0, 1, 0, 0, 1], dtype=np.uint32)
    return analysis.PopulationSpikes(times, ids, size=3, population="X")


def test_spikes_from_arrays_and_rates():
    s = spikes()
    assert len(s) == 7 and s.population == "X" and s.size == 3
    np.testing.assert_array_equal(analysis.rates(s, 0, 10), [4 / 0.01, 2 / 0.01, 0])
    assert analysis.mean_rate(s, 0, 10) == pytest.approx(6 / 3 / 0.01)
    np.testing.assert_allclose(analysis.population_rate(s, 5, 0, 10), [3 / 3 / 0.005, 3 / 3 / 0.005])
    trains = analysis.spike_trains(s)
    np.testing.assert_array_equal(trains[0], [1, 4, 7, 9.5])
    assert trains[2].size == 0
    with pytest.raises(ValueError, match="differ in length"):
        analysis.PopulationSpikes([1.0], [], 1)
    with pytest.raises(ms.UserError):  # a node id beyond the population: made, but refused
        analysis.mean_rate(analysis.PopulationSpikes([1.0], [5], 1), 0, 10)


def test_irregularity_and_correlation_on_arrays():
    train = np.array([1.0, 2.0, 4.0, 7.0])
    isi = np.diff(train)
    assert analysis.cv_isi(train) == pytest.approx(isi.std() / isi.mean())
    assert np.isnan(analysis.cv_isi([1.0, 2.0]))
    x, y = np.arange(10.0), np.arange(10.0) ** 2
    assert analysis.pearson(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert analysis.spearman(x, y) == pytest.approx(1)
    assert analysis.hoyer_sparseness([0, 0, 1.0]) == pytest.approx(1)
    assert analysis.vinje_gallant_sparseness(np.ones(5)) == pytest.approx(0)
    fit = analysis.fit_exponential(np.arange(1, 20.0), 2 * np.exp(-np.arange(1, 20.0) / 5))
    assert fit.amplitude == pytest.approx(2, rel=1e-6) and fit.tau == pytest.approx(5, rel=1e-6)
    e = analysis.mean_ci95([1.0, 2.0, 3.0])
    assert e.mean == 2 and e.n == 3 and e.low < 2 < e.high
    with pytest.raises(ms.UserError):
        analysis.pearson([1.0, 2.0], [1.0])


def test_synchrony_on_an_array_and_on_a_trace():
    t = np.linspace(0, 10, 200)
    same = np.repeat(np.sin(t)[:, None], 4, axis=1)
    assert analysis.synchrony_chi(same) == pytest.approx(1)
    rng = np.random.default_rng(1)
    independent = rng.normal(size=(5000, 100))
    assert analysis.synchrony_chi(independent) == pytest.approx(0.1, rel=0.2)
    results = ms.run(ms.load_config(__import__("conftest").TINY))
    trace = results.states[0]
    assert analysis.synchrony_chi(trace, "V") == pytest.approx(analysis.synchrony_chi(trace["V"]))
    assert analysis.synchrony_chi(trace, 0, 10, 100) == pytest.approx(analysis.synchrony_chi(trace["V"][10:100]))
    e = results.spikes["E"]
    assert analysis.fano_factor(e, 5, 0, 300) > 0
    assert 0 < analysis.mean_cv_isi(e, 0, 300) < 2
