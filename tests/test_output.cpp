// write_results: files read back with the HDF5 C API and plain parsing, values compared exactly.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "metabosim/model/error.hpp"
#include "metabosim/recording/output.hpp"

// Internal: the library's own HDF5 writer makes malformed files for read_results.
#include "hdf5/hdf5_file.hpp"
#include "recording/staged_files.hpp"

namespace fs = std::filesystem;
using namespace metabosim;

namespace {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
    fs::path path;
    TempDir() {
        static std::atomic<int> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path = fs::temp_directory_path() /
               ("metabosim_test_output_" + std::to_string(stamp) + "_" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

Model two_population_model() {
    Model model;
    Population e;
    e.name = "E";
    e.size = 10;
    Population i;
    i.name = "I";
    i.size = 4;
    model.populations = {e, i};
    model.recording.rate_bin = 10;
    model.duration = 25;
    model.seed = 7;
    return model;
}

// E spikes 3 times in [0, 10), 1 time in [20, 25); I never spikes (so it has no entry at all).
Results small_results() {
    Results results;
    results.duration = 25;
    results.seed = 7;
    results.synapse_count = 42;
    results.spikes.push_back({"E", 10, {1.5, 2.0, 9.25, 21.0}, {3, 0, 9, 3}});

    StateTrace trace;
    trace.population = "E";
    trace.neurons = {2, 5};
    trace.variables = {"V", "ge"};
    trace.start = 0;
    trace.interval = 0.5;
    trace.samples = 3;
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t v = 0; v < 2; ++v)
            for (std::size_t n = 0; n < 2; ++n) trace.values.push_back(100.0 * k + 10.0 * v + n);
    results.states.push_back(trace);

    WeightTrace weights;
    weights.projection = "EE";
    weights.w_min = 0;
    weights.w_max = 12;
    weights.times = {0, 100};
    weights.mean = {4, 5};
    weights.stddev = {0.5, 1.5};
    weights.fraction_at_min = {0, 0.25};
    weights.fraction_at_max = {0, 0.125};
    weights.bins = 4;
    weights.histogram = {1, 2, 3, 4, 5, 6, 7, 8};
    weights.has_final = true;
    weights.final_source = {0, 1};
    weights.final_target = {1, 0};
    weights.final_weight = {3.5, 12};
    weights.final_delay = {1.25, 2};
    results.weights.push_back(weights);

    results.metabolic_timeline = {{0, "E", 37}, {12.5, "E", 41}};
    results.counters.events = {{"metabolic_change", 1}, {"refractory_end", 2}, {"spike_arrival", 3}, {"external_input", 4},
                               {"threshold_crossing", 5}, {"look_ahead", 0}, {"sample", 6}, {"end_of_run", 1}};
    results.counters.stale_predictions = 9;
    results.counters.epochs = 2;
    results.counters.wall_seconds = 0.5;
    return results;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::vector<std::string>> read_csv(const fs::path& path) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream text(read_text(path));
    for (std::string line; std::getline(text, line);) {
        auto& row = rows.emplace_back();
        std::istringstream fields(line);
        for (std::string field; std::getline(fields, field, ',');) row.push_back(field);
    }
    return rows;
}

// Minimal read-back helpers; each REQUIREs its HDF5 calls so that a wrong layout fails the test.
struct H5File {
    hid_t id;
    explicit H5File(const fs::path& path) : id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) {
        REQUIRE(id >= 0);
    }
    ~H5File() { H5Fclose(id); }
    H5File(const H5File&) = delete;
    H5File& operator=(const H5File&) = delete;

    std::vector<hsize_t> shape(const std::string& dataset) const {
        const hid_t set = H5Dopen2(id, dataset.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(set >= 0, dataset);
        const hid_t space = H5Dget_space(set);
        std::vector<hsize_t> dims(H5Sget_simple_extent_ndims(space));
        H5Sget_simple_extent_dims(space, dims.data(), nullptr);
        H5Sclose(space);
        H5Dclose(set);
        return dims;
    }

    // Values converted to T; also checks the stored type's class and size.
    template <class T>
    std::vector<T> read(const std::string& dataset, hid_t memory_type, H5T_class_t stored_class,
                        std::size_t stored_size = 8) const {
        const hid_t set = H5Dopen2(id, dataset.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(set >= 0, dataset);
        const hid_t type = H5Dget_type(set);
        CHECK_MESSAGE(H5Tget_class(type) == stored_class, dataset);
        CHECK_MESSAGE(H5Tget_size(type) == stored_size, dataset);
        H5Tclose(type);
        const hid_t space = H5Dget_space(set);
        std::vector<T> values(H5Sget_simple_extent_npoints(space));
        H5Sclose(space);
        if (!values.empty()) {
            CHECK(H5Dread(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
        }
        H5Dclose(set);
        return values;
    }
    std::vector<double> doubles(const std::string& dataset) const {
        return read<double>(dataset, H5T_NATIVE_DOUBLE, H5T_FLOAT);
    }
    std::vector<std::uint64_t> uint64s(const std::string& dataset) const {
        return read<std::uint64_t>(dataset, H5T_NATIVE_UINT64, H5T_INTEGER);
    }
    // SONATA report data: float32.
    std::vector<double> floats(const std::string& dataset) const {
        return read<double>(dataset, H5T_NATIVE_DOUBLE, H5T_FLOAT, 4);
    }
    // SONATA element ids: uint32.
    std::vector<std::uint64_t> uint32s(const std::string& dataset) const {
        return read<std::uint64_t>(dataset, H5T_NATIVE_UINT64, H5T_INTEGER, 4);
    }

    // An integer attribute's values, with its stored size and signedness checked.
    std::vector<std::int64_t> integer_attribute(const std::string& object, const std::string& name,
                                                std::size_t stored_size, H5T_sign_t sign) const {
        const hid_t attr = H5Aopen_by_name(id, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE_MESSAGE(attr >= 0, (object + "@" + name));
        const hid_t type = H5Aget_type(attr);
        CHECK(H5Tget_class(type) == H5T_INTEGER);
        CHECK(H5Tget_size(type) == stored_size);
        CHECK(H5Tget_sign(type) == sign);
        const hid_t space = H5Aget_space(attr);
        std::vector<std::int64_t> values(H5Sget_simple_extent_npoints(space));
        CHECK(H5Aread(attr, H5T_NATIVE_INT64, values.data()) >= 0);
        H5Sclose(space);
        H5Tclose(type);
        H5Aclose(attr);
        return values;
    }

    // The developer guide's root attributes: magic, a uint32 0x0A7A; version, two uint32.
    void check_sonata_root() const {
        CHECK(integer_attribute("/", "magic", 4, H5T_SGN_NONE) == std::vector<std::int64_t>{0x0A7A});
        CHECK(integer_attribute("/", "version", 4, H5T_SGN_NONE) == std::vector<std::int64_t>{0, 1});
    }

    // The name of an enum attribute's value (SONATA's `sorting`).
    std::string enum_attribute(const std::string& object, const std::string& name) const {
        const hid_t attr = H5Aopen_by_name(id, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE_MESSAGE(attr >= 0, (object + "@" + name));
        const hid_t type = H5Aget_type(attr);
        REQUIRE(H5Tget_class(type) == H5T_ENUM);
        std::uint8_t value = 255;
        CHECK(H5Aread(attr, H5T_NATIVE_UINT8, &value) >= 0);
        char text[32] = {};
        const hid_t native = H5Tget_native_type(type, H5T_DIR_ASCEND);
        CHECK(H5Tenum_nameof(native, &value, text, sizeof text) >= 0);
        H5Tclose(native);
        H5Tclose(type);
        H5Aclose(attr);
        return text;
    }

    std::string string_attribute(const std::string& object, const std::string& name) const {
        const hid_t attr = H5Aopen_by_name(id, object.c_str(), name.c_str(), H5P_DEFAULT,
                                           H5P_DEFAULT);
        REQUIRE_MESSAGE(attr >= 0, (object + "@" + name));
        const hid_t type = H5Aget_type(attr);
        CHECK(H5Tget_class(type) == H5T_STRING);
        REQUIRE(H5Tis_variable_str(type) > 0);
        char* text = nullptr;
        CHECK(H5Aread(attr, type, &text) >= 0);
        std::string value = text != nullptr ? text : "";
        H5free_memory(text);
        H5Tclose(type);
        H5Aclose(attr);
        return value;
    }
};

using doubles = std::vector<double>;
using ids = std::vector<std::uint64_t>;

std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("write_results writes every output and nothing else") {
    TempDir tmp;
    const fs::path dir = tmp.path / "run" / "nested";  // created on demand
    write_results(two_population_model(), small_results(), dir);
    CHECK(files_in(dir) == std::vector<std::string>{"V.h5", "ge.h5", "metabolism.csv", "rates.csv", "spikes.h5",
                                                    "summary.json", "weights.h5"});
}

TEST_CASE("spikes.h5 follows the SONATA spike layout") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path);
    H5File h5(tmp.path / "spikes.h5");

    h5.check_sonata_root();
    CHECK(h5.doubles("/spikes/E/timestamps") == doubles{1.5, 2.0, 9.25, 21.0});
    CHECK(h5.uint64s("/spikes/E/node_ids") == ids{3, 0, 9, 3});
    CHECK(h5.enum_attribute("/spikes/E", "sorting") == "by_time");
    CHECK(h5.string_attribute("/spikes/E/timestamps", "units") == "ms");

    // A silent population still has its group, with empty datasets.
    CHECK(h5.shape("/spikes/I/timestamps") == std::vector<hsize_t>{0});
    CHECK(h5.shape("/spikes/I/node_ids") == std::vector<hsize_t>{0});
    CHECK(h5.enum_attribute("/spikes/I", "sorting") == "by_time");
}

TEST_CASE("spikes.h5 is not written when spikes are not recorded") {
    TempDir tmp;
    auto model = two_population_model();
    write_results(model, small_results(), tmp.path);
    REQUIRE(fs::exists(tmp.path / "spikes.h5"));

    // A second run without spike recording must not leave the first run's spikes behind.
    model.recording.spikes = false;
    write_results(model, small_results(), tmp.path);
    CHECK_FALSE(fs::exists(tmp.path / "spikes.h5"));
    CHECK(fs::exists(tmp.path / "summary.json"));
}

TEST_CASE("each recorded variable gets its SONATA report file, one report per population") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path);
    CHECK_FALSE(fs::exists(tmp.path / "gi.h5"));  // not recorded
    CHECK_FALSE(fs::exists(tmp.path / "states.h5"));

    H5File v(tmp.path / "V.h5");
    H5File ge(tmp.path / "ge.h5");
    v.check_sonata_root();
    ge.check_sonata_root();
    // values were 100 k + 10 v + n: rows are samples (frames), columns neurons; float32 data.
    CHECK(v.shape("/report/E/data") == std::vector<hsize_t>{3, 2});
    CHECK(v.floats("/report/E/data") == doubles{0, 1, 100, 101, 200, 201});
    CHECK(ge.floats("/report/E/data") == doubles{10, 11, 110, 111, 210, 211});
    CHECK(v.string_attribute("/report/E/data", "units") == "mV");
    CHECK(ge.string_attribute("/report/E/data", "units") == "nS");

    CHECK(v.uint64s("/report/E/mapping/node_ids") == ids{2, 5});
    CHECK(v.integer_attribute("/report/E/mapping/node_ids", "sorted", 1, H5T_SGN_2) == std::vector<std::int64_t>{1});
    // nodes + 1 pointers: node i owns columns [p[i], p[i+1]).
    CHECK(v.uint64s("/report/E/mapping/index_pointers") == ids{0, 1, 2});
    CHECK(v.uint32s("/report/E/mapping/element_ids") == ids{0, 0});
    CHECK(v.doubles("/report/E/mapping/time") == doubles{0, 1.5, 0.5});
    CHECK(v.string_attribute("/report/E/mapping/time", "units") == "ms");
}

TEST_CASE("the traces of one population fill one report, in trace order; other sample times another file") {
    TempDir tmp;
    auto results = small_results();
    StateTrace more = results.states.front();
    more.neurons = {7, 1};
    more.variables = {"V"};
    more.values = {-1, -2, -3, -4, -5, -6};
    results.states.push_back(more);
    write_results(two_population_model(), results, tmp.path);
    H5File v(tmp.path / "V.h5");
    CHECK(v.uint64s("/report/E/mapping/node_ids") == ids{2, 5, 7, 1});
    CHECK(v.integer_attribute("/report/E/mapping/node_ids", "sorted", 1, H5T_SGN_2) == std::vector<std::int64_t>{0});
    CHECK(v.uint64s("/report/E/mapping/index_pointers") == ids{0, 1, 2, 3, 4});
    CHECK(v.floats("/report/E/data") == doubles{0, 1, -1, -2, 100, 101, -3, -4, 200, 201, -5, -6});
    H5File ge(tmp.path / "ge.h5");
    CHECK(ge.uint64s("/report/E/mapping/node_ids") == ids{2, 5});


    // A report has one time axis: a trace at other times is a report of its own, in V_2.h5.
    StateTrace later = results.states.front();
    later.start = 5;
    later.neurons = {3};
    later.variables = {"V"};
    later.values = {1, 2, 3};
    results.states.push_back(later);
    write_results(two_population_model(), results, tmp.path);
    CHECK(files_in(tmp.path) == std::vector<std::string>{"V.h5", "V_2.h5", "ge.h5", "metabolism.csv", "rates.csv",
                                                         "spikes.h5", "summary.json", "weights.h5"});
    H5File v2(tmp.path / "V_2.h5");
    v2.check_sonata_root();
    CHECK(v2.uint64s("/report/E/mapping/node_ids") == ids{3});
    CHECK(v2.doubles("/report/E/mapping/time") == doubles{5, 6.5, 0.5});
    const Results read = read_results(tmp.path);
    REQUIRE(read.states.size() == 3);  // E {2, 5, 7, 1} V; E {3} V from 5 ms; E {2, 5} ge
    CHECK(read.states[1].neurons == std::vector<std::uint32_t>{3});
    CHECK(read.states[1].start == 5);
    CHECK(read.states[1].values == doubles{1, 2, 3});

    // A later run with one set of sample times leaves no V_2.h5 behind.
    results.states.pop_back();
    write_results(two_population_model(), results, tmp.path);
    CHECK_FALSE(fs::exists(tmp.path / "V_2.h5"));
}

TEST_CASE("weights.h5 holds statistics, histogram and final weights") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path);
    H5File h5(tmp.path / "weights.h5");

    CHECK(h5.doubles("/EE/time") == doubles{0, 100});
    CHECK(h5.string_attribute("/EE/time", "units") == "ms");
    CHECK(h5.doubles("/EE/mean") == doubles{4, 5});
    CHECK(h5.string_attribute("/EE/mean", "units") == "nS");
    CHECK(h5.doubles("/EE/stddev") == doubles{0.5, 1.5});
    CHECK(h5.doubles("/EE/fraction_at_min") == doubles{0, 0.25});
    CHECK(h5.doubles("/EE/fraction_at_max") == doubles{0, 0.125});
    CHECK(h5.shape("/EE/histogram") == std::vector<hsize_t>{2, 4});
    CHECK(h5.uint64s("/EE/histogram") == ids{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(h5.doubles("/EE/bin_edges") == doubles{0, 3, 6, 9, 12});

    CHECK(h5.uint64s("/EE/final/source") == ids{0, 1});
    CHECK(h5.uint64s("/EE/final/target") == ids{1, 0});
    CHECK(h5.doubles("/EE/final/weight") == doubles{3.5, 12});
    CHECK(h5.doubles("/EE/final/delay") == doubles{1.25, 2});
    CHECK(h5.string_attribute("/EE/final/delay", "units") == "ms");
}

TEST_CASE("report files and weights.h5 are only written when there is something to write") {
    TempDir tmp;
    auto results = small_results();
    results.states.clear();
    results.weights.clear();
    write_results(two_population_model(), results, tmp.path);
    CHECK_FALSE(fs::exists(tmp.path / "V.h5"));
    CHECK_FALSE(fs::exists(tmp.path / "weights.h5"));
    CHECK(fs::exists(tmp.path / "spikes.h5"));
}

TEST_CASE("rates.csv bins spikes by rate_bin; the last bin may be partial") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path);
    const auto rows = read_csv(tmp.path / "rates.csv");

    REQUIRE(rows.size() == 4);  // header + bins [0,10), [10,20), [20,25)
    CHECK(rows[0] == std::vector<std::string>{"time_ms", "E_Hz", "I_Hz"});
    // 3 spikes, 10 neurons, 10 ms: 3 / (10 * 0.01 s) = 30 Hz.
    CHECK(std::stod(rows[1][0]) == 0);
    CHECK(std::stod(rows[1][1]) == doctest::Approx(30));
    CHECK(std::stod(rows[1][2]) == 0);
    CHECK(std::stod(rows[2][0]) == 10);
    CHECK(std::stod(rows[2][1]) == 0);
    // 1 spike, 10 neurons, 5 ms: 1 / (10 * 0.005 s) = 20 Hz.
    CHECK(std::stod(rows[3][0]) == 20);
    CHECK(std::stod(rows[3][1]) == doctest::Approx(20));
}

TEST_CASE("rates.csv has no extra bin when the duration is a multiple of the bin") {
    TempDir tmp;
    auto model = two_population_model();
    model.recording.rate_bin = 0.3;
    auto results = small_results();
    results.duration = 2.1;  // 2.1 / 0.3 is 7.000000000000001 in binary floating point
    results.spikes.front() = {"E", 10, {2.0}, {1}};
    write_results(model, results, tmp.path);
    const auto rows = read_csv(tmp.path / "rates.csv");
    REQUIRE(rows.size() == 8);  // header + 7 bins
    CHECK(rows[7][0] == "1.8");  // bin start without binary noise (6 * 0.3 = 1.7999999999999998)
    CHECK(std::stod(rows[7][1]) == doctest::Approx(1000.0 / 3));  // 1 / (10 * 0.0003 s)
}

TEST_CASE("metabolism.csv lists the metabolic timeline") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path);
    const auto rows = read_csv(tmp.path / "metabolism.csv");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0] == std::vector<std::string>{"time_ms", "population", "temperature_degC"});
    CHECK(rows[1] == std::vector<std::string>{"0", "E", "37"});
    CHECK(rows[2] == std::vector<std::string>{"12.5", "E", "41"});
}

