// Finding 4 examined: is "hypo is not asynchronous" (largest chi(t) of 100 sampled cells >= 0.2)
// a property of the circuit or of the measure? The three states' runs again, with V of every E
// cell, measured several ways (docs/findings.md, "Finding 4 examined").
#include <algorithm>
#include <cmath>
#include <random>

#include "experiments/mean.hpp"
#include "experiments/network_runs.hpp"
#include "experiments/protocols.hpp"
#include "metabosim/analysis/synchrony.hpp"

namespace metabosim::experiments {
namespace {

constexpr std::size_t examined_seeds = 3;
constexpr std::size_t max_samples = 16;    // disjoint samples per size
constexpr double spectrum_segment = 1000;  // ms (1 Hz resolution), population rate in 1 ms bins
const std::vector<std::size_t> sample_sizes{25, 50, 100, 200, 400, 800, 1600, 3200, 4000};
const std::vector<double> windows{50, 100, 250, 500, 1000};  // ms, then the whole run
const std::vector<std::size_t> intervals{1, 2, 5, 10};        // ms between the V samples used
const std::vector<double> count_bins{5, 20, 100};             // ms
const std::vector<std::pair<double, double>> bands{{1, 4}, {4, 8}, {8, 13}, {13, 30}, {30, 80}, {80, 200}, {200, 501}};

// Largest and mean chi over the consecutive windows of `length` (as finding 4 measures them).
ChiByWindow chi_in_windows(const StateTrace& v, const std::vector<std::size_t>& columns, double duration, double length,
                           std::size_t stride = 1) {
    std::vector<double> finite = analysis::windowed_chi(v, 0, columns, length, duration, stride);
    std::erase_if(finite, [](double c) { return !std::isfinite(c); });
    return {.window = length,
            .chi_max = finite.empty() ? NAN : *std::max_element(finite.begin(), finite.end()),
            .chi_mean = mean_of(finite)};
}

// 0 .. n-1 in an order fixed by the seed (Fisher-Yates on mt19937_64, whose sequence is specified).
std::vector<std::size_t> permutation(std::size_t n, std::uint64_t seed) {
    std::vector<std::size_t> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
    std::mt19937_64 rng(seed ^ 0x5eed5a3b1e5ULL);
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng() % i]);
    return p;
}

}  // namespace

SynchronyMeasures measure_synchrony(const Model& m, const Results& r) {
    const StateTrace& v = r.states.at(1);  // every E cell; states[0] is the probe of finding 4
    const auto& E = r.spikes[m.population_index("E")];
    const std::size_t n = v.neurons.size();
    SynchronyMeasures out;
    out.cells = n;
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    const auto probed = probe_cells(static_cast<std::uint32_t>(n));  // the cells of finding 4's chi
    const std::vector<std::size_t> probe(probed.begin(), probed.end());
    out.chi_all_run = analysis::synchrony_chi_of(v, 0, all, 0, v.samples);
    out.chi_all_max = chi_in_windows(v, all, m.duration, chi_window).chi_max;
    out.chi_probe_run = analysis::synchrony_chi_of(v, 0, probe, 0, v.samples);
    out.chi_probe_max = chi_in_windows(v, probe, m.duration, chi_window).chi_max;

    const auto order = permutation(n, m.seed);
    for (std::size_t size : sample_sizes) {
        if (size >= n) break;
        ChiBySize s{.cells = size, .chi_run = {}, .chi_max = {}};
        for (std::size_t k = 0; k < std::min(max_samples, n / size); ++k) {
            const std::vector<std::size_t> sample(order.begin() + k * size, order.begin() + (k + 1) * size);
            s.chi_run.push_back(analysis::synchrony_chi_of(v, 0, sample, 0, v.samples));
            s.chi_max.push_back(chi_in_windows(v, sample, m.duration, chi_window).chi_max);
        }
        out.by_size.push_back(std::move(s));
    }
    out.by_size.push_back({.cells = n, .chi_run = {out.chi_all_run}, .chi_max = {out.chi_all_max}});

    for (double w : windows) {
        if (w > m.duration) break;
        out.by_window_probe.push_back(chi_in_windows(v, probe, m.duration, w));
        out.by_window_all.push_back(chi_in_windows(v, all, m.duration, w));
    }
    out.by_window_probe.push_back({.window = m.duration, .chi_max = out.chi_probe_run, .chi_mean = out.chi_probe_run});
    out.by_window_all.push_back({.window = m.duration, .chi_max = out.chi_all_run, .chi_mean = out.chi_all_run});
    for (std::size_t stride : intervals) {
        ChiByWindow c = chi_in_windows(v, probe, m.duration, chi_window, stride);
        c.window = static_cast<double>(stride) * v.interval;
        out.by_interval_probe.push_back(c);
    }

    std::vector<std::uint32_t> cells(E.size);
    for (std::uint32_t i = 0; i < E.size; ++i) cells[i] = i;
    out.count_bins = count_bins;
    for (double bin : count_bins)
        out.count_correlation.push_back(analysis::mean_count_correlation(E, cells, bin, 0, m.duration));

    const auto spectrum = analysis::power_spectrum(analysis::population_rate(E, 1, 0, m.duration), 1,
                                                   static_cast<std::size_t>(spectrum_segment));
    out.spectrum_frequency = spectrum.frequency;
    out.spectrum_power = spectrum.power;
    out.peak_frequency = analysis::peak_frequency(spectrum, 1);
    out.bands = bands;
    for (const auto& [low, high] : bands) out.band_fraction.push_back(analysis::band_fraction(spectrum, low, high));
    return out;
}

