#include "experiments/findings.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "experiments/stdp_window.hpp"
#include "processes.hpp"
#include "metabosim/analysis/analysis.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/recording/output.hpp"

namespace metabosim::experiments {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// Fixed parts of the protocols (docs/findings.md).
constexpr double chi_window = 500;       // ms, synchrony measured in windows along the run
constexpr std::uint32_t voltage_probes = 100;
constexpr std::uint32_t pattern_count = 8;   // each drives a distinct 10 % of E cells
constexpr double presentation = 100;     // ms per pattern, patterns in turn
constexpr double pattern_rate = 100;     // Hz, regular input spikes while a pattern is shown
constexpr double pattern_weight = 4;     // nS
constexpr double q10_variation = 0.2;    // sensitivity: each Q10 x (1 +- 0.2)

Json number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }
double mean_of(const std::vector<double>& v) {
    return v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
Json estimate(const std::vector<double>& v) {
    const auto e = analysis::mean_ci95(v);
    return {{"mean", number(e.mean)}, {"low", number(e.low)}, {"high", number(e.high)}, {"n", e.n}};
}

// ---------------------------------------------------------------------------------------------
// The network runs

struct Job {
    std::string group, label;  // e.g. "states", "hyper"
    double temperature;
    std::uint64_t seed;
    Model model;
    bool patterns = false;
    bool write = false;        // keep its outputs (one seed per condition)
};

std::uint32_t excitatory_size(const Model& m) { return m.population("E").size; }

// The microcircuit of the settings at one temperature and seed, recording what the measures need.
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
    const std::uint32_t n = std::min(voltage_probes, e.size);
    for (std::uint32_t k = 0; k < n; ++k) probe.neurons.push_back(static_cast<std::uint32_t>(std::uint64_t{k} * e.size / n));
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

Json measure(const Job& job, const Results& r) {
    const Model& m = job.model;
    const auto& E = r.spikes[m.population_index("E")];
    const auto& I = r.spikes[m.population_index("I")];
    Json out = {{"group", job.group}, {"label", job.label}, {"temperature", job.temperature}, {"seed", job.seed},
                {"wall_seconds", r.counters.wall_seconds}};
    out["rate_E"] = number(analysis::mean_rate(E, 0, m.duration));
    out["rate_I"] = number(analysis::mean_rate(I, 0, m.duration));
    out["cv_E"] = number(analysis::mean_cv_isi(E, 0, m.duration));
    out["fano_E"] = number(analysis::fano_factor(E, 5, 0, m.duration));
    const StateTrace& v = r.states.at(0);
    Json chi = Json::array(), rate = Json::array(), window_start = Json::array();
    double chi_max = 0;
    for (double t0 = 0; t0 + chi_window <= m.duration + 1e-9; t0 += chi_window) {
        const auto first = static_cast<std::size_t>(std::lround(t0 / v.interval));
        const auto last = std::min(v.samples, static_cast<std::size_t>(std::lround((t0 + chi_window) / v.interval)));
        const double c = analysis::synchrony_chi(v, 0, first, last);
        chi_max = std::max(chi_max, std::isfinite(c) ? c : 0.0);
        window_start.push_back(t0);
        chi.push_back(number(c));
        rate.push_back(number(analysis::mean_rate(E, t0, t0 + chi_window)));
    }
    out["windows"] = {{"start_ms", window_start}, {"chi", chi}, {"rate_E", rate}, {"length_ms", chi_window}};
    out["chi_max"] = chi_max;
    out["chi_run"] = number(analysis::synchrony_chi(v, 0, 0, v.samples));
    const WeightTrace& w = r.weights.at(0);
    std::vector<double> relative;
    for (double x : w.mean) relative.push_back(x / w.mean.front());
    out["weights"] = {{"time_ms", w.times}, {"relative", relative}, {"mean_nS", w.mean},
                      {"fraction_at_max", w.fraction_at_max}, {"final_histogram", w.histogram.back()},
                      {"w_max_nS", w.w_max}};
    out["final_relative"] = relative.back();
    out["final_mean_nS"] = w.mean.back();
    out["final_fraction_at_max"] = w.fraction_at_max.back();
    if (job.patterns) {
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
        out["sparseness"] = number(mean_of(sparseness));
        out["pattern_correlation"] = number(mean_of(correlations));
        out["learning_quality_nS"] = number(within / std::max<std::size_t>(n_within, 1) - across / std::max<std::size_t>(n_across, 1));
    }
    if (!r.energy.empty()) {
        const EnergyTrace& e = r.energy.front();
        out["energy"] = {{"time_ms", e.times}, {"atp_fraction", e.atp_fraction}, {"temperature", e.temperature}};
    }
    return out;
}

class Runner {
public:
    explicit Runner(const Settings& s) : s_(s) {}

    std::vector<Json> run(std::vector<Job> jobs) {
        std::vector<Json> out(jobs.size());
        std::atomic<std::size_t> next{0}, done{0};
        const auto start = std::chrono::steady_clock::now();
        std::exception_ptr failure;  // the first error of any thread, thrown again here
        const auto work = [&] {
            try {
                for (std::size_t k; (k = next++) < jobs.size();) run_one(jobs[k], out[k], jobs.size(), done, start);
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!failure) failure = std::current_exception();
                next = jobs.size();  // the others stop after their current run
            }
        };
        std::vector<std::thread> threads;
        for (unsigned t = 1; t < std::max(1u, s_.threads); ++t) threads.emplace_back(work);
        work();
        for (auto& t : threads) t.join();
        if (failure) std::rethrow_exception(failure);
        return out;
    }

private:
    void run_one(const Job& job, Json& result, std::size_t total, std::atomic<std::size_t>& done,
                 std::chrono::steady_clock::time_point start) {
        Results r = Simulation(job.model, s_.strategy).run();
        result = measure(job, r);
        std::lock_guard lock(mutex_);  // HDF5 is not thread-safe; the progress line is shared
        if (job.write)
            write_results(job.model, r, s_.output / "runs" / job.group / fmt::format("{}-seed{}", job.label, job.seed));
        if (!s_.quiet)
            fmt::print(stderr, "  [{}/{}] {} {} ({:g} degC) seed {}: E {:.1f} Hz, w/w0 {:.2f}, {:.1f} s  ({:.0f} s in all)\n",
                       ++done, total, job.group, job.label, job.temperature, job.seed,
                       result["rate_E"].is_number() ? result["rate_E"].get<double>() : 0.0,
                       result["final_relative"].get<double>(), r.counters.wall_seconds,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }

    const Settings& s_;
    std::mutex mutex_;
};

// ---------------------------------------------------------------------------------------------
// Criteria and verdicts

struct Criterion {
    std::string claim, measure;
    double value = NAN;            // on the mean over seeds
    bool holds = false;
    std::size_t seeds_holding = 0, seeds = 0;
};

Json to_json(const std::vector<Criterion>& criteria) {
    Json out = Json::array();
    for (const auto& c : criteria)
        out.push_back({{"claim", c.claim}, {"measure", c.measure}, {"value", number(c.value)}, {"holds", c.holds},
                       {"seeds_holding", c.seeds_holding}, {"seeds", c.seeds}});
    return out;
}

std::string verdict(const std::vector<Criterion>& criteria) {
    const auto n = std::count_if(criteria.begin(), criteria.end(), [](const Criterion& c) { return c.holds; });
    return n == static_cast<long>(criteria.size()) ? "reproduced" : n == 0 ? "not reproduced" : "partly reproduced";
}

// Per-seed values of `key` for runs of one group and label, in seed order.
std::vector<double> values(const std::vector<Json>& runs, const std::string& group, const std::string& label,
                           const std::string& key) {
    std::vector<std::pair<std::uint64_t, double>> found;
    for (const Json& r : runs)
        if (r["group"] == group && r["label"] == label)
            found.emplace_back(r["seed"].get<std::uint64_t>(), r[key].is_number() ? r[key].get<double>() : NAN);
    std::sort(found.begin(), found.end());
    std::vector<double> out;
    for (const auto& f : found) out.push_back(f.second);
    return out;
}

// A criterion that holds per seed when `test(seed index)` does, and on the means when `on_mean`.
Criterion criterion(std::string claim, std::string measure, double value, bool on_mean, std::size_t seeds,
                    const std::function<bool(std::size_t)>& test) {
    Criterion c{std::move(claim), std::move(measure), value, on_mean, 0, seeds};
    for (std::size_t k = 0; k < seeds; ++k) c.seeds_holding += test(k);
    return c;
}

// Slopes (per second) of a sampled trajectory.
std::vector<double> slopes(const Json& run) {
    const auto t = run["weights"]["time_ms"].get<std::vector<double>>();
    const auto w = run["weights"]["relative"].get<std::vector<double>>();
    std::vector<double> out;
    for (std::size_t k = 1; k < t.size(); ++k) out.push_back((w[k] - w[k - 1]) / ((t[k] - t[k - 1]) / 1000));
    return out;
}
double late_slope(const Json& run) {  // over the last half, end to middle
    const auto t = run["weights"]["time_ms"].get<std::vector<double>>();
    const auto w = run["weights"]["relative"].get<std::vector<double>>();
    const std::size_t mid = t.size() / 2;
    return (w.back() - w[mid]) / ((t.back() - t[mid]) / 1000);
}
bool accelerates(const Json& run) {  // the slope rises to its peak after the first interval
    const auto s = slopes(run);
    const auto peak = std::max_element(s.begin(), s.end());
    return peak != s.begin() && *peak > s.front();
}
const Json& run_of(const std::vector<Json>& runs, const std::string& group, const std::string& label, std::uint64_t seed) {
    for (const Json& r : runs)
        if (r["group"] == group && r["label"] == label && r["seed"] == seed) return r;
    throw InternalError(fmt::format("no run {} {} seed {}", group, label, seed));
}

}  // namespace

