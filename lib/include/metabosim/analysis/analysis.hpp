// Measures of spiking activity, computed from Results (or from plain vectors), for the apps and
// for embedding code alike. Times are in ms, rates in Hz. A measure that is undefined for its
// input (too few spikes, zero variance) returns NaN rather than a number that looks like data;
// inconsistent arguments (node id beyond the population, vectors of different lengths, bin <= 0,
// indices outside a trace) throw UserError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "metabosim/recording/results.hpp"

namespace metabosim::analysis {

// Spike times of every neuron of a population, by local index, each ascending.
std::vector<std::vector<double>> spike_trains(const PopulationSpikes& spikes);

// Mean rate per neuron over [t0, t1): spikes with t0 <= t < t1 / ((t1 - t0) / 1000 s) (Hz); and
// the population mean of it. NaN for an empty window (t1 <= t0).
std::vector<double> rates(const PopulationSpikes& spikes, double t0, double t1);
double mean_rate(const PopulationSpikes& spikes, double t0, double t1);

// Population rate (Hz per neuron) in consecutive bins [t0 + k bin, t0 + (k+1) bin) that lie wholly
// inside [t0, t1): count / (size * bin / 1000 s). The last partial bin is dropped.
std::vector<double> population_rate(const PopulationSpikes& spikes, double bin, double t0, double t1);

// Coefficient of variation of the interspike intervals (population standard deviation / mean)
// of one train; NaN with fewer than 3 spikes.
double cv_isi(const std::vector<double>& train);
// Local variation Lv = 3/(n-1) sum ((I_i - I_i+1)/(I_i + I_i+1))^2 over n intervals (Shinomoto
// et al. 2003); NaN with fewer than 3 intervals.
double local_variation(const std::vector<double>& train);
// Mean of cv_isi (local_variation) computed per neuron on its spikes in [t0, t1), over the
// neurons with at least `min_spikes` spikes there (and on which the measure is defined); NaN if none.
double mean_cv_isi(const PopulationSpikes& spikes, double t0, double t1, std::size_t min_spikes = 3);
double mean_local_variation(const PopulationSpikes& spikes, double t0, double t1, std::size_t min_spikes = 4);

// Fano factor Var/mean of the population spike count in the bins of population_rate (population
// variance, dividing by the number of bins); NaN if the mean count is 0.
double fano_factor(const PopulationSpikes& spikes, double bin, double t0, double t1);

// Golomb synchrony chi (not squared): chi^2 = Var_t(mean_i V_i(t)) / mean_i Var_t(V_i(t)),
// over the samples k in [first, last) of `variable` of the trace's neurons; NaN if every neuron's
// variance is 0 (or the range is empty). 1 for identical neurons, about 1/sqrt(N) for N
// independent ones.
double synchrony_chi(const StateTrace& trace, std::size_t variable, std::size_t first, std::size_t last);

// Vinje-Gallant population sparseness S = (1 - a) / (1 - 1/N), a = (sum r/N)^2 / sum(r^2/N);
// 0 for a uniform response, 1 when a single neuron responds. NaN if all responses are 0 or N < 2.
double vinje_gallant_sparseness(const std::vector<double>& responses);
// Hoyer sparseness (sqrt(n) - |x|_1/|x|_2) / (sqrt(n) - 1); NaN if x is all 0 or n < 2.
double hoyer_sparseness(const std::vector<double>& x);

// Correlation coefficients; NaN with fewer than 2 pairs or when either side is constant.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
// Spearman rank correlation, ties given their mean rank.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// Least-squares fit of y = amplitude * exp(-|x| / tau) (e.g. one side of an STDP window), with the
// root-mean-square residual. Every field NaN with fewer than 2 points, a single |x|, or no decay
// resolvable within 1e-4 .. 1e4 times the range of |x| (flat, growing or all-zero data).
struct ExponentialFit {
    double amplitude = 0, tau = 0;  // units of y, units of x
    double rms_residual = 0;
};
ExponentialFit fit_exponential(const std::vector<double>& x, const std::vector<double>& y);

// Mean with its 95 % confidence interval mean -+ t(0.975, n - 1) s / sqrt(n), s the sample standard
// deviation. With n = 1 low and high are NaN; with n = 0 the mean too.
struct Estimate {
    double mean = 0, low = 0, high = 0;
    std::size_t n = 0;
};
Estimate mean_ci95(const std::vector<double>& values);

}  // namespace metabosim::analysis
