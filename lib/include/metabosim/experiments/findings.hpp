// The five findings of the metaboplastic microcircuit and the energy loop, measured; and two
// examinations of them (examinations.hpp): finding 4's synchrony, the energy loop's map.
//
// Each experiment runs its protocol on the microcircuit (resized, see Settings), measures what
// docs/findings.md defines and sets the result beside the claim with a verdict. The first seed's
// network runs keep their outputs under Settings::output/runs; findings_output.hpp writes the
// rest (findings.json, and the figures and report.md through tools/findings_report.py).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metabosim/simulation.hpp"
#include "metabosim/experiments/examinations.hpp"
#include "metabosim/experiments/finding_results.hpp"
#include "metabosim/experiments/run_measures.hpp"
#include "metabosim/model/model.hpp"

namespace metabosim::experiments {

struct Settings {
    std::filesystem::path output = "metabosim-findings";
    std::uint32_t neurons = 1000;      // the microcircuit resized, each neuron keeping its inputs
    double duration = 3000;            // ms per network run
    std::vector<std::uint64_t> seeds{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    double hypo = 32, normo = 37, hyper = 41;   // degC
    std::vector<double> sweep{32, 33, 34, 35, 36, 37, 38, 39, 40, 41};  // degC, degradation
    // Network runs step at 0.1 ms by default, as Brian2 does (and the paper did): hyper states
    // fire at 100-300 Hz, where the exact event-driven engine costs ~10x more (docs/results.md).
    // The pairing protocol always runs event-driven: it is exact and cheap.
    Strategy strategy = Strategy::clock_driven(0.1);
    unsigned threads = 2;
    bool sensitivity = true;           // the +-20 % Q10 table (robustness)
    std::string command;               // as typed, for the report
    // Called with each line of progress (from the running threads one at a time); never empty.
    std::function<void(const std::string&)> progress = [](const std::string&) {};
};

struct Findings {
    Settings settings;
    std::optional<Bifurcation> bifurcation;
    std::optional<WindowDeformation> stdp_window;
    std::optional<Degradation> degradation;
    std::optional<Topology> topology;
    std::optional<Robustness> robustness;
    std::optional<EnergyLoop> energy_loop;
    std::optional<SynchronyExamination> synchrony;  // examinations: measures, no verdict
    std::optional<EnergyMap> energy_map;
    std::vector<RunMeasures> runs;     // every network run, in the order made
    double wall_seconds = 0;

    // Calls visit(name, finding) for each experiment made, in the order of experiment_names().
    template <class Visit>
    void for_each(Visit&& visit) const {
        const auto made = [&](const char* name, const auto& finding) {
            if (finding) visit(std::string(name), *finding);
        };
        made("bifurcation", bifurcation);
        made("stdp-window", stdp_window);
        made("degradation", degradation);
        made("topology", topology);
        made("robustness", robustness);
        made("energy-loop", energy_loop);
    }

    // (experiment name, verdict) of the experiments made, in the order of experiment_names().
    std::vector<std::pair<std::string, std::string>> verdicts() const;
};

// The experiment names, in the order `all` runs them.
const std::vector<std::string>& experiment_names();

// Runs one experiment (or "all") on `base` (the microcircuit unless a config says otherwise).
// Throws UserError before any run for unknown names, settings the protocols cannot use, a model
// without populations E and I and a plastic projection EE, or an unwritable output directory.
Findings measure_findings(const std::string& name, const Model& base, const Settings& settings);

}  // namespace metabosim::experiments
