// Malformed and extreme configurations (tests/data/malformed, also the fuzz target's seed corpus):
// each is refused with a UserError whose message is short and printable; none reaches the
// engines, crashes or reports an internal error.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/config_input.hpp"
#include "metabosim/config/config.hpp"
#include "metabosim/model/error.hpp"
#include "metabosim/simulation.hpp"

namespace fs = std::filesystem;
using namespace metabosim;

namespace {

const fs::path corpus = fs::path(METABOSIM_SOURCE_DIR) / "tests" / "data" / "malformed";

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The message of the UserError `text` is refused with ("" if accepted).
std::string refusal(const std::string& text, const fs::path& base = "/nonexistent") {
    try {
        validate(parse_config(text, "malformed.toml", base));
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

bool printable(const std::string& message) {
    return std::none_of(message.begin(), message.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\n') || u == 0x7f;
    });
}

}  // namespace

// Valid descriptions that no machine can hold: refused when built, before anything is allocated.
constexpr std::string_view refused_when_built = "huge_population.toml";

TEST_CASE("every file of the malformed corpus is refused with a short, printable message") {
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(corpus)) {
        CAPTURE(entry.path().filename().string());
        if (entry.path().filename() == refused_when_built) continue;
        const std::string text = read_bytes(entry.path());
        CHECK_FALSE(fuzz::read_config_text(text));  // and no other exception
        const std::string message = refusal(text);
        CAPTURE(message);
        CHECK(message.find("malformed.toml") != std::string::npos);
        CHECK(message.size() < 1000);
        CHECK(printable(message));
        ++files;
    }
    CHECK(files >= 15);
}

TEST_CASE("a network that cannot fit in memory is refused before it is built") {
    const Model model = parse_config(read_bytes(corpus / refused_when_built), "huge.toml");
    try {
        Simulation sim(model, Strategy::event_driven());
        FAIL("the network was built");
    } catch (const UserError& e) {
        CAPTURE(std::string(e.what()));
        CHECK(std::string(e.what()).find("more than this machine's") != std::string::npos);
        CHECK(std::string(e.what()).find("4294967295 neurons") != std::string::npos);
    }
}

TEST_CASE("a huge string is not echoed whole") {
    const std::string name(1 << 20, 'x');
    const std::string message = refusal("[populations.E]\nsize = 10\n[[generators]]\nname = \"g\"\ntarget = \"" + name +
                                        "\"\ntimes = [\"1 ms\"]\n");
    CAPTURE(message.substr(0, 300));
    CHECK_FALSE(message.empty());
    CHECK(message.size() < 1000);
}

TEST_CASE("a directory as times_file is refused") {
    const fs::path base = fs::temp_directory_path() / "metabosim_test_malformed_times";
    fs::create_directories(base / "spikes");
    const std::string message =
        refusal("[populations.E]\nsize = 10\n[[generators]]\nname = \"g\"\ntarget = \"E\"\ntimes_file = \"spikes\"\n", base);
    fs::remove_all(base);
    CAPTURE(message);
    CHECK(message.find("times_file") != std::string::npos);
    CHECK(message.find("is a directory") != std::string::npos);
}

TEST_CASE("a recorded variable named twice is refused with its file and line") {
    const std::string message = refusal(read_bytes(corpus / "duplicate_variable.toml"));
    CAPTURE(message);
    CHECK(message.find("malformed.toml:") != std::string::npos);
    CHECK(message.find("\"V\"") != std::string::npos);
    CHECK(message.find("twice") != std::string::npos);
}

TEST_CASE("values at the edges of the accepted ranges run to their end on every engine") {
    const std::string head = "[run]\nduration = \"20 ms\"\nseed = 1\n[populations.E]\nsize = 10\n"
                             "drive = { rate = \"10000 Hz\", weight = \"2 nS\", receptor = \"excitatory\" }\n"
                             "[projections.EE]\npre = \"E\"\npost = \"E\"\nreceptor = \"excitatory\"\n"
                             "connectivity = { rule = \"probability\", p = 0.5 }\nweight = \"1000000 nS\"\n"
                             "delay = \"0.001 ms\"\n[populations.E.neuron]\n";
    for (const char* neuron : {"C = \"0.01 pF\"", "gL = \"0.001 nS\"", "tau_e = \"0.001 ms\"\ntau_i = \"0.001 ms\"",
                               "tau_e = \"1e7 ms\"", "Ee = \"10000 mV\"\nEi = \"-10000 mV\"", "t_ref = \"0.001 ms\""}) {
        CAPTURE(neuron);
        const Model model = parse_config(head + neuron + "\n", "edge.toml");
        validate(model);
        for (const Strategy strategy : {Strategy::event_driven(), Strategy::clock_driven(0.1), Strategy::event_queue()}) {
            const Results results = simulate(model, strategy);
            CHECK(results.complete);
            for (const auto& s : results.spikes)
                CHECK(std::all_of(s.times.begin(), s.times.end(), [](double t) { return t >= 0 && t <= 20; }));
        }
    }
}
