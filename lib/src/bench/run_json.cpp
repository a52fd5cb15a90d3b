#include "bench/run_json.hpp"

#include "processes/brian2_timing_json.hpp"

namespace metabosim::bench {

using Json = nlohmann::ordered_json;

Json to_json(const MetabosimRun& r) {
    return {{"wall_seconds", r.wall_seconds},
            {"synapses", r.synapses},
            {"spikes", r.spikes},
            {"mean_rate_Hz", r.mean_rate},
            {"synaptic_events", r.synaptic_events},
            {"synapse_storage_bytes", r.synapse_storage_bytes},
            {"plastic_synapse_storage_bytes", r.plastic_synapse_storage_bytes},
            {"plastic_synapses", r.plastic_synapses},
            {"peak_rss_bytes", r.peak_rss_bytes}};
}

MetabosimRun metabosim_run_from(const Json& j) {
    return {.wall_seconds = j.at("wall_seconds").get<double>(),
            .synapses = j.at("synapses").get<std::uint64_t>(),
            .spikes = j.at("spikes").get<std::uint64_t>(),
            .mean_rate = j.at("mean_rate_Hz").get<double>(),
            .synaptic_events = j.at("synaptic_events").get<std::uint64_t>(),
            .synapse_storage_bytes = j.at("synapse_storage_bytes").get<double>(),
            .plastic_synapse_storage_bytes = j.at("plastic_synapse_storage_bytes").get<double>(),
            .plastic_synapses = j.at("plastic_synapses").get<std::uint64_t>(),
            .peak_rss_bytes = j.value("peak_rss_bytes", 0.0)};
}

Json to_json(const Brian2Run& r) {
    Json out = processes::to_json(r.timing);
    out["spikes"] = r.spikes;
    out["mean_rate_Hz"] = r.mean_rate;
    return out;
}

}  // namespace metabosim::bench
