"""Measures of spiking activity on arrays (the library's analysis.hpp).

Times are in ms, rates in Hz, as in Results. `spikes` is a PopulationSpikes: one of
Results.spikes, or PopulationSpikes(times, node_ids, size) made from arrays. A measure that is
undefined for its input returns NaN; inconsistent arguments raise UserError.
"""

from ._core import PopulationSpikes, StateTrace  # noqa: F401
from ._core.analysis import (  # noqa: F401
    Estimate,
    ExponentialFit,
    cv_isi,
    fano_factor,
    fit_exponential,
    hoyer_sparseness,
    local_variation,
    mean_ci95,
    mean_cv_isi,
    mean_local_variation,
    mean_rate,
    pearson,
    population_rate,
    rates,
    spearman,
    spike_trains,
    synchrony_chi,
    vinje_gallant_sparseness,
)
