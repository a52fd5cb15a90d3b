#include "metabosim/processes/brian2_runs.hpp"

#include <cmath>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "metabosim/processes/python.hpp"
#include "processes/brian2_timing_json.hpp"

namespace metabosim::processes {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

int run_brian2_export(const fs::path& export_dir, const Brian2Settings& settings, const fs::path& out, const fs::path& log) {
    const PythonSearch python = find_python(brian2_modules());
    if (!python.found) {
        std::ofstream(log) << python.note << '\n';
        return -1;
    }
    // "{}" writes the shortest text that reads back as the same double.
    std::vector<std::string> args{python.found->string(), (export_dir / "run_brian2.py").string(), "--dt",
                                  fmt::format("{}", settings.dt), "-o", out.string()};
    if (settings.codegen.empty())
        args.insert(args.end(), {"--device", "cpp_standalone", "--standalone-dir", settings.standalone_dir.string()});
    else
        args.insert(args.end(), {"--codegen", settings.codegen});
    // The runner's lines and Brian2's reports; not the compiler's or Python's warnings.
    const auto progress = [&](const std::string& line) {
        if (settings.progress && (line.rfind("run_brian2:", 0) == 0 || line.find(" simulated in ") != std::string::npos))
            settings.progress(line);
    };
    return run_process(args, log, progress);
}

namespace {

double number_in(const Json& object, const char* key) {
    return object.contains(key) && object[key].is_number() ? object[key].get<double>() : NAN;
}
std::string text_in(const Json& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : std::string();
}

}  // namespace

std::optional<Brian2Summary> read_brian2_summary(const fs::path& out) {
    std::ifstream in(out / "summary.json");
    const Json summary = Json::parse(in, nullptr, false);
    if (!summary.is_object() || !summary.contains("brian2") || !summary["brian2"].is_object()) return std::nullopt;
    const Json& b = summary["brian2"];
    Brian2Summary s;
    s.brian2 = {.version = text_in(b, "version"), .dt = number_in(b, "dt_ms"), .device = text_in(b, "device"),
                .codegen = text_in(b, "codegen"), .build_seconds = number_in(b, "build_seconds"),
                .compile_seconds = number_in(b, "compile_seconds"), .run_seconds = number_in(b, "run_seconds"),
                .peak_rss_bytes = b.contains("peak_rss_bytes") && b["peak_rss_bytes"].is_number_unsigned()
                                      ? std::optional(b["peak_rss_bytes"].get<std::uint64_t>())
                                      : std::nullopt};
    if (summary.contains("populations") && summary["populations"].is_object())
        for (const auto& [name, p] : summary["populations"].items())
            if (p.contains("spikes") && p["spikes"].is_number_unsigned()) s.spikes += p["spikes"].get<std::uint64_t>();
    s.neurons = number_in(summary, "neurons");
    s.duration = number_in(summary, "duration_ms");
    return s;
}

// nlohmann writes NaN as null: the values the run left null come out null again.
Json to_json(const Brian2Timing& t) {
    return {{"version", t.version},
            {"dt_ms", t.dt},
            {"device", t.device},
            {"codegen", t.codegen},
            {"build_seconds", t.build_seconds},
            {"compile_seconds", t.compile_seconds},
            {"run_seconds", t.run_seconds},
            {"peak_rss_bytes", t.peak_rss_bytes ? Json(*t.peak_rss_bytes) : Json(nullptr)}};
}

}  // namespace metabosim::processes