namespace {

class Findings {
public:
    Findings(const Model& base, const Settings& s) : base_(base), s_(s), runner_(s) {}

    Json bifurcation();
    Json stdp_window();
    Json degradation();
    Json topology();
    Json robustness();
    Json energy_loop();

    const std::vector<Json>& all_runs() const { return runs_; }

    template <class... Args>
    void say(fmt::format_string<Args...> format, Args&&... args) const {
        if (!s_.quiet) fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
    }

private:
    const std::vector<Json>& state_runs();
    const std::vector<Json>& sweep_runs();
    std::vector<Job> state_jobs(const std::string& group, const Model& base, const std::vector<std::uint64_t>& seeds,
                                bool with_normo);

    const Model& base_;
    const Settings& s_;
    Runner runner_;
    std::vector<Json> runs_, states_, sweep_;
};

std::vector<Job> Findings::state_jobs(const std::string& group, const Model& base, const std::vector<std::uint64_t>& seeds,
                                      bool with_normo) {
    std::vector<Job> jobs;
    for (std::uint64_t seed : seeds)
        for (const auto& [label, t] : {std::pair{"hyper", s_.hyper}, {"normo", s_.normo}, {"hypo", s_.hypo}}) {
            if (!with_normo && std::string(label) == "normo") continue;
            jobs.push_back({group, label, t, seed, network(base, s_, t, seed, false), false, seed == seeds.front()});
        }
    return jobs;
}

// The three states over every seed: findings 1 and 4 and their robustness.
const std::vector<Json>& Findings::state_runs() {
    if (states_.empty()) {
        say("network runs: hypo, normo, hyper x {} seeds", s_.seeds.size());
        states_ = runner_.run(state_jobs("states", base_, s_.seeds, true));
        runs_.insert(runs_.end(), states_.begin(), states_.end());
    }
    return states_;
}

// The temperature sweep with input patterns over every seed: finding 3 and the inverted U.
const std::vector<Json>& Findings::sweep_runs() {
    if (sweep_.empty()) {
        say("network runs: {} temperatures with {} input patterns x {} seeds", s_.sweep.size(), pattern_count, s_.seeds.size());
        std::vector<Job> jobs;
        for (std::uint64_t seed : s_.seeds)
            for (double t : s_.sweep)
                jobs.push_back({"sweep", fmt::format("{:g}C", t), t, seed, network(base_, s_, t, seed, true), true,
                                seed == s_.seeds.front()});
        sweep_ = runner_.run(std::move(jobs));
        runs_.insert(runs_.end(), sweep_.begin(), sweep_.end());
    }
    return sweep_;
}

Json Findings::bifurcation() {
    const auto& runs = state_runs();
    const std::size_t n = s_.seeds.size();
    const auto final = [&](const char* label) { return values(runs, "states", label, "final_relative"); };
    std::vector<double> hypo_late, hyper_peak;
    std::vector<bool> hyper_accel;
    for (std::uint64_t seed : s_.seeds) {
        hypo_late.push_back(late_slope(run_of(runs, "states", "hypo", seed)));
        const auto sl = slopes(run_of(runs, "states", "hyper", seed));
        hyper_peak.push_back(*std::max_element(sl.begin(), sl.end()));
        hyper_accel.push_back(accelerates(run_of(runs, "states", "hyper", seed)));
    }
    const auto hypo = final("hypo"), normo = final("normo"), hyper = final("hyper");
    const double m_hypo = mean_of(hypo), m_normo = mean_of(normo), m_hyper = mean_of(hyper);
    const double m_late = mean_of(hypo_late), m_peak = mean_of(hyper_peak);
    const auto accel = static_cast<std::size_t>(std::count(hyper_accel.begin(), hyper_accel.end(), true));
    std::vector<Criterion> c = {
        criterion("hypo plateaus near baseline", "w/w0 at the end within [0.9, 1.1] (hypo)", m_hypo,
                  std::abs(m_hypo - 1) <= 0.1, n, [&](std::size_t k) { return std::abs(hypo[k] - 1) <= 0.1; }),
        criterion("hypo's late slope is small", "|slope over the last half| < 0.1 x hyper's peak slope (1/s)", m_late,
                  std::abs(m_late) < 0.1 * m_peak, n,
                  [&](std::size_t k) { return std::abs(hypo_late[k]) < 0.1 * hyper_peak[k]; }),
        criterion("hyper runs away", "w/w0 at the end >= 1.5 (hyper)", m_hyper, m_hyper >= 1.5, n,
                  [&](std::size_t k) { return hyper[k] >= 1.5; }),
        criterion("hyper accelerates before it saturates", "seeds whose slope rises to its peak after the first interval",
                  static_cast<double>(accel), accel * 10 >= n * 9, n, [&](std::size_t k) { return hyper_accel[k]; }),
        criterion("normo lies between", "w/w0 at the end of normo, between hypo's and hyper's", m_normo,
                  m_hypo <= m_normo && m_normo <= m_hyper, n,
                  [&](std::size_t k) { return hypo[k] <= normo[k] && normo[k] <= hyper[k]; }),
    };
    Json trajectories = Json::object();
    for (const char* label : {"hypo", "normo", "hyper"}) {
        Json per_seed = Json::array();
        for (std::uint64_t seed : s_.seeds) per_seed.push_back(run_of(runs, "states", label, seed)["weights"]);
        trajectories[label] = per_seed;
    }
    return {{"claim", "Learning trajectories diverge: hypometabolic states plateau near baseline, hypermetabolic "
                      "states show non-linear, runaway potentiation."},
            {"final_relative", {{"hypo", estimate(hypo)}, {"normo", estimate(normo)}, {"hyper", estimate(hyper)}}},
            {"hypo_late_slope_per_s", estimate(hypo_late)},
            {"hyper_peak_slope_per_s", estimate(hyper_peak)},
            {"trajectories", trajectories},
            {"criteria", to_json(c)},
            {"verdict", verdict(c)}};
}

Json Findings::topology() {
    const auto& runs = state_runs();
    const std::size_t n = s_.seeds.size();
    Json per_state = Json::object();
    for (const char* label : {"hypo", "normo", "hyper"}) {
        Json chi_t = Json::array();
        for (std::uint64_t seed : s_.seeds) chi_t.push_back(run_of(runs, "states", label, seed)["windows"]);
        per_state[label] = {{"chi_max", estimate(values(runs, "states", label, "chi_max"))},
                            {"chi_run", estimate(values(runs, "states", label, "chi_run"))},
                            {"rate_E", estimate(values(runs, "states", label, "rate_E"))},
                            {"rate_I", estimate(values(runs, "states", label, "rate_I"))},
                            {"cv_E", estimate(values(runs, "states", label, "cv_E"))},
                            {"fano_E", estimate(values(runs, "states", label, "fano_E"))},
                            {"windows", chi_t}};
    }
    const auto chi_hypo = values(runs, "states", "hypo", "chi_max"), chi_hyper = values(runs, "states", "hyper", "chi_max");
    const auto rate_hypo = values(runs, "states", "hypo", "rate_E"), rate_normo = values(runs, "states", "normo", "rate_E");
    const auto fano_hyper = values(runs, "states", "hyper", "fano_E");
    std::vector<Criterion> c = {
        criterion("hypo is asynchronous", "largest chi(t) over 500 ms windows < 0.2 (hypo)", mean_of(chi_hypo),
                  mean_of(chi_hypo) < 0.2, n, [&](std::size_t k) { return chi_hypo[k] < 0.2; }),
        criterion("hypo fires sparsely", "E rate: hypo < normo (Hz)", mean_of(rate_hypo),
                  mean_of(rate_hypo) < mean_of(rate_normo), n, [&](std::size_t k) { return rate_hypo[k] < rate_normo[k]; }),
        criterion("hyper hypersynchronizes", "largest chi(t) over 500 ms windows > 0.4 (hyper)", mean_of(chi_hyper),
                  mean_of(chi_hyper) > 0.4, n, [&](std::size_t k) { return chi_hyper[k] > 0.4; }),
        criterion("hyper fires in population bursts", "Fano factor of E counts in 5 ms bins > 1 (hyper)",
                  mean_of(fano_hyper), mean_of(fano_hyper) > 1, n, [&](std::size_t k) { return fano_hyper[k] > 1; }),
    };
    return {{"claim", "Sparse asynchronous firing in energy-restricted states, seizure-like hypersynchronization in "
                      "high-energy states."},
            {"per_state", per_state}, {"criteria", to_json(c)}, {"verdict", verdict(c)}};
}

Json Findings::degradation() {
    const auto& runs = sweep_runs();
    const std::size_t n = s_.seeds.size();
    Json table = Json::array();
    std::vector<double> temps, w, at_max, sparse, corr, quality;
    for (double t : s_.sweep) {
        const std::string label = fmt::format("{:g}C", t);
        const auto get = [&](const char* key) { return values(runs, "sweep", label, key); };
        temps.push_back(t);
        w.push_back(mean_of(get("final_mean_nS")));
        at_max.push_back(mean_of(get("final_fraction_at_max")));
        sparse.push_back(mean_of(get("sparseness")));
        corr.push_back(mean_of(get("pattern_correlation")));
        quality.push_back(mean_of(get("learning_quality_nS")));
        table.push_back({{"temperature", t}, {"mean_weight_nS", estimate(get("final_mean_nS"))},
                         {"fraction_at_max", estimate(get("final_fraction_at_max"))},
                         {"sparseness", estimate(get("sparseness"))},
                         {"pattern_correlation", estimate(get("pattern_correlation"))},
                         {"learning_quality_nS", estimate(get("learning_quality_nS"))},
                         {"rate_E", estimate(get("rate_E"))}});
    }
    // Per seed: the Spearman correlations along the sweep.
    std::vector<double> rho_w, rho_max;
    for (std::uint64_t seed : s_.seeds) {
        std::vector<double> ws, ms;
        for (double t : s_.sweep) {
            const Json& r = run_of(runs, "sweep", fmt::format("{:g}C", t), seed);
            ws.push_back(r["final_mean_nS"]);
            ms.push_back(r["final_fraction_at_max"]);
        }
        rho_w.push_back(analysis::spearman(temps, ws));
        rho_max.push_back(analysis::spearman(temps, ms));
    }
    const auto at = [&](const std::vector<double>& v, double t) {
        const auto k = std::find(temps.begin(), temps.end(), t);
        return k == temps.end() ? NAN : v[k - temps.begin()];
    };
    const auto per_seed_at = [&](double t, const char* key) { return values(runs, "sweep", fmt::format("{:g}C", t), key); };
    const auto s_hyper = per_seed_at(s_.hyper, "sparseness"), s_normo = per_seed_at(s_.normo, "sparseness");
    const auto c_hyper = per_seed_at(s_.hyper, "pattern_correlation"), c_normo = per_seed_at(s_.normo, "pattern_correlation");
    const auto max_hyper = per_seed_at(s_.hyper, "final_fraction_at_max");
    const double rho_mean = analysis::spearman(temps, w), rho_sat = analysis::spearman(temps, at_max);
    std::vector<Criterion> c = {
        criterion("connectivity strength rises with metabolic rate", "Spearman rho(T, mean E->E weight) > 0", rho_mean,
                  rho_mean > 0, n, [&](std::size_t k) { return rho_w[k] > 0; }),
        criterion("saturation rises with metabolic rate", "Spearman rho(T, fraction at w_max) > 0", rho_sat, rho_sat > 0, n,
                  [&](std::size_t k) { return rho_max[k] > 0; }),
        criterion("high energy saturates synapses", "fraction at w_max >= 0.20 (hyper)", at(at_max, s_.hyper),
                  at(at_max, s_.hyper) >= 0.2, n, [&](std::size_t k) { return max_hyper[k] >= 0.2; }),
        criterion("sparse coding is lost", "population sparseness: hyper < normo", at(sparse, s_.hyper),
                  at(sparse, s_.hyper) < at(sparse, s_.normo), n, [&](std::size_t k) { return s_hyper[k] < s_normo[k]; }),
        criterion("pattern responses merge", "mean correlation between pattern responses: hyper > normo",
                  at(corr, s_.hyper), at(corr, s_.hyper) > at(corr, s_.normo), n,
                  [&](std::size_t k) { return c_hyper[k] > c_normo[k]; }),
    };
    return {{"claim", "Metabolic rate correlates positively with connectivity strength, but high energy causes synaptic "
                      "saturation and loss of sparse-coding specificity."},
            {"sweep", table}, {"spearman_weight_per_seed", rho_w}, {"criteria", to_json(c)}, {"verdict", verdict(c)}};
}

Json Findings::robustness() {
    const auto& states = state_runs();
    const auto& sweep = sweep_runs();
    const std::size_t n = s_.seeds.size();
    const auto hypo = values(states, "states", "hypo", "final_relative"),
               normo = values(states, "states", "normo", "final_relative"),
               hyper = values(states, "states", "hyper", "final_relative");
    const auto chi_hypo = values(states, "states", "hypo", "chi_max"), chi_hyper = values(states, "states", "hyper", "chi_max");
    std::vector<double> rho;
    std::vector<double> temps(s_.sweep.begin(), s_.sweep.end());
    for (std::uint64_t seed : s_.seeds) {
        std::vector<double> ws;
        for (double t : s_.sweep) ws.push_back(run_of(sweep, "sweep", fmt::format("{:g}C", t), seed)["final_mean_nS"]);
        rho.push_back(analysis::spearman(temps, ws));
    }
    const auto holds_in = [&](const std::function<bool(std::size_t)>& test) {
        std::size_t k = 0;
        for (std::size_t i = 0; i < n; ++i) k += test(i);
        return k;
    };
    const auto ordering = [&](std::string name, const std::function<bool(std::size_t)>& test) {
        const std::size_t k = holds_in(test);
        return Criterion{std::move(name), "seeds where it holds (>= 9 of 10 required)", static_cast<double>(k),
                         k * 10 >= n * 9, k, n};
    };
    std::vector<Criterion> c = {
        ordering("finding 1: w/w0 at the end, hypo < normo < hyper",
                 [&](std::size_t k) { return hypo[k] < normo[k] && normo[k] < hyper[k]; }),
        ordering("finding 3: mean weight rises with T (Spearman rho > 0)", [&](std::size_t k) { return rho[k] > 0; }),
        ordering("finding 4: largest chi(t), hypo < hyper", [&](std::size_t k) { return chi_hypo[k] < chi_hyper[k]; }),
    };

    // Inverted U: pattern-specific weight gain against temperature.
    Json inverted_u = Json::array();
    double best = -INFINITY, best_t = NAN;
    for (double t : s_.sweep) {
        const auto q = values(sweep, "sweep", fmt::format("{:g}C", t), "learning_quality_nS");
        inverted_u.push_back({{"temperature", t}, {"learning_quality_nS", estimate(q)}});
        if (mean_of(q) > best) best = mean_of(q), best_t = t;
    }
    const bool interior = best_t != s_.sweep.front() && best_t != s_.sweep.back();

    // Sensitivity: each Q10 in turn x 0.8 and x 1.2, hypo and hyper, first seed.
    Json sensitivity = Json::array();
    if (s_.sensitivity) {
        const std::vector<std::pair<const char*, double Q10Table::*>> q10s = {
            {"gL", &Q10Table::gL}, {"tau_e", &Q10Table::tau_e}, {"tau_i", &Q10Table::tau_i},
            {"synaptic_efficacy", &Q10Table::synaptic_efficacy}, {"t_ref", &Q10Table::t_ref},
            {"tau_stdp", &Q10Table::tau_stdp}, {"A_plus", &Q10Table::A_plus}, {"A_minus", &Q10Table::A_minus}};
        std::vector<Job> jobs;
        for (const auto& [name, member] : q10s)
            for (double factor : {1 - q10_variation, 1 + q10_variation}) {
                Model variant = base_;
                for (Population& p : variant.populations) p.q10.*member *= factor;
                for (Job& job : state_jobs(fmt::format("q10-{}-x{:g}", name, factor), variant, {s_.seeds.front()}, false))
                    jobs.push_back(std::move(job));
            }
        for (Job& job : jobs) job.write = false;
        say("network runs: each Q10 x {:g} and x {:g}, hypo and hyper, seed {}", 1 - q10_variation, 1 + q10_variation,
            s_.seeds.front());
        const auto runs = runner_.run(std::move(jobs));
        runs_.insert(runs_.end(), runs.begin(), runs.end());
        for (const auto& [name, member] : q10s)
            for (double factor : {1 - q10_variation, 1 + q10_variation}) {
                const std::string group = fmt::format("q10-{}-x{:g}", name, factor);
                const Json& lo = run_of(runs, group, "hypo", s_.seeds.front());
                const Json& hi = run_of(runs, group, "hyper", s_.seeds.front());
                const double hi_peak = [&] { const auto sl = slopes(hi); return *std::max_element(sl.begin(), sl.end()); }();
                const bool f1 = std::abs(lo["final_relative"].get<double>() - 1) <= 0.1 &&
                                std::abs(late_slope(lo)) < 0.1 * hi_peak && hi["final_relative"].get<double>() >= 1.5 &&
                                accelerates(hi);
                const bool f4 = lo["chi_max"].get<double>() < 0.2 && hi["chi_max"].get<double>() > 0.4;
                sensitivity.push_back({{"q10", name}, {"factor", factor},
                                       {"hypo_final_relative", lo["final_relative"]}, {"hyper_final_relative", hi["final_relative"]},
                                       {"hypo_chi_max", lo["chi_max"]}, {"hyper_chi_max", hi["chi_max"]},
                                       {"finding1_holds", f1}, {"finding4_holds", f4}});
            }
    }
    return {{"claim", "The attractor states hold across random network initializations; an inverted U between "
                      "bioenergetics and learning."},
            {"orderings", to_json(c)}, {"sensitivity", sensitivity},
            {"inverted_u", {{"curve", inverted_u}, {"peak_temperature", number(best_t)}, {"interior_peak", interior}}},
            {"criteria", to_json(c)}, {"verdict", verdict(c)}};
}

// Hyper drive with and without the ATP pool: does the loop stop the runaway, and where does the
// network settle? Runs twice as long as the others.
Json Findings::energy_loop() {
    std::vector<Job> jobs;
    const std::vector<std::uint64_t> seeds(s_.seeds.begin(), s_.seeds.begin() + std::min<std::size_t>(3, s_.seeds.size()));
    Settings longer = s_;
    longer.duration = 2 * s_.duration;
    for (std::uint64_t seed : seeds)
        for (const bool loop : {false, true}) {
            Model m = network(base_, longer, s_.hyper, seed, false);
            if (loop)
                for (std::size_t k = 0; k < m.populations.size(); ++k) {
                    // The model's own budget (a config's) with its thresholds, else the defaults.
                    EnergyBudget e = base_.populations[k].energy.value_or(EnergyBudget{});
                    if (e.thresholds.empty())
                        e.thresholds = {{.direction = EnergyThreshold::Direction::falling, .level = 0.3, .temperature = s_.hypo},
                                        {.direction = EnergyThreshold::Direction::rising, .level = 0.7, .temperature = s_.hyper}};
                    m.populations[k].energy = e;
                }
            jobs.push_back({"energy", loop ? "loop-on" : "loop-off", s_.hyper, seed, std::move(m), false, seed == seeds.front()});
        }
    say("network runs: hyper drive ({:g} degC) with and without the energy loop x {} seeds, {:g} s", s_.hyper, seeds.size(),
        longer.duration / 1000);
    const auto runs = runner_.run(std::move(jobs));
    runs_.insert(runs_.end(), runs.begin(), runs.end());
    const std::size_t n = seeds.size();
    const auto off = values(runs, "energy", "loop-off", "final_relative"), on = values(runs, "energy", "loop-on", "final_relative");
    std::vector<double> time_hypo, final_temperature;
    Json traces = Json::array();
    for (std::uint64_t seed : seeds) {
        const Json& r = run_of(runs, "energy", "loop-on", seed);
        const auto temps = r["energy"]["temperature"].get<std::vector<double>>();
        time_hypo.push_back(std::count(temps.begin(), temps.end(), s_.hypo) / static_cast<double>(temps.size()));
        final_temperature.push_back(temps.back());
        traces.push_back({{"seed", seed}, {"energy", r["energy"]}, {"weights", r["weights"]}, {"windows", r["windows"]},
                          {"loop_off", {{"weights", run_of(runs, "energy", "loop-off", seed)["weights"]},
                                        {"windows", run_of(runs, "energy", "loop-off", seed)["windows"]}}}});
    }
    std::vector<Criterion> c = {
        criterion("without the loop the hyper drive runs away", "w/w0 at the end >= 1.5 (loop off)", mean_of(off),
                  mean_of(off) >= 1.5, n, [&](std::size_t k) { return off[k] >= 1.5; }),
        criterion("metabolic constraints regulate stability", "w/w0 at the end < 1.5 (loop on)", mean_of(on),
                  mean_of(on) < 1.5, n, [&](std::size_t k) { return on[k] < 1.5; }),
    };
    return {{"claim", "With activity spending energy and energy setting the state, a hyper drive no longer runs away."},
            {"thresholds", "ATP below 30 % of capacity: hypo; above 70 %: back to hyper"},
            {"final_relative", {{"loop_off", estimate(off)}, {"loop_on", estimate(on)}}},
            {"fraction_of_time_hypo", estimate(time_hypo)}, {"final_temperature", final_temperature},  // of E's pool
            {"runs", traces}, {"criteria", to_json(c)}, {"verdict", verdict(c)}};
}

Json Findings::stdp_window() {
    const Population& e = base_.population("E");
    const auto plastic = std::find_if(base_.projections.begin(), base_.projections.end(),
                                      [](const Projection& p) { return p.stdp.has_value(); });
    if (plastic == base_.projections.end()) throw UserError("stdp-window: the model has no plastic projection");
    Json curves = Json::array();
    std::map<std::string, StdpWindow> windows;
    say("pairing protocol at {:g}, {:g}, {:g} degC", s_.hypo, s_.normo, s_.hyper);
    const WindowProtocol protocol;  // event-driven
    for (const auto& [label, t] : {std::pair{"hypo", s_.hypo}, {"normo", s_.normo}, {"hyper", s_.hyper}}) {
        windows[label] = measure_stdp_window(e, *plastic, t, protocol);
        const StdpWindow& w = windows[label];
        Json points = Json::array();
        for (const auto& p : w.points)
            points.push_back({{"target_dt_ms", p.target_dt}, {"dt_ms", p.realised_dt}, {"dw_nS", p.dw_per_pairing},
                              {"clipped", p.clipped}});
        const auto fit = [](const analysis::ExponentialFit& f) {
            return Json{{"amplitude_nS", number(f.amplitude)}, {"tau_ms", number(f.tau)}, {"rms_nS", number(f.rms_residual)}};
        };
        curves.push_back({{"state", label}, {"temperature", t}, {"points", points}, {"ltp", fit(w.ltp)}, {"ltd", fit(w.ltd)}});
    }
    const auto& hypo = windows["hypo"], &normo = windows["normo"], &hyper = windows["hyper"];
    const auto one = [](bool b) { return criterion("", "", NAN, b, 1, [b](std::size_t) { return b; }); };
    std::vector<Criterion> c;
    const auto add = [&](std::string claim, std::string measure, double value, bool holds) {
        Criterion k = one(holds);
        k.claim = std::move(claim), k.measure = std::move(measure), k.value = value;
        c.push_back(k);
    };
    add("hyper: a taller window", "LTP peak A+: hyper > normo (nS per pairing)", hyper.ltp.amplitude,
        hyper.ltp.amplitude > normo.ltp.amplitude);
    add("hyper: a narrower window", "LTP tau+: hyper < normo (ms)", hyper.ltp.tau, hyper.ltp.tau < normo.ltp.tau);
    add("hypo: a lower window", "LTP peak A+: hypo < normo (nS per pairing)", hypo.ltp.amplitude,
        hypo.ltp.amplitude < normo.ltp.amplitude);
    add("hypo: a wider window", "LTP tau+: hypo > normo (ms)", hypo.ltp.tau, hypo.ltp.tau > normo.ltp.tau);
    return {{"claim", "Hypermetabolism sharpens coincidence detection (narrow, tall window), hypometabolism flattens it "
                      "(wide, low window)."},
            {"protocol", {{"pairings", protocol.pairings}, {"rate_Hz", protocol.rate}}},
            {"curves", curves}, {"criteria", to_json(c)}, {"verdict", verdict(c)}};
}

}  // namespace

