// Reading a results directory back (output.hpp): the inverse of write_results, lenient about
// which files are present (an exported Brian2 script writes only some) and strict about what
// the present ones hold.
#include <hdf5.h>

#include <algorithm>
#include <map>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "metabosim/model/error.hpp"
#include "metabosim/neuron/glif.hpp"
#include "metabosim/recording/output.hpp"
#include "hdf5/hdf5_file.hpp"

namespace metabosim {
namespace {

namespace fs = std::filesystem;
using namespace detail;
using Json = nlohmann::ordered_json;  // keeps the populations in the order written

// Malformed content throws std::runtime_error naming the object; read_results adds the file.
template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
    throw std::runtime_error(fmt::format(format, std::forward<Args>(args)...));
}

void require_length(const std::string& path, std::size_t size, std::string_view other,
                    std::size_t other_size) {
    if (size != other_size) fail("{} has {} values but {} has {}", path, size, other, other_size);
}

// A dataset of the given rank whose `units` attribute, when present, is `unit`.
template <class T>
Array<T> dataset(const Hdf5Reader& h5, const std::string& path, std::size_t rank,
                 std::string_view unit = {}) {
    auto array = h5.read<T>(path);
    if (array.dims.size() != rank) {
        fail("{} has {} dimensions; expected {}", path, array.dims.size(), rank);
    }
    if (!unit.empty()) {
        const auto units = h5.string_attribute(path, "units");
        if (units && *units != unit) fail("{}@units is '{}'; expected '{}'", path, *units, unit);
    }
    return array;
}

template <class T>
std::vector<T> values_at(const Hdf5Reader& h5, const std::string& path,
                         std::string_view unit = {}) {
    return dataset<T>(h5, path, 1, unit).values;
}

// Where a population comes in summary.json, which lists them in the model's order; populations
// it does not list (or all, without a summary) come last, in name order.
std::size_t rank_of(const std::vector<std::string>& order, const std::string& population) {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), population) -
                                    order.begin());
}

// ---------------------------------------------------------------------------------------------
// spikes.h5

// SONATA also allows files sorted by id or not at all; Results promises time order, equal
// times by neuron id.
void sort_by_time(std::vector<double>& times, std::vector<std::uint32_t>& ids) {
    std::vector<std::size_t> order(times.size());
    std::iota(order.begin(), order.end(), 0);
    const auto key = [&](std::size_t k) { return std::pair(times[k], ids[k]); };
    const auto earlier = [&](std::size_t a, std::size_t b) { return key(a) < key(b); };
    if (std::is_sorted(order.begin(), order.end(), earlier)) return;
    std::sort(order.begin(), order.end(), earlier);
    std::vector<double> sorted_times;
    std::vector<std::uint32_t> sorted_ids;
    for (std::size_t k : order) {
        sorted_times.push_back(times[k]);
        sorted_ids.push_back(ids[k]);
    }
    times = std::move(sorted_times);
    ids = std::move(sorted_ids);
}

std::vector<PopulationSpikes> read_spikes(const fs::path& path, const std::vector<std::string>& order,
                                          const std::map<std::string, std::uint32_t>& sizes) {
    const Hdf5Reader h5(path);
    std::vector<PopulationSpikes> populations;
    if (!h5.exists("/spikes")) return populations;  // a model without populations
    for (const auto& name : h5.children("/spikes")) {
        const std::string group = "/spikes/" + name;
        auto times = values_at<double>(h5, group + "/timestamps", "ms");
        auto ids = values_at<std::uint32_t>(h5, group + "/node_ids");
        require_length(group + "/node_ids", ids.size(), "timestamps", times.size());
        sort_by_time(times, ids);
        // SONATA spike files hold no population sizes; summary.json does. Without it, the
        // smallest size the ids allow (trailing neurons that never spiked are not counted).
        const std::uint32_t smallest = ids.empty() ? 0 : *std::max_element(ids.begin(), ids.end()) + 1;
        const auto listed = sizes.find(name);
        if (listed != sizes.end() && listed->second < smallest)
            fail("{}/node_ids has node {}, but summary.json gives the population {} neurons", group, smallest - 1,
                 listed->second);
        const std::uint32_t size = listed != sizes.end() ? listed->second : smallest;
        populations.push_back({name, size, std::move(times), std::move(ids)});
    }
    std::stable_sort(populations.begin(), populations.end(), [&](const auto& a, const auto& b) {
        return rank_of(order, a.population) < rank_of(order, b.population);
    });
    return populations;
}

