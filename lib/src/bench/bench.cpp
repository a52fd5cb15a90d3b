#include "metabosim/model/builtin.hpp"
#include "metabosim/bench/bench.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bench/child_runs.hpp"
#include "bench/machine.hpp"
#include "bench/workloads.hpp"
#include "metabosim/brian2/export.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/processes/python.hpp"
#include "metabosim/recording/output.hpp"
#include "metabosim/simulation/progress.hpp"

namespace metabosim::bench {
namespace {

namespace fs = std::filesystem;

constexpr double brian2_coarse = 0.1, brian2_fine = 0.01;  // ms

std::vector<double> brian2_steps(const Workload& w) {
    return w.brian2_fine ? std::vector<double>{brian2_coarse, brian2_fine} : std::vector<double>{brian2_coarse};
}

// What a workload's runs cost, roughly (for the ETA): neurons x inputs per neuron x duration per
// run, a Brian2 run at a finer step the more.
double work_of(const Workload& w, bool brian2, unsigned repeat) {
    const double inputs = w.synapses_per_neuron > 0 ? w.synapses_per_neuron : 100;
    double runs = 2;
    if (brian2)
        for (double dt : brian2_steps(w)) runs += brian2_coarse / dt;
    return w.model.neuron_count() * inputs * w.model.duration * runs * repeat;
}

double seconds_of(const MetabosimRun& run) { return run.wall_seconds; }
double seconds_of(const Brian2Run& run) { return run.timing.run_seconds; }

// The run of median time (of an even count, the faster of the middle two), holding every run's
// time in the order run; nothing if any failed.
template <class Run>
std::optional<Run> median_run(const std::vector<std::optional<Run>>& runs) {
    std::vector<const Run*> sorted;
    std::vector<double> each;
    for (const std::optional<Run>& run : runs) {
        if (!run) return std::nullopt;
        sorted.push_back(&*run);
        each.push_back(seconds_of(*run));
    }
    if (sorted.empty()) return std::nullopt;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Run* a, const Run* b) { return seconds_of(*a) < seconds_of(*b); });
    Run median = *sorted[(sorted.size() - 1) / 2];
    median.repeat_seconds = each;
    return median;
}

// A workload's runs: metabosim event- and clock-driven, then Brian2 on its export; all of them
// again for each repeat, so that a slow spell of the machine touches every engine alike.
Row measure_workload(const Workload& w, const Settings& s, bool brian2, std::size_t index, const std::string& position) {
    const auto say = [&](const std::string& what) { s.progress(fmt::format("{} {}: {}", position, w.name, what)); };
    const fs::path dir = s.output / "runs" / fmt::format("{:02d}", index);
    fs::create_directories(dir);
    Row row;
    row.workload = w.name;
    row.neurons = w.model.neuron_count();
    row.duration = w.model.duration;
    row.synapses_per_neuron = w.synapses_per_neuron;
    const std::vector<double> steps = brian2 ? brian2_steps(w) : std::vector<double>{};
    std::vector<std::optional<MetabosimRun>> event, event_2, clock;
    std::vector<std::vector<std::optional<Brian2Run>>> brian2_runs(steps.size());
    if (brian2) in_child([&] { export_brian2(w.model, dir / "export"); });
    for (unsigned r = 0; r < s.repeat; ++r) {
        // Files of the first run under their plain names, a repeat's with its number.
        const auto name = [&](const std::string& base) { return r == 0 ? base : fmt::format("{} run {}", base, r + 1); };
        const std::string of = s.repeat > 1 ? fmt::format(" (run {} of {})", r + 1, s.repeat) : "";
        say("metabosim event" + of);
        event.push_back(run_metabosim(w.model, Strategy::event_driven(1), dir / (name("event") + ".json")));
        if (w.two_threads) {
            say("metabosim event, 2 threads" + of);
            event_2.push_back(run_metabosim(w.model, Strategy::event_driven(2), dir / (name("event 2 threads") + ".json")));
        }
        say("metabosim clock 0.1" + of);
        clock.push_back(run_metabosim(w.model, Strategy::clock_driven(0.1), dir / (name("clock 0.1") + ".json")));
        for (std::size_t k = 0; k < steps.size(); ++k) {
            const double dt = steps[k];
            say(fmt::format("Brian2 C++ standalone, dt = {:g} ms{}", dt, of));
            brian2_runs[k].push_back(run_brian2(dir / "export", s.output / "brian2-build", dt,
                                                dir / name(fmt::format("brian2 {:g}", dt)),
                                                s.output / "logs" / (name(fmt::format("{:02d}-{}", index, dt)) + ".log"),
                                                s.progress));
        }
    }
    if (brian2) fs::remove_all(dir / "export");  // large, and rebuilt from the seed at will
    row.event = median_run(event);
    row.event_2 = median_run(event_2);
    row.clock = median_run(clock);
    for (std::size_t k = 0; k < steps.size(); ++k) {
        std::optional<Brian2Run> run = median_run(brian2_runs[k]);
        if (run) {  // building and compiling: the first run's, as repeats find the code compiled
            run->timing.build_seconds = brian2_runs[k][0]->timing.build_seconds;
            run->timing.compile_seconds = brian2_runs[k][0]->timing.compile_seconds;
        }
        row.brian2.push_back({.dt = steps[k], .run = run});
    }
    return row;
}