TEST_CASE("summary.json reports counts, rates and throughput") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path);
    const auto summary = nlohmann::json::parse(read_text(tmp.path / "summary.json"));

    CHECK(summary.at("metabosim_version").is_string());
    CHECK(summary.at("seed") == 7);
    CHECK(summary.at("duration_ms") == 25.0);
    CHECK(summary.at("neurons") == 14);
    CHECK(summary.at("synapses") == 42);
    CHECK(summary.at("populations").at("E").at("spikes") == 4);
    // 4 spikes / (10 neurons * 0.025 s) = 16 Hz
    CHECK(summary.at("populations").at("E").at("mean_rate_Hz").get<double>() ==
          doctest::Approx(16));
    CHECK(summary.at("populations").at("I").at("spikes") == 0);
    CHECK(summary.at("events").at("metabolic_change") == 1);
    CHECK(summary.at("events").at("threshold_crossing") == 5);
    CHECK(summary.at("events").at("end_of_run") == 1);
    CHECK(summary.at("events").at("total") == 22);
    CHECK(summary.at("stale_predictions") == 9);
    CHECK(summary.at("epochs") == 2);
    CHECK(summary.at("wall_seconds") == 0.5);
    CHECK(summary.at("real_time_factor").get<double>() == doctest::Approx(0.05));
    CHECK(summary.at("events_per_second").get<double>() == doctest::Approx(44));
}