// ---------------------------------------------------------------------------------------------
// V.h5, ge.h5, gi.h5: SONATA reports, one per variable

// One population's report in one variable's file: its neurons, times and [sample][neuron] data.
struct Report {
    std::string population, variable;
    std::vector<std::uint32_t> neurons;
    double start = 0, interval = 1;
    std::size_t samples = 0;
    std::vector<double> data;
};

Report read_report(const Hdf5Reader& h5, const std::string& population, const std::string& variable,
                   std::string_view unit) {
    const std::string base = "/report/" + population;
    Report report{population, variable, {}, 0, 1, 0, {}};
    auto values = dataset<double>(h5, base + "/data", 2, unit);
    report.neurons = values_at<std::uint32_t>(h5, base + "/mapping/node_ids");
    if (values.dims[1] != report.neurons.size()) {
        fail("{}/data has {} columns but mapping/node_ids has {} values", base, values.dims[1],
             report.neurons.size());
    }
    // Point neurons: one element, so one column, per node.
    std::vector<std::uint64_t> one_each(report.neurons.size() + 1);
    std::iota(one_each.begin(), one_each.end(), 0);
    if (values_at<std::uint64_t>(h5, base + "/mapping/index_pointers") != one_each) {
        fail("{}/mapping/index_pointers is not 0, 1, ..., {} (one element per node)", base,
             report.neurons.size());
    }
    const auto time = values_at<double>(h5, base + "/mapping/time", "ms");
    if (time.size() != 3) {
        fail("{}/mapping/time has {} values; expected 3 (start, stop, step)", base, time.size());
    }
    report.samples = values.dims[0];
    if (!(time[2] > 0) || std::abs(time[0] + report.samples * time[2] - time[1]) > time[2] / 2) {
        fail("{}/mapping/time is ({}, {}, {}) ms; expected a step > 0 and stop = start + {} samples * step",
             base, time[0], time[1], time[2], report.samples);
    }
    report.start = time[0];
    report.interval = time[2];
    report.data = std::move(values.values);
    return report;
}

std::vector<Report> read_reports(const fs::path& path, const std::string& variable, std::string_view unit) {
    const Hdf5Reader h5(path);
    std::vector<Report> reports;
    if (!h5.exists("/report")) return reports;
    for (const auto& population : h5.children("/report"))
        reports.push_back(read_report(h5, population, variable, unit));
    return reports;
}

// The report files of `variable` in `dir`: <variable>.h5, then <variable>_2.h5, _3.h5, ... (one
// per set of sample times, output.cpp), in that order.
std::vector<std::string> report_files(const fs::path& dir, const std::string& variable) {
    std::vector<std::pair<unsigned, std::string>> found;
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(dir, ignored)) {
        const std::string name = entry.path().filename().string();
        if (name == variable + ".h5") {
            found.emplace_back(1, name);
            continue;
        }
        if (!name.starts_with(variable + "_") || !name.ends_with(".h5")) continue;
        const char* first = name.data() + variable.size() + 1;
        const char* last = name.data() + name.size() - 3;
        unsigned k = 0;
        const auto [end, error] = std::from_chars(first, last, k);
        if (first != last && end == last && error == std::errc{}) found.emplace_back(k, name);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> names;
    for (auto& [k, name] : found) names.push_back(std::move(name));
    return names;
}

