#include "compare.hpp"

#include "processes.hpp"


#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metabosim/analysis/analysis.hpp"
#include "metabosim/brian2/export.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/recording/output.hpp"
#include "metabosim/engine/simulation.hpp"

namespace metabosim::app {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr double short_run = 100;  // ms, the small network's convergence run (the shortest run)

std::string dt_label(double dt) { return fmt::format("{:g}", dt); }

// ---------------------------------------------------------------------------------------------
// The models compared

// Single neurons: `count` unconnected cells of the first population, each with its own external
// inputs (independent repetitions of one cell, so that the error statistics are not those of
// one train); a population without inputs gets the standard drive (600 Hz x 2 nS) so it fires.
Model single_neurons(Model model, std::uint32_t count, double duration) {
    model.duration = std::min(model.duration, duration);
    model.populations.resize(1);
    Population& p = model.populations[0];
    p.size = count;
    model.projections.clear();
    std::erase_if(model.generators, [&](SpikeGenerator& g) {
        if (g.target != p.name) return true;
        if (g.neurons.empty()) return false;
        std::erase_if(g.neurons, [&](std::uint32_t i) { return i >= count; });
        return g.neurons.empty();
    });
    if (!p.drive && model.generators.empty()) p.drive = PoissonDrive{};
    std::erase_if(model.metabolism, [&](const MetabolicStep& s) {
        return (!s.population.empty() && s.population != p.name) || s.time > model.duration;
    });
    model.recording = {};
    return model;
}

// The model with at most `max_neurons` neurons for a short run, recording nothing of its own.
Model shrink(Model model, std::uint32_t max_neurons, double duration) {
    model.duration = std::min(model.duration, duration);
    std::erase_if(model.metabolism, [&](const MetabolicStep& s) { return s.time > model.duration; });
    model.recording.states.clear();
    model.recording.weights.clear();
    return resize(model, std::min(max_neurons, model.neuron_count()));
}

// What every compared network run records beyond the model's own recordings: V of up to 100
// neurons per population (for synchrony) and the weights of every plastic projection.
struct Probes {
    static constexpr double interval = 0.5;                      // ms
    std::map<std::string, std::vector<std::uint32_t>> voltage;   // population -> neurons sampled
    std::vector<std::string> plastic;                            // projections
};

Probes add_probes(Model& model) {
    Probes probes;
    for (const Population& p : model.populations) {
        StateRecording rec{.population = p.name, .neurons = {}, .variables = {"V"}, .interval = Probes::interval};
        const std::uint32_t n = std::min<std::uint32_t>(p.size, 100);
        for (std::uint32_t k = 0; k < n; ++k) rec.neurons.push_back(static_cast<std::uint32_t>(std::uint64_t{k} * p.size / n));
        probes.voltage[p.name] = rec.neurons;
        model.recording.states.push_back(rec);
    }
    for (const Projection& proj : model.projections) {
        if (!proj.stdp) continue;
        const auto& w = model.recording.weights;
        probes.plastic.push_back(proj.name);
        if (std::none_of(w.begin(), w.end(), [&](const WeightRecording& r) { return r.projection == proj.name; }))
            model.recording.weights.push_back({.projection = proj.name, .interval = model.duration / 20,
                                               .histogram_bins = 48, .final_weights = false});
    }
    return probes;
}

// ---------------------------------------------------------------------------------------------
// Measures

// |t_a - t_b| of the k-th spikes of each neuron, for the first `per_neuron` spikes both have.
std::vector<double> spike_time_errors(const Results& a, const Results& b, std::size_t per_neuron) {
    std::vector<double> errors;
    for (std::size_t p = 0; p < a.spikes.size(); ++p) {
        const auto ta = analysis::spike_trains(a.spikes[p]), tb = analysis::spike_trains(b.spikes[p]);
        for (std::size_t i = 0; i < ta.size(); ++i)
            for (std::size_t k = 0; k < std::min({per_neuron, ta[i].size(), tb[i].size()}); ++k)
                errors.push_back(std::abs(ta[i][k] - tb[i][k]));
    }
    return errors;
}

double median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// Least-squares slope of log y against log x over the finite, positive points.
double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> lx, ly;
    for (std::size_t k = 0; k < x.size(); ++k)
        if (y[k] > 0 && std::isfinite(y[k])) lx.push_back(std::log(x[k])), ly.push_back(std::log(y[k]));
    if (lx.size() < 2) return NAN;
    const double n = static_cast<double>(lx.size());
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    for (std::size_t k = 0; k < lx.size(); ++k) mx += lx[k] / n, my += ly[k] / n;
    for (std::size_t k = 0; k < lx.size(); ++k) sxx += (lx[k] - mx) * (lx[k] - mx), sxy += (lx[k] - mx) * (ly[k] - my);
    return sxy / sxx;
}

