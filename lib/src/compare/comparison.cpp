#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "compare/compared_models.hpp"
#include "compare/run_measures.hpp"
#include "metabosim/brian2/export.hpp"
#include "metabosim/compare/compare.hpp"
#include "metabosim/simulation.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/processes/processes.hpp"
#include "metabosim/processes/python.hpp"
#include "metabosim/simulation/progress.hpp"
#include "metabosim/recording/output.hpp"

namespace metabosim::compare {
namespace {

namespace fs = std::filesystem;

constexpr double short_run = 100;  // ms, the small network's convergence run (the shortest run)

std::string dt_label(double dt) { return fmt::format("{:g}", dt); }

class Comparer {
public:
    Comparer(const Model& model, const Settings& settings) : model_(model), s_(settings) {}

    Convergence convergence(const std::string& name, const Model& model, std::size_t per_neuron);
    std::vector<NetworkRun> network_runs();
    const std::string& brian2_note() const { return brian2_note_; }

private:
    void say(const std::string& text) const { s_.progress(text); }
    bool brian2_usable();
    // Runs the exported model in Brian2 (exported first if not yet): the runtime device with
    // `codegen`, or C++ standalone when codegen is empty. Nothing if it failed.
    std::optional<Results> run_brian2(const Model& model, const fs::path& export_dir, double dt, const std::string& codegen,
                                      const fs::path& out);