TEST_CASE("an unwritable directory throws UserError naming it") {
    TempDir tmp;
    const fs::path blocker = tmp.path / "not_a_directory";
    std::ofstream(blocker) << "x";
    const fs::path dir = blocker / "run";
    try {
        write_results(two_population_model(), small_results(), dir);
        FAIL("write_results did not throw");
    } catch (const UserError& e) {
        CHECK(std::string(e.what()).find(dir.string()) != std::string::npos);
    }
    CHECK(files_in(tmp.path) == std::vector<std::string>{"not_a_directory"});
}

TEST_CASE("a failure after some files were written leaves the earlier output as it was") {
    TempDir tmp;
    const fs::path dir = tmp.path / "run";
    write_results(two_population_model(), small_results(), dir);
    const auto before = files_in(dir);
    const std::string summary = read_text(dir / "summary.json");
    // The third file fails after two were written into the staging directory.
    const auto text = [](std::string content) {
        return [content](const fs::path& p) { std::ofstream(p) << content; };
    };
    std::vector<detail::StagedFile> files{{"summary.json", text("{}")},
                                          {"rates.csv", text("time_ms\n")},
                                          {"spikes.h5", [](const fs::path&) { throw std::runtime_error("disk full"); }}};
    try {
        detail::write_staged(dir, files, "results", before);
        FAIL("write_staged did not throw");
    } catch (const UserError& e) {
        CHECK_MESSAGE(std::string(e.what()).find("writing spikes.h5: disk full") != std::string::npos, std::string(e.what()));
    }
    CHECK(files_in(dir) == before);
    CHECK(read_text(dir / "summary.json") == summary);
    CHECK(files_in(tmp.path) == std::vector<std::string>{"run"});  // no staging directory, no lock
}