double peak_of(const Brian2Run& run) {
    return run.timing.peak_rss_bytes ? static_cast<double>(*run.timing.peak_rss_bytes) : NAN;
}

// Peak memory less the baseline, per synapse of the event-driven run.
void bytes_per_synapse(Row& row, double baseline, double brian2_baseline) {
    const double synapses = row.event ? static_cast<double>(row.event->synapses) : NAN;
    const auto per_synapse = [&](double peak, double base) { return (peak - base) / synapses; };
    row.bytes_per_synapse_event = row.event ? per_synapse(row.event->peak_rss_bytes, baseline) : NAN;
    row.bytes_per_synapse_clock = row.clock ? per_synapse(row.clock->peak_rss_bytes, baseline) : NAN;
    const Brian2Run* b = row.brian2_at(brian2_coarse);
    row.bytes_per_synapse_brian2 = b ? per_synapse(peak_of(*b), brian2_baseline) : NAN;
}

// Each target from the rows it concerns.
std::vector<Target> targets(const std::vector<Row>& rows) {
    const auto find = [&](const std::string& name) -> const Row* {
        for (const Row& row : rows)
            if (row.workload == name) return &row;
        return nullptr;
    };
    const auto seconds = [](const std::optional<MetabosimRun>& run) { return run ? run->wall_seconds : NAN; };
    const auto brian2_seconds = [](const Row& r, double dt) {
        const Brian2Run* b = r.brian2_at(dt);
        return b ? b->timing.run_seconds : NAN;
    };
    const auto events_per_second = [](const std::optional<MetabosimRun>& run) {
        return run ? run->synaptic_events / run->wall_seconds / 1e6 : NAN;
    };
    std::vector<Target> out;
    if (const Row* coba1 = find("COBA, 1 s")) {
        const double ratio = seconds(coba1->event) / brian2_seconds(*coba1, brian2_coarse);
        out.push_back({"COBA 1 s, event-driven 1 thread / Brian2 standalone dt 0.1", ratio, "x", "<= 0.5x (aim 0.3x)",
                       true, 0.5, std::isfinite(ratio) ? (ratio <= 0.3 ? "aim 0.3x met" : "aim 0.3x missed") : ""});
        out.push_back({"COBA 1 s, event-driven 1 thread / Brian2 standalone dt 0.01",
                       seconds(coba1->event) / brian2_seconds(*coba1, brian2_fine), "x", "<= 0.1x", true, 0.1, ""});
        out.push_back({"COBA 1 s, event-driven 2 threads, synaptic events/s", events_per_second(coba1->event_2), " M/s",
                       ">= 35 M/s", false, 35, ""});
        out.push_back({"COBA 1 s, event-driven 2 threads / 1 thread speed-up",
                       seconds(coba1->event) / seconds(coba1->event_2), "x", ">= 1.8x", false, 1.8, ""});
    }
    for (const Row& row : rows)
        if (row.workload.rfind("COBA", 0) == 0)
            out.push_back({row.workload + ", event-driven 1 thread, synaptic events/s", events_per_second(row.event),
                           " M/s", ">= 20 M/s", false, 20, ""});
    const Row* stdp = find("microcircuit 37 degC, STDP");
    const Row* plain = find("microcircuit 37 degC, no STDP");
    if (stdp) {
        out.push_back({"microcircuit 37 degC STDP, event-driven 1 thread / Brian2 standalone dt 0.1",
                       seconds(stdp->event) / brian2_seconds(*stdp, brian2_coarse), "x", "<= 1x", true, 1, ""});
        out.push_back({"microcircuit STDP, synapse arrays per plastic synapse",
                       stdp->event ? stdp->event->plastic_synapse_storage_bytes / static_cast<double>(stdp->event->plastic_synapses)
                                   : NAN,
                       " B", "<= 32.2 B per plastic synapse (no more than before the epoch engine)", true, 32.2,
                       "what the plastic projection stores: targets, weights, delays, row pointers, entries by postsynaptic neuron, "
                       "presynaptic traces"});
    }
    if (stdp && plain)
        out.push_back({"microcircuit 37 degC, event-driven STDP / no STDP wall time",
                       seconds(stdp->event) / seconds(plain->event), "x", "<= 1.3x", true, 1.3, ""});
    return out;
}

}  // namespace