    const Model& model_;
    const Settings& s_;
    std::optional<bool> brian2_ok_;
    std::string brian2_note_;
};

bool Comparer::brian2_usable() {
    if (!brian2_ok_) {
        fs::create_directories(s_.output / "logs");
        const bool energy = std::any_of(model_.populations.begin(), model_.populations.end(),
                                        [](const Population& p) { return p.energy.has_value(); });
        const auto python = s_.brian2 && !energy ? processes::find_python(processes::brian2_modules())
                                                 : processes::PythonSearch{};
        brian2_ok_ = python.found.has_value();
        brian2_note_ = !s_.brian2 ? "Brian2 not run (--no-brian2)"
                       : energy   ? "Brian2 not run: the model has an energy budget, which a Brian2 export cannot express"
                       : *brian2_ok_ ? ""
                                     : "Brian2 not run: " + python.note;
        if (!brian2_note_.empty()) say("  " + brian2_note_);
        if (python.found)
            say(fmt::format("  Brian2 with {}{}", python.found->string(), python.note.empty() ? "" : " (" + python.note + ")"));
    }
    return *brian2_ok_;
}

std::optional<Results> Comparer::run_brian2(const Model& model, const fs::path& export_dir, double dt,
                                            const std::string& codegen, const fs::path& out) {
    if (!fs::exists(export_dir / "network.h5")) export_brian2(model, export_dir);
    const fs::path log = s_.output / "logs" / (out.parent_path().filename().string() + "-" + out.filename().string() + ".log");
    fs::create_directories(log.parent_path());
    // One C++ standalone project for every run: later runs recompile little.
    const int status = processes::run_brian2_export(
        export_dir,
        {.dt = dt, .codegen = codegen, .standalone_dir = s_.output / "brian2-build",
         .progress = [this](const std::string& line) { say("    " + line); }},
        out, log);
    if (status != 0) {
        say(fmt::format("  Brian2 failed (exit status {}); its log, {}, ends:\n{}", status, log.string(),
                        processes::tail_of(log)));
        return std::nullopt;
    }
    return read_results(out);
}

Convergence Comparer::convergence(const std::string& name, const Model& model, std::size_t per_neuron) {
    say(fmt::format("convergence, {} ({} neurons, {:.0f} ms)", name, model.neuron_count(), model.duration));
    const Results exact = simulate(model);
    Convergence c;
    c.neurons = model.neuron_count();
    c.duration = model.duration;
    c.spikes_per_neuron = per_neuron;
    for (const auto& s : exact.spikes) c.exact_spikes += s.times.size();
    std::vector<double> medians, brian2_dts, brian2_medians;
    const fs::path dir = s_.output / "convergence" / name;
    for (double dt : s_.convergence_dts) {
        const Results clock = simulate(model, Strategy::clock_driven(dt));
        const auto errors = spike_time_errors(model, exact, clock, per_neuron);
        medians.push_back(median(errors));
        c.clock.push_back({.dt = dt, .median = medians.back(), .spikes = errors.size()});
        say(fmt::format("  clock dt = {:<6g} ms: median |t - t_exact| = {:.3g} ms over {} spikes", dt, medians.back(),
                        errors.size()));
        if (!brian2_usable()) continue;
        const auto brian2 = run_brian2(model, dir / "export", dt, "numpy", dir / fmt::format("brian2-dt{}", dt_label(dt)));
        if (!brian2) continue;
        const auto b_errors = spike_time_errors(model, exact, *brian2, per_neuron);
        brian2_dts.push_back(dt);
        brian2_medians.push_back(median(b_errors));
        c.brian2.push_back({.dt = dt, .median = brian2_medians.back(), .spikes = b_errors.size()});
        // Brian2 and the clock-driven engine run the same steps: the same spike steps, up to rounding.
        const auto mutual = spike_time_errors(model, clock, *brian2, per_neuron);
        const auto same = static_cast<std::size_t>(std::count_if(mutual.begin(), mutual.end(), [&](double e) { return e < dt / 2; }));
        c.brian2_vs_clock.push_back({.dt = dt, .same_step = same, .spikes = mutual.size()});
        say(fmt::format("  Brian2 dt = {:<5g} ms: median |t - t_exact| = {:.3g} ms; same step as the clock engine for {} of {}",
                        dt, brian2_medians.back(), same, mutual.size()));
    }
    c.order_clock = loglog_slope(s_.convergence_dts, medians);
    if (!brian2_medians.empty()) c.order_brian2 = loglog_slope(brian2_dts, brian2_medians);
    return c;
}

std::vector<NetworkRun> Comparer::network_runs() {
    std::vector<NetworkRun> runs;
    const std::size_t total = s_.seeds.size() * (1 + s_.dts.size() + (brian2_usable() ? s_.brian2_dts.size() : 0));
    std::size_t started = 0;
    JobClock clock(static_cast<double>(total));
    // "[k/N] seed S: what (time so far, ETA)" as each run starts; the ETA counts the runs ended.
    const auto starting = [&](const std::string& what) {
        if (started++ > 0) clock.done();
        say(fmt::format("[{}/{}] {} ({} so far, {})", started, total, what, format_seconds(clock.elapsed()), clock.eta()));
    };
    for (std::uint64_t seed : s_.seeds) {
        Model m = model_;
        m.seed = seed;
        const Probes probes = add_probes(m);
        const auto directory = [&](const std::string& label) { return fs::path("runs") / label / fmt::format("seed-{}", seed); };
        const auto record = [&](const std::string& label, const std::string& engine, std::optional<double> dt,
                                const Results& r, double wall) {
            NetworkRun run;
            run.label = label;
            run.engine = engine;
            run.dt = dt;
            run.seed = seed;
            run.wall_seconds = wall;
            run.directory = directory(label).string();
            measure_network(r, probes, run);
            runs.push_back(std::move(run));
        };

        starting(fmt::format("seed {}: event-driven", seed));
        const Results exact = simulate(m);
        write_results(m, exact, s_.output / directory("event"));
        record("event", "event", std::nullopt, exact, exact.counters.wall_seconds);
        for (double dt : s_.dts) {
            starting(fmt::format("seed {}: clock-driven, dt = {:g} ms", seed, dt));
            const Results clock = simulate(m, Strategy::clock_driven(dt));
            const std::string label = "clock-dt" + dt_label(dt);
            write_results(m, clock, s_.output / directory(label));
            record(label, "clock", dt, clock, clock.counters.wall_seconds);
        }
        if (!brian2_usable()) continue;
        for (double dt : s_.brian2_dts) {
            const bool standalone = s_.brian2_device == "cpp_standalone";
            starting(fmt::format("seed {}: Brian2 ({}), dt = {:g} ms", seed, standalone ? "C++ standalone" : s_.brian2_codegen, dt));
            const std::string label = "brian2-dt" + dt_label(dt);
            const fs::path out = s_.output / directory(label);
            const auto b = run_brian2(m, s_.output / "brian2-export" / fmt::format("seed-{}", seed), dt,
                                      standalone ? "" : s_.brian2_codegen, out);
            if (!b) continue;
            // Brian2's own run time (its build and compile times are kept apart in `brian2`).
            const auto summary = processes::read_brian2_summary(out);
            const double wall = summary && std::isfinite(summary->brian2.run_seconds) ? summary->brian2.run_seconds
                                                                                      : b->counters.wall_seconds;
            record(label, "brian2", dt, *b, wall);
            if (summary) runs.back().brian2 = summary->brian2;
        }
    }
    return runs;
}

}  // namespace

Comparison run_comparison(const Model& model, const std::string& config_name, const Settings& s) {
    // Checked before hours of runs.
    for (const auto& [option, dts] : {std::pair{"--dts", &s.dts}, {"--brian2-dts", &s.brian2_dts},
                                      {"--convergence-dts", &s.convergence_dts}})
        for (double dt : *dts)
            if (!(std::isfinite(dt) && dt > 0 && dt < std::min(model.duration, short_run)))
                throw UserError(fmt::format("{}: a step of {} ms; expected a positive time in ms below {} ms", option,
                                            dt, std::min(model.duration, short_run)));
    if (s.seeds.empty()) throw UserError("--seeds: expected at least one seed");
    check_output_directory(s.output);
    // Exports of an earlier invocation would describe another model.
    fs::remove_all(s.output / "convergence");
    fs::remove_all(s.output / "brian2-export");
    const auto start = std::chrono::steady_clock::now();
    Comparer comparer(model, s);
    Comparison c;
    c.config = config_name;
    c.neurons = model.neuron_count();
    c.duration = model.duration;
    c.seeds = s.seeds;
    c.single_neurons = comparer.convergence("single-neurons", single_neurons(model, 100, 500), 3);
    c.small_network = comparer.convergence("small-network", shrink(model, 200, short_run), 3);
    c.runs = comparer.network_runs();
    c.brian2_note = comparer.brian2_note();
    c.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return c;
}

}  // namespace metabosim::compare