TEST_CASE("a directory where an output file should be is refused, and the earlier output kept") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path / "run");
    fs::remove(tmp.path / "run" / "rates.csv");
    fs::create_directory(tmp.path / "run" / "rates.csv");
    std::ofstream(tmp.path / "run" / "rates.csv" / "mine.txt") << "keep me";
    const auto before = files_in(tmp.path / "run");
    try {
        write_results(two_population_model(), small_results(), tmp.path / "run");
        FAIL("write_results did not throw");
    } catch (const UserError& e) {
        CHECK(std::string(e.what()).find("\"rates.csv\" in it is not a regular file") != std::string::npos);
    }
    CHECK(files_in(tmp.path / "run") == before);
    CHECK(fs::exists(tmp.path / "run" / "rates.csv" / "mine.txt"));
    CHECK(files_in(tmp.path) == std::vector<std::string>{"run"});
}

TEST_CASE("a directory holding other files is not replaced") {
    TempDir tmp;
    std::ofstream(tmp.path / "notes.txt") << "mine";
    CHECK_THROWS_AS(write_results(two_population_model(), small_results(), tmp.path), UserError);
    CHECK(files_in(tmp.path) == std::vector<std::string>{"notes.txt"});
}

TEST_CASE("a second writer is kept out while the directory is reserved") {
    TempDir tmp;
    const fs::path dir = tmp.path / "run" / "nested";
    {
        OutputDirectory reserved(dir);
        try {
            write_results(two_population_model(), small_results(), dir);
            FAIL("write_results did not throw");
        } catch (const UserError& e) {
            CHECK(std::string(e.what()).find("another run is writing to it") != std::string::npos);
        }
        CHECK_FALSE(fs::exists(dir));
    }
    // Released without writing: nothing left, not even the parents it created for its lock.
    CHECK(files_in(tmp.path).empty());
    write_results(two_population_model(), small_results(), dir);
    CHECK(fs::exists(dir / "summary.json"));
}