// Reports of one population with the same neurons and sample times become one trace, whatever
// file they came from; traces in the model's population order.
std::vector<StateTrace> traces_of(std::vector<Report> reports, const std::vector<std::string>& order) {
    std::stable_sort(reports.begin(), reports.end(), [&](const Report& a, const Report& b) {
        return rank_of(order, a.population) < rank_of(order, b.population);
    });
    std::vector<StateTrace> traces;
    std::vector<std::vector<const Report*>> parts;
    for (const Report& report : reports) {
        std::size_t k = 0;
        while (k < traces.size() &&
               !(traces[k].population == report.population && traces[k].neurons == report.neurons &&
                 traces[k].start == report.start && traces[k].interval == report.interval &&
                 traces[k].samples == report.samples))
            ++k;
        if (k == traces.size()) {
            traces.push_back({report.population, report.neurons, {}, report.start, report.interval, report.samples, {}});
            parts.emplace_back();
        }
        traces[k].variables.push_back(report.variable);
        parts[k].push_back(&report);
    }
    for (std::size_t k = 0; k < traces.size(); ++k) {
        StateTrace& trace = traces[k];
        const std::size_t neurons = trace.neurons.size();
        trace.values.resize(trace.samples * parts[k].size() * neurons);
        for (std::size_t s = 0; s < trace.samples; ++s)
            for (std::size_t v = 0; v < parts[k].size(); ++v)
                std::copy_n(parts[k][v]->data.begin() + s * neurons, neurons,
                            trace.values.begin() + (s * parts[k].size() + v) * neurons);
    }
    return traces;
}

// ---------------------------------------------------------------------------------------------
// weights.h5

WeightTrace read_weight_trace(const Hdf5Reader& h5, const std::string& projection) {
    const std::string group = "/" + projection;
    WeightTrace trace;
    trace.projection = projection;
    trace.times = values_at<double>(h5, group + "/time", "ms");
    const auto per_sample = [&](const char* name, std::string_view unit) {
        auto values = values_at<double>(h5, group + "/" + name, unit);
        require_length(group + "/" + name, values.size(), "time", trace.times.size());
        return values;
    };
    trace.mean = per_sample("mean", "nS");
    trace.stddev = per_sample("stddev", "nS");
    trace.fraction_at_min = per_sample("fraction_at_min", {});
    trace.fraction_at_max = per_sample("fraction_at_max", {});

    const auto histogram = dataset<std::uint64_t>(h5, group + "/histogram", 2);
    if (histogram.dims[0] != trace.times.size()) {
        fail("{}/histogram has {} rows but time has {} values", group, histogram.dims[0],
             trace.times.size());
    }
    const std::size_t bins = histogram.dims[1];
    trace.bins = bins;
    trace.histogram = histogram.values;
    // Equal bins are assumed: Results keeps only the range.
    const auto edges = values_at<double>(h5, group + "/bin_edges", "nS");
    if (edges.size() != bins + 1) {
        fail("{}/bin_edges has {} values; expected {} (histogram bins + 1)", group, edges.size(),
             bins + 1);
    }
    trace.w_min = edges.front();
    trace.w_max = edges.back();

    trace.has_final = h5.exists(group + "/final");
    if (!trace.has_final) return trace;
    const std::string final = group + "/final";
    trace.final_source = values_at<std::uint32_t>(h5, final + "/source");
    trace.final_target = values_at<std::uint32_t>(h5, final + "/target");
    trace.final_weight = values_at<double>(h5, final + "/weight", "nS");
    trace.final_delay = values_at<double>(h5, final + "/delay", "ms");
    const std::size_t synapses = trace.final_source.size();
    require_length(final + "/target", trace.final_target.size(), "source", synapses);
    require_length(final + "/weight", trace.final_weight.size(), "source", synapses);
    require_length(final + "/delay", trace.final_delay.size(), "source", synapses);
    return trace;
}