Json number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

// Rates, CV, synchrony and Fano factor per population; weight trajectories of plastic projections.
Json network_statistics(const Results& r, const Probes& probes) {
    Json populations = Json::object();
    for (const PopulationSpikes& s : r.spikes) {
        double chi = NAN;
        for (const StateTrace& t : r.states)  // found by content: read_results orders traces by population
            if (t.population == s.population && t.neurons == probes.voltage.at(s.population) &&
                t.variables == std::vector<std::string>{"V"} && t.interval == Probes::interval)
                chi = analysis::synchrony_chi(t, 0, 0, t.samples);
        populations[s.population] = {
            {"rate_Hz", number(analysis::mean_rate(s, 0, r.duration))},
            {"cv_isi", number(analysis::mean_cv_isi(s, 0, r.duration))},
            {"chi", number(chi)},
            {"fano_5ms", number(analysis::fano_factor(s, 5, 0, r.duration))},
        };
    }
    Json weights = Json::object();
    for (const std::string& projection : probes.plastic) {
        const auto it = std::find_if(r.weights.begin(), r.weights.end(),
                                     [&](const WeightTrace& w) { return w.projection == projection; });
        if (it == r.weights.end() || it->mean.empty()) continue;
        weights[projection] = {{"time_ms", it->times}, {"mean_nS", it->mean}, {"fraction_at_max", it->fraction_at_max},
                               {"w_min_nS", it->w_min}, {"w_max_nS", it->w_max}, {"final_histogram", it->histogram.back()}};
    }
    return {{"populations", populations}, {"weights", weights}};
}

// ---------------------------------------------------------------------------------------------

class Comparison {
public:
    Comparison(const Model& model, const std::string& config_name, const CompareOptions& options)
        : model_(model), config_name_(config_name), o_(options) {}

    int run();

private:
    void say(const std::string& text) const {
        if (!o_.quiet) fmt::print(stderr, "{}\n", text);
    }
    bool brian2_usable();
    // Runs the exported model in Brian2: the runtime device with `codegen`, or C++ standalone
    // when codegen is empty.
    std::optional<Results> run_brian2(const Model& model, const fs::path& export_dir, double dt, const std::string& codegen,
                                      const fs::path& out, Json* timing);
    Json convergence(const std::string& name, const Model& model, std::size_t per_neuron);
    Json network_runs();

    const Model& model_;
    std::string config_name_;
    const CompareOptions& o_;
    std::optional<bool> brian2_ok_;
    std::string brian2_note_;
};

bool Comparison::brian2_usable() {
    if (!brian2_ok_) {
        fs::create_directories(o_.output / "logs");
        const bool energy = std::any_of(model_.populations.begin(), model_.populations.end(),
                                        [](const Population& p) { return p.energy.has_value(); });
        brian2_ok_ = o_.brian2 && !energy &&
                     run_process({python, "-c", "import brian2, h5py"}, o_.output / "logs" / "brian2-check.log") == 0;
        brian2_note_ = !o_.brian2 ? "Brian2 not run (--no-brian2)"
                       : energy   ? "Brian2 not run: the model has an energy budget, which a Brian2 export cannot express"
                       : *brian2_ok_ ? ""
                                     : "Brian2 not run: `python3 -c 'import brian2, h5py'` failed (install python3-brian "
                                       "and python3-h5py)";
        if (!brian2_note_.empty()) say("  " + brian2_note_);
    }
    return *brian2_ok_;
}