// ---------------------------------------------------------------------------------------------
// read_results: round trips, files written elsewhere (Brian2, Python), malformed files.

namespace {

// Everything write_results stores, with values that are not round in binary.
Results round_trip_results() {
    Results results;
    results.duration = 10;
    results.seed = 18446744073709551557ULL;  // above 2^63: only a JSON uint64 holds it
    results.synapse_count = 123;
    // Highest ids 9 and 3, so that the sizes read back (highest id + 1) are the model's.
    results.spikes.push_back({"E", 10, {0.1, 0.25, 3.5, 3.5, 7.125}, {9, 0, 2, 4, 9}});
    results.spikes.push_back({"I", 4, {1.0 / 3, 2.75}, {3, 1}});

    StateTrace trace;
    trace.population = "E";
    trace.neurons = {0, 4, 7};
    trace.variables = {"V", "ge"};
    trace.start = 0.5;
    trace.interval = 0.1;
    trace.samples = 5;
    for (std::size_t k = 0; k < 5; ++k)
        for (std::size_t v = 0; v < 2; ++v)
            for (std::size_t n = 0; n < 3; ++n)
                trace.values.push_back(-65 + std::sqrt(100.0 * k + 10.0 * v + n));
    results.states.push_back(trace);

    WeightTrace ee;
    ee.projection = "EE";
    ee.w_min = 0;
    ee.w_max = 1.5;
    ee.times = {0, 50, 100};
    ee.mean = {0.7, 0.71, 0.1 + 0.2};
    ee.stddev = {0.01, 0.2, 1.0 / 7};
    ee.fraction_at_min = {0, 0.25, 0.5};
    ee.fraction_at_max = {0, 0.125, 1.0 / 3};
    ee.bins = 3;
    ee.histogram = {4, 0, 0, 1, 2, 1, 2, 0, 2};
    ee.has_final = true;
    ee.final_source = {0, 0, 3, 9};
    ee.final_target = {1, 2, 0, 8};
    ee.final_weight = {0.3, 1.5, 0, 2.0 / 3};
    ee.final_delay = {1.25, 0.1, 3, 1.0 / 3};
    results.weights.push_back(ee);
    WeightTrace ei;  // without final weights
    ei.projection = "EI";
    ei.w_min = 0.5;
    ei.w_max = 2;
    ei.times = {100};
    ei.mean = {1};
    ei.stddev = {0};
    ei.fraction_at_min = {0};
    ei.fraction_at_max = {0};
    ei.bins = 2;
    ei.histogram = {0, 8};
    results.weights.push_back(ei);

    results.metabolic_timeline = {{0, "E", 37}, {0, "I", 37}, {5, "E", 41}};
    results.counters.events = {{"metabolic_change", 1}, {"refractory_end", 2}, {"spike_arrival", 3}, {"external_input", 4},
                               {"threshold_crossing", 5}, {"look_ahead", 0}, {"sample", 6}, {"end_of_run", 1}};
    results.counters.stale_predictions = 9;
    results.counters.epochs = 4;
    results.counters.wall_seconds = 0.125;
    return results;
}

void check_same_spikes(const std::vector<PopulationSpikes>& read,
                       const std::vector<PopulationSpikes>& written) {
    REQUIRE(read.size() == written.size());
    for (std::size_t p = 0; p < read.size(); ++p) {
        CHECK(read[p].population == written[p].population);
        CHECK(read[p].size == written[p].size);
        CHECK(read[p].times == written[p].times);
        CHECK(read[p].node_ids == written[p].node_ids);
    }
}

// The message of the UserError that read_results throws for `dir`.
std::string read_error(const fs::path& dir) {
    try {
        read_results(dir);
    } catch (const UserError& e) {
        return e.what();
    }
    FAIL("read_results did not throw");
    return {};
}

template <class Fill>
void write_h5(const fs::path& path, Fill fill) {
    detail::Hdf5Writer h5(path);
    fill(h5);
    h5.close();
}

}  // namespace