std::vector<WeightTrace> read_weights(const fs::path& path) {
    const Hdf5Reader h5(path);
    std::vector<WeightTrace> traces;
    for (const auto& projection : h5.children("/")) {
        traces.push_back(read_weight_trace(h5, projection));
    }
    return traces;
}

// ---------------------------------------------------------------------------------------------
// Text files

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot be opened: {}", std::strerror(errno));
    std::string text(std::istreambuf_iterator<char>(in), {});
    if (in.bad()) fail("cannot be read: {}", std::strerror(errno));
    return text;
}

// RFC 4180 records as write_results and Python's csv module write them: quoted fields with
// doubled quotes, LF or CRLF line ends. Blank lines hold no record.
std::vector<std::vector<std::string>> csv_records(const std::string& text) {
    std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        std::string& field = records.back().back();
        if (quoted) {
            if (c != '"') {
                field += c;
            } else if (i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            records.back().emplace_back();
        } else if (c == '\n') {
            records.emplace_back(1);
        } else if (c != '\r') {
            field += c;
        }
    }
    if (quoted) fail("a quoted field is not closed");
    std::erase_if(records,
                  [](const auto& record) { return record.size() == 1 && record[0].empty(); });
    return records;
}

double number(const std::string& text, std::size_t row, std::string_view column) {
    double value = 0;
    const char* last = text.data() + text.size();
    const auto [end, error] = std::from_chars(text.data(), last, value);
    if (text.empty() || end != last || error != std::errc{}) {
        fail("row {}: {} is '{}'; expected a number", row, column, text);
    }
    return value;
}

std::vector<StateChange> read_metabolism(const fs::path& path) {
    const auto records = csv_records(read_text(path));
    const std::vector<std::string> header{"time_ms", "population", "temperature_degC"};
    if (records.empty() || records.front() != header) {
        fail("the header is '{}'; expected '{}'",
             records.empty() ? "" : fmt::to_string(fmt::join(records.front(), ",")),
             fmt::join(header, ","));
    }
    std::vector<StateChange> timeline;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const auto& fields = records[r];
        if (fields.size() != 3) fail("row {} has {} fields; expected 3", r + 1, fields.size());
        timeline.push_back({number(fields[0], r + 1, header[0]), fields[1],
                            number(fields[2], r + 1, header[2])});
    }
    return timeline;
}

// Sets `out` from object[key] if the key is present; `prefix` names the enclosing object.
template <class T>
void read_key(const Json& object, std::string_view prefix, const char* key, T& out) {
    const auto it = object.find(key);
    if (it == object.end()) return;
    if constexpr (std::is_floating_point_v<T>) {
        if (!it->is_number()) fail("'{}{}' is {}; expected a number", prefix, key, it->dump());
    } else if (!it->is_number_unsigned()) {
        fail("'{}{}' is {}; expected an integer >= 0", prefix, key, it->dump());
    }
    out = it->template get<T>();
}

const Json* object_at(const Json& summary, const char* key) {
    const auto it = summary.find(key);
    if (it == summary.end()) return nullptr;
    if (!it->is_object()) fail("'{}' is {}; expected an object", key, it->dump());
    return &*it;
}