std::optional<Results> Comparison::run_brian2(const Model& model, const fs::path& export_dir, double dt,
                                              const std::string& codegen, const fs::path& out, Json* timing) {
    if (!fs::exists(export_dir / "network.h5")) export_brian2(model, export_dir);
    const fs::path log = o_.output / "logs" / (out.parent_path().filename().string() + "-" + out.filename().string() + ".log");
    fs::create_directories(log.parent_path());
    std::vector<std::string> args{python, (export_dir / "run_brian2.py").string(), "--dt", fmt::format("{:.17g}", dt),
                                  "-o", out.string()};
    if (codegen.empty())  // one project for every run: later runs recompile little
        args.insert(args.end(), {"--device", "cpp_standalone", "--standalone-dir", (o_.output / "brian2-build").string()});
    else
        args.insert(args.end(), {"--codegen", codegen});
    const int status = run_process(args, log);
    if (status != 0) {
        say(fmt::format("  Brian2 failed (exit status {}); its log, {}, ends:\n{}", status, log.string(), tail_of(log)));
        return std::nullopt;
    }
    if (timing) {
        std::ifstream in(out / "summary.json");
        const Json summary = Json::parse(in, nullptr, false);
        if (summary.is_object() && summary.contains("brian2")) *timing = summary["brian2"];
    }
    return read_results(out);
}

Json Comparison::convergence(const std::string& name, const Model& model, std::size_t per_neuron) {
    say(fmt::format("convergence, {} ({} neurons, {:.0f} ms)", name, model.neuron_count(), model.duration));
    const Results exact = simulate(model);
    Json clock_errors = Json::array(), brian2_errors = Json::array(), agreement = Json::array();
    std::vector<double> medians, brian2_medians;
    const fs::path dir = o_.output / "convergence" / name;
    for (double dt : o_.convergence_dts) {
        const Results clock = simulate(model, Strategy::clock_driven(dt));
        const auto errors = spike_time_errors(exact, clock, per_neuron);
        medians.push_back(median(errors));
        clock_errors.push_back({{"dt_ms", dt}, {"median_ms", number(medians.back())}, {"spikes", errors.size()}});
        say(fmt::format("  clock dt = {:<6g} ms: median |t - t_exact| = {:.3g} ms over {} spikes", dt, medians.back(),
                        errors.size()));
        if (!brian2_usable()) continue;
        const auto brian2 = run_brian2(model, dir / "export", dt, "numpy", dir / fmt::format("brian2-dt{}", dt_label(dt)), nullptr);
        if (!brian2) continue;
        const auto b_errors = spike_time_errors(exact, *brian2, per_neuron);
        brian2_medians.push_back(median(b_errors));
        brian2_errors.push_back({{"dt_ms", dt}, {"median_ms", number(brian2_medians.back())}, {"spikes", b_errors.size()}});
        // Brian2 and the clock-driven engine run the same steps: the same spike steps, up to rounding.
        const auto mutual = spike_time_errors(clock, *brian2, per_neuron);
        const auto same = std::count_if(mutual.begin(), mutual.end(), [&](double e) { return e < dt / 2; });
        agreement.push_back({{"dt_ms", dt}, {"same_step", same}, {"spikes", mutual.size()}});
        say(fmt::format("  Brian2 dt = {:<5g} ms: median |t - t_exact| = {:.3g} ms; same step as the clock engine for {} of {}",
                        dt, brian2_medians.back(), same, mutual.size()));
    }
    Json result = {{"neurons", model.neuron_count()}, {"duration_ms", model.duration}, {"spikes_per_neuron", per_neuron},
                   {"exact_spikes", [&] {
                        std::size_t n = 0;
                        for (const auto& s : exact.spikes) n += s.times.size();
                        return n;
                    }()},
                   {"clock", clock_errors}, {"order_clock", number(loglog_slope(o_.convergence_dts, medians))}};
    if (!brian2_medians.empty()) {
        std::vector<double> dts;
        for (const auto& e : brian2_errors) dts.push_back(e["dt_ms"]);
        result["brian2"] = brian2_errors;
        result["order_brian2"] = number(loglog_slope(dts, brian2_medians));
        result["brian2_vs_clock"] = agreement;
    }
    return result;
}

