#include "bench/child_runs.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "bench/run_json.hpp"
#include "synapses/stdp.hpp"
#include "metabosim/model/error.hpp"

namespace metabosim::bench {
namespace {

namespace fs = std::filesystem;

// What the synapses of a built network take: their arrays, and the presynaptic STDP trace the
// engines keep per plastic synapse (synapses/stdp.hpp).
void synapse_storage(const Network& network, MetabosimRun& run) {
    constexpr std::uint64_t trace_bytes = sizeof(decltype(StdpTraces::pre_scaled)::value_type);
    for (const Synapses& s : network.projections) {
        const auto bytes = static_cast<double>(s.bytes() + (s.stdp ? s.size() * trace_bytes : 0));
        run.synapse_storage_bytes += bytes;
        if (s.stdp) run.plastic_synapse_storage_bytes += bytes, run.plastic_synapses += s.size();
    }
}

}  // namespace

std::pair<bool, double> in_child(const std::function<void()>& work) {
    const pid_t pid = fork();
    if (pid < 0) throw UserError("bench: fork failed");
    if (pid == 0) {
        int status = 1;
        try {
            work();
            status = 0;
        } catch (...) {
        }
        _exit(status);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    return {WIFEXITED(status) && WEXITSTATUS(status) == 0, static_cast<double>(usage.ru_maxrss) * 1024};  // kB on Linux
}

std::optional<MetabosimRun> run_metabosim(const Model& model, Strategy strategy, const fs::path& result) {
    const auto [ok, peak] = in_child([&] {
        Simulation sim(model, strategy);
        const Results r = sim.run();
        MetabosimRun run;
        run.threads = strategy.kind == Strategy::Kind::event_driven ? strategy.threads : 1;
        run.wall_seconds = r.counters.wall_seconds;
        run.synapses = r.synapse_count;
        for (const auto& s : r.spikes) run.spikes += s.times.size();
        run.mean_rate = r.duration > 0 ? run.spikes / (model.neuron_count() * r.duration / 1000) : 0.0;
        run.synaptic_events = r.counters.events_of("spike_arrival");
        run.inputs = run.synaptic_events + r.counters.events_of("external_input");
        for (const auto& phase : r.counters.phases)
            run.phase_ns_per_input.emplace_back(phase.phase, run.inputs ? phase.seconds * 1e9 / run.inputs : NAN);
        synapse_storage(sim.network(), run);
        auto json = to_json(run);
        json.erase("peak_rss_bytes");  // the parent measures it
        std::ofstream(result) << json.dump();
    });
    if (!ok) return std::nullopt;
    std::ifstream in(result);
    MetabosimRun run = metabosim_run_from(nlohmann::ordered_json::parse(in));
    run.peak_rss_bytes = peak;
    return run;
}

std::optional<Brian2Run> run_brian2(const fs::path& exported, const fs::path& build, double dt, const fs::path& out,
                                    const fs::path& log, const processes::LineHandler& progress) {
    const auto indented = [&](const std::string& line) { progress("    " + line); };
    if (processes::run_brian2_export(exported, {.dt = dt, .codegen = "", .standalone_dir = build, .progress = indented},
                                     out, log) != 0)
        return std::nullopt;
    const auto summary = processes::read_brian2_summary(out);
    if (!summary) return std::nullopt;
    return Brian2Run{.timing = summary->brian2, .spikes = summary->spikes,
                     .mean_rate = summary->neurons > 0 && summary->duration > 0
                                      ? summary->spikes / (summary->neurons * summary->duration / 1000)
                                      : 0.0,
                     .repeat_seconds = {}};
}

}  // namespace metabosim::bench