SynchronyExamination synchrony_examination(RunSets& sets) {
    const Settings& s = sets.settings();
    SynchronyExamination x;
    x.sample_cells = voltage_probes;
    x.seeds.assign(s.seeds.begin(), s.seeds.begin() + std::min(examined_seeds, s.seeds.size()));
    std::vector<Job> jobs = sets.state_jobs("synchrony", sets.base(), x.seeds, true);
    for (Job& job : jobs) {
        const Population& e = job.model.population("E");
        StateRecording every{.population = "E", .neurons = {}, .variables = {"V"}, .interval = 1};
        for (std::uint32_t i = 0; i < e.size; ++i) every.neurons.push_back(i);
        job.model.recording.states.push_back(every);
        job.examine_synchrony = true;
        job.write = false;  // the states' runs keep their outputs already
    }
    sets.say("network runs: hypo, normo, hyper x {} seeds with V of every E cell (finding 4 examined)", x.seeds.size());
    const auto runs = sets.run(std::move(jobs));
    for (const auto& [label, t] : {std::pair{"hypo", s.hypo}, {"normo", s.normo}, {"hyper", s.hyper}}) {
        SynchronyAtState a{.state = label, .temperature = t};
        std::vector<double> probe_max, all_max, all_run, sample_mean, sample_sd, peak;
        std::vector<std::vector<double>> correlation(count_bins.size());
        for (std::uint64_t seed : x.seeds) {
            const SynchronyMeasures& m = run_of(runs, "synchrony", label, seed).synchrony.value();
            probe_max.push_back(m.chi_probe_max);
            all_max.push_back(m.chi_all_max);
            all_run.push_back(m.chi_all_run);
            for (const ChiBySize& size : m.by_size)
                if (size.cells == voltage_probes && !size.chi_max.empty()) {
                    const double mu = mean_of(size.chi_max);
                    double ss = 0;
                    for (double c : size.chi_max) ss += (c - mu) * (c - mu);
                    sample_mean.push_back(mu);
                    sample_sd.push_back(size.chi_max.size() > 1 ? std::sqrt(ss / (size.chi_max.size() - 1)) : NAN);
                }
            for (std::size_t b = 0; b < count_bins.size(); ++b) correlation[b].push_back(m.count_correlation[b]);
            peak.push_back(m.peak_frequency);
            a.runs.push_back(m);
        }
        a.chi_probe_max = analysis::mean_ci95(probe_max);
        a.chi_all_max = analysis::mean_ci95(all_max);
        a.chi_all_run = analysis::mean_ci95(all_run);
        a.chi_sample_max_mean = analysis::mean_ci95(sample_mean);
        a.chi_sample_max_sd = analysis::mean_ci95(sample_sd);
        for (const auto& c : correlation) a.count_correlation.push_back(analysis::mean_ci95(c));
        a.peak_frequency = analysis::mean_ci95(peak);
        x.states.push_back(std::move(a));
    }
    return x;
}

}  // namespace metabosim::experiments
