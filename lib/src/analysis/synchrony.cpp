#include "metabosim/analysis/synchrony.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <span>

#include <fmt/format.h>

#include "analysis/bins.hpp"
#include "analysis/moments.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim::analysis {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double synchrony_chi_of(const StateTrace& trace, std::size_t variable, const std::vector<std::size_t>& columns,
                        std::size_t first, std::size_t last, std::size_t stride) {
    const std::size_t neurons = trace.neurons.size();
    if (variable >= trace.variables.size() || first > last || last > trace.samples || stride == 0 ||
        trace.values.size() != trace.samples * trace.variables.size() * neurons)
        throw UserError(fmt::format("synchrony_chi: variable {} of {}, samples [{}, {}) of {} (stride {}) in a trace "
                                    "of {} values: out of range",
                                    variable, trace.variables.size(), first, last, trace.samples, stride,
                                    trace.values.size()));
    for (std::size_t c : columns)
        if (c >= neurons)
            throw UserError(fmt::format("synchrony_chi: column {} of a trace of {} neurons", c, neurons));
    const std::size_t n = (last - first + stride - 1) / stride;
    if (columns.empty() || n == 0) return nan;
    std::vector<double> population(n, 0.0), single(n);  // mean over neurons at each sample; one neuron
    double mean_variance = 0;
    for (std::size_t c : columns) {
        for (std::size_t j = 0; j < n; ++j) {
            single[j] = trace.at(first + j * stride, variable, c);
            population[j] += single[j] / static_cast<double>(columns.size());
        }
        mean_variance += variance(single) / static_cast<double>(columns.size());
    }
    return mean_variance > 0 ? std::sqrt(variance(population) / mean_variance) : nan;
}

std::vector<double> windowed_chi(const StateTrace& trace, std::size_t variable, const std::vector<std::size_t>& columns,
                                 double window, double duration, std::size_t stride) {
    if (!(window > 0) || !std::isfinite(window) || !(trace.interval > 0))
        throw UserError(fmt::format("windowed_chi: window {} ms over samples every {} ms, expected both > 0", window,
                                    trace.interval));
    std::vector<double> chi;
    for (double t0 = 0; t0 + window <= duration + 1e-9; t0 += window) {
        const auto first = static_cast<std::size_t>(std::lround(t0 / trace.interval));
        const auto last = std::min(trace.samples, static_cast<std::size_t>(std::lround((t0 + window) / trace.interval)));
        chi.push_back(synchrony_chi_of(trace, variable, columns, std::min(first, last), last, stride));
    }
    return chi;
}

double mean_count_correlation(const PopulationSpikes& spikes, const std::vector<std::uint32_t>& neurons, double bin,
                              double t0, double t1) {
    const Bins bins(bin, t0, t1);
    if (spikes.times.size() != spikes.node_ids.size())
        throw UserError(fmt::format("population {}: {} spike times but {} node ids", spikes.population,
                                    spikes.times.size(), spikes.node_ids.size()));
    constexpr std::size_t absent = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> row(spikes.size, absent);  // neuron -> its row in counts
    for (std::size_t i = 0; i < neurons.size(); ++i) {
        if (neurons[i] >= spikes.size)
            throw UserError(fmt::format("population {}: neuron {}, expected a node id below {}", spikes.population,
                                        neurons[i], spikes.size));
        row[neurons[i]] = i;
    }
    const std::size_t T = bins.count();
    if (T < 2) return nan;
    std::vector<double> counts(neurons.size() * T, 0.0);
    for (std::size_t q = 0; q < spikes.times.size(); ++q) {
        const std::uint32_t id = spikes.node_ids[q];
        if (id >= spikes.size)
            throw UserError(fmt::format("population {}: spike of node {}, expected a node id below {}",
                                        spikes.population, id, spikes.size));
        if (const std::size_t k = bins.of(spikes.times[q]); row[id] != absent && k < T) counts[row[id] * T + k] += 1;
    }
    // corr_ij = (1/T) sum_t z_i(t) z_j(t) with z standardized, so the sum over pairs i != j is
    // (1/T) sum_t [(sum_i z_i(t))^2 - sum_i z_i(t)^2].
    std::vector<double> sum(T, 0.0);
    double sum_sq = 0;
    std::size_t used = 0;
    for (std::size_t i = 0; i < neurons.size(); ++i) {
        const double* c = &counts[i * T];
        const std::span<const double> row_counts(c, T);
        const double var = variance(row_counts);
        if (!(var > 0)) continue;
        const double m = mean(row_counts);
        const double sd = std::sqrt(var);
        for (std::size_t k = 0; k < T; ++k) {
            const double z = (c[k] - m) / sd;
            sum[k] += z;
            sum_sq += z * z;
        }
        ++used;
    }
    if (used < 2) return nan;
    double total = 0;
    for (double s : sum) total += s * s;
    const double pairs = static_cast<double>(used) * static_cast<double>(used - 1);
    return (total - sum_sq) / static_cast<double>(T) / pairs;
}