const Brian2Run* Row::brian2_at(double dt) const {
    for (const Brian2Attempt& a : brian2)
        if (a.dt == dt && a.run) return &*a.run;
    return nullptr;
}

std::optional<bool> Target::met() const {
    if (!std::isfinite(measured)) return std::nullopt;
    return at_most ? measured <= bound : measured >= bound;
}

Bench run_bench(const Settings& s) {
    if (s.repeat < 1) throw UserError(fmt::format("bench: repeat = {}: expected at least 1 (runs per reported time)", s.repeat));
    check_output_directory(s.output);
    const auto& say = s.progress;
    fs::create_directories(s.output / "logs");
    const auto python = s.brian2 ? processes::find_python(processes::brian2_modules()) : processes::PythonSearch{};
    const bool brian2 = python.found.has_value();
    if (s.brian2 && !brian2) say("  Brian2 not run: " + python.note);
    if (brian2) say(fmt::format("  Brian2 with {}{}", python.found->string(), python.note.empty() ? "" : " (" + python.note + ")"));
    Bench bench;
    bench.machine = this_machine();
    bench.repeat = s.repeat;
    // The memory of a process that simulates nothing: subtracted before dividing by synapses.
    Model empty = coba(1);
    empty.populations.resize(1);
    empty.populations[0].size = 1;
    empty.projections.clear();
    const auto baseline = run_metabosim(empty, Strategy::event_driven(), s.output / "baseline.json");
    bench.baseline_rss_bytes = baseline ? baseline->peak_rss_bytes : NAN;
    // The same for Brian2: its program on the empty model (one neuron, no synapses).
    if (brian2) {
        say("baseline: Brian2 C++ standalone on one neuron without synapses");
        const fs::path dir = s.output / "runs" / "baseline";
        fs::create_directories(dir);
        in_child([&] { export_brian2(empty, dir / "export"); });
        const auto b = run_brian2(dir / "export", s.output / "brian2-build", brian2_coarse, dir / "brian2 0.1",
                                  s.output / "logs" / "baseline-0.1.log", s.progress);
        if (b) bench.brian2_baseline_rss_bytes = peak_of(*b);
        fs::remove_all(dir / "export");
    }
    const auto all = workloads(s.quick);
    double total = 0;
    for (const Workload& w : all) total += work_of(w, brian2, s.repeat);
    JobClock clock(total);
    for (const Workload& w : all) {
        const std::string position = fmt::format("[{}/{}, {} so far, {}]", bench.rows.size() + 1, all.size(),
                                                 format_seconds(clock.elapsed()), clock.eta());
        bench.rows.push_back(measure_workload(w, s, brian2, bench.rows.size(), position));
        clock.done(work_of(w, brian2, s.repeat));
        bytes_per_synapse(bench.rows.back(), bench.baseline_rss_bytes, bench.brian2_baseline_rss_bytes);
        if (const Brian2Run* b = bench.rows.back().brian2_at(brian2_coarse)) bench.brian2_version = b->timing.version;
    }
    bench.targets = targets(bench.rows);
    return bench;
}

}  // namespace metabosim::bench
