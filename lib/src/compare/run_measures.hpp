// What a comparison measures on its runs: spike-time errors between two runs of one model, their
// median and order of convergence, and a network run's statistics.
#pragma once

#include <cstddef>
#include <vector>

#include "compare/compared_models.hpp"
#include "metabosim/compare/compare.hpp"
#include "metabosim/recording/results.hpp"

namespace metabosim::compare {

// |t_a - t_b| of the k-th spikes of each neuron of `model`, for the first `per_neuron` spikes both
// have; spike sources are left out (their spikes are drawn, the same in every run).
std::vector<double> spike_time_errors(const Model& model, const Results& a, const Results& b, std::size_t per_neuron);

double median(std::vector<double> v);  // NaN if empty

// Least-squares slope of log y against log x over the finite, positive points; NaN with fewer
// than two.
double loglog_slope(const std::vector<double>& x, const std::vector<double>& y);

// Rates, CV, synchrony and Fano factor per population, and the weight trajectories of the plastic
// projections, into `run`.
void measure_network(const Results& r, const Probes& probes, NetworkRun& run);

}  // namespace metabosim::compare
