// write_results: files read back with the HDF5 C API and plain parsing, values compared exactly.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "metabosim/error.hpp"
#include "metabosim/output.hpp"

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
    weights.histogram = {{1, 2, 3, 4}, {5, 6, 7, 8}};
    weights.has_final = true;
    weights.final_source = {0, 1};
    weights.final_target = {1, 0};
    weights.final_weight = {3.5, 12};
    weights.final_delay = {1.25, 2};
    results.weights.push_back(weights);

    results.metabolic_timeline = {{0, "E", 37}, {12.5, "E", 41}};
    results.counters.events = {1, 2, 3, 4, 5, 6, 1};
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

TEST_CASE("event kinds have their documented names") {
    CHECK(std::string(event_kind_name(EventKind::metabolic_change)) == "metabolic_change");
    CHECK(std::string(event_kind_name(EventKind::threshold_crossing)) == "threshold_crossing");
    CHECK(std::string(event_kind_name(EventKind::end_of_run)) == "end_of_run");
}

TEST_CASE("write_results writes every output and nothing else") {
    TempDir tmp;
    const fs::path dir = tmp.path / "run" / "nested";  // created on demand
    write_results(two_population_model(), small_results(), dir);
    CHECK(files_in(dir) == std::vector<std::string>{"metabolism.csv", "rates.csv", "spikes.h5",
                                                    "states.h5", "summary.json", "weights.h5"});
}

TEST_CASE("spikes.h5 follows the SONATA spike layout") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path);
    H5File h5(tmp.path / "spikes.h5");

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

TEST_CASE("states.h5 holds one SONATA report per population and variable") {
    TempDir tmp;
    write_results(two_population_model(), small_results(), tmp.path);
    H5File h5(tmp.path / "states.h5");

    // values were 100 k + 10 v + n: rows are samples, columns neurons.
    CHECK(h5.shape("/report/E/V/data") == std::vector<hsize_t>{3, 2});
    CHECK(h5.doubles("/report/E/V/data") == doubles{0, 1, 100, 101, 200, 201});
    CHECK(h5.doubles("/report/E/ge/data") == doubles{10, 11, 110, 111, 210, 211});
    CHECK(h5.string_attribute("/report/E/V/data", "units") == "mV");
    CHECK(h5.string_attribute("/report/E/ge/data", "units") == "nS");

    CHECK(h5.uint64s("/report/E/V/mapping/node_ids") == ids{2, 5});
    CHECK(h5.uint64s("/report/E/V/mapping/index_pointers") == ids{0, 1, 2});
    CHECK(h5.uint64s("/report/E/V/mapping/element_ids") == ids{0, 0});
    CHECK(h5.doubles("/report/E/V/mapping/time") == doubles{0, 1.5, 0.5});
    CHECK(h5.string_attribute("/report/E/V/mapping/time", "units") == "ms");
}

TEST_CASE("a population traced twice gets a suffixed report group") {
    TempDir tmp;
    auto results = small_results();
    results.states.push_back(results.states.front());
    results.states.back().start = 5;
    write_results(two_population_model(), results, tmp.path);
    H5File h5(tmp.path / "states.h5");
    CHECK(h5.doubles("/report/E/V/mapping/time") == doubles{0, 1.5, 0.5});
    CHECK(h5.doubles("/report/E_1/V/mapping/time") == doubles{5, 6.5, 0.5});
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

TEST_CASE("states.h5 and weights.h5 are only written when there is something to write") {
    TempDir tmp;
    auto results = small_results();
    results.states.clear();
    results.weights.clear();
    write_results(two_population_model(), results, tmp.path);
    CHECK_FALSE(fs::exists(tmp.path / "states.h5"));
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

TEST_CASE("a failure after some files were written leaves no output behind") {
    TempDir tmp;
    // A directory squatting on summary.json's temporary name makes the last file fail after
    // the HDF5 files and CSVs were written.
    fs::create_directory(tmp.path / ".summary.json.partial");
    CHECK_THROWS_AS(write_results(two_population_model(), small_results(), tmp.path), UserError);
    CHECK(files_in(tmp.path) == std::vector<std::string>{".summary.json.partial"});
}
