// The helper programs: their output passed on line by line, the Python interpreter found (not
// assumed) with a message naming those tried and what they lacked, configs found by name.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "metabosim/model/error.hpp"
#include "metabosim/processes/installation.hpp"
#include "metabosim/processes/processes.hpp"
#include "metabosim/processes/python.hpp"

namespace fs = std::filesystem;
using namespace metabosim;
using namespace metabosim::processes;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path = fs::temp_directory_path() / ("metabosim_test_processes_" + std::to_string(getpid()) + "_" +
                                            std::to_string(stamp));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

// Sets an environment variable for a scope, then puts back what was there.
class ScopedVariable {
public:
    ScopedVariable(const char* name, const std::optional<std::string>& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        set(value);
    }
    ~ScopedVariable() { set(old_); }

private:
    void set(const std::optional<std::string>& value) {
        if (value)
            setenv(name_, value->c_str(), 1);
        else
            unsetenv(name_);
    }
    const char* name_;
    std::optional<std::string> old_;
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A python3 whose `import h5py` fails (a pyenv, conda or venv Python without it), in dir/bin.
fs::path python_without_h5py(const fs::path& dir) {
    fs::create_directories(dir / "bin");
    fs::create_directories(dir / "modules");
    std::ofstream(dir / "modules" / "h5py.py") << "raise ImportError(\"No module named 'h5py'\")\n";
    const fs::path python = dir / "bin" / "python3";
    std::ofstream(python) << "#!/bin/sh\nPYTHONPATH=" << (dir / "modules").string() << " exec /usr/bin/python3 \"$@\"\n";
    fs::permissions(python, fs::perms::owner_all);
    return python;
}

}  // namespace

TEST_CASE("run_process passes each line on and keeps the output in the log") {
    TempDir tmp;
    const fs::path log = tmp.path / "log";
    std::vector<std::string> lines;
    const int status = run_process({"sh", "-c", "echo one; echo two >&2; printf 'three\\rfour'; exit 3"}, log,
                                   [&](const std::string& line) { lines.push_back(line); });
    CHECK(status == 3);
    CHECK(lines == std::vector<std::string>{"one", "two", "three", "four"});
    CHECK(read_file(log) == "one\ntwo\nthree\rfour");
    CHECK(run_process({"/nonexistent/program"}, log) == -1);
}

TEST_CASE("the first python3 on PATH that has the modules; one that lacks them is passed over and named") {
    if (access("/usr/bin/python3", X_OK) != 0) return;
    TempDir tmp;
    const fs::path fake = python_without_h5py(tmp.path);
    // Debian's Python (with python3-h5py and the others, as the tests need) after the fake one.
    ScopedVariable path("PATH", fake.parent_path().string() + ":/usr/bin:/bin");
    ScopedVariable named(python_variable, std::nullopt);
    const PythonSearch search = find_python(report_modules());
    REQUIRE(search.found);
    CHECK(*search.found == fs::path("/usr/bin/python3"));
    CHECK(search.note == fake.string() + " lacks h5py");

    SUBCASE("an interpreter named by METABOSIM_PYTHON is the only one tried") {
        ScopedVariable only(python_variable, fake.string());
        const PythonSearch none = find_python(report_modules());
        CHECK_FALSE(none.found);
        CHECK(none.note == "no Python with h5py, numpy, matplotlib found (METABOSIM_PYTHON names it: " + fake.string() +
                               " lacks h5py). Install h5py, numpy, matplotlib (Debian: apt-get install python3-h5py), "
                               "or name an interpreter that has them with --python or METABOSIM_PYTHON");
    }
    SUBCASE("one that cannot be run") {
        ScopedVariable only(python_variable, "/nonexistent/python3");
        const PythonSearch none = find_python(report_modules());
        CHECK_FALSE(none.found);
        CHECK(none.note.find("/nonexistent/python3 could not be run") != std::string::npos);
    }
    SUBCASE("a report script run by the interpreter found") {
        const fs::path log = tmp.path / "report.log";
        const ScriptRun run = run_tool("findings_report.py", {(tmp.path / "nowhere").string()}, log);
        CHECK(run.python == fs::path("/usr/bin/python3"));
        CHECK(run.status == 2);  // it ran, and found no findings.json there
        CHECK(run.failure().find("findings.json") != std::string::npos);
    }
}

TEST_CASE("configs by file or by name") {
    const fs::path configs = fs::path(METABOSIM_SOURCE_DIR) / "configs";
    CHECK(find_config("coba") == configs / "coba.toml");
    CHECK(find_config("microcircuit.toml") == configs / "microcircuit.toml");
    const std::string file = (configs / "coba.toml").string();
    CHECK(find_config(file) == fs::path(file));
    CHECK(config_names() == std::vector<std::string>{"billion", "coba", "microcircuit", "song_abbott"});
    CHECK_THROWS_WITH_AS(find_config("cobra"),
                         ("cobra: no such config file, nor one of metabosim's configs in " + configs.string() +
                          " (billion, coba, microcircuit, song_abbott)").c_str(),
                         UserError);
    // A path is a file or nothing: not looked up among the names.
    CHECK_THROWS_AS(find_config("elsewhere/coba"), UserError);
    CHECK(find_tool("plot_run.py") == fs::path(METABOSIM_SOURCE_DIR) / "tools" / "plot_run.py");
    CHECK_FALSE(installed_data_directory());  // a build tree
}
