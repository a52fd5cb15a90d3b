// Measures of population synchrony beyond the single Golomb chi of analysis.hpp, to examine how
// much a synchrony verdict owes to the measure: chi over chosen neurons and coarser sampling,
// the correlation of spike counts between neurons, and the power spectrum of a population rate.
// Undefined measures return NaN; inconsistent arguments throw UserError (as in analysis.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "metabosim/recording/results.hpp"

namespace metabosim::analysis {

// Golomb chi (analysis.hpp, synchrony_chi) over the trace's columns `columns` only (indices into
// trace.neurons), using every `stride`-th sample of [first, last): first, first + stride, ...
double synchrony_chi_of(const StateTrace& trace, std::size_t variable, const std::vector<std::size_t>& columns,
                        std::size_t first, std::size_t last, std::size_t stride = 1);

// synchrony_chi_of in consecutive windows [t0, t0 + window) ms, t0 = 0, window, ... while the
// window ends by `duration` (ms), sample k taken at k * trace.interval; so that a transient
// synchronous phase is not averaged away. One value per window (NaN where undefined).
std::vector<double> windowed_chi(const StateTrace& trace, std::size_t variable, const std::vector<std::size_t>& columns,
                                 double window, double duration, std::size_t stride = 1);

// Mean Pearson correlation over all pairs of the given neurons (local ids) of their spike counts
// in the bins [t0 + k bin, t0 + (k+1) bin) inside [t0, t1). Neurons whose count does not vary
// (e.g. silent) have no correlation and are left out; NaN with fewer than 2 left or 2 bins.
// O(neurons x bins): the mean over pairs is computed from the sum of the standardized counts.
double mean_count_correlation(const PopulationSpikes& spikes, const std::vector<std::uint32_t>& neurons, double bin,
                              double t0, double t1);

// One-sided power spectral density of a signal sampled every `bin` ms (e.g. a population rate),
// by Welch's method: segments of `segment` samples overlapping by half, each with its mean
// removed and a Hann window, periodograms averaged. frequency in Hz (k / (segment bin), k = 0 ..
// segment/2), power in signal^2 / Hz. With fewer samples than `segment`, one segment of all of
// them. Empty for fewer than 4 samples.
struct Spectrum {
    std::vector<double> frequency, power;
};
Spectrum power_spectrum(const std::vector<double>& signal, double bin, std::size_t segment);

// The frequency of the largest power at or above `min_frequency` (Hz); NaN if none or all zero.
double peak_frequency(const Spectrum& s, double min_frequency);
// The fraction of the power above 0 Hz that lies in [low, high) Hz; NaN if that power is 0.
double band_fraction(const Spectrum& s, double low, double high);

}  // namespace metabosim::analysis