TEST_CASE("read_results reads back exactly what write_results wrote") {
    TempDir tmp;
    const Results written = round_trip_results();
    write_results(two_population_model(), written, tmp.path);
    const Results read = read_results(tmp.path);

    CHECK(read.duration == written.duration);
    CHECK(read.seed == written.seed);
    CHECK(read.synapse_count == written.synapse_count);
    check_same_spikes(read.spikes, written.spikes);

    REQUIRE(read.states.size() == 1);
    const StateTrace& trace = read.states.front();
    const StateTrace& expected = written.states.front();
    CHECK(trace.population == expected.population);
    CHECK(trace.neurons == expected.neurons);
    CHECK(trace.variables == expected.variables);
    CHECK(trace.start == expected.start);
    CHECK(trace.interval == expected.interval);
    CHECK(trace.samples == expected.samples);
    // SONATA report data are float32: the values come back rounded to float.
    std::vector<double> as_stored;
    for (double x : expected.values) as_stored.push_back(static_cast<float>(x));
    CHECK(trace.values == as_stored);
    CHECK(trace.values != expected.values);  // the rounding is real: these values are not floats

    REQUIRE(read.weights.size() == written.weights.size());
    for (std::size_t w = 0; w < read.weights.size(); ++w) {
        const WeightTrace& a = read.weights[w];
        const WeightTrace& b = written.weights[w];
        CHECK(a.projection == b.projection);
        CHECK(a.w_min == b.w_min);
        CHECK(a.w_max == b.w_max);
        CHECK(a.times == b.times);
        CHECK(a.mean == b.mean);
        CHECK(a.stddev == b.stddev);
        CHECK(a.fraction_at_min == b.fraction_at_min);
        CHECK(a.fraction_at_max == b.fraction_at_max);
        CHECK(a.bins == b.bins);
        CHECK(a.histogram == b.histogram);
        CHECK(a.has_final == b.has_final);
        CHECK(a.final_source == b.final_source);
        CHECK(a.final_target == b.final_target);
        CHECK(a.final_weight == b.final_weight);
        CHECK(a.final_delay == b.final_delay);
    }

    REQUIRE(read.metabolic_timeline.size() == written.metabolic_timeline.size());
    for (std::size_t c = 0; c < read.metabolic_timeline.size(); ++c) {
        CHECK(read.metabolic_timeline[c].time == written.metabolic_timeline[c].time);
        CHECK(read.metabolic_timeline[c].population == written.metabolic_timeline[c].population);
        CHECK(read.metabolic_timeline[c].temperature ==
              written.metabolic_timeline[c].temperature);
    }

    REQUIRE(read.counters.events.size() == written.counters.events.size());
    for (std::size_t k = 0; k < read.counters.events.size(); ++k) {
        CHECK(read.counters.events[k].kind == written.counters.events[k].kind);
        CHECK(read.counters.events[k].count == written.counters.events[k].count);
    }
    CHECK(read.counters.stale_predictions == written.counters.stale_predictions);
    CHECK(read.counters.epochs == written.counters.epochs);
    CHECK(read.counters.wall_seconds == written.counters.wall_seconds);
}

