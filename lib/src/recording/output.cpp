#include "metabosim/recording/output.hpp"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "metabosim/model/error.hpp"
#include "metabosim/neuron/glif.hpp"
#include "hdf5/hdf5_file.hpp"
#include "metabosim/model/echo.hpp"
#include "recording/directories.hpp"
#include "recording/staged_files.hpp"

#ifndef METABOSIM_VERSION
#define METABOSIM_VERSION "unknown"
#endif

namespace metabosim {
namespace {

namespace fs = std::filesystem;
using namespace detail;

// ---------------------------------------------------------------------------------------------
// The individual outputs.

const PopulationSpikes& spikes_of(const Results& results, const std::string& population) {
    static const PopulationSpikes none;
    for (const auto& spikes : results.spikes) {
        if (spikes.population == population) return spikes;
    }
    return none;
}

void write_spikes(const Model& model, const Results& results, const fs::path& path) {
    Hdf5Writer h5(path);
    h5.sonata_root_attributes();
    for (const auto& population : model.populations) {
        const auto& spikes = spikes_of(results, population.name);
        if (spikes.times.size() != spikes.node_ids.size()) {
            throw InternalError(fmt::format("spikes of {}: {} times but {} node ids",
                                            population.name, spikes.times.size(),
                                            spikes.node_ids.size()));
        }
        // The sorting attribute promises readers an order; make sure it holds.
        if (!std::is_sorted(spikes.times.begin(), spikes.times.end())) {
            throw InternalError(
                fmt::format("spikes of {} are not sorted by time", population.name));
        }
        const std::string group = "/spikes/" + hdf5_name(population.name);
        h5.dataset(group + "/timestamps", spikes.times);
        h5.attribute(group + "/timestamps", "units", "ms");
        h5.dataset(group + "/node_ids", spikes.node_ids);
        h5.sorting_attribute(group, 2);  // by_time
    }
    h5.close();
}

std::string state_unit(const std::string& variable) {
    const auto v = state_variable_index(variable);
    if (!v) throw InternalError(fmt::format("state variable '{}' has no known unit", variable));
    return std::string(state_variables[*v].unit);
}

// The samples of one variable of a population at one set of sample times, gathered from every
// trace that records it so.
struct PopulationReport {
    std::string population;
    std::vector<std::uint32_t> neurons;
    std::vector<std::pair<const StateTrace*, std::size_t>> sources;  // trace and variable index
};

// One SONATA report: a variable at one set of sample times, a report per population.
struct ReportFile {
    std::string name;
    std::string variable;
    const StateTrace* timing = nullptr;  // gives the sample times
    std::vector<PopulationReport> populations;
};

bool same_times(const StateTrace& a, const StateTrace& b) {
    return a.start == b.start && a.interval == b.interval && a.samples == b.samples;
}

// SONATA puts a report in a file of its own, with one time axis and a population at most once.
// So each variable gets a file per set of sample times, in the order the traces first use them:
// V.h5, then V_2.h5, V_3.h5, ... only when traces sample V at other times. In a file, the traces
// of one population follow one another in its columns, in trace order.
std::vector<ReportFile> report_files(const Results& results) {
    std::vector<ReportFile> files;
    for (const auto& state : state_variables) {
        const std::string variable(state.name);
        const std::size_t first = files.size();
        for (const auto& trace : results.states) {
            const std::size_t neurons = trace.neurons.size();
            if (trace.values.size() != trace.samples * trace.variables.size() * neurons) {
                throw InternalError(fmt::format("state trace of {}: {} values, expected {}", trace.population,
                                                trace.values.size(), trace.samples * trace.variables.size() * neurons));
            }
            const auto v = std::find(trace.variables.begin(), trace.variables.end(), variable);
            if (v == trace.variables.end()) continue;
            auto file = std::find_if(files.begin() + static_cast<std::ptrdiff_t>(first), files.end(),
                                     [&](const ReportFile& f) { return same_times(*f.timing, trace); });
            if (file == files.end()) {
                const std::size_t k = files.size() - first;
                const std::string name = variable + (k == 0 ? "" : fmt::format("_{}", k + 1)) + ".h5";
                file = files.insert(files.end(), {name, variable, &trace, {}});
            }
            auto report = std::find_if(file->populations.begin(), file->populations.end(),
                                       [&](const PopulationReport& r) { return r.population == trace.population; });
            if (report == file->populations.end())
                report = file->populations.insert(file->populations.end(), {trace.population, {}, {}});
            report->neurons.insert(report->neurons.end(), trace.neurons.begin(), trace.neurons.end());
            report->sources.emplace_back(&trace, static_cast<std::size_t>(v - trace.variables.begin()));
        }
    }
    return files;
}

// A SONATA report file (developer guide, "Frame oriented, node element recordings"): per
// population /report/<population>/data [samples x nodes] (float32, units) and
// mapping/{node_ids (uint64, sorted flag), index_pointers (uint64, nodes + 1: node i owns
// columns [p[i], p[i+1])), element_ids (uint32; 0, the soma section, point neurons having no
// other), time (start, stop, step; ms)}.
void write_state_report(const ReportFile& file, const fs::path& path) {
    Hdf5Writer h5(path);
    h5.sonata_root_attributes();
    const StateTrace& timing = *file.timing;
    for (const auto& report : file.populations) {
        const std::size_t nodes = report.neurons.size();
        std::vector<float> data;
        data.reserve(timing.samples * nodes);
        for (std::size_t k = 0; k < timing.samples; ++k)
            for (const auto& [trace, v] : report.sources)
                for (std::size_t n = 0; n < trace->neurons.size(); ++n)
                    data.push_back(static_cast<float>(trace->at(k, v, n)));
        std::vector<std::uint64_t> index_pointers(nodes + 1);
        std::iota(index_pointers.begin(), index_pointers.end(), 0);
        const std::vector<double> time{timing.start, timing.start + timing.samples * timing.interval,
                                       timing.interval};

        const std::string group = "/report/" + hdf5_name(report.population);
        h5.dataset(group + "/data", data, {timing.samples, nodes});
        h5.attribute(group + "/data", "units", state_unit(file.variable));
        h5.dataset(group + "/mapping/node_ids", report.neurons);
        h5.flag_attribute(group + "/mapping/node_ids", "sorted",
                          std::is_sorted(report.neurons.begin(), report.neurons.end()));
        h5.dataset(group + "/mapping/index_pointers", index_pointers);
        h5.dataset(group + "/mapping/element_ids", std::vector<std::uint32_t>(nodes, 0), {}, H5T_STD_U32LE);
        h5.dataset(group + "/mapping/time", time);
        h5.attribute(group + "/mapping/time", "units", "ms");
    }
    h5.close();
}

void require_samples(const WeightTrace& trace, std::size_t size, std::string_view field) {
    if (size != trace.times.size()) {
        throw InternalError(fmt::format("weight trace of {}: {} has {} samples, times has {}",
                                        trace.projection, field, size, trace.times.size()));
    }
}

void write_weight_trace(Hdf5Writer& h5, const WeightTrace& trace) {
    require_samples(trace, trace.mean.size(), "mean");
    require_samples(trace, trace.stddev.size(), "stddev");
    require_samples(trace, trace.fraction_at_min.size(), "fraction_at_min");
    require_samples(trace, trace.fraction_at_max.size(), "fraction_at_max");
    const std::size_t bins = trace.bins;
    require_samples(trace, bins == 0 ? trace.times.size() : trace.histogram.size() / bins, "histogram");
    if (trace.histogram.size() != trace.times.size() * bins)
        throw InternalError(fmt::format("weight trace of {}: {} histogram counts for {} samples of {} bins",
                                        trace.projection, trace.histogram.size(), trace.times.size(), bins));
    std::vector<double> edges(bins + 1);
    for (std::size_t i = 0; i <= bins; ++i) {
        edges[i] = bins == 0 ? trace.w_min
                             : trace.w_min + (trace.w_max - trace.w_min) * i / bins;
    }
    if (bins > 0) edges.back() = trace.w_max;  // exact, whatever the rounding above

    const std::string group = "/" + hdf5_name(trace.projection);
    h5.dataset(group + "/time", trace.times);
    h5.attribute(group + "/time", "units", "ms");
    h5.dataset(group + "/mean", trace.mean);
    h5.attribute(group + "/mean", "units", "nS");
    h5.dataset(group + "/stddev", trace.stddev);
    h5.attribute(group + "/stddev", "units", "nS");
    h5.dataset(group + "/fraction_at_min", trace.fraction_at_min);
    h5.dataset(group + "/fraction_at_max", trace.fraction_at_max);
    h5.dataset(group + "/histogram", trace.histogram, {trace.times.size(), bins});
    h5.dataset(group + "/bin_edges", edges);
    h5.attribute(group + "/bin_edges", "units", "nS");

    if (!trace.has_final) return;
    const std::size_t synapses = trace.final_source.size();
    if (trace.final_target.size() != synapses || trace.final_weight.size() != synapses ||
        trace.final_delay.size() != synapses) {
        throw InternalError(fmt::format("final weights of {}: columns of unequal length",
                                        trace.projection));
    }
    h5.dataset(group + "/final/source", trace.final_source);
    h5.dataset(group + "/final/target", trace.final_target);
    h5.dataset(group + "/final/weight", trace.final_weight);
    h5.attribute(group + "/final/weight", "units", "nS");
    h5.dataset(group + "/final/delay", trace.final_delay);
    h5.attribute(group + "/final/delay", "units", "ms");
}

void write_weights(const Model& model, const Results& results, const fs::path& path) {
    Hdf5Writer h5(path);
    for (const auto& trace : results.weights) write_weight_trace(h5, trace);
    h5.close();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        throw std::runtime_error(fmt::format("cannot create the file: {}", std::strerror(errno)));
    }
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write the file (disk full?)");
}

// RFC 4180 quoting, only where a name needs it.
std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

// 12 significant digits: exact for the values that matter, free of binary noise (6 * 0.3).
void append_number(std::string& csv, double value) {
    fmt::format_to(std::back_inserter(csv), "{:.12g}", value);
}

std::string rates_csv(const Model& model, const Results& results) {
    const double bin = model.recording.rate_bin;
    if (!(bin > 0)) {
        throw UserError(fmt::format("recording.rate_bin is {} ms; expected > 0 ms", bin));
    }
    // The tolerance keeps a duration that is a multiple of the bin from gaining an empty bin.
    const double span = results.recorded_span();
    const std::size_t bins = span > 0 ? static_cast<std::size_t>(std::ceil(span / bin - 1e-9)) : 0;

    std::string csv = "time_ms";
    std::vector<std::vector<std::uint64_t>> counts;
    for (const auto& population : model.populations) {
        csv += ',';
        csv += csv_field(population.name + "_Hz");
        auto& count = counts.emplace_back(bins, 0);
        for (double t : spikes_of(results, population.name).times) {
            if (bins == 0) break;
            const auto index = t > 0 ? static_cast<std::size_t>(t / bin) : 0;
            ++count[std::min(index, bins - 1)];
        }
    }
    csv += '\n';

    for (std::size_t b = 0; b < bins; ++b) {
        const double start = b * bin;
        const double width_s = (b + 1 < bins ? bin : span - start) / 1000.0;
        append_number(csv, start);
        for (std::size_t p = 0; p < counts.size(); ++p) {
            const double size = model.populations[p].size;
            const double rate = size > 0 ? counts[p][b] / (size * width_s) : 0.0;
            csv += ',';
            append_number(csv, rate);
        }
        csv += '\n';
    }
    return csv;
}

std::string metabolism_csv(const Results& results) {
    std::string csv = "time_ms,population,temperature_degC\n";
    for (const auto& change : results.metabolic_timeline) {
        append_number(csv, change.time);
        csv += ',';
        csv += csv_field(change.population);
        csv += ',';
        append_number(csv, change.temperature);
        csv += '\n';
    }
    return csv;
}

std::string energy_csv(const Results& results) {
    std::string csv = "time_ms,population,atp_fraction,temperature_degC\n";
    for (const auto& trace : results.energy)
        for (std::size_t k = 0; k < trace.times.size(); ++k) {
            append_number(csv, trace.times[k]);
            csv += ',';
            csv += csv_field(trace.population);
            csv += ',';
            append_number(csv, trace.atp_fraction[k]);
            csv += ',';
            append_number(csv, trace.temperature[k]);
            csv += '\n';
        }
    return csv;
}

std::string summary_json(const Model& model, const Results& results) {
    const auto& counters = results.counters;
    const double duration_s = results.recorded_span() / 1000.0;

    nlohmann::ordered_json populations = nlohmann::ordered_json::object();
    for (const auto& population : model.populations) {
        const auto count = spikes_of(results, population.name).times.size();
        const double neuron_seconds = population.size * duration_s;
        populations[population.name] = {
            {"size", population.size},
            {"spikes", count},
            {"mean_rate_Hz", neuron_seconds > 0 ? count / neuron_seconds : 0.0},
        };
    }
    nlohmann::ordered_json events = nlohmann::ordered_json::object();
    for (const auto& [kind, count] : counters.events) events[kind] = count;
    nlohmann::ordered_json phases = nlohmann::ordered_json::object();
    for (const auto& [phase, seconds] : counters.phases) phases[phase] = seconds;
    events["total"] = counters.total_events();

    nlohmann::ordered_json summary = {
        {"metabosim_version", METABOSIM_VERSION},
        {"engine", results.engine},
        {"dt_ms", results.dt > 0 ? nlohmann::ordered_json(results.dt) : nlohmann::ordered_json(nullptr)},
        {"seed", results.seed},
        {"duration_ms", results.duration},
        {"complete", results.complete},
        {"neurons", model.neuron_count()},
        {"synapses", results.synapse_count},
        {"populations", populations},
        {"events", events},
        {"stale_predictions", counters.stale_predictions},
        {"epochs", counters.epochs},
        {"wall_seconds", counters.wall_seconds},
        {"phase_seconds", phases},
        {"real_time_factor", results.real_time_factor()},
        {"events_per_second",
         counters.wall_seconds > 0 ? counters.total_events() / counters.wall_seconds : 0.0},
    };
    if (!results.complete) {  // where it stopped, and why, beside the duration it was to reach
        summary["reached_ms"] = results.reached;
        summary["stopped"] = results.stopped;
    }
    return summary.dump(2) + '\n';
}

// ---------------------------------------------------------------------------------------------

// What a results directory may hold: the outputs (and the report files, is_report_file), and the
// figure tools/plot_run.py draws beside them; states.h5 is the report file of earlier versions,
// which a run replaces. A directory holding anything else is not replaced.
constexpr std::array output_names{"spikes.h5",      "states.h5",  "weights.h5",   "rates.csv",
                                   "metabolism.csv", "energy.csv", "summary.json", checkpoint_file_name,
                                   "overview.png"};

std::vector<StagedFile> output_files(const Model& model, const Results& results) {
    std::vector<StagedFile> files;
    if (model.recording.spikes) {
        files.push_back({"spikes.h5", [&](const fs::path& p) { write_spikes(model, results, p); }});
    }
    // One SONATA report file per recorded variable (and set of sample times), named after it as
    // the spec names a report file after its report: V.h5, ge.h5, gi.h5.
    for (auto& file : report_files(results))
        files.push_back({file.name, [file](const fs::path& p) { write_state_report(file, p); }});
    if (!results.weights.empty()) {
        files.push_back(
            {"weights.h5", [&](const fs::path& p) { write_weights(model, results, p); }});
    }
    files.push_back(
        {"rates.csv", [&](const fs::path& p) { write_text(p, rates_csv(model, results)); }});
    files.push_back(
        {"metabolism.csv", [&](const fs::path& p) { write_text(p, metabolism_csv(results)); }});
    if (!results.energy.empty())
        files.push_back({"energy.csv", [&](const fs::path& p) { write_text(p, energy_csv(results)); }});
    files.push_back(
        {"summary.json", [&](const fs::path& p) { write_text(p, summary_json(model, results)); }});
    return files;
}

// A report file of the layout, V.h5 or V_2.h5 and so on.
bool is_report_file(const std::string& name) {
    for (const auto& state : state_variables) {
        const std::string variable(state.name);
        if (name == variable + ".h5") return true;
        if (!name.starts_with(variable + "_") || !name.ends_with(".h5")) continue;
        const auto number = name.substr(variable.size() + 1, name.size() - variable.size() - 4);
        if (!number.empty() && std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return true;
    }
    return false;
}

}  // namespace

OutputDirectory::OutputDirectory(const fs::path& dir)
    : staged_(std::make_unique<StagedDirectory>(dir, "results", [](const std::string& name) {
          return is_report_file(name) || std::find(output_names.begin(), output_names.end(), name) != output_names.end();
      })) {}
OutputDirectory::~OutputDirectory() = default;
OutputDirectory::OutputDirectory(OutputDirectory&&) noexcept = default;
OutputDirectory& OutputDirectory::operator=(OutputDirectory&&) noexcept = default;

const fs::path& OutputDirectory::path() const { return staged_->given(); }

void OutputDirectory::write(const Model& model, const Results& results,
                            const std::function<void(const fs::path&)>& save_checkpoint) {
    std::vector<StagedFile> files = output_files(model, results);
    if (save_checkpoint) files.push_back({checkpoint_file_name, save_checkpoint});
    staged_->write(files);
}

void write_results(const Model& model, const Results& results, const fs::path& dir) {
    OutputDirectory(dir).write(model, results);
}

void check_output_directory(const fs::path& dir) {
    try {
        check_creatable(dir);
    } catch (const std::runtime_error& e) {
        throw UserError(fmt::format("cannot write results to '{}': {}", echo(dir.string()), e.what()));
    }
}

}  // namespace metabosim