const std::vector<std::string>& experiment_names() {
    static const std::vector<std::string> names{"bifurcation", "stdp-window", "degradation", "topology", "robustness",
                                                "energy-loop"};
    return names;
}

int run(const std::string& name, const Model& base, const Settings& s) {
    if (s.seeds.empty()) throw UserError("--seeds: expected at least one seed");
    if (s.duration < chi_window)
        throw UserError(fmt::format("--duration {} ms: expected at least {} ms (one synchrony window)", s.duration, chi_window));
    validate(s.strategy, s.duration);
    const auto names = experiment_names();
    if (name != "all" && std::find(names.begin(), names.end(), name) == names.end())
        throw UserError(fmt::format("unknown experiment \"{}\"; expected one of {}, all", name, fmt::join(names, ", ")));
    const auto has = [&](const char* name) {
        return std::any_of(base.populations.begin(), base.populations.end(), [&](const Population& p) { return p.name == name; });
    };
    const bool plastic_ee = std::any_of(base.projections.begin(), base.projections.end(),
                                        [](const Projection& p) { return p.name == "EE" && p.stdp; });
    if (!has("E") || !has("I") || !plastic_ee)
        throw UserError("the experiments need populations \"E\" and \"I\" and a plastic projection \"EE\" (E -> E), "
                        "as in configs/microcircuit.toml");
    check_output_directory(s.output);
    const auto start = std::chrono::steady_clock::now();
    Findings f(base, s);
    Json findings = {{"settings",
                      {{"command", s.command}, {"neurons", s.neurons}, {"duration_ms", s.duration}, {"seeds", s.seeds},
                       {"temperatures", {{"hypo", s.hypo}, {"normo", s.normo}, {"hyper", s.hyper}}}, {"sweep", s.sweep},
                       {"engine", s.strategy.kind == Strategy::Kind::event_driven ? "event-driven" : "clock-driven"},
                       {"dt_ms", s.strategy.kind == Strategy::Kind::event_driven ? Json(nullptr) : Json(s.strategy.dt)},
                       {"threads", s.threads}}}};
    const std::map<std::string, std::function<Json()>> experiments = {
        {"bifurcation", [&] { return f.bifurcation(); }}, {"stdp-window", [&] { return f.stdp_window(); }},
        {"degradation", [&] { return f.degradation(); }}, {"topology", [&] { return f.topology(); }},
        {"robustness", [&] { return f.robustness(); }},   {"energy-loop", [&] { return f.energy_loop(); }}};
    for (const std::string& n : names)
        if (name == "all" || name == n) findings[n] = experiments.at(n)();
    Json runs = Json::array();
    for (const Json& r : f.all_runs()) runs.push_back(r);
    findings["runs"] = runs;
    findings["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    {
        std::ofstream out(s.output / "findings.json");
        out << findings.dump(1) << '\n';
        if (!out) throw UserError(fmt::format("cannot write {}", (s.output / "findings.json").string()));
    }
    f.say("numbers in {}", (s.output / "findings.json").string());
    for (const std::string& n : names)
        if (findings.contains(n)) f.say("  {:<12} {}", n, findings[n]["verdict"].get<std::string>());
    if (!s.figures) return 0;
    const fs::path log = s.output / "report.log";
    if (app::run_process({app::python, app::find_tool("findings_report.py").string(), s.output.string()}, log) != 0) {
        f.say("the figures and report.md could not be made; {} ends:\n{}", log.string(), app::tail_of(log));
        return 1;
    }
    f.say("report: {}", (s.output / "report.md").string());
    return 0;
}

}  // namespace metabosim::experiments