// Sets what summary.json holds of `results`; returns its populations, in the model's order.
std::vector<std::string> read_summary(const fs::path& path, Results& results,
                                      std::map<std::string, std::uint32_t>& sizes) {
    Json summary;
    try {
        summary = Json::parse(read_text(path));
    } catch (const Json::parse_error& e) {
        fail("not valid JSON: {}", e.what());
    }
    if (!summary.is_object()) fail("is {}; expected a JSON object", summary.type_name());
    read_key(summary, "", "duration_ms", results.duration);
    results.reached = results.duration;
    if (const auto complete = summary.find("complete"); complete != summary.end() && complete->is_boolean())
        results.complete = complete->get<bool>();
    if (!results.complete) {
        read_key(summary, "", "reached_ms", results.reached);
        if (const auto stopped = summary.find("stopped"); stopped != summary.end() && stopped->is_string())
            results.stopped = stopped->get<std::string>();
    }
    if (const auto engine = summary.find("engine"); engine != summary.end() && engine->is_string())
        results.engine = engine->get<std::string>();
    if (const auto dt = summary.find("dt_ms"); dt != summary.end() && dt->is_number()) results.dt = dt->get<double>();
    read_key(summary, "", "seed", results.seed);
    read_key(summary, "", "synapses", results.synapse_count);
    auto& counters = results.counters;
    read_key(summary, "", "stale_predictions", counters.stale_predictions);
    read_key(summary, "", "epochs", counters.epochs);
    read_key(summary, "", "wall_seconds", counters.wall_seconds);
    if (const Json* phases = object_at(summary, "phase_seconds")) {
        for (const auto& [phase, value] : phases->items()) {
            RunCounters::PhaseTime& time = counters.phases.emplace_back();
            time.phase = phase;
            read_key(*phases, "phase_seconds.", phase.c_str(), time.seconds);
        }
    }
    if (const Json* events = object_at(summary, "events")) {  // "total" is their sum
        for (const auto& [kind, value] : events->items()) {
            if (kind == "total") continue;
            RunCounters::EventCount& count = counters.events.emplace_back();
            count.kind = kind;
            read_key(*events, "events.", kind.c_str(), count.count);
        }
    }
    std::vector<std::string> populations;
    if (const Json* listed = object_at(summary, "populations")) {
        for (const auto& [name, value] : listed->items()) {
            populations.push_back(name);
            if (!value.is_object() || !value.contains("size")) continue;
            std::uint32_t size = 0;
            read_key(value, "populations." + name + ".", "size", size);
            sizes[name] = size;
        }
    }
    return populations;
}

}  // namespace

Results read_results(const fs::path& dir) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
        throw UserError(fmt::format("cannot read results from '{}': {}", dir.string(),
                                    error ? error.message() : "not a directory"));
    }
    // Errors reach the caller as exceptions; HDF5 must not also print its stack to stderr.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);

    Results results;
    std::vector<std::string> populations;  // from summary.json, which is read first for them
    std::map<std::string, std::uint32_t> sizes;
    bool found = false;
    const auto read = [&](const char* name, const auto& reader) {
        const fs::path path = dir / name;
        try {
            if (!fs::exists(path)) return;
            found = true;
            reader(path);
        } catch (const std::runtime_error& e) {
            throw UserError(fmt::format("{}: {}", path.string(), e.what()));
        }
    };
    read("summary.json", [&](const fs::path& p) { populations = read_summary(p, results, sizes); });
    read("spikes.h5", [&](const fs::path& p) { results.spikes = read_spikes(p, populations, sizes); });
    std::vector<Report> reports;
    for (const auto& variable : state_variables) {
        for (const auto& file : report_files(dir, std::string(variable.name))) {
            read(file.c_str(), [&](const fs::path& p) {
                auto read = read_reports(p, std::string(variable.name), variable.unit);
                std::move(read.begin(), read.end(), std::back_inserter(reports));
            });
        }
    }
    results.states = traces_of(std::move(reports), populations);
    read("weights.h5", [&](const fs::path& p) { results.weights = read_weights(p); });
    read("metabolism.csv",
         [&](const fs::path& p) { results.metabolic_timeline = read_metabolism(p); });
    if (!found) {
        throw UserError(fmt::format("cannot read results from '{}': it holds none of spikes.h5, "
                                    "V.h5, ge.h5, gi.h5, weights.h5, metabolism.csv, summary.json",
                                    dir.string()));
    }
    return results;
}

}  // namespace metabosim