Json Comparison::network_runs() {
    Json runs = Json::array();
    const auto record = [&](const std::string& label, const std::string& engine, std::optional<double> dt, std::uint64_t seed,
                            const Json& stats, double wall, const Json& extra) {
        Json run = {{"label", label}, {"engine", engine}, {"dt_ms", dt ? Json(*dt) : Json(nullptr)}, {"seed", seed},
                    {"wall_seconds", wall}, {"directory", fs::path("runs") / label / fmt::format("seed-{}", seed)}};
        run.update(stats);
        if (!extra.is_null()) run["brian2"] = extra;
        runs.push_back(run);
    };
    for (std::uint64_t seed : o_.seeds) {
        Model m = model_;
        m.seed = seed;
        const Probes probes = add_probes(m);
        const auto out = [&](const std::string& label) { return o_.output / "runs" / label / fmt::format("seed-{}", seed); };

        say(fmt::format("seed {}: event-driven", seed));
        const Results exact = simulate(m);
        write_results(m, exact, out("event"));
        record("event", "event", std::nullopt, seed, network_statistics(exact, probes), exact.counters.wall_seconds, nullptr);
        for (double dt : o_.dts) {
            say(fmt::format("seed {}: clock-driven, dt = {:g} ms", seed, dt));
            const Results clock = simulate(m, Strategy::clock_driven(dt));
            const std::string label = "clock-dt" + dt_label(dt);
            write_results(m, clock, out(label));
            record(label, "clock", dt, seed, network_statistics(clock, probes), clock.counters.wall_seconds, nullptr);
        }
        if (!brian2_usable()) continue;
        for (double dt : o_.brian2_dts) {
            const bool standalone = o_.brian2_device == "cpp_standalone";
            say(fmt::format("seed {}: Brian2 ({}), dt = {:g} ms", seed, standalone ? "C++ standalone" : o_.brian2_codegen, dt));
            const std::string label = "brian2-dt" + dt_label(dt);
            Json timing;
            const auto b = run_brian2(m, o_.output / "brian2-export" / fmt::format("seed-{}", seed), dt,
                                      standalone ? "" : o_.brian2_codegen, out(label), &timing);
            if (!b) continue;
            // Brian2's own run time (its build and compile times are kept apart in "brian2").
            const double wall = timing.value("run_seconds", b->counters.wall_seconds);
            record(label, "brian2", dt, seed, network_statistics(*b, probes), wall, timing);
        }
    }
    return runs;
}

int Comparison::run() {
    // Checked before hours of runs.
    for (const auto& [option, dts] : {std::pair{"--dts", &o_.dts}, {"--brian2-dts", &o_.brian2_dts},
                                      {"--convergence-dts", &o_.convergence_dts}})
        for (double dt : *dts)
            if (!(std::isfinite(dt) && dt > 0 && dt < std::min(model_.duration, short_run)))
                throw UserError(fmt::format("{}: a step of {} ms; expected a positive time in ms below {} ms", option,
                                            dt, std::min(model_.duration, short_run)));
    if (o_.seeds.empty()) throw UserError("--seeds: expected at least one seed");
    check_output_directory(o_.output);
    // Exports of an earlier invocation would describe another model.
    fs::remove_all(o_.output / "convergence");
    fs::remove_all(o_.output / "brian2-export");
    const auto start = std::chrono::steady_clock::now();
    Json report = {{"config", config_name_},
                   {"model", {{"neurons", model_.neuron_count()}, {"duration_ms", model_.duration}}},
                   {"seeds", o_.seeds}};
    report["convergence"] = {
        {"single_neurons", convergence("single-neurons", single_neurons(model_, 100, 500), 3)},
        {"small_network", convergence("small-network", shrink(model_, 200, short_run), 3)},
    };
    report["runs"] = network_runs();
    report["brian2_note"] = brian2_note_;
    report["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    {
        std::ofstream json(o_.output / "compare.json");
        json << report.dump(1) << '\n';
        if (!json) throw UserError(fmt::format("cannot write {}", (o_.output / "compare.json").string()));
    }
    say(fmt::format("numbers in {}", (o_.output / "compare.json").string()));
    if (!o_.figures) return 0;
    const fs::path script = find_tool("compare_report.py");
    const fs::path log = o_.output / "logs" / "report.log";
    if (run_process({python, script.string(), o_.output.string()}, log) != 0) {
        say(fmt::format("  the figures and report.md could not be made ({}); its log, {}, ends:\n{}", script.string(),
                        log.string(), tail_of(log)));
        return 1;
    }
    say(fmt::format("report: {}", (o_.output / "report.md").string()));
    return 0;
}

}  // namespace

int compare(const Model& model, const std::string& config_name, const CompareOptions& options) {
    return Comparison(model, config_name, options).run();
}

}  // namespace metabosim::app