TEST_CASE("read_results leaves the parts of absent files empty") {
    TempDir tmp;
    const Results written = round_trip_results();
    write_results(two_population_model(), written, tmp.path);
    for (const auto& name : files_in(tmp.path)) {
        if (name != "spikes.h5") fs::remove(tmp.path / name);
    }
    const Results read = read_results(tmp.path);
    check_same_spikes(read.spikes, written.spikes);
    CHECK(read.states.empty());
    CHECK(read.weights.empty());
    CHECK(read.metabolic_timeline.empty());
    CHECK(read.duration == 0);
    CHECK(read.seed == 0);
    CHECK(read.counters.total_events() == 0);
}

TEST_CASE("read_results orders populations as summary.json lists them; a trace per set of neurons") {
    TempDir tmp;
    auto model = two_population_model();
    std::swap(model.populations[0], model.populations[1]);  // I before E
    auto results = small_results();
    StateTrace e = results.states.front();
    StateTrace i = e;
    i.population = "I";
    StateTrace i_more = i;
    i_more.neurons = {1};
    i_more.variables = {"V"};
    i_more.values = {7, 8, 9};
    results.states = {e, i, i_more};  // V.h5: E {2, 5}, I {2, 5, 1}; ge.h5: E {2, 5}, I {2, 5}
    write_results(model, results, tmp.path);

    const Results read = read_results(tmp.path);
    REQUIRE(read.spikes.size() == 2);
    CHECK(read.spikes[0].population == "I");
    CHECK(read.spikes[0].size == 4);  // no spikes, but summary.json gives its size
    CHECK(read.spikes[1].population == "E");
    REQUIRE(read.states.size() == 3);
    CHECK(read.states[0].population == "I");
    CHECK(read.states[0].neurons == std::vector<std::uint32_t>{2, 5, 1});
    CHECK(read.states[0].variables == std::vector<std::string>{"V"});
    CHECK(read.states[0].values == doubles{0, 1, 7, 100, 101, 8, 200, 201, 9});
    CHECK(read.states[1].population == "I");
    CHECK(read.states[1].neurons == std::vector<std::uint32_t>{2, 5});
    CHECK(read.states[1].variables == std::vector<std::string>{"ge"});
    CHECK(read.states[2].population == "E");
    CHECK(read.states[2].variables == std::vector<std::string>{"V", "ge"});
}

TEST_CASE("read_results takes SONATA spikes in any order and CSV as Python writes it") {
    TempDir tmp;
    write_h5(tmp.path / "spikes.h5", [](auto& h5) {
        h5.dataset("/spikes/exc/timestamps", doubles{2, 5, 1, 2});  // sorted by id
        h5.dataset("/spikes/exc/node_ids", ids{0, 0, 1, 1});
        h5.dataset("/spikes/inh/timestamps", doubles{});
        h5.dataset("/spikes/inh/node_ids", ids{});
    });
    std::ofstream(tmp.path / "summary.json")
        << R"({"duration_ms": 6.5, "populations": {"inh": {}, "exc": {}}})";
    std::ofstream(tmp.path / "metabolism.csv")
        << "time_ms,population,temperature_degC\r\n0,\"exc, layer \"\"4\"\"\",36.5\r\n";

    const Results read = read_results(tmp.path);
    CHECK(read.duration == 6.5);
    check_same_spikes(read.spikes, {{"inh", 0, {}, {}}, {"exc", 2, {1, 2, 2, 5}, {1, 0, 1, 0}}});
    REQUIRE(read.metabolic_timeline.size() == 1);
    CHECK(read.metabolic_timeline[0].population == "exc, layer \"4\"");
    CHECK(read.metabolic_timeline[0].temperature == 36.5);
}

