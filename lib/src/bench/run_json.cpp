#include "bench/run_json.hpp"

#include <cmath>

#include "processes/brian2_timing_json.hpp"

namespace metabosim::bench {

using Json = nlohmann::ordered_json;

Json to_json(const MetabosimRun& r) {
    Json phases = Json::object();
    for (const auto& [phase, ns] : r.phase_ns_per_input) phases[phase] = ns;
    return {{"threads", r.threads},
            {"wall_seconds", r.wall_seconds},
            {"wall_seconds_each", r.repeat_seconds},
            {"synapses", r.synapses},
            {"spikes", r.spikes},
            {"mean_rate_Hz", r.mean_rate},
            {"synaptic_events", r.synaptic_events},
            {"inputs", r.inputs},
            {"phase_ns_per_input", phases},
            {"synapse_storage_bytes", r.synapse_storage_bytes},
            {"plastic_synapse_storage_bytes", r.plastic_synapse_storage_bytes},
            {"plastic_synapses", r.plastic_synapses},
            {"peak_rss_bytes", r.peak_rss_bytes}};
}

MetabosimRun metabosim_run_from(const Json& j) {
    std::vector<std::pair<std::string, double>> phases;
    for (const auto& [phase, ns] : j.at("phase_ns_per_input").items())
        phases.emplace_back(phase, ns.is_number() ? ns.get<double>() : NAN);
    return {.threads = j.at("threads").get<unsigned>(),
            .wall_seconds = j.at("wall_seconds").get<double>(),
            .repeat_seconds = j.at("wall_seconds_each").get<std::vector<double>>(),
            .synapses = j.at("synapses").get<std::uint64_t>(),
            .spikes = j.at("spikes").get<std::uint64_t>(),
            .mean_rate = j.at("mean_rate_Hz").get<double>(),
            .synaptic_events = j.at("synaptic_events").get<std::uint64_t>(),
            .inputs = j.at("inputs").get<std::uint64_t>(),
            .phase_ns_per_input = phases,
            .synapse_storage_bytes = j.at("synapse_storage_bytes").get<double>(),
            .plastic_synapse_storage_bytes = j.at("plastic_synapse_storage_bytes").get<double>(),
            .plastic_synapses = j.at("plastic_synapses").get<std::uint64_t>(),
            .peak_rss_bytes = j.value("peak_rss_bytes", 0.0)};
}

Json to_json(const Brian2Run& r) {
    Json out = processes::to_json(r.timing);
    out["spikes"] = r.spikes;
    out["mean_rate_Hz"] = r.mean_rate;
    out["run_seconds_each"] = r.repeat_seconds;
    return out;
}

}  // namespace metabosim::bench
