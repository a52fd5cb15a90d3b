#include "experiments/network_runs.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>

#include <fmt/format.h>

#include "experiments/mean.hpp"
#include "experiments/parallel.hpp"
#include "metabosim/model/resize.hpp"
#include "metabosim/analysis/analysis.hpp"
#include "metabosim/analysis/synchrony.hpp"
#include "metabosim/simulation.hpp"
#include "metabosim/simulation/progress.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/recording/output.hpp"

namespace metabosim::experiments {
namespace {

constexpr double presentation = 100;     // ms per pattern, patterns in turn
constexpr double pattern_rate = 100;     // Hz, regular input spikes while a pattern is shown
constexpr double pattern_weight = 4;     // nS

std::uint32_t excitatory_size(const Model& m) { return m.population("E").size; }

// Rates of E neurons while each pattern is shown, over the last third of the run.
std::vector<std::vector<double>> pattern_responses(const Model& m, const Results& r) {
    const auto& spikes = r.spikes[m.population_index("E")];
    const std::uint32_t n = excitatory_size(m);
    std::vector<std::vector<double>> counts(pattern_count, std::vector<double>(n, 0.0));
    std::vector<double> shown(pattern_count, 0.0);
    const double from = m.duration * 2 / 3;
    for (double start = 0; start < m.duration; start += presentation) {  // the part of each showing after `from`
        const auto k = static_cast<std::size_t>(std::lround(start / presentation)) % pattern_count;
        shown[k] += std::max(0.0, std::min(start + presentation, m.duration) - std::max(start, from)) / 1000;
    }
    for (std::size_t q = 0; q < spikes.times.size(); ++q) {
        const double t = spikes.times[q];
        if (t < from) continue;
        const auto k = static_cast<std::size_t>(t / presentation) % pattern_count;
        counts[k][spikes.node_ids[q]] += 1;
    }
    for (std::size_t k = 0; k < pattern_count; ++k)
        for (double& c : counts[k]) c = shown[k] > 0 ? c / shown[k] : NAN;
    return counts;
}

void measure_patterns(const Model& m, const Results& r, const WeightTrace& w, RunMeasures& out) {
    const auto responses = pattern_responses(m, r);
    std::vector<double> sparseness, correlations;
    for (const auto& resp : responses) sparseness.push_back(analysis::vinje_gallant_sparseness(resp));
    for (std::size_t a = 0; a < responses.size(); ++a)
        for (std::size_t b = a + 1; b < responses.size(); ++b)
            correlations.push_back(analysis::pearson(responses[a], responses[b]));
    std::erase_if(sparseness, [](double x) { return !std::isfinite(x); });
    std::erase_if(correlations, [](double x) { return !std::isfinite(x); });
    // Learning quality: within-pattern minus across-pattern mean E->E weight at the end.
    const std::uint32_t members = excitatory_size(m) / 10;
    const auto pattern_of = [&](std::uint32_t i) { return i < pattern_count * members ? i / members : pattern_count; };
    double within = 0, across = 0;
    std::size_t n_within = 0, n_across = 0;
    for (std::size_t q = 0; q < w.final_weight.size(); ++q) {
        const auto a = pattern_of(w.final_source[q]), b = pattern_of(w.final_target[q]);
        if (a == pattern_count || b == pattern_count) continue;
        (a == b ? within : across) += w.final_weight[q];
        ++(a == b ? n_within : n_across);
    }
    out.with_patterns = true;
    out.sparseness = mean_of(sparseness);
    out.pattern_correlation = mean_of(correlations);
    out.learning_quality = within / std::max<std::size_t>(n_within, 1) - across / std::max<std::size_t>(n_across, 1);
}

// The rate of `spikes` while the pool's population was at each temperature: a spike in
// [t_k, t_k+1) falls under the temperature set at update k.
std::vector<std::pair<double, double>> rate_by_state(const PopulationSpikes& spikes, const EnergyTrace& e) {
    std::map<double, std::pair<double, double>> at;  // degC -> (spikes, ms)
    for (std::size_t k = 0; k + 1 < e.times.size(); ++k) at[e.temperature[k]].second += e.times[k + 1] - e.times[k];
    for (double t : spikes.times) {
        const auto k = std::upper_bound(e.times.begin(), e.times.end(), t) - e.times.begin();
        if (k >= 1 && static_cast<std::size_t>(k) < e.times.size()) at[e.temperature[k - 1]].first += 1;
    }
    std::vector<std::pair<double, double>> out;
    for (const auto& [temperature, counted] : at)
        if (counted.second > 0) out.emplace_back(temperature, counted.first / (spikes.size * counted.second / 1000));
    return out;
}

}  // namespace

std::vector<std::uint32_t> probe_cells(std::uint32_t e_size) {
    const std::uint32_t n = std::min(voltage_probes, e_size);
    std::vector<std::uint32_t> cells;
    for (std::uint32_t k = 0; k < n; ++k) cells.push_back(static_cast<std::uint32_t>(std::uint64_t{k} * e_size / n));
    return cells;
}

Model network(const Model& base, const Settings& s, double temperature, std::uint64_t seed, bool patterns) {
    Model m = base.neuron_count() == s.neurons ? base : resize(base, s.neurons);
    for (Population& p : m.populations) {
        p.temperature = temperature;
        p.energy.reset();  // the energy loop adds its own
    }
    m.duration = s.duration;
    m.seed = seed;
    m.metabolism.clear();
    const Population& e = m.population("E");
    StateRecording probe{.population = "E", .neurons = {}, .variables = {"V"}, .interval = 1};
    probe.neurons = probe_cells(e.size);
    m.recording.states = {probe};
    m.recording.weights = {{.projection = "EE", .interval = s.duration / 30, .histogram_bins = 48, .final_weights = true}};
    if (patterns) {
        const std::uint32_t members = e.size / 10;
        if (members == 0)
            throw UserError(fmt::format("--neurons {}: E has {} cells, too few for {} patterns of 10 % each", s.neurons,
                                        e.size, pattern_count));
        for (std::uint32_t k = 0; k < pattern_count; ++k) {
            SpikeGenerator g{.name = fmt::format("pattern{}", k), .target = "E", .neurons = {}, .times = {},
                             .weight = pattern_weight};
            for (std::uint32_t i = 0; i < members; ++i) g.neurons.push_back(k * members + i);
            for (double start = k * presentation; start < s.duration; start += pattern_count * presentation)
                for (double t = start + 0.5e3 / pattern_rate; t < std::min(start + presentation, s.duration);
                     t += 1e3 / pattern_rate)
                    g.times.push_back(t);
            m.generators.push_back(g);
        }
    }
    return m;
}

RunMeasures measure(const Job& job, const Results& r) {
    const Model& m = job.model;
    const auto& E = r.spikes[m.population_index("E")];
    const auto& I = r.spikes[m.population_index("I")];
    RunMeasures out;
    out.group = job.group;
    out.label = job.label;
    out.temperature = job.temperature;
    out.seed = job.seed;
    out.wall_seconds = r.counters.wall_seconds;
    out.rate_E = analysis::mean_rate(E, 0, m.duration);
    out.rate_I = analysis::mean_rate(I, 0, m.duration);
    out.cv_E = analysis::mean_cv_isi(E, 0, m.duration);
    out.fano_E = analysis::fano_factor(E, 5, 0, m.duration);
    const StateTrace& v = r.states.at(0);
    std::vector<std::size_t> every_probe(v.neurons.size());
    std::iota(every_probe.begin(), every_probe.end(), 0);
    out.windows.length = chi_window;
    out.windows.chi = analysis::windowed_chi(v, 0, every_probe, chi_window, m.duration);
    for (std::size_t k = 0; k < out.windows.chi.size(); ++k) {
        const double t0 = static_cast<double>(k) * chi_window, c = out.windows.chi[k];
        out.chi_max = std::max(out.chi_max, std::isfinite(c) ? c : 0.0);
        out.windows.start.push_back(t0);
        out.windows.rate_E.push_back(analysis::mean_rate(E, t0, t0 + chi_window));
    }
    out.chi_run = analysis::synchrony_chi(v, 0, 0, v.samples);
    const WeightTrace& w = r.weights.at(0);
    for (double x : w.mean) out.weights.relative.push_back(x / w.mean.front());
    out.weights.time = w.times;
    out.weights.mean = w.mean;
    out.weights.fraction_at_max = w.fraction_at_max;
    out.weights.final_histogram = w.histogram_at(w.times.size() - 1);
    out.weights.w_max = w.w_max;
    out.final_relative = out.weights.relative.back();
    out.final_mean = w.mean.back();
    out.final_fraction_at_max = w.fraction_at_max.back();
    if (job.patterns) measure_patterns(m, r, w, out);
    if (!r.energy.empty()) {
        const EnergyTrace& e = r.energy.front();
        out.energy = EnergyTrajectory{.time = e.times, .atp_fraction = e.atp_fraction, .temperature = e.temperature,
                                      .rate_E_by_state = rate_by_state(E, e)};
    }
    if (job.examine_synchrony) out.synchrony = measure_synchrony(m, r);
    return out;
}

std::vector<RunMeasures> run_jobs(std::vector<Job> jobs, const Settings& s) {
    std::vector<RunMeasures> out(jobs.size());
    std::mutex mutex;  // HDF5 is not thread-safe; the progress lines are shared
    std::size_t done = 0;
    JobClock clock(static_cast<double>(jobs.size()));
    run_in_parallel(jobs.size(), s.threads, [&](std::size_t k) {
        const Job& job = jobs[k];
        const Results r = Simulation(job.model, s.strategy).run();
        out[k] = measure(job, r);
        std::lock_guard lock(mutex);
        if (job.write)
            write_results(job.model, r, s.output / "runs" / job.group / fmt::format("{}-seed{}", job.label, job.seed));
        ++done;
        clock.done();
        s.progress(fmt::format("  [{}/{}] {} {} ({:g} degC) seed {}: E {:.1f} Hz, w/w0 {:.2f}, {:.1f} s  ({} in all, {})",
                               done, jobs.size(), job.group, job.label, job.temperature, job.seed,
                               std::isfinite(out[k].rate_E) ? out[k].rate_E : 0.0, out[k].final_relative,
                               r.counters.wall_seconds, format_seconds(clock.elapsed()), clock.eta()));
    });
    return out;
}

}  // namespace metabosim::experiments
