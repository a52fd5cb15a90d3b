#include "config/spike_times.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "config/fields.hpp"
#include "metabosim/model/echo.hpp"
#include "metabosim/model/error.hpp"
#include "model/trim.hpp"

namespace metabosim::config {
namespace {

constexpr Choice<SpikeSource::Kind> source_kinds[] = {{"poisson", SpikeSource::Kind::poisson},
                                                      {"array", SpikeSource::Kind::array}};

// Each time after the one before it (`strictly`: a source cannot fire twice at one instant).
void check_ascending(const Document& doc, const toml::array& items, std::string_view path,
                     const std::vector<double>& times, bool strictly) {
    for (std::size_t i = 1; i < times.size(); ++i)
        if (times[i] < times[i - 1] || (strictly && times[i] == times[i - 1]))
            fail_value(doc, *items.get(i), fmt::format("{}[{}]", path, i),
                       fmt::format("times sorted {}ascending (after {} ms)", strictly ? "strictly " : "",
                                   times[i - 1]));
}

void read_poisson(Section& s, SpikeSource& source) {
    read_fields(s, source, schema::source_fields);
    source.temperature_scaled = s.boolean("temperature_scaled", source.temperature_scaled);
    for (auto& step : s.sections("steps")) {
        RateStep r;
        read_fields(step, r, schema::rate_step_fields);
        if (!source.steps.empty() && r.time <= source.steps.back().time)
            fail_value(step.doc(), *step.find("time"), step.path_of("time"),
                       fmt::format("a time after the step before ({} ms): steps in ascending order",
                                   source.steps.back().time));
        step.finish();
        source.steps.push_back(r);
    }
}

void read_array(Section& s, SpikeSource& source, std::uint32_t size) {
    const auto* times = s.find("times");
    const auto* files = s.find("times_files");
    if (!times == !files)
        fail_at(s.doc(), s.table(), s.path(),
                "expected exactly one of times = [[...], ...] (a list per source) and times_files = [\"...\", ...]");
    const std::string key = times ? "times" : "times_files";
    const toml::array& lists = s.required_array(key, "an array with one entry per source");
    if (lists.size() != size)
        fail_value(s.doc(), times ? *times : *files, s.path_of(key),
                   fmt::format("one entry per source: {} entries, the population's size", size));
    for (std::size_t i = 0; i < lists.size(); ++i) {
        const std::string path = fmt::format("{}[{}]", s.path_of(key), i);
        if (files) {
            source.times.push_back(read_times_file(s.doc(), lists[i], path));
            const auto& t = source.times.back();
            for (std::size_t j = 1; j < t.size(); ++j)
                if (t[j] == t[j - 1])
                    fail_value(s.doc(), lists[i], path,
                               fmt::format("a file of strictly ascending times ({} ms is there twice)", t[j]));
            continue;
        }
        const auto* list = lists[i].as_array();
        if (!list) fail_value(s.doc(), lists[i], path, "an array of times (e.g. [\"10 ms\", \"20 ms\"])");
        source.times.push_back(read_quantities(s.doc(), *list, path, schema::source_time));
        check_ascending(s.doc(), *list, path, source.times.back(), true);
    }
}

}  // namespace

std::vector<double> read_times_file(const Document& doc, const toml::node& node, std::string_view path) {
    const auto file = doc.base_dir / read_string(doc, node, path, "a file name");
    std::error_code ignored;
    if (std::filesystem::is_directory(file, ignored))
        fail_value(doc, node, path, fmt::format("a file; {} is a directory", echo_quoted(file.string())));
    std::ifstream in(file);
    if (!in) fail_value(doc, node, path, fmt::format("a readable file, cannot open {}", echo_quoted(file.string())));
    const auto bound = schema::field(schema::generator_fields, "times").quantity.bound;
    std::vector<double> times;
    std::string line;
    for (unsigned number = 1; std::getline(in, line); ++number) {
        const auto text = trim(std::string_view(line).substr(0, line.find('#')));
        if (text.empty()) continue;
        double t = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), t);
        const bool ok = error == std::errc() && end == text.data() + text.size() && schema::within(t, bound);
        if (!ok)
            throw UserError(fmt::format("{}:{}: {}: expected a non-negative time in ms (e.g. 12.5)",
                                        echo(file.string()), number, echo_quoted(text)));
        if (!times.empty() && t < times.back())
            throw UserError(fmt::format("{}:{}: {} ms: expected times sorted ascending (after {} ms)",
                                        echo(file.string()), number, t, times.back()));
        times.push_back(t);
    }
    return times;
}

SpikeSource read_source(Section& s, std::uint32_t size) {
    SpikeSource source;
    source.kind = read_choice<SpikeSource::Kind>(s.doc(), s.need("kind", "\"poisson\" or \"array\""),
                                                 s.path_of("kind"), source_kinds);
    if (source.kind == SpikeSource::Kind::poisson)
        read_poisson(s, source);
    else
        read_array(s, source, size);
    s.finish();
    return source;
}

}  // namespace metabosim::config
