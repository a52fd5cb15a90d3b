// findings.json: the settings, each experiment's measures, criteria and verdict, and every run's
// measures. tools/findings_report.py reads it by these keys (docs/findings.md).
#include "metabosim/experiments/findings_output.hpp"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metabosim/model/error.hpp"

namespace metabosim::experiments {
namespace {

namespace fs = std::filesystem;
// nlohmann writes NaN and infinities as null: an undefined measure reads as missing.
using Json = nlohmann::ordered_json;

Json to_json(const Estimate& e) { return {{"mean", e.mean}, {"low", e.low}, {"high", e.high}, {"n", e.n}}; }

template <class T, class Convert>
Json per_state(const PerState<T>& s, Convert convert) {
    return {{"hypo", convert(s.hypo)}, {"normo", convert(s.normo)}, {"hyper", convert(s.hyper)}};
}

template <class T, class Convert>
Json array_of(const std::vector<T>& items, Convert convert) {
    Json out = Json::array();
    for (const T& item : items) out.push_back(convert(item));
    return out;
}

Json to_json(const std::vector<Criterion>& criteria) {
    return array_of(criteria, [](const Criterion& c) {
        return Json{{"claim", c.claim}, {"measure", c.measure}, {"value", c.value}, {"holds", c.holds},
                    {"seeds_holding", c.seeds_holding}, {"seeds", c.seeds}};
    });
}

Json to_json(const SynchronyWindows& w) {
    return {{"start_ms", w.start}, {"chi", w.chi}, {"rate_E", w.rate_E}, {"length_ms", w.length}};
}

Json to_json(const WeightTrajectory& w) {
    return {{"time_ms", w.time}, {"relative", w.relative}, {"mean_nS", w.mean}, {"fraction_at_max", w.fraction_at_max},
            {"final_histogram", w.final_histogram}, {"w_max_nS", w.w_max}};
}

Json to_json(const EnergyTrajectory& e) {
    Json rates = Json::array();
    for (const auto& [t, rate] : e.rate_E_by_state) rates.push_back({t, rate});
    return {{"time_ms", e.time}, {"atp_fraction", e.atp_fraction}, {"temperature", e.temperature},
            {"rate_E_by_state", rates}};
}

Json to_json(const RunMeasures& r) {
    Json out = {{"group", r.group}, {"label", r.label}, {"temperature", r.temperature}, {"seed", r.seed},
                {"wall_seconds", r.wall_seconds}, {"rate_E", r.rate_E}, {"rate_I", r.rate_I}, {"cv_E", r.cv_E},
                {"fano_E", r.fano_E}, {"windows", to_json(r.windows)}, {"chi_max", r.chi_max}, {"chi_run", r.chi_run},
                {"weights", to_json(r.weights)}, {"final_relative", r.final_relative}, {"final_mean_nS", r.final_mean},
                {"final_fraction_at_max", r.final_fraction_at_max}};
    if (r.with_patterns) {
        out["sparseness"] = r.sparseness;
        out["pattern_correlation"] = r.pattern_correlation;
        out["learning_quality_nS"] = r.learning_quality;
    }
    if (r.energy) out["energy"] = to_json(*r.energy);
    return out;
}

// A finding's own keys between its claim and its criteria and verdict.
Json finding(const Finding& f, const Json& measures) {
    Json out = {{"claim", f.claim}};
    out.update(measures);
    out["criteria"] = to_json(f.criteria);
    out["verdict"] = f.verdict();
    return out;
}

Json to_json(const Bifurcation& b) {
    return finding(b, {{"final_relative", per_state(b.final_relative, [](const Estimate& e) { return to_json(e); })},
                       {"hypo_late_slope_per_s", to_json(b.hypo_late_slope)},
                       {"hyper_peak_slope_per_s", to_json(b.hyper_peak_slope)},
                       {"trajectories", per_state(b.trajectories, [](const std::vector<WeightTrajectory>& seeds) {
                            return array_of(seeds, [](const WeightTrajectory& w) { return to_json(w); });
                        })}});
}

Json to_json(const WindowDeformation& w) {
    const auto fit = [](const analysis::ExponentialFit& f) {
        return Json{{"amplitude_nS", f.amplitude}, {"tau_ms", f.tau}, {"rms_nS", f.rms_residual}};
    };
    const auto curve = [&](const WindowAtState& c) {
        const auto point = [](const WindowPoint& p) {
            return Json{{"target_dt_ms", p.target_dt}, {"dt_ms", p.realised_dt}, {"dw_nS", p.dw_per_pairing},
                        {"clipped", p.clipped}};
        };
        return Json{{"state", c.state}, {"temperature", c.temperature}, {"points", array_of(c.window.points, point)},
                    {"ltp", fit(c.window.ltp)}, {"ltd", fit(c.window.ltd)}};
    };
    return finding(w, {{"protocol", {{"pairings", w.pairings}, {"rate_Hz", w.rate}}}, {"curves", array_of(w.curves, curve)}});
}

Json to_json(const Degradation& d) {
    const auto point = [](const SweepPoint& p) {
        return Json{{"temperature", p.temperature}, {"mean_weight_nS", to_json(p.mean_weight)},
                    {"fraction_at_max", to_json(p.fraction_at_max)}, {"sparseness", to_json(p.sparseness)},
                    {"pattern_correlation", to_json(p.pattern_correlation)},
                    {"learning_quality_nS", to_json(p.learning_quality)}, {"rate_E", to_json(p.rate_E)}};
    };
    return finding(d, {{"sweep", array_of(d.sweep, point)}, {"spearman_weight_per_seed", d.spearman_weight_per_seed}});
}

Json to_json(const Topology& t) {
    return finding(t, {{"per_state", per_state(t.per_state, [](const StateActivity& a) {
                            return Json{{"chi_max", to_json(a.chi_max)}, {"chi_run", to_json(a.chi_run)},
                                        {"rate_E", to_json(a.rate_E)}, {"rate_I", to_json(a.rate_I)},
                                        {"cv_E", to_json(a.cv_E)}, {"fano_E", to_json(a.fano_E)},
                                        {"windows", array_of(a.windows, [](const SynchronyWindows& w) { return to_json(w); })}};
                        })}});
}

Json to_json(const Robustness& r) {
    const auto sensitivity = [](const Q10Sensitivity& s) {
        return Json{{"q10", s.q10}, {"factor", s.factor}, {"hypo_final_relative", s.hypo_final_relative},
                    {"hyper_final_relative", s.hyper_final_relative}, {"hypo_chi_max", s.hypo_chi_max},
                    {"hyper_chi_max", s.hyper_chi_max}, {"finding1_holds", s.finding1_holds},
                    {"finding4_holds", s.finding4_holds}};
    };
    const auto learning = [](const LearningPoint& p) {
        return Json{{"temperature", p.temperature}, {"learning_quality_nS", to_json(p.learning_quality)}};
    };
    // The orderings are its criteria, also under their own name.
    return finding(r, {{"orderings", to_json(r.criteria)},
                       {"sensitivity", array_of(r.sensitivity, sensitivity)},
                       {"inverted_u", {{"curve", array_of(r.inverted_u, learning)},
                                       {"peak_temperature", r.peak_temperature},
                                       {"interior_peak", r.interior_peak}}}});
}

Json to_json(const EnergyLoop& e) {
    const auto run = [](const EnergyLoopRun& r) {
        return Json{{"seed", r.seed},
                    {"energy", r.loop_on.energy ? to_json(*r.loop_on.energy) : Json(nullptr)},
                    {"weights", to_json(r.loop_on.weights)},
                    {"windows", to_json(r.loop_on.windows)},
                    {"loop_off", {{"weights", to_json(r.loop_off.weights)}, {"windows", to_json(r.loop_off.windows)}}}};
    };
    return finding(e, {{"thresholds", e.thresholds},
                       {"final_relative", {{"loop_off", to_json(e.final_relative_loop_off)},
                                           {"loop_on", to_json(e.final_relative_loop_on)}}},
                       {"fraction_of_time_hypo", to_json(e.fraction_of_time_hypo)},
                       {"final_temperature", e.final_temperature},  // of E's pool
                       {"runs", array_of(e.runs, run)}});
}

Json to_json(const ChiByWindow& c) { return {{"ms", c.window}, {"chi_max", c.chi_max}, {"chi_mean", c.chi_mean}}; }

Json to_json(const SynchronyMeasures& m) {
    const auto pairs = [](const auto& v) {
        return array_of(v, [](const auto& p) { return Json::array({p.first, p.second}); });
    };
    return {{"cells", m.cells}, {"chi_all_run", m.chi_all_run}, {"chi_all_max", m.chi_all_max},
            {"chi_probe_run", m.chi_probe_run}, {"chi_probe_max", m.chi_probe_max},
            {"by_size", array_of(m.by_size, [](const ChiBySize& c) {
                 return Json{{"cells", c.cells}, {"chi_run", c.chi_run}, {"chi_max", c.chi_max}};
             })},
            {"by_window_probe", array_of(m.by_window_probe, [](const ChiByWindow& c) { return to_json(c); })},
            {"by_window_all", array_of(m.by_window_all, [](const ChiByWindow& c) { return to_json(c); })},
            {"by_interval_probe", array_of(m.by_interval_probe, [](const ChiByWindow& c) { return to_json(c); })},
            {"count_bins_ms", m.count_bins}, {"count_correlation", m.count_correlation},
            {"peak_frequency_Hz", m.peak_frequency}, {"bands_Hz", pairs(m.bands)}, {"band_fraction", m.band_fraction},
            {"spectrum", {{"frequency_Hz", m.spectrum_frequency}, {"power", m.spectrum_power}}}};
}

Json to_json(const SynchronyExamination& x) {
    const auto state = [](const SynchronyAtState& a) {
        return Json{{"state", a.state}, {"temperature", a.temperature}, {"chi_probe_max", to_json(a.chi_probe_max)},
                    {"chi_all_max", to_json(a.chi_all_max)}, {"chi_all_run", to_json(a.chi_all_run)},
                    {"chi_sample_max_mean", to_json(a.chi_sample_max_mean)},
                    {"chi_sample_max_sd", to_json(a.chi_sample_max_sd)},
                    {"count_correlation", array_of(a.count_correlation, [](const Estimate& e) { return to_json(e); })},
                    {"peak_frequency_Hz", to_json(a.peak_frequency)},
                    {"runs", array_of(a.runs, [](const SynchronyMeasures& m) { return to_json(m); })}};
    };
    return {{"threshold", x.threshold}, {"sample_cells", x.sample_cells}, {"seeds", x.seeds},
            {"states", array_of(x.states, state)}};
}

Json to_json(const EnergyMap& m) {
    const auto point = [](const EnergyMapPoint& p) {
        Json fractions = Json::array();
        for (const auto& [t, f] : p.course.time_fraction) fractions.push_back({t, f});
        return Json{{"supply_factor", p.supply_factor}, {"cost_scale", p.cost_scale}, {"supply", p.supply},
                    {"per_spike", p.per_spike}, {"per_release", p.per_release}, {"regime", p.regime},
                    {"predicted", p.predicted}, {"predicted_in_run", p.predicted_in_run},
                    {"first_drain_s", p.first_drain_s}, {"refill_s", p.refill_s}, {"redrain_s", p.redrain_s},
                    {"switches", p.course.switches}, {"time_fraction", fractions},
                    {"final_temperature", p.course.final}, {"rate_E_hypo", p.rate_hypo}, {"rate_E_hyper", p.rate_hyper},
                    {"r_star_hypo", p.r_star_hypo}, {"r_star_hyper", p.r_star_hyper}, {"final_atp", p.final_atp},
                    {"min_atp", p.min_atp}, {"final_relative", p.final_relative}, {"energy", to_json(p.energy)}};
    };
    return {{"neurons", m.neurons}, {"duration_ms", m.duration}, {"seed", m.seed},
            {"temperatures", {{"hypo", m.hypo}, {"hyper", m.hyper}}},
            {"thresholds", {{"falling", m.falling}, {"rising", m.rising}}},
            {"pool", {{"capacity", m.capacity}, {"initial_fraction", m.initial_fraction}}},
            {"supply_factors", m.supply_factors}, {"cost_scales", m.cost_scales},
            {"balance", {{"out_degree", m.out_degree}, {"rest", m.rest}, {"supply", m.supply},
                         {"cost_per_spike", m.cost_per_spike}, {"phi_hypo", m.phi_hypo}, {"phi_hyper", m.phi_hyper},
                         {"rate_E_hypo", m.rate_hypo}, {"rate_E_hyper", m.rate_hyper},
                         {"supply_refills_hypo", m.supply_refills_hypo},
                         {"supply_drains_hyper", m.supply_drains_hyper}}},
            {"points", array_of(m.points, point)}};
}

Json settings_json(const Settings& s) {
    const bool event_driven = s.strategy.kind == Strategy::Kind::event_driven;
    return {{"command", s.command}, {"neurons", s.neurons}, {"duration_ms", s.duration}, {"seeds", s.seeds},
            {"temperatures", {{"hypo", s.hypo}, {"normo", s.normo}, {"hyper", s.hyper}}}, {"sweep", s.sweep},
            {"engine", event_driven ? "event-driven" : "clock-driven"},
            {"dt_ms", event_driven ? Json(nullptr) : Json(s.strategy.dt)}, {"threads", s.threads}};
}

}  // namespace

void write_findings_json(const Findings& findings, const fs::path& file) {
    Json out = {{"settings", settings_json(findings.settings)}};
    findings.for_each([&](const std::string& name, const auto& result) { out[name] = to_json(result); });
    if (findings.synchrony) out["synchrony"] = to_json(*findings.synchrony);
    if (findings.energy_map) out["energy-map"] = to_json(*findings.energy_map);
    out["runs"] = array_of(findings.runs, [](const RunMeasures& r) { return to_json(r); });
    out["wall_seconds"] = findings.wall_seconds;
    // An examination alone keeps no run's outputs, so nothing may have made the directory yet.
    std::error_code made;
    fs::create_directories(file.parent_path(), made);
    std::ofstream stream(file);
    stream << out.dump(1) << '\n';
    if (!stream) throw UserError(fmt::format("cannot write {}", file.string()));
}

processes::ScriptRun make_findings_report(const fs::path& directory) {
    return processes::run_tool("findings_report.py", {directory.string()}, directory / "report.log");
}

}  // namespace metabosim::experiments
