// compare.json: the model, the convergence studies and the network runs, as
// tools/compare_report.py reads them (docs/comparison.md).
#include "metabosim/compare/compare_output.hpp"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metabosim/model/error.hpp"
#include "processes/brian2_timing_json.hpp"

namespace metabosim::compare {
namespace {

namespace fs = std::filesystem;
// nlohmann writes NaN and infinities as null: an undefined measure reads as missing.
using Json = nlohmann::ordered_json;

Json to_json(const std::vector<StepError>& errors) {
    Json out = Json::array();
    for (const StepError& e : errors) out.push_back({{"dt_ms", e.dt}, {"median_ms", e.median}, {"spikes", e.spikes}});
    return out;
}

Json to_json(const Convergence& c) {
    Json out = {{"neurons", c.neurons}, {"duration_ms", c.duration}, {"spikes_per_neuron", c.spikes_per_neuron},
                {"exact_spikes", c.exact_spikes}, {"clock", to_json(c.clock)}, {"order_clock", c.order_clock}};
    if (!c.brian2.empty()) {
        out["brian2"] = to_json(c.brian2);
        out["order_brian2"] = c.order_brian2;
        Json agreement = Json::array();
        for (const StepAgreement& a : c.brian2_vs_clock)
            agreement.push_back({{"dt_ms", a.dt}, {"same_step", a.same_step}, {"spikes", a.spikes}});
        out["brian2_vs_clock"] = agreement;
    }
    return out;
}

Json to_json(const NetworkRun& r) {
    Json populations = Json::object(), weights = Json::object();
    for (const PopulationStatistics& p : r.populations)
        populations[p.population] = {{"rate_Hz", p.rate}, {"cv_isi", p.cv_isi}, {"chi", p.chi}, {"fano_5ms", p.fano}};
    for (const WeightStatistics& w : r.weights)
        weights[w.projection] = {{"time_ms", w.time}, {"mean_nS", w.mean}, {"fraction_at_max", w.fraction_at_max},
                                 {"w_min_nS", w.w_min}, {"w_max_nS", w.w_max}, {"final_histogram", w.final_histogram}};
    Json out = {{"label", r.label}, {"engine", r.engine}, {"dt_ms", r.dt ? Json(*r.dt) : Json(nullptr)}, {"seed", r.seed},
                {"wall_seconds", r.wall_seconds}, {"directory", r.directory}, {"populations", populations},
                {"weights", weights}};
    if (r.brian2) out["brian2"] = processes::to_json(*r.brian2);
    return out;
}

}  // namespace

void write_compare_json(const Comparison& c, const fs::path& file) {
    Json runs = Json::array();
    for (const NetworkRun& r : c.runs) runs.push_back(to_json(r));
    const Json out = {{"config", c.config},
                      {"model", {{"neurons", c.neurons}, {"duration_ms", c.duration}}},
                      {"seeds", c.seeds},
                      {"convergence", {{"single_neurons", to_json(c.single_neurons)}, {"small_network", to_json(c.small_network)}}},
                      {"runs", runs},
                      {"brian2_note", c.brian2_note},
                      {"wall_seconds", c.wall_seconds}};
    std::ofstream stream(file);
    stream << out.dump(1) << '\n';
    if (!stream) throw UserError(fmt::format("cannot write {}", file.string()));
}

processes::ScriptRun make_compare_report(const fs::path& directory) {
    return processes::run_tool("compare_report.py", {directory.string()}, directory / "logs" / "report.log");
}

}  // namespace metabosim::compare
