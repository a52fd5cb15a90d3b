#include "metabosim/processes/python.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metabosim/processes/processes.hpp"

namespace metabosim::processes {

namespace fs = std::filesystem;

namespace {

constexpr const char* debian_python = "/usr/bin/python3";

// Imports each module named on its command line and prints those that failed after a marker.
constexpr const char* probe = R"(import importlib, sys, warnings
warnings.simplefilter("ignore")
missing = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        missing.append(name)
print("metabosim-missing:" + " ".join(missing))
)";

std::string debian_package(const std::string& module) {
    static const std::map<std::string, std::string> packages{
        {"brian2", "python3-brian"}, {"h5py", "python3-h5py"}, {"numpy", "python3-numpy"},
        {"matplotlib", "python3-matplotlib"}};
    const auto p = packages.find(module);
    return p == packages.end() ? "python3-" + module : p->second;
}

struct Probe {
    fs::path python;
    bool ran = false;                  // it started and answered
    int status = -1;
    std::vector<std::string> missing;  // the modules it could not import

    bool has_all() const { return ran && missing.empty(); }
    std::string what_is_wrong() const {
        if (!ran) return fmt::format("{} could not be run{}", python.string(),
                                     status < 0 ? "" : fmt::format(" (exit status {})", status));
        return fmt::format("{} lacks {}", python.string(), fmt::join(missing, ", "));
    }
};

Probe probe_python(const fs::path& python, const std::vector<std::string>& modules) {
    Probe p;
    p.python = python;
    std::vector<std::string> argv{python.string(), "-c", probe};
    argv.insert(argv.end(), modules.begin(), modules.end());
    std::optional<std::string> answer;
    const std::string marker = "metabosim-missing:";
    p.status = run_process(argv, {}, [&](const std::string& line) {
        if (line.rfind(marker, 0) == 0) answer = line.substr(marker.size());
    });
    p.ran = p.status == 0 && answer;
    std::istringstream words(answer.value_or(""));
    for (std::string m; words >> m;) p.missing.push_back(m);
    return p;
}

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

// The named interpreter alone; else every python3 on PATH, in order, then Debian's (each once,
// however reached: /bin is /usr/bin on Debian).
std::vector<fs::path> candidates() {
    const std::string named = environment(python_variable);
    if (!named.empty()) return {named};
    std::vector<fs::path> out, seen;
    const auto add = [&](const fs::path& python) {
        std::error_code ignored;
        if (access(python.c_str(), X_OK) != 0 || fs::is_directory(python, ignored)) return;
        const fs::path real = fs::weakly_canonical(python, ignored);
        for (const fs::path& s : seen)
            if (s == real) return;
        seen.push_back(real);
        out.push_back(python);
    };
    std::istringstream path(environment("PATH"));
    for (std::string dir; std::getline(path, dir, ':');)
        if (!dir.empty()) add(fs::path(dir) / "python3");
    add(debian_python);
    return out;
}

PythonSearch search(const std::vector<std::string>& modules) {
    std::vector<Probe> passed_over;
    for (const fs::path& python : candidates()) {
        Probe p = probe_python(python, modules);
        if (p.has_all()) {
            std::vector<std::string> notes;
            for (const Probe& q : passed_over) notes.push_back(q.what_is_wrong());
            return {.found = python, .note = fmt::format("{}", fmt::join(notes, "; "))};
        }
        passed_over.push_back(std::move(p));
    }
    std::vector<std::string> notes, packages;
    for (const Probe& q : passed_over) {
        notes.push_back(q.what_is_wrong());
        for (const auto& m : q.missing) packages.push_back(debian_package(m));
    }
    if (packages.empty())
        for (const auto& m : modules) packages.push_back(debian_package(m));
    std::sort(packages.begin(), packages.end());
    packages.erase(std::unique(packages.begin(), packages.end()), packages.end());
    const std::string named = environment(python_variable);
    return {.found = std::nullopt,
            .note = fmt::format(
                "no Python with {} found ({}{}). Install {} (Debian: apt-get install {}), or name an interpreter "
                "that has them with --python or {}",
                fmt::join(modules, ", "), named.empty() ? "" : fmt::format("{} names it: ", python_variable),
                passed_over.empty() ? std::string("no python3 on PATH") : fmt::format("{}", fmt::join(notes, "; ")),
                fmt::join(modules, ", "), fmt::join(packages, " "), python_variable)};
}

}  // namespace

const std::vector<std::string>& report_modules() {
    static const std::vector<std::string> modules{"h5py", "numpy", "matplotlib"};
    return modules;
}

const std::vector<std::string>& brian2_modules() {
    static const std::vector<std::string> modules{"brian2", "h5py", "numpy"};
    return modules;
}

PythonSearch find_python(const std::vector<std::string>& modules) {
    static std::mutex mutex;
    static std::map<std::string, PythonSearch> known;
    const std::string key = fmt::format("{}\n{}\n{}", fmt::join(modules, " "), environment("PATH"),
                                        environment(python_variable));
    std::lock_guard lock(mutex);
    const auto k = known.find(key);
    if (k != known.end()) return k->second;
    return known[key] = search(modules);
}

}  // namespace metabosim::processes