TEST_CASE("read_results names the file, the object and what was expected") {
    TempDir tmp;
    const fs::path spikes = tmp.path / "spikes.h5";
    const fs::path summary = tmp.path / "summary.json";
    const auto error_is = [&](const fs::path& file, const std::string& what) {
        CHECK(read_error(tmp.path) == file.string() + ": " + what);
    };
    const auto error_starts = [&](const fs::path& file, const std::string& what) {
        CHECK(read_error(tmp.path).rfind(file.string() + ": " + what, 0) == 0);
    };

    SUBCASE("a missing dataset") {
        write_h5(spikes, [](auto& h5) { h5.dataset("/spikes/E/timestamps", doubles{1, 2}); });
        error_is(spikes, "/spikes/E/node_ids is missing");
    }
    SUBCASE("datasets of different lengths") {
        write_h5(spikes, [](auto& h5) {
            h5.dataset("/spikes/E/timestamps", doubles{1, 2, 3});
            h5.dataset("/spikes/E/node_ids", ids{0, 1});
        });
        error_is(spikes, "/spikes/E/node_ids has 2 values but timestamps has 3");
    }
    SUBCASE("times in other units") {
        write_h5(spikes, [](auto& h5) {
            h5.dataset("/spikes/E/timestamps", doubles{0.001});
            h5.attribute("/spikes/E/timestamps", "units", "s");
            h5.dataset("/spikes/E/node_ids", ids{0});
        });
        error_is(spikes, "/spikes/E/timestamps@units is 's'; expected 'ms'");
    }
    SUBCASE("a node id beyond 32 bits") {
        write_h5(spikes, [](auto& h5) {
            h5.dataset("/spikes/E/timestamps", doubles{1});
            h5.dataset("/spikes/E/node_ids", ids{1ULL << 40});
        });
        error_is(spikes, "/spikes/E/node_ids has values outside [0, 4294967295]");
    }
    SUBCASE("a file that is not HDF5") {
        std::ofstream(spikes) << "time,id\n";
        error_starts(spikes, "cannot open the file as HDF5: ");
    }
    SUBCASE("a state report whose data and mapping disagree") {
        const fs::path states = tmp.path / "V.h5";
        write_h5(states, [](auto& h5) {
            h5.dataset("/report/E/data", doubles{1, 2, 3, 4, 5, 6}, {2, 3});
            h5.dataset("/report/E/mapping/node_ids", ids{0, 1});
        });
        error_is(states, "/report/E/data has 3 columns but mapping/node_ids has 2 values");
    }
    SUBCASE("a weight histogram without a row per sample") {
        const fs::path weights = tmp.path / "weights.h5";
        write_h5(weights, [](auto& h5) {
            for (const char* name : {"time", "mean", "stddev", "fraction_at_min",
                                     "fraction_at_max"}) {
                h5.dataset(std::string("/EE/") + name, doubles{0, 100});
            }
            h5.dataset("/EE/histogram", ids{1, 2, 3}, {1, 3});
        });
        error_is(weights, "/EE/histogram has 1 rows but time has 2 values");
    }
    SUBCASE("a summary.json that is not JSON") {
        std::ofstream(summary) << R"({"seed": 7,)";
        error_starts(summary, "not valid JSON: ");
    }
    SUBCASE("a summary key of the wrong type") {
        std::ofstream(summary) << R"({"seed": "seven"})";
        error_is(summary, R"('seed' is "seven"; expected an integer >= 0)");
    }
    SUBCASE("a negative event count") {
        std::ofstream(summary) << R"({"events": {"sample": -1}})";
        error_is(summary, "'events.sample' is -1; expected an integer >= 0");
    }
    SUBCASE("a metabolism.csv with a temperature that is not a number") {
        const fs::path metabolism = tmp.path / "metabolism.csv";
        std::ofstream(metabolism) << "time_ms,population,temperature_degC\n0,E,warm\n";
        error_is(metabolism, "row 2: temperature_degC is 'warm'; expected a number");
    }
}

TEST_CASE("read_results of a missing or empty directory throws UserError naming it") {
    TempDir tmp;
    const fs::path missing = tmp.path / "nowhere";
    CHECK(read_error(missing) ==
          "cannot read results from '" + missing.string() + "': No such file or directory");
    CHECK(read_error(tmp.path) == "cannot read results from '" + tmp.path.string() +
                                      "': it holds none of spikes.h5, V.h5, ge.h5, gi.h5, weights.h5, "
                                      "metabolism.csv, summary.json");
}