Spectrum power_spectrum(const std::vector<double>& signal, double bin, std::size_t segment) {
    if (!(bin > 0) || !std::isfinite(bin) || segment < 4)
        throw UserError(fmt::format("power_spectrum: bin {} ms and segment {} samples, expected bin > 0 and a "
                                    "segment of at least 4 samples",
                                    bin, segment));
    Spectrum s;
    if (signal.size() < 4) return s;
    const std::size_t L = std::min(segment, signal.size());
    const std::size_t hop = std::max<std::size_t>(1, L / 2);
    const double fs = 1000 / bin;  // Hz
    std::vector<double> window(L);
    double window_power = 0;
    for (std::size_t n = 0; n < L; ++n) {
        window[n] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(n) / static_cast<double>(L));
        window_power += window[n] * window[n];
    }
    const std::size_t K = L / 2 + 1;
    s.frequency.resize(K);
    s.power.assign(K, 0.0);
    for (std::size_t k = 0; k < K; ++k) s.frequency[k] = static_cast<double>(k) * fs / static_cast<double>(L);
    std::size_t segments = 0;
    std::vector<double> x(L), cos_table(L), sin_table(L);
    for (std::size_t n = 0; n < L; ++n) {
        cos_table[n] = std::cos(2 * std::numbers::pi * static_cast<double>(n) / static_cast<double>(L));
        sin_table[n] = std::sin(2 * std::numbers::pi * static_cast<double>(n) / static_cast<double>(L));
    }
    for (std::size_t start = 0; start + L <= signal.size(); start += hop, ++segments) {
        const std::span<const double> piece(signal.data() + start, L);
        const double m = mean(piece);
        // What the rounding of the mean leaves of a constant is not a fluctuation: no power.
        const double rounding = 1e-12 * std::abs(m);
        for (std::size_t n = 0; n < L; ++n)
            x[n] = std::abs(piece[n] - m) <= rounding ? 0.0 : (piece[n] - m) * window[n];
        // A plain DFT: segments are ~10^3 samples and a run has a few of them.
        for (std::size_t k = 0; k < K; ++k) {
            double re = 0, im = 0;
            for (std::size_t n = 0, phase = 0; n < L; ++n, phase = (phase + k) % L) {
                re += x[n] * cos_table[phase];
                im -= x[n] * sin_table[phase];
            }
            const bool edge = k == 0 || (L % 2 == 0 && k == L / 2);
            s.power[k] += (edge ? 1 : 2) * (re * re + im * im) / (fs * window_power);
        }
    }
    for (double& p : s.power) p /= static_cast<double>(segments);
    return s;
}

double peak_frequency(const Spectrum& s, double min_frequency) {
    double best = 0, at = nan;
    for (std::size_t k = 0; k < s.power.size(); ++k)
        if (s.frequency[k] >= min_frequency && s.power[k] > best) best = s.power[k], at = s.frequency[k];
    return at;
}

double band_fraction(const Spectrum& s, double low, double high) {
    double total = 0, band = 0;
    for (std::size_t k = 0; k < s.power.size(); ++k) {
        if (!(s.frequency[k] > 0)) continue;
        total += s.power[k];
        if (s.frequency[k] >= low && s.frequency[k] < high) band += s.power[k];
    }
    return total > 0 ? band / total : nan;
}

}  // namespace metabosim::analysis
